// The editor's rules known before a save, from the write path itself: the single item's `writable`
// answer is what a write would do (role, command-area scope); parcels of one project may not overlap
// (feature API and import alike); the history names people and records restores as what they are.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';
import { createAccount, createParcel, expectRefusedUnchanged, OGC, parcelFeature, request } from './helpers.ts';

const pool = useTestPool();
const IN_AREA_1 = `EXISTS (SELECT 1 FROM command_area a WHERE a.id = 1 AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom)))`;

async function as(who: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await api(path, { who, method, headers: { ...(body ? { 'content-type': 'application/merge-patch+json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('writable: the item says what a write would do', () => {
  let inside: { id: number };
  let outside: { id: number };
  beforeAll(async () => {
    ({ rows: [inside] } = await pool.query(`SELECT p.id FROM parcel p WHERE ${IN_AREA_1} AND p.code LIKE 'XM%' ORDER BY p.id DESC LIMIT 1`));
    ({ rows: [outside] } = await pool.query(`SELECT p.id FROM parcel p WHERE NOT ${IN_AREA_1} AND p.code LIKE 'XM%' ORDER BY p.id DESC LIMIT 1`));
  });

  for (const [name, which, who] of [['in scope', () => inside, 'editor'], ['out of scope', () => outside, 'editor'], ['without the role', () => inside, 'viewer']] as const) {
    it(`${name}: the GET's answer equals the PATCH's outcome`, async () => {
      const id = which().id;
      const got = await as(who, 'GET', `${OGC}/collections/parcel/items/${id}`);
      expect(got.status).toBe(200);
      expect(typeof got.body.writable).toBe('boolean');
      const patched = await as(who, 'PATCH', `${OGC}/collections/parcel/items/${id}`, { properties: {} }, { 'If-Match': got.headers.get('etag')! });
      expect(patched.status === 200, JSON.stringify(patched.body)).toBe(got.body.writable);
      if (got.body.writable) {
        expect(got.body.writeRefusal).toBeNull();
      } else {
        expect(patched.body.error).toBe(got.body.writeRefusal.code);
        // the policy hook refuses a viewer before the write path runs: same code, its own params
        if (who === 'editor') expect(patched.body.params).toEqual(got.body.writeRefusal.params);
      }
    });
  }

  it('names the parcel\'s command area and the editor\'s', async () => {
    const got = await as('editor', 'GET', `${OGC}/collections/parcel/items/${outside.id}`);
    expect(got.body).toMatchObject({ writable: false, writeRefusal: { code: 'out_of_scope', params: { areas: ['guicheng'] } } });
    expect(['gangcheng', 'outer']).toContain(got.body.writeRefusal.params.area);
  });

  it('a layer of another role: not writable, the role named', async () => {
    const { rows: [v] } = await pool.query(`SELECT id FROM farmland ORDER BY id LIMIT 1`);
    const got = await as('editor', 'GET', `${OGC}/collections/farmland/items/${v.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ writable: false, writeRefusal: { code: 'forbidden', params: { layer: 'farmland', role: 'land_bureau' } } });
  });

  it('a layer nobody edits says nothing of it', async () => {
    const { rows: [w] } = await pool.query(`SELECT id FROM water ORDER BY id LIMIT 1`);
    const got = await as('editor', 'GET', `${OGC}/collections/water/items/${w.id}`);
    expect(got.status).toBe(200);
    expect(got.body.writable).toBeUndefined();
  });
});

/** The parcel's square moved east by `dx` degrees. */
function shifted(feature: { geometry: { type: string; coordinates: any } }, dx: number, dy = 0) {
  const ring: number[][] = feature.geometry.type === 'MultiPolygon' ? feature.geometry.coordinates[0][0] : feature.geometry.coordinates[0];
  return { type: 'Polygon', coordinates: [ring.map(([x, y]) => [Math.round((x + dx) * 1e7) / 1e7, Math.round((y + dy) * 1e7) / 1e7])] };
}

async function postgisOverlap(id: number, geometry: unknown): Promise<number> {
  const { rows } = await pool.query(`SELECT ST_Area(ST_Intersection(p.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4490))::geography) AS m2 FROM parcel p WHERE p.id = $1`, [id, JSON.stringify(geometry)]);
  return Number(rows[0].m2);
}

describe('parcels of one project do not overlap', () => {
  it('a new parcel over half of another is refused naming it and the m², nothing written', async () => {
    const a = await createParcel();
    const b = parcelFeature();
    b.geometry = shifted(a.body, 0.0005) as typeof b.geometry;
    const res = await expectRefusedUnchanged(pool, () => request('POST', `${OGC}/collections/parcel/items`, { body: b }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'parcel_overlap', field: 'geometry', params: { neighbour: { id: a.id, code: a.body.properties.code }, others: 0 } });
    expect(Math.abs(res.body.params.overlapM2 - await postgisOverlap(a.id, b.geometry))).toBeLessThan(1);
    expect(res.body.params.overlapM2).toBeGreaterThan(5000); // half of a ~10,000 m² square
  });

  it('a shared edge is no overlap; another project may lie there', async () => {
    const a = await createParcel();
    const edge = parcelFeature();
    edge.geometry = shifted(a.body, 0.001) as typeof edge.geometry;
    expect((await request('POST', `${OGC}/collections/parcel/items`, { body: edge })).status).toBe(201);
    const other = parcelFeature({ project_id: 2 });
    other.geometry = shifted(a.body, 0.0005) as typeof other.geometry;
    expect((await request('POST', `${OGC}/collections/parcel/items`, { body: other })).status).toBe(201);
  });

  it('moving a vertex into the neighbour (PATCH) is refused the same way', async () => {
    const a = await createParcel();
    const b = parcelFeature();
    b.geometry = shifted(a.body, 0.001) as typeof b.geometry; // the neighbour to the east, sharing an edge
    const created = await request('POST', `${OGC}/collections/parcel/items`, { body: b });
    expect(created.status).toBe(201);
    // drag b's south-west corner 30 m west, into a
    const ring = created.body.geometry.coordinates[0][0].map((p: number[]) => [...p]);
    const [sx, sy] = ring[0];
    for (const p of ring) if (p[0] === sx && p[1] === sy) p[0] = Math.round((sx - 0.0003) * 1e7) / 1e7;
    const moved = { type: 'Polygon', coordinates: [ring] };
    const res = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/parcel/items/${created.body.id}`,
      { body: { geometry: moved }, headers: { 'If-Match': created.headers.get('etag')!, 'content-type': 'application/merge-patch+json' } }));
    expect(res.status).toBe(422);
    expect(res.body.params.neighbour.id).toBe(a.id);
    expect(Math.abs(res.body.params.overlapM2 - await postgisOverlap(a.id, moved))).toBeLessThan(1);
  });

  it('two overlapping parcels sent at once: one is written, the other refused', async () => {
    const a = parcelFeature();
    const b = parcelFeature();
    b.geometry = shifted(a as never, 0.0003) as typeof b.geometry;
    const results = await Promise.all([a, b].map((f) => request('POST', `${OGC}/collections/parcel/items`, { body: f })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(results.find((r) => r.status === 422)!.body.error).toBe('parcel_overlap');
  });

  it('an import of an overlapping parcel is refused the same way, nothing written', async () => {
    const a = await createParcel();
    const f = parcelFeature();
    const feature = { ...f, geometry: shifted(a.body, 0, 0.0004), properties: { ...f.properties, project_id: undefined } };
    const form = new FormData();
    form.append('layer', 'parcel');
    form.append('project', '1');
    form.append('file', new Blob([JSON.stringify({ type: 'FeatureCollection', features: [feature] })]), 'parcel.geojson');
    const up = await api('/api/import', { method: 'POST', body: form });
    const preview = await up.json();
    expect(up.status, JSON.stringify(preview)).toBe(201);
    const res = await expectRefusedUnchanged(pool, () => request('POST', `/api/import/${preview.id}/commit`, { body: {}, headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('import_refused');
    const [refused] = res.body.params.refused;
    expect(refused).toMatchObject({ error: 'parcel_overlap', params: { neighbour: { id: a.id } } });
    expect(Math.abs(refused.params.overlapM2 - await postgisOverlap(a.id, feature.geometry))).toBeLessThan(1);
  });
});

describe('history in people\'s words', () => {
  it('names the account by its display name, leaves out the derived area, records a restore as the version it brought back', async () => {
    const user = `hist-${process.pid}-${Date.now()}`;
    const s = await createAccount(user, '韦建国', ['editor'], ['guicheng', 'gangcheng', 'outer']);
    const a = await createParcel();
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const moved = await api(`${OGC}/collections/parcel/items/${a.id}`, { who: null, method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/merge-patch+json', 'If-Match': a.etag }, body: JSON.stringify({ geometry: shifted(a.body, 0, -0.0001) }) });
    expect(moved.status, await moved.clone().text()).toBe(200);
    const restored = await api(`${OGC}/collections/parcel/items/${a.id}/history/1/restore`, { who: null, method: 'POST', headers: { ...headers, 'If-Match': moved.headers.get('etag')! } });
    expect(restored.status).toBe(200);
    const h = await request('GET', `${OGC}/collections/parcel/items/${a.id}/history`);
    const [v3, v2, v1] = h.body.versions;
    expect(v3).toMatchObject({ version: 3, changedBy: user, changedByName: '韦建国', restoredFrom: 1, reason: null });
    expect(v2).toMatchObject({ version: 2, changedByName: '韦建国', restoredFrom: null, changed: ['geometry'] });
    expect(v1).toMatchObject({ changedBy: 'tester', changedByName: null });
  });
});
