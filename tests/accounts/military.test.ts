// Military land (军事用地): everyone sees where it is, only the military grant sees what it is. The
// names, units, uses and notes in the database are looked for in every kind of response a reader
// without the grant gets — tiles (decoded), the feature API, map data, exports (opened with GDAL),
// conflict results and reports — and must be in none; with the grant they are there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';
import { hasProgram } from '../helpers/tools.ts';

const pool = useTestPool();
const SENSITIVE = LAYER_BY_ID.get('military_land')!.sensitive!;
const hasGdal = hasProgram('ogr2ogr', ['--version'], 'accounts/military.test', 'gdal-bin');

/** every sensitive value stored, as text (the strings that must not leak) */
let secrets: string[];
let militaryId: number;
let projectOverMilitary: number;

beforeAll(async () => {
  const { rows } = await pool.query(`SELECT id, ${SENSITIVE.map((c) => `${c}::text AS ${c}`).join(', ')} FROM military_land ORDER BY id`);
  militaryId = rows[0].id;
  secrets = [...new Set(rows.flatMap((r) => SENSITIVE.map((c) => r[c] as string | null)).filter((v): v is string => !!v && v.length >= 2))];
  const p = await pool.query(`SELECT p.id FROM project p JOIN military_land m ON ST_Intersects(p.red_line, m.geom) ORDER BY p.id LIMIT 1`);
  projectOverMilitary = p.rows[0].id;
});

function leaks(text: string): string[] {
  return secrets.filter((s) => text.includes(s));
}

async function text(pathAndQuery: string, who: string, init: RequestInit = {}): Promise<string> {
  const res = await api(pathAndQuery, { ...init, who });
  const body = await res.text();
  expect(res.status, `${who} ${pathAndQuery}: ${body.slice(0, 200)}`).toBe(200);
  return body;
}

describe('military land attributes', () => {
  it('the demo has military land with attributes to protect', () => {
    expect(secrets.length).toBeGreaterThan(0);
  });

  it('tiles: geometry and id for everyone, attributes only with the grant', async () => {
    const t = await tileOver(pool, 'military_land', 14);
    const decode = async (who: string) => {
      const res = await api(`/tiles/military_land/${t.z}/${t.x}/${t.y}.mvt`, { who });
      expect(res.status).toBe(200);
      return decodeTile(new Uint8Array(await res.arrayBuffer()), t.z, t.x, t.y).military_land ?? [];
    };
    const plain = await decode('viewer');
    const granted = await decode('military');
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.map((f) => f.id).sort()).toEqual(granted.map((f) => f.id).sort());
    for (const f of plain) for (const k of SENSITIVE) expect(f.properties, `feature ${f.id}`).not.toHaveProperty(k);
    expect(granted.some((f) => SENSITIVE.some((k) => k in f.properties))).toBe(true);
  });

  it('the feature API: items, item, history, HTML and schema leave them out; filtering by them is refused', async () => {
    for (const p of ['/ogc/collections/military_land/items?limit=100', `/ogc/collections/military_land/items/${militaryId}`,
      `/ogc/collections/military_land/items/${militaryId}/history`, '/ogc/collections/military_land/items?f=html',
      '/ogc/collections/military_land/queryables']) {
      expect(leaks(await text(p, 'viewer')), p).toEqual([]);
    }
    expect(leaks(await text('/ogc/collections/military_land/items?limit=100', 'military')).length).toBeGreaterThan(0);
    const filter = await api(`/ogc/collections/military_land/items?name=${encodeURIComponent(secrets[0])}`, { who: 'viewer' });
    expect(filter.status).toBe(400);
  });

  it('parcels owned by an army unit do not name it (feature API, history, map data)', async () => {
    const { rows } = await pool.query(`SELECT id FROM parcel WHERE owner_type = 'military' ORDER BY id LIMIT 1`);
    const items = '/ogc/collections/parcel/items?owner_type=military&limit=1000';
    expect(leaks(await text(items, 'viewer'))).toEqual([]);
    expect(leaks(await text(`/ogc/collections/parcel/items/${rows[0].id}/history`, 'viewer'))).toEqual([]);
    expect(leaks(await text(items, 'military')).length).toBeGreaterThan(0);
    const mapData = JSON.parse(await text('/api/layers/parcel/features?limit=50000', 'viewer')) as { features: { properties: Record<string, unknown> }[] };
    const owned = mapData.features.filter((f) => f.properties.owner_type === 'military');
    expect(owned.length).toBeGreaterThan(0);
    for (const f of owned) expect(f.properties.owner_name).toBeNull();
    expect(mapData.features.some((f) => f.properties.owner_type !== 'military' && typeof f.properties.owner_name === 'string')).toBe(true);
  });

  it('parcel tiles do not name the army unit that owns a parcel', async () => {
    const t = await tileOver(pool, 'parcel', 15, `owner_type = 'military'`);
    const decode = async (who: string) => {
      const res = await api(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`, { who });
      return decodeTile(new Uint8Array(await res.arrayBuffer()), t.z, t.x, t.y).parcel ?? [];
    };
    const plain = (await decode('viewer')).filter((f) => f.properties.owner_type === 'military');
    expect(plain.length).toBeGreaterThan(0);
    for (const f of plain) expect(f.properties).not.toHaveProperty('owner_name');
    const granted = (await decode('military')).filter((f) => f.properties.owner_type === 'military');
    expect(granted.every((f) => typeof f.properties.owner_name === 'string')).toBe(true);
  });

  it('an editor without the grant changing an army unit\'s parcel is not told the unit in the answer', async () => {
    const { rows } = await pool.query(
      `SELECT p.id, p.version, a.id AS area FROM parcel p JOIN command_area a ON ST_Intersects(a.geom, ST_PointOnSurface(p.geom))
        WHERE p.owner_type = 'military' ORDER BY p.id LIMIT 1`);
    // an editor of that parcel's command area, without the military grant
    const password = 'army-parcel-' + Math.random().toString(36).slice(2, 10);
    const created = await api('/api/admin/users', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'army-area-editor', password, roles: ['editor'], areaIds: [rows[0].area] }),
    });
    expect(created.status).toBe(201);
    const login = await api('/api/auth/login', { who: null, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'army-area-editor', password }) });
    const cookie = /zs_session=[^;]+/.exec(login.headers.get('set-cookie')!)![0];
    const { csrfToken } = await login.json();
    const res = await api(`/ogc/collections/parcel/items/${rows[0].id}`, {
      who: null, method: 'PATCH',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/merge-patch+json', 'if-match': `"${rows[0].version}"` },
      body: JSON.stringify({ properties: { land_class: '0101' } }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect(leaks(body)).toEqual([]);
  });

  it('an import into military land is made only with the grant, and seen and committed only by its uploader', async () => {
    const { rows } = await pool.query(`SELECT ST_AsGeoJSON(geom)::json AS g FROM military_land ORDER BY id LIMIT 1`);
    const file = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: rows[0].g, properties: { name: '测试营区', unit: secrets[0] } }] });
    const form = new FormData();
    form.set('layer', 'military_land');
    form.set('file', new Blob([file], { type: 'application/geo+json' }), 'military.geojson');
    expect((await api('/api/import', { who: 'bureau', method: 'POST', body: form })).status).toBe(403);
    const created = await api('/api/import', { method: 'POST', body: form });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = await created.json();
    for (const p of [`/api/import/${id}`, `/api/import/${id}/features`]) {
      expect((await api(p, { who: 'bureau' })).status, p).toBe(404);
      expect((await api(p)).status, p).toBe(200);
    }
    const commit = await api(`/api/import/${id}/commit`, { who: 'bureau', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(commit.status).toBe(404);
  });

  it('map data and labels leave them out', async () => {
    for (const p of ['/api/layers/military_land/features', '/api/layers/military_land/labels']) {
      expect(leaks(await text(p, 'viewer')), p).toEqual([]);
      expect(leaks(await text(p, 'military')).length, p).toBeGreaterThan(0);
    }
  });

  it('conflict results and reports leave them out', async () => {
    const body = JSON.stringify({ projectId: projectOverMilitary });
    const headers = { 'content-type': 'application/json' };
    const planner = await text('/api/conflicts', 'planner', { method: 'POST', headers, body });
    expect(JSON.parse(planner).layers.find((l: { id: string }) => l.id === 'military_land')?.features?.length ?? 1).toBeGreaterThan(0);
    expect(leaks(planner)).toEqual([]);
    expect(leaks(await text('/api/conflicts', 'tester', { method: 'POST', headers, body })).length).toBeGreaterThan(0);
    expect(leaks(await text(`/api/conflicts/report?projectId=${projectOverMilitary}`, 'viewer'))).toEqual([]);
  });

  it.skipIf(!hasGdal)('exports, opened with GDAL, leave them out', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-military-'));
    for (const format of ['geojson', 'gpkg', 'csv']) {
      const open = async (who: string) => {
        const res = await api(`/api/export?layer=military_land&format=${format}`, { who });
        expect(res.status, `${who} ${format}`).toBe(200);
        const file = path.join(dir, `${who}.${format}`);
        writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        return execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', file]).toString('utf8');
      };
      expect(leaks(await open('bureau')), format).toEqual([]);
      expect(leaks(await open('tester')).length, format).toBeGreaterThan(0);
    }
  });
});
