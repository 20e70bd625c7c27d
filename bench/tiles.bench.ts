// Tiles on the large data set (issue: vector tiles):
// - cold tiles (cache off) per layer at z14: server p95, against the raw tile query in the same run.
//   Raw: the very statement the server sends (same text, prepared the same way), timed as a client
//   sees it: a node-postgres round trip on a connection of its own, the tile's bytes decoded as the
//   server decodes them (queryTile). Served: the same tile as an HTTP client sees it: a GET on a
//   kept-alive connection (node:http), body read to the end. Both from this process, one at a time,
//   interleaved tile by tile (which goes first alternating by round), after a warm-up round that
//   prepares the statement on both connections;
// - uncached parcel tiles side by side with MapServer 8 (FastCGI), loaded from a second process in
//   alternating runs; requests/s and CPU per request (server + database backends);
// - cached tiles: requests/s from a load generator in a second process;
// - the largest tile of each layer across zooms (must stay under 500 KB).
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAYER_BY_ID, LAYERS, TILE_MAX_ZOOM } from '../geo/layers.ts';
import { buildApp } from '../server/app.ts';
import { describeDatabase } from '../server/db/database.ts';
import { loadLayerFields } from '../server/core/catalogue.ts';
import pg from 'pg';
import { queryTile, renderTile, tileStatement } from '../server/tiles/render.ts';
import type { TileCoord } from '../server/tiles/sql.ts';
import { type Benchmark, type BenchRow, cpuMs, summarize } from './harness.ts';
import { startMapServer } from './peers/mapserver.ts';

const run = promisify(execFile);

function tileAt(lon: number, lat: number, z: number): TileCoord {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n) };
}

/** GET on one kept-alive connection; resolves to the body's length once it is all read. */
function httpClient(base: string): { get(path: string): Promise<number>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get: (p) => new Promise((resolve, reject) => {
      http.get(base + p, { agent }, (res) => {
        let n = 0;
        res.on('data', (chunk: Buffer) => { n += chunk.length; });
        res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${p}: HTTP ${res.statusCode}`))));
      }).on('error', reject);
    }),
    close: () => agent.destroy(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Our server's database pool for the uncached-throughput run: one connection per core. */
const POOL_MAX = Number(process.env.BENCH_TILE_POOL || 2);
/** MapServer's FastCGI processes in that run (default: one per core) */
const MAPSERVER_PROCS = Number(process.env.BENCH_MAPSERVER_PROCS) || undefined;

const bench: Benchmark = {
  name: 'vector tiles',
  async run({ pool, baseUrl, databaseUrl, authHeaders }) {
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
    // our own server with the cache off; anonymous readers may read (parcels have no sensitive fields)
    const cold = await buildApp({ database: { url: databaseUrl, poolMax: POOL_MAX, info }, tileCacheBytes: 0, auth: { publicRead: true } });
    await cold.listen({ port: 0, host: '127.0.0.1' });
    const coldUrl = `http://127.0.0.1:${(cold.server.address() as { port: number }).port}`;
    const client = httpClient(coldUrl);
    const raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
    try {
      for (const layerId of ['parcel', 'farmland', 'cane_base', 'red_line', 'house', 'command_area']) {
        const layer = LAYER_BY_ID.get(layerId)!;
        const tiles = await tilesOf(layerId, 14);
        const statement = tileStatement([layer], fields, 14, { sensitive: true })!;
        const rawTimes: number[] = [];
        const served: number[] = [];
        let bytes = 0;
        const timeRaw = async (t: TileCoord) => {
          const t0 = performance.now();
          await queryTile(raw, statement, t);
          return performance.now() - t0;
        };
        const timeServed = async (t: TileCoord) => {
          const t0 = performance.now();
          bytes = Math.max(bytes, await client.get(`/tiles/${layerId}/${t.z}/${t.x}/${t.y}.mvt`));
          return performance.now() - t0;
        };
        for (let round = 0; round < 5; round++) {
          for (const t of tiles) {
            // which goes first alternates by round, so neither side always follows the other
            const [rawMs, servedMs] = round % 2
              ? [await timeRaw(t), await timeServed(t)]
              : await timeServed(t).then(async (s) => [await timeRaw(t), s]);
            if (round > 0) { rawTimes.push(rawMs); served.push(servedMs); } // round 0 warms up both
          }
        }
        const r = summarize(`tile z14 ${layerId}: raw ST_AsMVT query (pg round trip)`, rawTimes);
        const s = summarize(`tile z14 ${layerId}: server, cache off (HTTP)`, served,
          `overhead ×${(summarize('', served).medianMs / r.medianMs).toFixed(2)} (median vs raw), max ${(bytes / 1024).toFixed(0)} KB`);
        rows.push(r, s);
      }

      // side by side with MapServer 8 (FastCGI): the same z14 parcel tiles from the same table, both
      // rendering every request (our cache off), loaded by the same generator in a second process
      const parcel = LAYER_BY_ID.get('parcel')!;
      const peer = await startMapServer(databaseUrl, { parcel: { type: 'POLYGON', attributes: parcel.attributes } }, { procs: MAPSERVER_PROCS });
      try {
        const tiles = await tilesOf('parcel', 14, 200);
        const loadOf = async (base: string, paths: string[]) =>
          JSON.parse((await run(process.execPath, [path.join(import.meta.dirname, 'tools/load.mjs'), base, '5', '16', ...paths])).stdout);
        for (const t of tiles) await client.get(`/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`); // both warm: the data in memory
        for (const t of tiles) await (await fetch(peer.baseUrl + peer.tilePath('parcel', t.z, t.x, t.y))).arrayBuffer();
        // CPU per request: the serving processes (this process for ours; lighttpd + mapserv for the
        // peer) plus the database backends of zs_bench, over each run: a figure the other programs on
        // this shared machine disturb less than requests per second
        const backends = async () => (await pool.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
        const measureRun = async (who: 'ours' | 'peer') => {
          const front = who === 'peer' ? peer.pids() : [];
          const before = new Map([...(await backends()), ...front].map((p) => [p, cpuMs(p)]));
          const self0 = process.cpuUsage();
          const res = who === 'ours'
            ? await loadOf(coldUrl, tiles.map((t) => `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`))
            : await loadOf(peer.baseUrl, tiles.map((t) => peer.tilePath('parcel', t.z, t.x, t.y)));
          const self = process.cpuUsage(self0);
          let cpu = who === 'ours' ? (self.user + self.system) / 1000 : 0;
          for (const p of new Set([...(await backends()), ...front])) cpu += cpuMs(p) - (before.get(p) ?? cpuMs(p));
          return { ...res, cpuPerRequest: cpu / res.total };
        };
        // alternating 5-second runs, three each, so a change in the machine's load hits both sides
        type Run = Awaited<ReturnType<typeof measureRun>>;
        const ours: Run[] = [];
        const theirs: Run[] = [];
        for (let round = 0; round < 3; round++) {
          ours.push(await measureRun('ours'));
          theirs.push(await measureRun('peer'));
        }
        const summary = (runs: Run[]) => ({
          rps: median(runs.map((r) => r.requestsPerSecond)), p50: median(runs.map((r) => r.latencyP50)),
          p99: median(runs.map((r) => r.latencyP99)), cpu: median(runs.map((r) => r.cpuPerRequest)),
          total: runs.reduce((n, r) => n + r.total, 0), non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
        });
        const a = summary(ours);
        const b = summary(theirs);
        const runs = (rs: Run[]) => rs.map((r) => Math.round(r.requestsPerSecond)).join('/');
        rows.push(
          { name: 'z14 parcel tiles, uncached: this server', n: a.total, medianMs: a.p50, p95Ms: NaN,
            note: `${Math.round(a.rps)} req/s (runs ${runs(ours)}), p99 ${a.p99} ms, non-2xx ${a.non2xx}; ${a.cpu.toFixed(2)} ms CPU/request (server + database); database pool ${POOL_MAX}` },
          { name: 'z14 parcel tiles, uncached: MapServer 8 FastCGI', n: b.total, medianMs: b.p50, p95Ms: NaN,
            note: `${Math.round(b.rps)} req/s (runs ${runs(theirs)}), p99 ${b.p99} ms, non-2xx ${b.non2xx}; ${b.cpu.toFixed(2)} ms CPU/request (lighttpd + mapserv + database); ratio ×${(a.rps / b.rps).toFixed(2)} req/s, ×${(b.cpu / a.cpu).toFixed(2)} CPU (${tiles.length} tiles, 16 connections, 3 × 5 s each, alternating)` },
        );
      } finally {
        peer.stop();
      }
    } finally {
      client.close();
      await raw.end();
      await cold.close();
    }

    // cached: warm a set of tiles, then a second process hammers them
    const hot = (await tilesOf('parcel', 15, 50)).map((t) => `/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`);
    for (const p of hot) await fetch(baseUrl + p, { headers: authHeaders });
    const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, 'tools/load.mjs'), baseUrl, '10', '64', ...hot],
      { env: { ...process.env, LOAD_HEADERS: JSON.stringify(authHeaders) } });
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
          const body = await renderTile(pool, 'postgis', [layer], fields, t, { sensitive: true });
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
