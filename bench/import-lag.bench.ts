// The event loop while a large file is imported (issue #14): GeoJSON files of new parcels, from a few
// MB up to the 100 MB upload limit, uploaded for a preview (POST /api/import) while a 5 ms timer in
// this process — the server's own process (bench/run.ts) — records how late it runs. Per file: its
// size, the answer, the preview's time, and the timer's p99 and worst lateness during it. A file the
// parse worker's heap cannot hold is refused 413; the lateness is measured either way. curl uploads
// (another process); the previews are deleted afterwards.
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Benchmark, type BenchRow, quantile } from './harness.ts';

const run = promisify(execFile);

/** 20,000 parcels per file; the rings' vertex counts set the size (LAG_VERTICES, comma-separated, to pick). */
const FEATURES = 20_000;
const VERTICES = (process.env.LAG_VERTICES ?? '12,60,150,240').split(',').map(Number);
const TICK_MS = 5;

function geojson(center: [number, number], project: number, vertices: number): string {
  const parts: string[] = [];
  for (let i = 0; i < FEATURES; i++) {
    // a small polygon (≈ 20 m across) on a grid around the centre, its ring with `vertices` points
    const cx = center[0] + ((i % 200) - 100) * 0.0004;
    const cy = center[1] + (Math.floor(i / 200) - 50) * 0.0004;
    const ring: string[] = [];
    for (let k = 0; k < vertices; k++) {
      const a = (2 * Math.PI * k) / vertices;
      ring.push(`[${(cx + 0.0001 * Math.cos(a)).toFixed(9)},${(cy + 0.0001 * Math.sin(a)).toFixed(9)}]`);
    }
    ring.push(ring[0]);
    parts.push(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[${ring.join(',')}]]},"properties":{"code":"LAG-${vertices}-${i}","owner_type":"household","owner_name":"测试户${i}","land_class":"0103","project_id":${project}}}`);
  }
  return `{"type":"FeatureCollection","features":[${parts.join(",")}]}`;
}

/** Lateness of a TICK_MS timer while `fn` runs: every tick's delay past its due time, in ms. */
async function lateness<T>(fn: () => Promise<T>): Promise<{ out: T; delays: number[] }> {
  const delays: number[] = [];
  let due = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    delays.push(Math.max(0, now - due));
    due = now + TICK_MS;
  }, TICK_MS);
  try {
    return { out: await fn(), delays };
  } finally {
    clearInterval(timer);
  }
}

const bench: Benchmark = {
  name: 'event-loop lateness during large imports',
  async run({ baseUrl, pool, authHeaders }) {
    const { rows: [{ x, y, project }] } = await pool.query<{ x: number; y: number; project: number }>(
      `SELECT ST_X(c) x, ST_Y(c) y, id project FROM (SELECT id, ST_Centroid(red_line) c FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1) p`);
    const { rows: [{ first }] } = await pool.query<{ first: number }>(`SELECT coalesce(max(id), 0)::int + 1 AS first FROM import_batch`);
    const rows: BenchRow[] = [];
    try {
      for (const vertices of VERTICES) {
        const file = geojson([x, y], project, vertices);
        const mb = Buffer.byteLength(file) / 1024 / 1024;
        if (mb > 100) break;
        const path = join(tmpdir(), `zs-lag-${vertices}.geojson`);
        await writeFile(path, file);
        // curl uploads, so this process's event loop is the server's alone
        const t0 = performance.now();
        const { out: status, delays } = await lateness(async () => {
          const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...Object.entries(authHeaders).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
            '-F', 'layer=parcel', '-F', 'crs=EPSG:4490', '-F', `file=@${path};type=application/geo+json`, `${baseUrl}/api/import`]);
          return Number(stdout);
        }).finally(() => rm(path, { force: true }));
        const ms = performance.now() - t0;
        const sorted = delays.sort((a, b) => a - b);
        rows.push({
          name: `import preview of ${mb.toFixed(0)} MB GeoJSON (${FEATURES} parcels × ${vertices + 1} points): event-loop lateness`,
          n: sorted.length, medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95),
          note: `answer ${status} in ${(ms / 1000).toFixed(1)} s; p99 ${quantile(sorted, 0.99).toFixed(1)} ms, worst ${sorted.at(-1)?.toFixed(1)} ms`,
        });
      }
    } finally {
      await pool.query(`DELETE FROM import_batch WHERE id >= $1 AND created_by = 'bench'`, [first]);
    }
    return rows;
  },
};

export default bench;
