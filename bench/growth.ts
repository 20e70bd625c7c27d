// `npm run bench:growth`: how the costs grow with the data. For each scale in BENCH_SCALES (default
// 1,25,100: the demo, a large district, ~480k parcels), one database of its own (zs_bench_s<scale>,
// generated once and kept; its load time kept beside it), a server on it with the tile cache off, and
// the same requests at every scale:
//   cold z14 tiles (parcel, farmland) and z11 tiles (cane base, red line): p95 over spread-out tiles;
//   OGC items pages of 100 parcels: in a small bbox, and deep in the id order (offset n/2);
//   conflict analysis of the 1,000-vertex corridor (bench/conflicts.bench.ts) in the densest cane country;
//   progress as of a date for the whole district;
//   a parcel write with history (PATCH + If-Match), one at a time and from 8 writers without pause
//   (writes/s): what the capacity plan divides by;
//   export of min(100k, all) parcels to GeoPackage by the CLI, as a batch job runs it;
//   database size, rows, load time.
// Then each figure's growth exponent k (time ∝ parcels^k between the smallest and largest scale) and a
// shape: flat (k < 0.1), sub-linear (< 0.6), linear (< 1.3), super-linear. Printed and written to
// bench/results/growth.md; each scale's raw figures to bench/results/growth-s<scale>.json.
//   BENCH_SCALES          comma-separated scales (default 1,25,100)
//   BENCH_GROWTH_DB       database URL with {scale} in it (default postgres://postgres@127.0.0.1:5432/zs_bench_s{scale})
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { lonLatToWorld } from '../geo/bbox.ts';
import { LAYER_BY_ID } from '../geo/layers.ts';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/start.ts';
import { corridor } from './conflicts.bench.ts';

const tileAt = (lon: number, lat: number, z: number) => {
  const [x, y] = lonLatToWorld(lon, lat);
  return { z, x: Math.floor(x * 2 ** z), y: Math.floor(y * 2 ** z) };
};
import { measure, quantile, summarize } from './harness.ts';
import { dateAt } from './progress.bench.ts';
import { benchSession, ensureData, ensureDatabase } from './setup.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');
const scales = (process.env.BENCH_SCALES || '1,25,100').split(',').map(Number);
const urlOf = (scale: number) => (process.env.BENCH_GROWTH_DB || 'postgres://postgres@127.0.0.1:5432/zs_bench_s{scale}').replace('{scale}', String(scale));

interface Figure { p95: number; median: number; n: number; note?: string }
interface ScaleResult {
  scale: number;
  parcels: number; farmland: number; caneBase: number; landUse: number; changeLog: number;
  dbBytes: number; loadSeconds: number | null;
  figures: Record<string, Figure>;
}

async function measureScale(scale: number): Promise<ScaleResult> {
  const url = urlOf(scale);
  await ensureDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await ensureData(pool, scale, url);
  // the tile cache off: every tile is rendered, which is what grows (or not) with the data
  const config = loadConfig({ ...process.env, DATABASE_URL: url, PORT: '0', SEED_DEMO: 'false', TILE_CACHE_MB: '0' });
  const server = await startServer(config, pino({ level: 'warn' }));
  const base = server.url.replace(/\/$/, '');
  const headers = await benchSession(pool, server.url);
  const figures: Record<string, Figure> = {};
  const keep = (key: string, row: { p95Ms: number; medianMs: number; n: number; note?: string }) => {
    figures[key] = { p95: row.p95Ms, median: row.medianMs, n: row.n, note: row.note };
    console.log(`  scale ${scale}: ${key}: median ${row.medianMs.toFixed(1)} ms, p95 ${row.p95Ms.toFixed(1)} ms${row.note ? ` (${row.note})` : ''}`);
  };
  const get = async (p: string) => {
    const res = await fetch(base + p, { headers });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res.arrayBuffer();
  };
  try {
    const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
    const parcels = await count('SELECT count(*)::int n FROM parcel');

    // cold tiles: the tiles of 40 spread-out features per layer, 3 rounds after a warm-up round
    for (const [layerId, z] of [['parcel', 14], ['farmland', 14], ['cane_base', 11], ['red_line', 11]] as const) {
      const l = LAYER_BY_ID.get(layerId)!;
      const { rows: pts } = await pool.query<{ lon: number; lat: number }>(
        `SELECT ST_X(p) lon, ST_Y(p) lat FROM (SELECT ST_PointOnSurface("${l.geometryColumn}") p FROM "${l.table}"
          WHERE "${l.geometryColumn}" IS NOT NULL ORDER BY md5(id::text) LIMIT 40) s`);
      const tiles = [...new Map(pts.map((p) => { const t = tileAt(p.lon, p.lat, z); return [`${t.x}/${t.y}`, t]; })).values()];
      const paths = tiles.map((t) => `/tiles/${layerId}/${t.z}/${t.x}/${t.y}.mvt`);
      keep(`tile z${z} ${layerId}, cold`, await measure(`tile z${z} ${layerId}`, (i) => get(paths[i % paths.length]),
        { iterations: paths.length * 3, warmup: paths.length, note: `${paths.length} tiles` }));
    }

    // items: a small bbox around a parcel (what a map client asks), and a deep page in id order
    const { rows: spots } = await pool.query<{ x: number; y: number }>(
      `SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_PointOnSurface(geom) c FROM parcel ORDER BY md5(id::text) LIMIT 30) s`);
    keep('items: 100 parcels in a bbox', await measure('items bbox', (i) => {
      const { x, y } = spots[i % spots.length];
      return get(`/ogc/collections/parcel/items?limit=100&bbox=${x - 0.004},${y - 0.003},${x + 0.004},${y + 0.003}`);
    }, { iterations: 60, warmup: 5 }));
    keep('items: 100 parcels at offset n/2', await measure('items deep', (i) =>
      get(`/ogc/collections/parcel/items?limit=100&offset=${Math.floor(parcels / 2) + (i % 10) * 100}`), { iterations: 40, warmup: 3 }));

    // conflict analysis: the 1,000-vertex corridor through the densest cane-base country
    const { rows: dense } = await pool.query<{ x: number; y: number }>(
      `SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_Centroid(ST_Collect(geom)) c FROM cane_base
         GROUP BY ST_SnapToGrid(ST_Centroid(geom), 0.03) ORDER BY count(*) DESC LIMIT 1) s`);
    keep('conflict analysis, 1,000-vertex red line', await measure('conflicts', async (i) => {
      const res = await fetch(`${base}/api/conflicts`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ geometry: corridor(dense[0].x + (i % 10) * 0.0003, dense[0].y + (i % 7) * 0.0002) }),
      });
      if (!res.ok) throw new Error(`POST /api/conflicts: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }, { iterations: 30, warmup: 3 }));

    keep('progress as of a date, whole district', await measure('progress', (i) =>
      get(`/api/progress?asOf=${dateAt(i)}&groupBy=district`), { iterations: 60, warmup: 3 }));

    // a parcel write with its history row (owner name), on parcels spread over the table
    const { rows: targets } = await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY md5(id::text) LIMIT 50');
    const versions = new Map<number, string>();
    for (const t of targets) versions.set(t.id, (await fetch(`${base}/ogc/collections/parcel/items/${t.id}`, { headers })).headers.get('etag')!);
    keep('parcel write with history (PATCH)', await measure('write', async (i) => {
      const id = targets[i % targets.length].id;
      const res = await fetch(`${base}/ogc/collections/parcel/items/${id}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/merge-patch+json', 'If-Match': versions.get(id)! },
        body: JSON.stringify({ properties: { owner_name: `增长曲线 ${i}` }, reason: 'benchmark' }),
      });
      if (res.status !== 200) throw new Error(`PATCH: ${res.status} ${await res.text()}`);
      versions.set(id, res.headers.get('etag')!);
      await res.arrayBuffer();
    }, { iterations: 100, warmup: 5 }));

    // write throughput: 8 writers without pause for 10 s, each on parcels of its own (no 412s), so the
    // figure is what the primary takes, not what one connection waits for (clients in this process)
    {
      const { rows: own } = await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY md5(id::text || \'w\') LIMIT 160');
      for (const t of own) versions.set(t.id, (await fetch(`${base}/ogc/collections/parcel/items/${t.id}`, { headers })).headers.get('etag')!);
      const times: number[] = [];
      const until = performance.now() + 10_000;
      const writer = async (w: number) => {
        for (let i = 0; performance.now() < until; i++) {
          const id = own[w * 20 + (i % 20)].id;
          const t0 = performance.now();
          const res = await fetch(`${base}/ogc/collections/parcel/items/${id}`, {
            method: 'PATCH',
            headers: { ...headers, 'content-type': 'application/merge-patch+json', 'If-Match': versions.get(id)! },
            body: JSON.stringify({ properties: { owner_name: `并发写入 ${w}-${i}` }, reason: 'benchmark' }),
          });
          if (res.status !== 200) throw new Error(`PATCH: ${res.status} ${await res.text()}`);
          versions.set(id, res.headers.get('etag')!);
          await res.arrayBuffer();
          times.push(performance.now() - t0);
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      const perSecond = times.length / ((performance.now() - t0) / 1000);
      keep('parcel writes, 8 writers without pause', { ...summarize('writes', times), note: `${perSecond.toFixed(0)} writes/s` });
    }

    // export: the first min(100k, all) parcels to GeoPackage by the CLI (a process of its own)
    const rowsOut = Math.min(100_000, parcels);
    const maxId = (await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY id OFFSET $1 LIMIT 1', [rowsOut - 1])).rows[0].id;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'zs-growth-'));
    try {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'export', '--layer', 'parcel', '--format', 'gpkg',
          '--max-id', String(maxId), '--out', path.join(dir, 'parcel.gpkg')], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } });
        times.push(performance.now() - t0);
      }
      keep('export min(100k, all) parcels to GPKG (CLI)', { ...summarize('export', times), note: `${rowsOut.toLocaleString('en')} rows, ${(quantile([...times].sort((a, b) => a - b), 0.5) / rowsOut * 1000).toFixed(1)} ms per 1k rows` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const { rows: size } = await pool.query<{ b: string; load: number | null }>(
      `SELECT pg_database_size(current_database())::text b, (SELECT value::text::float FROM app_setting WHERE key = 'bench_load_seconds') load`);
    return {
      scale, parcels,
      farmland: await count('SELECT count(*)::int n FROM farmland'),
      caneBase: await count('SELECT count(*)::int n FROM cane_base'),
      landUse: await count('SELECT count(*)::int n FROM land_use'),
      changeLog: await count('SELECT count(*)::int n FROM change_log'),
      dbBytes: Number(size[0].b), loadSeconds: size[0].load, figures,
    };
  } finally {
    await server.close();
    await pool.end();
  }
}

/** time ∝ parcels^k between the first and last scale, and what that exponent means */
function growth(first: ScaleResult, last: ScaleResult, a: number, b: number): string {
  if (first === last) return '';
  const k = Math.log(b / a) / Math.log(last.parcels / first.parcels);
  const shape = k < 0.1 ? 'flat' : k < 0.6 ? 'sub-linear' : k < 1.3 ? 'linear' : 'super-linear';
  return `k ${k.toFixed(2)}, ${shape}`;
}

async function main(): Promise<void> {
  const results: ScaleResult[] = [];
  await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
  for (const scale of scales) {
    console.log(`scale ${scale}…`);
    const r = await measureScale(scale);
    results.push(r);
    await writeFile(path.join(import.meta.dirname, 'results', `growth-s${scale}.json`), JSON.stringify(r, null, 2));
  }
  const first = results[0];
  const last = results.at(-1)!;
  const header = ['', ...results.map((r) => `scale ${r.scale}`), 'growth (first → last)'];
  const body: string[][] = [
    ['parcels / farmland / cane base / land use', ...results.map((r) => `${r.parcels.toLocaleString('en')} / ${r.farmland.toLocaleString('en')} / ${r.caneBase.toLocaleString('en')} / ${r.landUse.toLocaleString('en')}`), `×${(last.parcels / first.parcels).toFixed(1)} parcels`],
    ['history rows (change_log)', ...results.map((r) => r.changeLog.toLocaleString('en')), ''],
    ['database size', ...results.map((r) => `${(r.dbBytes / 2 ** 20).toFixed(0)} MB`), growth(first, last, first.dbBytes, last.dbBytes)],
    ['load time (generate + load + ANALYZE)', ...results.map((r) => (r.loadSeconds == null ? '—' : `${r.loadSeconds.toFixed(0)} s`)),
      first.loadSeconds && last.loadSeconds ? growth(first, last, first.loadSeconds, last.loadSeconds) : ''],
  ];
  for (const key of Object.keys(first.figures)) {
    const cell = (r: ScaleResult) => { const f = r.figures[key]; return f ? `${f.median.toFixed(1)} / ${f.p95.toFixed(1)} ms` : '—'; };
    const a = first.figures[key]?.p95, b = last.figures[key]?.p95;
    body.push([`${key} (median / p95)`, ...results.map(cell), a && b ? growth(first, last, a, b) : '']);
  }
  body.push(['write throughput (8 writers)', ...results.map((r) => r.figures['parcel writes, 8 writers without pause']?.note ?? ''), '']);
  body.push(['export: rows, per 1k rows', ...results.map((r) => r.figures['export min(100k, all) parcels to GPKG (CLI)']?.note ?? ''), '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
  console.log(`\ngrowth curve, ${new Date().toISOString()}\n${table}`);
  await writeFile(path.join(import.meta.dirname, 'results', 'growth.md'), `${new Date().toISOString()}\n\n${table}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
