// A client nobody here wrote: GDAL's OAPIF driver lists every collection and reads every feature of a
// collection with the same count and attributes (Chinese intact) as the database.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasProgram } from '../helpers/tools.ts';
import { LAYERS } from '../../geo/layers.ts';
import { appUrl, authHeaders, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();
const hasOgrinfo = hasProgram('ogrinfo', ['--version'], 'features/gdal.test', 'gdal-bin');

// GDAL logs in the way any script does: with a session cookie (GDAL_HTTP_COOKIE)
const env = { ...process.env, GDAL_HTTP_TIMEOUT: '60', CPL_CURL_VERBOSE: 'NO', GDAL_HTTP_COOKIE: authHeaders().cookie };
const ogr = (tool: string, args: string[]) => execFileSync(tool, args, { env, maxBuffer: 512 * 1024 * 1024 }).toString('utf8');

describe.skipIf(!hasOgrinfo)('GDAL OAPIF reads the feature API', () => {
  it('lists every collection', () => {
    const out = ogr('ogrinfo', ['-ro', '-q', `OAPIF:${appUrl()}/ogc`]);
    const names = [...out.matchAll(/^\d+: (\w+)/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(LAYERS.map((l) => l.id).sort());
  });

  it.each(['resettlement_site', 'military_land', 'red_line'])('reads every feature of %s with the database’s count and attributes', async (id) => {
    const out = ogr('ogr2ogr', ['-preserve_fid', '-f', 'GeoJSON', '/vsistdout/', `OAPIF:${appUrl()}/ogc`, id]);
    const fc = JSON.parse(out) as { features: { id?: number; properties: Record<string, unknown> }[] };
    const table = LAYERS.find((l) => l.id === id)!;
    const { rows } = await pool.query(`SELECT * FROM ${table.table} WHERE ${table.geometryColumn} IS NOT NULL ORDER BY id`);
    expect(fc.features.length).toBe(rows.length);
    const byId = new Map(fc.features.map((f) => [Number(f.id), f.properties]));
    for (const row of rows) {
      const props = byId.get(row.id);
      expect(props, `feature ${row.id}`).toBeDefined();
      for (const key of ['name', 'code', 'unit', 'notes', 'units_planned', 'land_target_mu', 'kind'] as const) {
        if (!(key in row) || row[key] === null) continue;
        const want = typeof row[key] === 'string' && /^-?\d+(\.\d+)?$/.test(row[key]) && key.endsWith('_mu') ? Number(row[key]) : row[key];
        expect(props![key], `${id} ${row.id}.${key}`).toEqual(want);
      }
    }
  });

  it('reads every parcel (paged) with the database’s count', async () => {
    const out = ogr('ogrinfo', ['-ro', '-so', `OAPIF:${appUrl()}/ogc`, 'parcel']);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int n FROM parcel');
    expect(Number(/Feature Count: (\d+)/.exec(out)?.[1])).toBe(rows[0].n);
    const all = ogr('ogrinfo', ['-ro', '-al', '-q', '-geom=NO', `OAPIF:${appUrl()}/ogc`, 'parcel']);
    expect((all.match(/^OGRFeature\(parcel\):/gm) ?? []).length).toBe(rows[0].n);
    const { rows: names } = await pool.query<{ owner_name: string }>('SELECT owner_name FROM parcel ORDER BY id LIMIT 1');
    expect(all).toContain(`owner_name (String) = ${names[0].owner_name}`);
  });
});
