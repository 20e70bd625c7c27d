// Tiles on the large data set (issue: vector tiles):
// - cold tiles (cache off) per layer at z14: server p95, against the raw tile query in the same run;
// - cached tiles: requests/s from a load generator in a second process;
// - the largest tile of each layer across zooms (must stay under 500 KB).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAYER_BY_ID, LAYERS, TILE_MAX_ZOOM } from '../geo/layers.ts';
import { buildApp } from '../server/app.ts';
import { describeDatabase } from '../server/db/database.ts';
import { loadLayerFields } from '../server/layer-sql.ts';
import { renderLayer } from '../server/tiles/render.ts';
import { nativeTileSql, simplifyTolerance, type TileCoord } from '../server/tiles/sql.ts';
import { type Benchmark, type BenchRow, summarize } from './harness.ts';
import { startMapServer } from './peers/mapserver.ts';

const run = promisify(execFile);

function tileAt(lon: number, lat: number, z: number): TileCoord {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n) };
}

const bench: Benchmark = {
  name: 'vector tiles',
  async run({ pool, baseUrl, databaseUrl }) {
    const rows: BenchRow[] = [];
    const fields = await loadLayerFields(pool);
    // z14 tiles that hold data, per layer: the tiles of 30 spread-out features
    const tilesOf = async (layerId: string, z: number, count = 30): Promise<TileCoord[]> => {
      const l = LAYER_BY_ID.get(layerId)!;
      const { rows: pts } = await pool.query(
        `SELECT ST_X(p) lon, ST_Y(p) lat FROM (SELECT ST_PointOnSurface("${l.geometryColumn}") p FROM "${l.table}"
          WHERE "${l.geometryColumn}" IS NOT NULL ORDER BY md5(id::text) LIMIT ${count}) s`);
      const seen = new Map<string, TileCoord>();
      for (const p of pts) { const t = tileAt(p.lon, p.lat, z); seen.set(`${t.x}/${t.y}`, t); }
      return [...seen.values()];
    };

    const info = await describeDatabase(pool, 'postgres');
    const cold = await buildApp({ database: { url: databaseUrl, poolMax: 4, info }, tileCacheBytes: 0 });
    await cold.listen({ port: 0, host: '127.0.0.1' });
    const coldUrl = `http://127.0.0.1:${(cold.server.address() as { port: number }).port}`;
    try {
      for (const layerId of ['parcel', 'farmland', 'cane_base', 'red_line', 'house', 'command_area']) {
        const layer = LAYER_BY_ID.get(layerId)!;
        const tiles = await tilesOf(layerId, 14);
        const sql = nativeTileSql(layer, fields.get(layerId)!);
        const raw: number[] = [];
        const served: number[] = [];
        let bytes = 0;
        for (let round = 0; round < 3; round++) {
          for (const t of tiles) {
            let t0 = performance.now();
            await pool.query(sql, [t.z, t.x, t.y, simplifyTolerance(t.z)]);
            raw.push(performance.now() - t0);
            t0 = performance.now();
            const res = await fetch(`${coldUrl}/tiles/${layerId}/${t.z}/${t.x}/${t.y}.mvt`);
            bytes = Math.max(bytes, (await res.arrayBuffer()).byteLength);
            served.push(performance.now() - t0);
          }
        }
        const r = summarize(`tile z14 ${layerId}: raw ST_AsMVT query`, raw);
        const s = summarize(`tile z14 ${layerId}: server, cache off`, served,
          `overhead ×${(summarize('', served).medianMs / r.medianMs).toFixed(2)} (median vs raw), max ${(bytes / 1024).toFixed(0)} KB`);
        rows.push(r, s);
      }

      // side by side with MapServer 8 (FastCGI): the same z14 parcel tiles from the same table, both
      // rendering every request (our cache off), loaded by the same generator in a second process
      const parcel = LAYER_BY_ID.get('parcel')!;
      const peer = await startMapServer(databaseUrl, { parcel: { type: 'POLYGON', attributes: parcel.attributes } });
      try {
        const tiles = await tilesOf('parcel', 14, 200);
        const loadOf = async (base: string, paths: string[]) =>
          JSON.parse((await run(process.execPath, [path.join(import.meta.dirname, 'tools/load.mjs'), base, '10', '16', ...paths])).stdout);
        const ours = await loadOf(coldUrl, tiles.map((t) => `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`));
        const theirs = await loadOf(peer.baseUrl, tiles.map((t) => peer.tilePath('parcel', t.z, t.x, t.y)));
        const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
        rows.push(
          { name: 'z14 parcel tiles, uncached: this server', n: ours.total, medianMs: ours.latencyP50, p95Ms: NaN,
            note: `${Math.round(ours.requestsPerSecond)} req/s, p99 ${ours.latencyP99} ms, non-2xx ${ours.non2xx}` },
          { name: 'z14 parcel tiles, uncached: MapServer 8 FastCGI', n: theirs.total, medianMs: theirs.latencyP50, p95Ms: NaN,
            note: `${Math.round(theirs.requestsPerSecond)} req/s, p99 ${theirs.latencyP99} ms, non-2xx ${theirs.non2xx}; ratio ×${ratio.toFixed(2)} (${tiles.length} tiles, 16 connections)` },
        );
      } finally {
        peer.stop();
      }
    } finally {
      await cold.close();
    }

    // cached: warm a set of tiles, then a second process hammers them
    const hot = (await tilesOf('parcel', 15, 50)).map((t) => `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`);
    for (const p of hot) await fetch(baseUrl + p);
    const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, 'tools/load.mjs'), baseUrl, '10', '64', ...hot]);
    const load = JSON.parse(stdout);
    rows.push({ name: 'cached tiles, 64 connections, 10 s', n: load.total, medianMs: load.latencyP50, p95Ms: NaN,
      note: `${Math.round(load.requestsPerSecond)} req/s, p99 ${load.latencyP99} ms, non-2xx ${load.non2xx}` });

    // the largest tile per layer, from its min zoom to the max, over its densest places
    const sizes: string[] = [];
    for (const layer of LAYERS) {
      let max = 0;
      let where = '';
      for (let z = Math.max(layer.minZoom, 4); z <= TILE_MAX_ZOOM; z += 2) {
        for (const t of await tilesOf(layer.id, z, 8)) {
          const body = await renderLayer(pool, 'postgis', layer, fields, t);
          if (body.length > max) { max = body.length; where = `${t.z}/${t.x}/${t.y}`; }
        }
      }
      sizes.push(`${layer.id} ${(max / 1024).toFixed(0)} KB @${where}`);
    }
    rows.push({ name: 'largest tile per layer (sampled)', n: LAYERS.length, medianMs: NaN, p95Ms: NaN, note: sizes.join('; ') });
    return rows;
  },
};
export default bench;
