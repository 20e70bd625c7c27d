// A feature's history: every version with author and time, before and after; restoring a version is
// a new recorded write; a deleted feature comes back under its id.
import { describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';
import { createParcel, expectRefusedUnchanged, OGC, request } from './helpers.ts';

const pool = useTestPool();

async function patch(id: number, etag: string, body: unknown) {
  const res = await request('PATCH', `${OGC}/collections/parcel/items/${id}`, { body, headers: { 'If-Match': etag } });
  expect(res.status, res.text).toBe(200);
  return res;
}

describe('history', () => {
  it('lists versions newest first with author, time, what changed, before and after', async () => {
    const p = await createParcel({ owner_name: '原权利人' });
    const moved = { type: 'Polygon', coordinates: [p.body.geometry.coordinates[0][0].map(([x, y]: number[]) => [x + 0.0001, y])] };
    await patch(p.id, p.etag, { geometry: moved, properties: { owner_name: '新权利人' }, reason: '测绘更正' });
    const res = await request('GET', `${OGC}/collections/parcel/items/${p.id}/history`);
    expect(res.status).toBe(200);
    const [latest, first] = res.body.versions;
    expect(res.body.versions).toHaveLength(2);
    expect(latest).toMatchObject({ version: 2, op: 'update', changedBy: 'tester', reason: '测绘更正' });
    expect(latest.changed).toEqual(expect.arrayContaining(['owner_name', 'geometry']));
    expect(latest.before.properties.owner_name).toBe('原权利人');
    expect(latest.after.properties.owner_name).toBe('新权利人');
    expect(latest.before.geometry.coordinates).toEqual(p.body.geometry.coordinates);
    expect(first).toMatchObject({ version: 1, op: 'insert', before: null });
    expect(Date.parse(latest.changedAt)).toBeGreaterThanOrEqual(Date.parse(first.changedAt));
  });

  it('answers 404 for a feature that never existed', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/items/987654321/history`);
    expect(res.status).toBe(404);
  });
});

describe('restore', () => {
  it('restores a past version as a new, recorded version', async () => {
    const p = await createParcel({ owner_name: '第一版' });
    const v2 = await patch(p.id, p.etag, { properties: { owner_name: '第二版' } });
    const res = await request('POST', `${OGC}/collections/parcel/items/${p.id}/history/1/restore`, { headers: { 'If-Match': v2.headers.get('etag')! } });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(res.body.properties).toMatchObject({ owner_name: '第一版', version: 3 });
    const h = await request('GET', `${OGC}/collections/parcel/items/${p.id}/history`);
    expect(h.body.versions[0]).toMatchObject({ version: 3, op: 'update', reason: null, restoredFrom: 1 });
  });

  it('restore needs the current ETag: stale → 412, nothing written', async () => {
    const p = await createParcel();
    await patch(p.id, p.etag, { properties: { owner_name: '改' } });
    const res = await expectRefusedUnchanged(pool, () => request('POST', `${OGC}/collections/parcel/items/${p.id}/history/1/restore`, { headers: { 'If-Match': p.etag } }));
    expect(res.status).toBe(412);
  });

  it('restore of a version that does not exist is 404', async () => {
    const p = await createParcel();
    const res = await expectRefusedUnchanged(pool, () => request('POST', `${OGC}/collections/parcel/items/${p.id}/history/9/restore`, { headers: { 'If-Match': p.etag } }));
    expect(res.status).toBe(404);
  });

  it('a deleted feature comes back under its id, at a new version', async () => {
    const p = await createParcel({ owner_name: '被删除' });
    expect((await request('DELETE', `${OGC}/collections/parcel/items/${p.id}`, { headers: { 'If-Match': p.etag } })).status).toBe(204);
    const res = await request('POST', `${OGC}/collections/parcel/items/${p.id}/history/1/restore`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: p.id, properties: { owner_name: '被删除', version: 2 } });
    const h = await request('GET', `${OGC}/collections/parcel/items/${p.id}/history`);
    expect(h.body.versions.map((v: { op: string }) => v.op)).toEqual(['insert', 'delete', 'insert']);
  });
});

describe('writes reach the tiles', () => {
  it('a write changes the tile that shows the feature', async () => {
    const p = await createParcel();
    const [x, y] = p.body.geometry.coordinates[0][0][0];
    const z = 15;
    const tx = Math.floor(((x + 180) / 360) * 2 ** z);
    const ty = Math.floor(((1 - Math.log(Math.tan((y * Math.PI) / 180) + 1 / Math.cos((y * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
    const tile = async () => (await api(`${(await import('../helpers/db.ts')).appUrl()}/tiles/parcel/${z}/${tx}/${ty}.mvt`)).headers.get('etag');
    const before = await tile();
    await patch(p.id, p.etag, { properties: { owner_name: '瓦片更新' } });
    // invalidation arrives by NOTIFY: give it a moment
    let after = await tile();
    for (let i = 0; i < 20 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await tile();
    }
    expect(after).not.toBe(before);
  });
});
