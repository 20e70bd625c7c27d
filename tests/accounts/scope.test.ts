// A command-post editor works inside their command areas only (the `editor` test account: area 1,
// 贵城). The database checks the row before and after every change (migrations/functions/50_scope.sql),
// so a parcel can be moved neither out of the area nor into it, whichever route the write takes.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

interface Parcel { id: number; version: number; geometry: unknown }
let inside: Parcel;
let outside: Parcel;
/** a small square well inside area 1 and one inside area 2 (GeoJSON MultiPolygon) */
let squareIn1: unknown;
let squareIn2: unknown;
let problemProjectIn2: number;
let problemProjectIn1: number;

async function parcelIn(area: number): Promise<Parcel> {
  const { rows } = await pool.query(
    `SELECT p.id, p.version, ST_AsGeoJSON(p.geom)::json AS geometry FROM parcel p JOIN command_area a ON a.id = $1
      WHERE ST_Intersects(a.geom, ST_PointOnSurface(p.geom)) AND p.status = 'unsigned' ORDER BY p.id LIMIT 1`, [area]);
  return rows[0];
}

async function squareIn(area: number): Promise<unknown> {
  const { rows } = await pool.query(
    `SELECT ST_AsGeoJSON(ST_Multi(ST_Expand(ST_PointOnSurface(geom), 0.0002)))::json AS g FROM command_area WHERE id = $1`, [area]);
  return rows[0].g;
}

const history = async () => Number((await pool.query('SELECT count(*) FROM change_log')).rows[0].count);
const versionOf = async (id: number) => Number((await pool.query('SELECT version FROM parcel WHERE id = $1', [id])).rows[0].version);

function write(method: string, path: string, body: unknown, version?: number) {
  return api(path, {
    who: 'editor', method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/geo+json' } : {}), ...(version !== undefined ? { 'if-match': `"${version}"` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  inside = await parcelIn(1);
  outside = await parcelIn(2);
  squareIn1 = await squareIn(1);
  squareIn2 = await squareIn(2);
  const project = async (area: number) => Number((await pool.query('SELECT id FROM project WHERE command_area_id = $1 ORDER BY id LIMIT 1', [area])).rows[0].id);
  problemProjectIn1 = await project(1);
  problemProjectIn2 = await project(2);
});

describe('an editor scoped to 贵城 (area 1)', () => {
  it('changes a parcel inside the area', async () => {
    const res = await write('PATCH', `/ogc/collections/parcel/items/${inside.id}`, { properties: { owner_name: '测试户（片区内）' } }, inside.version);
    expect(res.status, await res.text()).toBe(200);
    inside.version = await versionOf(inside.id);
  });

  it('cannot change a parcel outside the area, and nothing is written', async () => {
    const before = await history();
    const res = await write('PATCH', `/ogc/collections/parcel/items/${outside.id}`, { properties: { owner_name: '越界' } }, outside.version);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toBe('out_of_scope');
    expect(await versionOf(outside.id)).toBe(outside.version);
    expect(await history()).toBe(before);
  });

  it('cannot move a parcel out of the area', async () => {
    const before = await history();
    const res = await write('PUT', `/ogc/collections/parcel/items/${inside.id}`, {
      type: 'Feature', geometry: squareIn2, properties: {},
    }, inside.version);
    // a replace without the other attributes may also be refused for them; the move must be refused either way
    expect([403, 422]).toContain(res.status);
    const patch = await api(`/ogc/collections/parcel/items/${inside.id}`, {
      who: 'editor', method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${inside.version}"` },
      body: JSON.stringify({ geometry: squareIn2 }),
    });
    expect(patch.status, await patch.clone().text()).toBe(403);
    expect((await patch.json()).error).toBe('out_of_scope');
    expect(await versionOf(inside.id)).toBe(inside.version);
    expect(await history()).toBe(before);
  });

  it('cannot move a parcel from outside into the area', async () => {
    const before = await history();
    const res = await api(`/ogc/collections/parcel/items/${outside.id}`, {
      who: 'editor', method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${outside.version}"` },
      body: JSON.stringify({ geometry: squareIn1 }),
    });
    expect(res.status).toBe(403);
    expect(await versionOf(outside.id)).toBe(outside.version);
    expect(await history()).toBe(before);
  });

  it('moves a parcel within the area', async () => {
    const res = await api(`/ogc/collections/parcel/items/${inside.id}`, {
      who: 'editor', method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${inside.version}"` },
      body: JSON.stringify({ geometry: squareIn1 }),
    });
    expect(res.status, await res.text()).toBe(200);
    inside.version = await versionOf(inside.id);
  });

  it('cannot delete a parcel outside the area', async () => {
    const res = await write('DELETE', `/ogc/collections/parcel/items/${outside.id}`, undefined, outside.version);
    expect(res.status).toBe(403);
    expect(await versionOf(outside.id)).toBe(outside.version);
  });

  it('records the editor as the author of the change', async () => {
    const { rows } = await pool.query(`SELECT changed_by FROM change_log WHERE layer = 'parcel' AND feature_id = $1 ORDER BY id DESC LIMIT 1`, [inside.id]);
    expect(rows[0].changed_by).toBe('editor');
  });

  it('logs problems of projects in the area only', async () => {
    const ok = await api('/api/problems', {
      who: 'editor', method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'funding', title: '片区内问题（测试）', projectId: problemProjectIn1 }),
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
    const count = Number((await pool.query('SELECT count(*) FROM problem')).rows[0].count);
    const no = await api('/api/problems', {
      who: 'editor', method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'funding', title: '越界问题（测试）', projectId: problemProjectIn2 }),
    });
    expect(no.status).toBe(403);
    expect(Number((await pool.query('SELECT count(*) FROM problem')).rows[0].count)).toBe(count);
  });

  it('leaves unscoped roles alone: the tester (every area) changes a parcel anywhere', async () => {
    const res = await api(`/ogc/collections/parcel/items/${outside.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${outside.version}"` },
      body: JSON.stringify({ properties: { owner_name: '测试户（另一片区）' } }),
    });
    expect(res.status, await res.text()).toBe(200);
  });
});
