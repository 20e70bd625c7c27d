// A mixed day on the live map (issue: live map): 64 readers pan over z13–z16 while 3 editors advance
// parcel statuses at 5 writes/s in all, for 60 s, against
//   - this server, each change dropping only the tiles it touches (precise invalidation);
//   - this server dropping every tile of the changed layer (TILE_INVALIDATION=layer: what it did before);
//   - MapServer 8 (FastCGI), which renders every request, on the same tile list.
// Reported per run: tiles/s served, p50/p95 latency, the cache hit ratio (x-cache header), and
// staleness: from the write's response (its commit) to the first response of the edited parcel's tile
// that shows the new status, polled every 25 ms.
// The pan path is made once, seeded: from the eight projects with most parcels, a walk of 1280×720
// viewports (pans of 40 %, a zoom step now and then), each step asking for the tiles that came into
// view, for every tiled layer drawn at that zoom, as the map client does. Each reader walks it from its
// own starting point. Before each run one pass over the path warms the cache (a server that has run
// for a while holds the tiles people look at). The servers run in processes of their own, the readers
// in another (bench/tools/pan.mjs). Statuses written are put back at the end.
// `BENCH_LIVE_BASELINE=<checkout>` adds this server as another checkout has it (precise invalidation,
// started from that folder on the same database, whose migrations must be the same): before and after
// in one run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { lonLatToWorld } from '../geo/bbox.ts';
import { TAKE_STATUS_NEXT } from '../geo/domain.ts';
import { LAYER_BY_ID, LAYERS } from '../geo/layers.ts';
import { type Benchmark, type BenchRow, quantile } from './harness.ts';
import { startMapServer } from './peers/mapserver.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS || 60);
const READERS = 64;
const EDITORS = 3;
const WRITES_PER_SECOND = 5;
const TILED = LAYERS.filter((l) => l.tiled).map((l) => l.id);
const VIEW = { width: 1280, height: 720 };
const TILE_PX = 512; // MapLibre's tile size: at map zoom z it asks for tiles of zoom z

interface Tile { z: number; x: number; y: number }

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}



function viewTiles(cx: number, cy: number, z: number): Tile[] {
  const size = TILE_PX * 2 ** z;
  const [px, py] = [cx * size, cy * size];
  const tiles: Tile[] = [];
  for (let x = Math.floor((px - VIEW.width / 2) / TILE_PX); x <= Math.floor((px + VIEW.width / 2) / TILE_PX); x++) {
    for (let y = Math.floor((py - VIEW.height / 2) / TILE_PX); y <= Math.floor((py + VIEW.height / 2) / TILE_PX); y++) tiles.push({ z, x, y });
  }
  return tiles;
}

/** The tiles a map panning from each start asks for, in order. */
function panPath(starts: [number, number][], steps: number): Tile[] {
  const rnd = mulberry32(20261202);
  const out: Tile[] = [];
  for (const [lon, lat] of starts) {
    let [cx, cy] = lonLatToWorld(lon, lat);
    let z = 16;
    let dir = rnd() * 2 * Math.PI;
    let shown = new Set<string>();
    for (let s = 0; s < steps; s++) {
      const r = rnd();
      if (r < 0.12 && z < 16) z++;
      else if (r < 0.24 && z > 13) z--;
      else {
        dir += (rnd() - 0.5) * 1.2;
        const step = (0.4 * VIEW.width) / (TILE_PX * 2 ** z);
        cx += Math.cos(dir) * step;
        cy += Math.sin(dir) * step;
      }
      const now = viewTiles(cx, cy, z);
      for (const t of now) if (!shown.has(`${t.z}/${t.x}/${t.y}`)) out.push(t);
      shown = new Set(now.map((t) => `${t.z}/${t.x}/${t.y}`));
    }
  }
  return out;
}

/** A server of this project in a process of its own, on the benchmark database. */
async function startServer(databaseUrl: string, env: Record<string, string>, cwd = root): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd, env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', PUBLIC_READ: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const read = (d: Buffer) => {
      out += d;
      const m = out.match(/running at (http:\/\/[\d.:]+)/);
      if (!m) return;
      // from here the log (two lines a request at info) is read and dropped: kept and searched, it made
      // this process slower than the server writes it, and the server stalled on a full pipe for seconds
      child.stdout!.off('data', read);
      resolve(m[1]);
    };
    child.stdout!.on('data', read);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out.slice(-2000)}`)));
  });
  child.stdout!.resume();
  return { url, child };
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});

function statusIn(body: ArrayBuffer, layer: string, id: number): unknown {
  const tile = new VectorTile(new PbfReader(new Uint8Array(body)));
  const l = tile.layers[layer];
  for (let i = 0; l && i < l.length; i++) {
    const f = l.feature(i);
    if (Number(f.id ?? f.properties.id) === id) return f.properties.status;
  }
  return undefined;
}

const tileOf = (lon: number, lat: number, z: number): Tile => {
  const [x, y] = lonLatToWorld(lon, lat);
  return { z, x: Math.floor(x * 2 ** z), y: Math.floor(y * 2 ** z) };
};

interface Target { id: number; lon: number; lat: number; status: keyof typeof TAKE_STATUS_NEXT }

const bench: Benchmark = {
  name: 'live map: a mixed day (readers panning, editors writing)',
  async run({ pool, databaseUrl, authHeaders }) {
    const starts = (await pool.query<{ lon: number; lat: number }>(
      `SELECT ST_X(c) lon, ST_Y(c) lat FROM (
         SELECT ST_PointOnSurface(ST_Collect(pa.geom)) c, count(*) n FROM parcel pa GROUP BY pa.project_id ORDER BY n DESC LIMIT 8) s`)).rows
      .map((r) => [r.lon, r.lat] as [number, number]);
    const pan = panPath(starts, 25);
    const urls = (tile: Tile, url: (layer: string, t: Tile) => string) =>
      TILED.filter((id) => tile.z >= LAYER_BY_ID.get(id)!.minZoom).map((id) => url(id, tile));
    const ours = (layer: string, t: Tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;

    // parcels near the starts that have a next status, each written once
    const { rows: targets } = await pool.query<Target>(
      `SELECT p.id, ST_X(ST_PointOnSurface(p.geom)) lon, ST_Y(ST_PointOnSurface(p.geom)) lat, p.status FROM parcel p,
              (SELECT ST_Collect(ST_SetSRID(ST_MakePoint(x, y), 4490)) pts FROM unnest($1::float8[], $2::float8[]) AS u(x, y)) s
        WHERE ST_DWithin(p.geom, s.pts, 0.008) AND p.status IN ('unsigned', 'signed', 'paid')
        ORDER BY md5(p.id::text) LIMIT 1200`, [starts.map((s) => s[0]), starts.map((s) => s[1])]);
    const { rows: original } = await pool.query(
      `SELECT id, status, signed_on, paid_on, handed_over_on, court_filed_on FROM parcel WHERE id = ANY($1)`, [targets.map((t) => t.id)]);
    let nextTarget = 0;

    const dir = await mkdtemp(path.join(os.tmpdir(), 'zs-live-'));
    const rows: BenchRow[] = [];
    const precise = await startServer(databaseUrl, { TILE_INVALIDATION: 'precise' });
    const layerWide = await startServer(databaseUrl, { TILE_INVALIDATION: 'layer' });
    const baselineRoot = process.env.BENCH_LIVE_BASELINE;
    const baseline = baselineRoot ? await startServer(databaseUrl, { TILE_INVALIDATION: 'precise' }, path.resolve(baselineRoot)) : undefined;
    const mapserver = await startMapServer(databaseUrl, Object.fromEntries(TILED.map((id) => {
      const l = LAYER_BY_ID.get(id)!;
      return [l.table, { type: 'POLYGON' as const, attributes: l.attributes }];
    })));
    try {
      type Setup = { name: string; base: string; url: (layer: string, t: Tile) => string; writeBase: string; cached: boolean };
      const setups: Setup[] = [
        { name: 'this server, precise invalidation', base: precise.url, url: ours, writeBase: precise.url, cached: true },
        ...(baseline ? [{ name: `baseline ${path.basename(baselineRoot!)}, precise invalidation`, base: baseline.url, url: ours, writeBase: baseline.url, cached: true }] : []),
        { name: 'this server, whole-layer invalidation (before)', base: layerWide.url, url: ours, writeBase: layerWide.url, cached: true },
        { name: 'MapServer 8 FastCGI (renders every tile)', base: mapserver.baseUrl, url: (layer, t) => mapserver.tilePath(layer, t.z, t.x, t.y), writeBase: precise.url, cached: false },
      ];
      const results: { setup: Setup; load: any; staleness: number[]; writes: number; failed: number }[] = [];
      for (const setup of setups) {
        const file = path.join(dir, `${results.length}.json`);
        const list = pan.flatMap((t) => urls(t, setup.url));
        await writeFile(file, JSON.stringify(list));
        if (setup.cached) {
          // one pass warms the cache, four at a time
          for (let i = 0; i < list.length; i += 4) await Promise.all(list.slice(i, i + 4).map(async (p) => (await fetch(setup.base + p)).arrayBuffer()));
        }
        const staleness: number[] = [];
        let writes = 0;
        let failed = 0;
        const polls: Promise<void>[] = [];
        const deadline = Date.now() + SECONDS * 1000;
        const editor = async (e: number) => {
          const interval = (1000 * EDITORS) / WRITES_PER_SECOND;
          let slot = Date.now() + (e * interval) / EDITORS;
          while (slot < deadline && nextTarget < targets.length) {
            await new Promise((r) => setTimeout(r, Math.max(0, slot - Date.now())));
            slot += interval;
            const target = targets[nextTarget++];
            const to = TAKE_STATUS_NEXT[target.status][0];
            const t = tileOf(target.lon, target.lat, 16);
            const tileUrl = setup.base + setup.url('parcel', t);
            await (await fetch(tileUrl)).arrayBuffer(); // the tile as readers have it (cached, where there is a cache)
            const { rows: [{ version }] } = await pool.query('SELECT version FROM parcel WHERE id = $1', [target.id]);
            const res = await fetch(`${setup.writeBase}/ogc/collections/parcel/items/${target.id}`, {
              method: 'PATCH',
              headers: { ...authHeaders, 'content-type': 'application/merge-patch+json', 'if-match': `"${version}"` },
              body: JSON.stringify({ properties: { status: to } }),
            });
            await res.arrayBuffer();
            if (res.status !== 200) { failed++; continue; }
            writes++;
            target.status = to;
            const committed = performance.now();
            polls.push((async () => {
              const trace: string[] = [];
              for (;;) {
                const f0 = performance.now();
                const r = await fetch(tileUrl);
                const body = await r.arrayBuffer();
                trace.push(`${Math.round(f0 - committed)}+${Math.round(performance.now() - f0)}${r.headers.get('x-cache') ?? ''}`);
                if (statusIn(body, 'parcel', target.id) === to) {
                  if (process.env.BENCH_LIVE_DEBUG && performance.now() - committed > 1000) console.log(target.id, to, trace.join(' '));
                  return void staleness.push(performance.now() - committed);
                }
                if (performance.now() - committed > 5_000) return void staleness.push(Infinity);
                await new Promise((r) => setTimeout(r, 25));
              }
            })());
          }
        };
        const [load] = await Promise.all([
          run(process.execPath, [path.join(import.meta.dirname, 'tools/pan.mjs'), setup.base, String(SECONDS), String(READERS), file], { maxBuffer: 1 << 24 })
            .then((r) => JSON.parse(r.stdout)),
          ...Array.from({ length: EDITORS }, (_, e) => editor(e)),
        ]);
        await Promise.all(polls);
        results.push({ setup, load, staleness, writes, failed });
      }
      const peer = results.at(-1)!.load.perSecond;
      for (const { setup, load, staleness, writes, failed } of results) {
        const s = [...staleness].sort((a, b) => a - b);
        const fmt = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '> 5 s');
        rows.push({
          name: `mixed day: ${setup.name}`, n: load.total, medianMs: load.p50, p95Ms: load.p95,
          note: `${Math.round(load.perSecond)} tiles/s (×${(load.perSecond / peer).toFixed(1)} MapServer), ` +
            (setup.cached ? `hit ratio ${((100 * load.hits) / load.total).toFixed(1)} %, ` : '') +
            `staleness p99 ${fmt(quantile(s, 0.99))}, max ${fmt(s[s.length - 1])} over ${writes} writes` +
            `${failed ? ` (${failed} refused)` : ''}; non-2xx ${load.non2xx}, errors ${load.errors}; path of ${pan.length} tiles × layers`,
        });
      }
    } finally {
      mapserver.stop();
      await stop(precise.child);
      await stop(layerWide.child);
      if (baseline) await stop(baseline.child);
      await rm(dir, { recursive: true, force: true });
      // the statuses as they were (history keeps both)
      await pool.query(
        `UPDATE parcel p SET status = o.status, signed_on = o.signed_on, paid_on = o.paid_on, handed_over_on = o.handed_over_on, court_filed_on = o.court_filed_on
           FROM jsonb_to_recordset($1::jsonb) AS o(id int, status text, signed_on date, paid_on date, handed_over_on date, court_filed_on date)
          WHERE p.id = o.id AND p.status IS DISTINCT FROM o.status`, [JSON.stringify(original)]);
    }
    return rows;
  },
};

export default bench;
