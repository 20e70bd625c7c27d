// Military land (军事用地) keeps its sensitive attributes (geo/layers.ts `sensitive`: name, unit, use,
// notes) from readers without the military grant: startExport(…, { sensitive: false }) leaves them out
// of every format; parcels an army unit owns (`sensitiveWhere`) are exported without the owner's name. Called as the route and the CLI call it (not over HTTP: the accounts capability
// decides `sensitive` per request). Each export is opened again: GeoJSON parsed, the Shapefile and the
// GeoPackage with GDAL's ogrinfo, every format with this system's own importer, and the raw bytes
// searched for the sensitive text (in UTF-8 and GBK).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { startExport } from '../../server/exchange/export.ts';
import { EXPORTERS } from '../../server/exchange/registry.ts';
import { type LayerFields, loadLayerFields } from '../../server/core/catalogue.ts';
import { useTestPool } from '../helpers/db.ts';
import { gdalMissing, parseFiles } from './helpers.ts';

const pool = useTestPool();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-sensitive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SENSITIVE = LAYER_BY_ID.get('military_land')!.sensitive!;
let layerFields: LayerFields;
/** the sensitive values in the database, to look for in the files */
let secrets: string[];
let count: number;

beforeAll(async () => {
  layerFields = await loadLayerFields(pool);
  const { rows } = await pool.query(`SELECT name, unit, use, notes FROM military_land WHERE geom IS NOT NULL`);
  count = rows.length;
  secrets = [...new Set(rows.flatMap((r) => [r.name, r.unit, r.notes]).filter((v): v is string => typeof v === 'string' && v.length >= 2))];
});

async function exportBytes(format: string, sensitive: boolean, layer = 'military_land'): Promise<{ bytes: Buffer; fileName: string; count: number }> {
  const result = await startExport(pool, layerFields, { layer, format, filters: {}, sensitive, tmpDir: tmp });
  const chunks: Buffer[] = [];
  for await (const c of result.stream) chunks.push(c as Buffer);
  return { bytes: Buffer.concat(chunks), fileName: result.fileName, count: result.count };
}

const contains = (bytes: Buffer, text: string): boolean => bytes.includes(Buffer.from(text, 'utf8')) || bytes.includes(iconv.encode(text, 'gbk'));

describe('military land exported without the military grant', () => {
  it('the data set has military land with sensitive attributes to withhold', () => {
    expect(SENSITIVE).toEqual(expect.arrayContaining(['name', 'unit', 'use', 'notes']));
    expect(count).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(0);
  });

  it('GeoJSON: the features keep their code and geometry, and have no sensitive properties', async () => {
    const withheld = JSON.parse((await exportBytes('geojson', false)).bytes.toString('utf8'));
    expect(withheld.features).toHaveLength(count);
    for (const f of withheld.features) {
      expect(f.geometry.type).toMatch(/Polygon/);
      expect(f.properties.code).toMatch(/^JS-/);
      for (const k of SENSITIVE) expect(f.properties).not.toHaveProperty(k);
    }
    // the control: the same export with the grant carries them, so the test above can fail
    const granted = JSON.parse((await exportBytes('geojson', true)).bytes.toString('utf8'));
    for (const k of SENSITIVE) expect(granted.features[0].properties).toHaveProperty(k);
  });

  describe.skipIf(!!gdalMissing).each([
    { format: 'shp', open: (f: string) => `/vsizip/${f}` },
    { format: 'gpkg', open: (f: string) => f },
  ])('$format opened with ogrinfo', ({ format, open }) => {
    let info: string;
    beforeAll(async () => {
      const { bytes, fileName } = await exportBytes(format, false);
      const file = path.join(tmp, fileName);
      writeFileSync(file, bytes);
      info = execFileSync('ogrinfo', ['-ro', '-al', open(file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    });
    it('has every feature, with its code', () => {
      expect(info).toContain(`Feature Count: ${count}`);
      expect(info).toMatch(/code \(String\) = JS-/);
    });
    it('has no sensitive field and none of their values', () => {
      for (const k of SENSITIVE) expect(info).not.toMatch(new RegExp(`^${k}: `, 'm'));
      for (const s of secrets) expect(info).not.toContain(s);
    });
  });

  describe.each([...EXPORTERS.keys()])('%s', (format) => {
    it('read back by the importer: no sensitive field, no sensitive value; the raw bytes hold none of the text', async () => {
      const { bytes, fileName } = await exportBytes(format, false);
      const parsed = await parseFiles([{ name: fileName, data: bytes }]);
      expect(parsed.features.length).toBe(count);
      // KML: the reader gives each Placemark's <name> (its label) as `name`; the label is the code then
      if (format === 'kml') for (const f of parsed.features) expect(f.props.name).toBe(f.props.code);
      for (const k of SENSITIVE) if (!(format === 'kml' && k === 'name')) expect(parsed.fields).not.toContain(k);
      const values = parsed.features.flatMap((f) => Object.values(f.props)).filter((v) => typeof v === 'string') as string[];
      for (const s of secrets) expect(values.some((v) => v.includes(s))).toBe(false);
      for (const s of secrets) expect(contains(bytes, s)).toBe(false);
    });
  });
});

describe('parcels an army unit owns, exported without the military grant', () => {
  it('GeoJSON: no owner name on the army\'s parcels, every other parcel keeps its owner', async () => {
    const { rows: [r] } = await pool.query(`SELECT count(*) FILTER (WHERE owner_type = 'military')::int AS army,
      count(*) FILTER (WHERE owner_type <> 'military' AND owner_name IS NOT NULL)::int AS named FROM parcel WHERE geom IS NOT NULL`);
    expect(r.army).toBeGreaterThan(0);
    const features = JSON.parse((await exportBytes('geojson', false, 'parcel')).bytes.toString('utf8')).features as any[];
    const army = features.filter((f) => f.properties.owner_type === 'military');
    expect(army).toHaveLength(r.army);
    for (const f of army) expect(f.properties.owner_name).toBeNull();
    expect(features.filter((f) => f.properties.owner_type !== 'military' && f.properties.owner_name != null)).toHaveLength(r.named);
  });
});
