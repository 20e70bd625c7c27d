// GET /ogc/collections/{id}/ids (选择集): the ids a query selects, without shapes — the map's box and
// lasso select and a shared link's check. Every answer against hand-written SQL on the demo data; the
// release rule (a reader without the military grant cannot filter by what is withheld from them);
// bad input refused with 400 naming the parameter.
import { describe, expect, it } from 'vitest';
import { getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();
const ids = (path: string, who = 'tester') => getJson(`/ogc/collections/${path}`, who);

describe('ids of a selection', () => {
  it('a polygon (S_INTERSECTS) selects exactly the parcels PostGIS finds', async () => {
    const { rows: [c] } = await pool.query('SELECT ST_X(ST_Centroid(geom)) x, ST_Y(ST_Centroid(geom)) y FROM parcel WHERE geom IS NOT NULL ORDER BY id LIMIT 1');
    const d = 0.004;
    const ring = [[c.x - d, c.y - d], [c.x + d, c.y - d * 0.5], [c.x + d * 0.7, c.y + d], [c.x - d, c.y + d * 0.3], [c.x - d, c.y - d]];
    const wkt = `POLYGON((${ring.map((p) => `${p[0]} ${p[1]}`).join(', ')}))`;
    const res = await ids(`parcel/ids?filter=${encodeURIComponent(`S_INTERSECTS(geometry, ${wkt})`)}`);
    expect(res.status).toBe(200);
    const { rows } = await pool.query('SELECT id FROM parcel WHERE geom IS NOT NULL AND ST_Intersects(geom, ST_GeomFromText($1, 4490)) ORDER BY id', [wkt]);
    expect(rows.length).toBeGreaterThan(1);
    expect(res.body.ids).toEqual(rows.map((r) => r.id));
    expect(res.body.numberMatched).toBe(rows.length);
    expect(res.body.truncated).toBe(false);
  });

  it('bbox, property filters and CQL2 combine as on /items', async () => {
    const res = await ids(`parcel/ids?status=signed&filter=${encodeURIComponent('agreed_compensation_yuan > 50000')}&bbox=109.3,22.9,109.9,23.3`);
    expect(res.status).toBe(200);
    const { rows } = await pool.query(`SELECT id FROM parcel WHERE geom IS NOT NULL AND status = 'signed' AND agreed_compensation_yuan > 50000
      AND ST_Intersects(geom, ST_MakeEnvelope(109.3, 22.9, 109.9, 23.3, 4490)) ORDER BY id`);
    expect(rows.length).toBeGreaterThan(0);
    expect(res.body.ids).toEqual(rows.map((r) => r.id));
    const items = await getJson(`/ogc/collections/parcel/items?status=signed&filter=${encodeURIComponent('agreed_compensation_yuan > 50000')}&bbox=109.3,22.9,109.9,23.3&limit=1`);
    expect(items.body.numberMatched).toBe(res.body.numberMatched);
  });

  it('ids= keeps the named ids that are there, for any reader', async () => {
    const { rows } = await pool.query('SELECT id FROM parcel WHERE geom IS NOT NULL ORDER BY id LIMIT 3');
    const there = rows.map((r) => r.id);
    const res = await ids(`parcel/ids?ids=${[...there, 999999999].join(',')}`, 'viewer');
    expect(res.status).toBe(200);
    expect(res.body.ids).toEqual(there);
    expect((await ids('parcel/ids?ids=', 'viewer')).body.ids).toEqual([]);
  });

  it('a reader without the military grant cannot select by what is withheld from them', async () => {
    const filter = encodeURIComponent("unit LIKE '%'");
    const granted = await ids(`military_land/ids?filter=${filter}`, 'military');
    expect(granted.status).toBe(200);
    const { rows } = await pool.query('SELECT id FROM military_land WHERE geom IS NOT NULL AND unit IS NOT NULL ORDER BY id');
    expect(granted.body.ids).toEqual(rows.map((r) => r.id));
    const refused = await ids(`military_land/ids?filter=${filter}`, 'viewer');
    expect(refused.status).toBe(400);
    // a parcel an army unit owns: its owner's name is no match for a reader without the grant
    const { rows: army } = await pool.query(`SELECT id, owner_name FROM parcel WHERE owner_type = 'military' AND owner_name IS NOT NULL ORDER BY id LIMIT 1`);
    if (army.length) {
      const byName = `parcel/ids?filter=${encodeURIComponent(`owner_name = '${army[0].owner_name.replaceAll("'", "''")}'`)}`;
      expect((await ids(byName, 'military')).body.ids).toContain(army[0].id);
      expect((await ids(byName, 'viewer')).body.ids).not.toContain(army[0].id);
    }
  });

  it('refuses what it cannot read: 400 naming the parameter, 404 for no layer, 401 without a session', async () => {
    for (const q of ['ids=1,x', 'ids=-1', 'ids=1,,2', 'limit=5', 'filter=status%20%3D']) {
      const res = await ids(`parcel/ids?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error, q).toMatch(/^invalid_(input|filter)$/);
      expect(res.body.message, q).toBeTruthy();
    }
    const many = Array.from({ length: 2001 }, (_, i) => i + 1).join(',');
    expect((await ids(`parcel/ids?ids=${many}`)).status).toBe(400);
    expect((await ids('nothing/ids')).status).toBe(404);
    expect((await getJson('/ogc/collections/parcel/ids', null)).status).toBe(401);
  });
});
