// Writes through the feature API: every refusal says what and where and leaves the database as it
// was; the parcel workflow; optimistic concurrency (If-Match, 412, two concurrent writers); and the
// history trigger recording who changed what.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import { createParcel, expectRefusedUnchanged, OGC, parcelFeature, postLarge, request } from './helpers.ts';

const pool = useTestPool();
const dir = fileURLToPath(new URL('../fixtures/features/refused/', import.meta.url));
const cases = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort().map((f) => ({
  name: f.replace(/\.json$/, ''),
  input: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { collection: string; headers: Record<string, string>; body: unknown },
  expected: JSON.parse(readFileSync(path.join(dir, f.replace(/\.json$/, '.expected.json')), 'utf8')) as Record<string, unknown>,
}));

describe('refused creates (tests/fixtures/features/refused: input beside expected error)', () => {
  it.each(cases)('$name', async ({ input, expected }) => {
    const res = await expectRefusedUnchanged(pool, () =>
      request('POST', `${OGC}/collections/${input.collection}/items`, { body: input.body, headers: input.headers }));
    const { status, messageContains, ...fields } = structuredClone(expected) as { status: number; messageContains?: string; params?: { location?: [number, number] } };
    // a location PostGIS finds is compared within 1e-6°, not exactly
    const location = fields.params?.location;
    if (location) delete fields.params!.location;
    expect(res.status, res.text).toBe(status);
    expect(res.body).toMatchObject(fields);
    if (messageContains) expect(res.body.message).toContain(messageContains);
    if (location) {
      expect(res.body.params.location[0]).toBeCloseTo(location[0], 6);
      expect(res.body.params.location[1]).toBeCloseTo(location[1], 6);
    }
  });
});

describe('refused requests outside the body', () => {
  it('refuses a body over the size limit with 413', async () => {
    const big = parcelFeature({ owner_name: 'x'.repeat(6 * 1024 * 1024) });
    const res = await expectRefusedUnchanged(pool, () => postLarge(`${OGC}/collections/parcel/items`, JSON.stringify(big)));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('refuses a geometry with more vertices than the limit with 413', async () => {
    const n = 100_001;
    const ring = Array.from({ length: n }, (_, i) => {
      const a = (2 * Math.PI * i) / (n - 1);
      return [109.6 + 0.01 * Math.cos(a), 23.1 + 0.01 * Math.sin(a)];
    });
    ring[n - 1] = ring[0];
    const f = parcelFeature();
    f.geometry.coordinates = [ring];
    const res = await expectRefusedUnchanged(pool, () => request('POST', `${OGC}/collections/parcel/items`, { body: f }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('too_many_vertices');
  });

  it('refuses a body that is not JSON', async () => {
    const res = await expectRefusedUnchanged(pool, () =>
      request('POST', `${OGC}/collections/parcel/items`, { raw: '{"type":"Feature",', headers: { 'content-type': 'application/geo+json' } }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_json');
  });

  it('refuses a body that is not JSON by media type with 415', async () => {
    const res = await expectRefusedUnchanged(pool, () =>
      request('POST', `${OGC}/collections/parcel/items`, { raw: 'POLYGON((109.6 23.1, 109.7 23.1, 109.7 23.2, 109.6 23.1))', headers: { 'content-type': 'text/plain' } }));
    expect(res.status).toBe(415);
  });

  it('refuses writes to a read-only collection with 405', async () => {
    const res = await expectRefusedUnchanged(pool, () => request('POST', `${OGC}/collections/water/items`, { body: parcelFeature() }));
    expect(res.status).toBe(405);
    expect(res.body.error).toBe('read_only');
  });

  it('refuses a database rule (units delivered cannot be negative) naming the field', async () => {
    const site = (await request('GET', `${OGC}/collections/resettlement_site/items?limit=1`)).body.features[0];
    const get = await request('GET', `${OGC}/collections/resettlement_site/items/${site.id}`);
    const res = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/resettlement_site/items/${site.id}`, {
      body: { properties: { units_delivered: -5 } }, headers: { 'If-Match': get.headers.get('etag')! },
    }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'constraint', field: 'units_delivered' });
  });
});

describe('create, replace, patch, delete', () => {
  it('creates a parcel from CRS84 GeoJSON: 201, Location, ETag "1", history entry by the actor', async () => {
    const res = await request('POST', `${OGC}/collections/parcel/items`, { body: parcelFeature({ owner_name: '韦氏 家庭' }) });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('location')).toMatch(new RegExp(`/ogc/collections/parcel/items/${res.body.id}$`));
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body.properties).toMatchObject({ owner_name: '韦氏 家庭', status: 'unsigned', version: 1 });
    const { rows } = await pool.query(`SELECT op, version, changed_by, after->>'owner_name' AS owner FROM change_log WHERE layer = 'parcel' AND feature_id = $1`, [res.body.id]);
    expect(rows).toEqual([{ op: 'insert', version: 1, changed_by: 'tester', owner: '韦氏 家庭' }]);
  });

  it('creates from Gauss–Krüger coordinates (EPSG:4525, northing first) and stores them within 1 mm', async () => {
    const f = parcelFeature();
    const [[x0, y0]] = f.geometry.coordinates[0];
    const { rows } = await pool.query<{ n: number; e: number }>(
      `SELECT ST_Y(p) n, ST_X(p) e FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), 4525) p`, [x0, y0]);
    const n = rows[0].n, e = rows[0].e;
    f.geometry.coordinates = [[[n, e], [n, e + 50], [n + 50, e + 50], [n + 50, e], [n, e]]];
    const res = await request('POST', `${OGC}/collections/parcel/items`, { body: f, headers: { 'Content-Crs': '<http://www.opengis.net/def/crs/EPSG/0/4525>' } });
    expect(res.status, res.text).toBe(201);
    const back = await pool.query<{ n: number; e: number }>(
      `SELECT ST_Y(p) n, ST_X(p) e FROM (SELECT ST_Transform(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1), 4525) p FROM parcel WHERE id = $1) s`, [res.body.id]);
    expect(Math.hypot(back.rows[0].n - n, back.rows[0].e - e)).toBeLessThan(0.001);
  });

  it('patches one attribute and keeps the rest; the ETag moves to the new version', async () => {
    const p = await createParcel();
    const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, {
      body: { properties: { owner_name: '改名后' } }, headers: { 'If-Match': p.etag, 'content-type': 'application/merge-patch+json' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body.properties).toMatchObject({ owner_name: '改名后', land_class: '0101', version: 2 });
    expect(res.body.geometry).toEqual(p.body.geometry);
  });

  it('replaces a feature: properties not sent go back to their defaults', async () => {
    const p = await createParcel({ agreed_compensation_yuan: 50000 });
    const f = parcelFeature({ code: p.body.properties.code, owner_name: '替换' });
    const res = await request('PUT', `${OGC}/collections/parcel/items/${p.id}`, { body: f, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.properties).toMatchObject({ owner_name: '替换', agreed_compensation_yuan: null, paid_yuan: 0 });
    expect(res.body.geometry.coordinates).toEqual([f.geometry.coordinates]);
  });

  it('ignores read-only properties sent back as read (area_mu, version, updated_by)', async () => {
    const p = await createParcel();
    const props = { ...p.body.properties, owner_name: '回写' };
    const res = await request('PUT', `${OGC}/collections/parcel/items/${p.id}`, { body: { type: 'Feature', geometry: p.body.geometry, properties: props }, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.properties.owner_name).toBe('回写');
    expect(res.body.properties.version).toBe(2);
  });

  it('deletes with If-Match; the feature is gone and its history stays', async () => {
    const p = await createParcel();
    const res = await request('DELETE', `${OGC}/collections/parcel/items/${p.id}`, { headers: { 'If-Match': p.etag } });
    expect(res.status).toBe(204);
    expect((await request('GET', `${OGC}/collections/parcel/items/${p.id}`)).status).toBe(404);
    const h = await request('GET', `${OGC}/collections/parcel/items/${p.id}/history`);
    expect(h.body.versions.map((v: { op: string }) => v.op)).toEqual(['delete', 'insert']);
  });

  it('deleting a red line keeps its project (and its parcels) and clears the red line', async () => {
    const { rows } = await pool.query<{ id: number; version: number }>(
      `SELECT id, version FROM project WHERE red_line IS NOT NULL ORDER BY id DESC LIMIT 1`);
    const res = await request('DELETE', `${OGC}/collections/red_line/items/${rows[0].id}`, { headers: { 'If-Match': `"${rows[0].version}"` } });
    expect(res.status, res.text).toBe(204);
    const after = await pool.query(`SELECT red_line IS NULL AS gone FROM project WHERE id = $1`, [rows[0].id]);
    expect(after.rows).toEqual([{ gone: true }]);
    // and a restore brings it back
    const restored = await request('POST', `${OGC}/collections/red_line/items/${rows[0].id}/history/${rows[0].version}/restore`, { headers: { 'If-Match': `"${rows[0].version + 1}"` } });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.geometry.type).toBe('MultiPolygon');
  });

  it('creates a red line (a new project with its targets)', async () => {
    const f = parcelFeature();
    const res = await request('POST', `${OGC}/collections/red_line/items`, {
      body: { type: 'Feature', geometry: f.geometry, properties: { code: `RL-${Date.now()}`, name: '测试道路工程', kind: '道路', source: 'key', year: 2026, command_area_id: 1, land_target_mu: 20 } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.properties).toMatchObject({ name: '测试道路工程', kind: 'road', land_target_mu: 20 });
    expect(res.body.properties.area_mu).toBeGreaterThan(0);
  });
});

describe('parcel status workflow', () => {
  it('moves along the workflow and dates the step', async () => {
    const p = await createParcel();
    const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { status: '已签约' } }, headers: { 'If-Match': p.etag } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.properties.status).toBe('signed');
    expect(res.body.properties.signed_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses an impossible jump and lists the allowed next states', async () => {
    const p = await createParcel();
    const res = await expectRefusedUnchanged(pool, () =>
      request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { status: 'handed_over' } }, headers: { 'If-Match': p.etag } }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'status_transition', field: 'status', params: { from: 'unsigned', to: 'handed_over', allowed: ['signed', 'court'] } });
    expect(res.body.message).toContain('已签约');
    expect(res.body.message).toContain('司法征收');
  });

  it('refuses any step from handed over (final)', async () => {
    const { rows } = await pool.query<{ id: number; version: number }>(`SELECT id, version FROM parcel WHERE status = 'handed_over' LIMIT 1`);
    const res = await expectRefusedUnchanged(pool, () =>
      request('PATCH', `${OGC}/collections/parcel/items/${rows[0].id}`, { body: { properties: { status: 'signed' } }, headers: { 'If-Match': `"${rows[0].version}"` } }));
    expect(res.body).toMatchObject({ error: 'status_transition', params: { allowed: [] } });
  });
});

describe('optimistic concurrency', () => {
  it('GET returns the version as ETag', async () => {
    const p = await createParcel();
    const res = await request('GET', `${OGC}/collections/parcel/items/${p.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
  });

  it('a write without If-Match gets 428 and changes nothing', async () => {
    const p = await createParcel();
    const res = await expectRefusedUnchanged(pool, () => request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { owner_name: 'x' } } }));
    expect(res.status).toBe(428);
  });

  it('a stale If-Match gets 412 with the current version and overwrites nothing', async () => {
    const p = await createParcel();
    const first = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { owner_name: '甲' } }, headers: { 'If-Match': p.etag } });
    expect(first.status).toBe(200);
    const res = await expectRefusedUnchanged(pool, () =>
      request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { owner_name: '乙' } }, headers: { 'If-Match': p.etag } }));
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: 'stale_version', params: { currentVersion: 2 } });
    expect((await pool.query(`SELECT owner_name FROM parcel WHERE id = $1`, [p.id])).rows[0].owner_name).toBe('甲');
  });

  it('two clients writing the same parcel at once: one wins, the other gets 412, no lost update', async () => {
    const p = await createParcel();
    const write = (name: string) => request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: { owner_name: name } }, headers: { 'If-Match': p.etag } });
    const results = await Promise.all([write('客户端A'), write('客户端B'), write('客户端C')]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412]);
    const winner = results.find((r) => r.status === 200)!.body.properties.owner_name;
    const { rows } = await pool.query(`SELECT owner_name, version FROM parcel WHERE id = $1`, [p.id]);
    expect(rows[0]).toEqual({ owner_name: winner, version: 2 });
    const log = await pool.query(`SELECT count(*)::int n FROM change_log WHERE layer = 'parcel' AND feature_id = $1 AND op = 'update'`, [p.id]);
    expect(log.rows[0].n).toBe(1);
  });

  it('two clients each re-reading before writing: both changes land, in turn', async () => {
    const p = await createParcel();
    const writer = async (props: Record<string, unknown>) => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await request('GET', `${OGC}/collections/parcel/items/${p.id}`);
        const res = await request('PATCH', `${OGC}/collections/parcel/items/${p.id}`, { body: { properties: props }, headers: { 'If-Match': cur.headers.get('etag')! } });
        if (res.status === 200) return res;
        expect(res.status).toBe(412);
      }
      throw new Error('no attempt succeeded');
    };
    await Promise.all([writer({ owner_name: '并发甲' }), writer({ agreed_compensation_yuan: 12345 })]);
    const { rows } = await pool.query(`SELECT owner_name, agreed_compensation_yuan::float8 AS c, version FROM parcel WHERE id = $1`, [p.id]);
    expect(rows[0]).toEqual({ owner_name: '并发甲', c: 12345, version: 3 });
  });
});
