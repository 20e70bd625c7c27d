// A change drops exactly the cached tiles it touches: the tiles over the feature's old and new place
// (its own layer) and over the features derived from it (its red line, whose progress it changes);
// a tile two tiles away keeps its cache entry and its ETag. The app here is one of its own, so the
// write goes through the connection it listens on (on the embedded backend a notification reaches
// only the connection whose commit sent it); tests/tiles/coherence.test.ts does the same across two
// processes on PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import type { LayerChange } from '../../server/core/changes.ts';
import { withClient } from '../../server/db/connection.ts';
import { getJson, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileAt } from '../helpers/tiles.ts';

const pool = useTestPool();
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info: (await getJson('/health')).body.database }, auth: { publicRead: true } });
  await app.ready();
});
afterAll(() => app?.close());

type Tile = { z: number; x: number; y: number };
const url = (layer: string, t: Tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;
async function get(layer: string, t: Tile) {
  const res = await app.inject(url(layer, t));
  expect(res.statusCode, url(layer, t)).toBe(200);
  return { etag: res.headers.etag as string, cache: res.headers['x-cache'], features: decodeTile(res.rawPayload, t.z, t.x, t.y)[layer] ?? [] };
}

/** Resolves with the first change the app's feed publishes that matches. */
function nextChange(match: (c: LayerChange) => boolean): Promise<LayerChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change arrived within 20 s')), 20_000);
    const stop = app.changes.subscribe((e) => {
      if ('change' in e && match(e.change)) {
        clearTimeout(timer);
        stop();
        resolve(e.change);
      }
    });
  });
}

describe('precise tile invalidation', () => {
  it('re-renders the tiles of the old and new place and of the red line, and keeps a tile two tiles away', async () => {
    const { rows: [p] } = await pool.query(
      `SELECT pa.id, pa.status, pa.project_id, ST_X(ST_PointOnSurface(pa.geom)) lon, ST_Y(ST_PointOnSurface(pa.geom)) lat,
              ST_X(ST_PointOnSurface(pr.red_line)) rlon, ST_Y(ST_PointOnSurface(pr.red_line)) rlat
         FROM parcel pa JOIN project pr ON pr.id = pa.project_id
        WHERE pa.status = 'paid' AND pr.land_target_mu > 0 ORDER BY pa.id LIMIT 1`);
    // a red line far from this one (its tile cannot meet this red line's buffered tiles)
    const { rows: [far] } = await pool.query(
      `SELECT ST_X(ST_PointOnSurface(red_line)) lon, ST_Y(ST_PointOnSurface(red_line)) lat FROM project
        WHERE id <> $1 AND red_line IS NOT NULL AND NOT ST_DWithin(red_line_3857, (SELECT red_line_3857 FROM project WHERE id = $1), 6000)
        ORDER BY id LIMIT 1`, [p.project_id]);
    const SHIFT = -0.012; // degrees of longitude west: about 1.2 km, two z16 tiles and more
    const tiles = {
      old: tileAt(p.lon, p.lat, 16),
      moved: tileAt(p.lon + SHIFT, p.lat, 16),
      redLine: tileAt(p.rlon, p.rlat, 14),
      farRedLine: tileAt(far.lon, far.lat, 14),
    };
    const twoAway = { ...tiles.old, x: tiles.old.x + 2 };

    // everything rendered and cached
    const before = {
      old: await get('parcel', tiles.old), moved: await get('parcel', tiles.moved), twoAway: await get('parcel', twoAway),
      redLine: await get('red_line', tiles.redLine), farRedLine: await get('red_line', tiles.farRedLine),
    };
    expect((await get('parcel', twoAway)).cache).toBe('HIT');
    expect(before.old.features.map((f) => f.id)).toContain(p.id);
    const progressBefore = before.redLine.features.find((f) => f.id === p.project_id)!.properties.progress_pct as number;

    const arrived = nextChange((c) => c.layer === 'red_line' && c.id === p.project_id);
    await app.pg.pool.query(
      `UPDATE parcel SET status = 'handed_over', handed_over_on = '2022-12-30', geom = ST_Translate(geom, $2, 0) WHERE id = $1`, [p.id, SHIFT]);
    try {
      const derived = await arrived;
      expect(derived.op).toBe('derived');

      // its old place: re-rendered, without it
      const old = await get('parcel', tiles.old);
      expect(old.cache).toBe('MISS');
      expect(old.features.map((f) => f.id)).not.toContain(p.id);
      // its new place: re-rendered, with it and its new status
      const moved = await get('parcel', tiles.moved);
      expect(moved.cache).toBe('MISS');
      expect(moved.etag).not.toBe(before.moved.etag);
      expect(moved.features.find((f) => f.id === p.id)?.properties.status).toBe('handed_over');
      // its red line: re-rendered with the new progress
      const redLine = await get('red_line', tiles.redLine);
      expect(redLine.cache).toBe('MISS');
      expect(redLine.features.find((f) => f.id === p.project_id)!.properties.progress_pct).toBeGreaterThan(progressBefore);
      // two tiles away, and a red line elsewhere: still cached, the same bytes
      const away = await get('parcel', twoAway);
      expect(away.cache).toBe('HIT');
      expect(away.etag).toBe(before.twoAway.etag);
      const farRedLine = await get('red_line', tiles.farRedLine);
      expect(farRedLine.cache).toBe('HIT');
      expect(farRedLine.etag).toBe(before.farRedLine.etag);
    } finally {
      await app.pg.pool.query(`UPDATE parcel SET status = $2, handed_over_on = NULL, geom = ST_Translate(geom, $3, 0) WHERE id = $1`, [p.id, p.status, -SHIFT]);
    }
  });

  it('drops every tile of a layer on a change too large to list', async () => {
    const { rows: [p] } = await pool.query(`SELECT ST_X(ST_PointOnSurface(geom)) lon, ST_Y(ST_PointOnSurface(geom)) lat FROM farmland ORDER BY id LIMIT 1`);
    const t = tileAt(p.lon, p.lat, 14);
    const elsewhere = { ...t, x: t.x + 4 };
    await get('farmland', t);
    await get('farmland', elsewhere);
    expect((await get('farmland', elsewhere)).cache).toBe('HIT');
    const { rows: [{ bulk }] } = await pool.query('SELECT zs_change_bulk_rows() AS bulk');
    const arrived = nextChange((c) => c.layer === 'farmland' && c.op === 'bulk');
    // a no-op update of more rows than one notification each: one whole-layer notification (without
    // history, as the demo loader writes, to keep it quick on the embedded database)
    await withClient(app.pg.pool, async (c) => {
      await c.query('BEGIN');
      await c.query(`SET LOCAL zs.bulk_load = on`);
      await c.query(`UPDATE farmland SET code = code WHERE id IN (SELECT id FROM farmland ORDER BY id LIMIT $1)`, [bulk + 1]);
      await c.query('COMMIT');
    });
    await arrived;
    expect((await get('farmland', elsewhere)).cache).toBe('MISS');
  });
});
