// What an import leaves behind (issue #14): a committed batch keeps its record (the history holds
// what was written) but not its preview rows; previews past IMPORT_PREVIEW_HOURS are removed by a
// sweep, whether or not anyone uploads again.
import { beforeAll, describe, expect, it } from 'vitest';
import { startPreviewSweep } from '../../server/exchange/import.ts';
import { getJson, useTestPool } from '../helpers/db.ts';
import { commit, upload } from './helpers.ts';

const pool = useTestPool();
let projectId: number;

const square = (lon: number, lat: number, d: number): number[][] => [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
const geojson = (codes: string[], lon: number) => JSON.stringify({
  type: 'FeatureCollection',
  features: codes.map((code, i) => ({
    type: 'Feature', properties: { code, owner_name: '清理测试', owner_type: 'household', land_class: '0101', status: 'unsigned' },
    geometry: { type: 'Polygon', coordinates: [square(lon + i * 0.001, 23.02, 0.0005)] },
  })),
});
const rowsOf = async (id: number) => (await pool.query(`SELECT count(*)::int n FROM import_feature WHERE batch_id = $1`, [id])).rows[0].n as number;

beforeAll(async () => {
  projectId = (await pool.query(`SELECT id FROM project ORDER BY id LIMIT 1`)).rows[0].id;
});

describe('a committed batch', () => {
  let id: number;
  beforeAll(async () => {
    const res = await upload([{ name: 'cleanup.geojson', data: geojson(['CLEAN-0001', 'CLEAN-0002'], 109.75) }], { project: String(projectId) });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(await rowsOf(id)).toBe(2);
    expect((await commit(id)).status).toBe(200);
  });

  it('has its preview rows removed', async () => {
    expect(await rowsOf(id)).toBe(0);
  });

  it('keeps its record, and says what it held', async () => {
    const { status, body } = await getJson(`/api/import/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'committed', fileName: 'cleanup.geojson', counts: { features: 2, errors: 0, insert: 2, update: 0 }, features: [] });
  });

  it('what it wrote is in the history', async () => {
    const { rows } = await pool.query(`SELECT count(*)::int n FROM change_log WHERE reason = $1`, [`import #${id}: cleanup.geojson`]);
    expect(rows[0].n).toBe(2);
  });
});

describe('expired previews', () => {
  it('are removed with their rows by the sweep, without another upload', async () => {
    const res = await upload([{ name: 'expiring.geojson', data: geojson(['CLEAN-0101'], 109.76) }], { project: String(projectId) });
    const id = res.body.id as number;
    const kept = (await upload([{ name: 'fresh.geojson', data: geojson(['CLEAN-0102'], 109.77) }], { project: String(projectId) })).body.id as number;
    await pool.query(`UPDATE import_batch SET created_at = now() - interval '25 hours' WHERE id = $1`, [id]);
    const errors: unknown[] = [];
    const stop = startPreviewSweep(pool, 24, 50, (err) => errors.push(err));
    try {
      for (const t0 = Date.now(); Date.now() - t0 < 10_000 && (await rowsOf(id)) > 0;) await new Promise((r) => setTimeout(r, 50));
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
    expect((await pool.query(`SELECT count(*)::int n FROM import_batch WHERE id = $1`, [id])).rows[0].n).toBe(0);
    expect(await rowsOf(id)).toBe(0);
    // a preview still in time stays
    expect(await rowsOf(kept)).toBe(1);
  });
});
