// Exports of 100,000 parcels to GeoPackage and Shapefile (issue #6): wall time and peak memory of the
// CLI (a process of its own, as a batch job runs it), side by side in the same run with ogr2ogr
// exporting the same rows and columns from the same PostGIS. Peak memory is measured at 25,000 and
// 100,000 rows: it should not grow with the row count. Both sides include process start-up; ours
// also zips the Shapefile (ogr2ogr writes loose files).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAYER_BY_ID } from '../geo/layers.ts';
import { loadLayerFields, selectFields } from '../server/layer-sql.ts';
import { type Benchmark, type BenchRow, summarize } from './harness.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');

/** Wall ms and peak RSS (MB) of a command, from GNU time. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; rssMB: number }> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'ZSTIME %e %M', cmd, ...args], { env, cwd: ROOT, maxBuffer: 1 << 26 });
  const m = /ZSTIME ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return { ms: Number(m[1]) * 1000, rssMB: Number(m[2]) / 1024 };
}

function pgConn(url: string): string {
  const u = new URL(url);
  return `PG:host=${u.hostname} port=${u.port || 5432} dbname=${u.pathname.slice(1)} user=${decodeURIComponent(u.username)}${u.password ? ` password=${decodeURIComponent(u.password)}` : ''}`;
}

const bench: Benchmark = {
  name: 'exchange exports',
  async run({ pool, databaseUrl }) {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'zs-bench-exchange-'));
    const layer = LAYER_BY_ID.get('parcel')!;
    const fields = (await loadLayerFields(pool)).get('parcel')!;
    const iterations = Number(process.env.BENCH_EXCHANGE_ITERATIONS || 3);
    const cut = async (n: number): Promise<number> =>
      (await pool.query(`SELECT id FROM parcel ORDER BY id OFFSET $1 LIMIT 1`, [n - 1])).rows[0]?.id;
    try {
      for (const n of [25_000, 100_000]) {
        const maxId = await cut(n);
        if (!maxId) { rows.push({ name: `export ${n} parcels`, n: 0, medianMs: NaN, p95Ms: NaN, note: `fewer than ${n} parcels in the data set` }); continue; }
        const sql = `SELECT ${selectFields(fields)}, t.geom FROM parcel t WHERE t.geom IS NOT NULL AND t.id <= ${maxId} ORDER BY t.id`;
        const reps = n === 100_000 ? iterations : 1;
        for (const [format, gdalDriver, out] of [['gpkg', 'GPKG', 'out.gpkg'], ['shp', 'ESRI Shapefile', 'out_shp']] as const) {
          const ours: { ms: number; rssMB: number }[] = [];
          const theirs: { ms: number; rssMB: number }[] = [];
          for (let i = 0; i < reps; i++) {
            await rm(path.join(dir, out), { recursive: true, force: true });
            await rm(path.join(dir, `ours.${format}`), { force: true });
            ours.push(await timed(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'export', '--layer', layer.id, '--format', format,
              '--max-id', String(maxId), '--out', path.join(dir, `ours.${format}`)], { ...process.env, DATABASE_URL: databaseUrl }));
            theirs.push(await timed('ogr2ogr', ['-f', gdalDriver, ...(format === 'shp' ? ['-lco', 'ENCODING=UTF-8'] : []),
              path.join(dir, out), pgConn(databaseUrl), '-sql', sql, '-nln', 'parcel']));
          }
          const o = summarize(`export ${n.toLocaleString()} parcels → ${format}: ours (CLI)`, ours.map((r) => r.ms));
          const t = summarize(`export ${n.toLocaleString()} parcels → ${format}: ogr2ogr`, theirs.map((r) => r.ms));
          const peak = (xs: { rssMB: number }[]) => Math.max(...xs.map((x) => x.rssMB)).toFixed(0);
          o.note = `×${(o.medianMs / t.medianMs).toFixed(2)} ogr2ogr's time; peak RSS ${peak(ours)} MB`;
          t.note = `peak RSS ${peak(theirs)} MB`;
          rows.push(o, t);
        }
      }
      // bounded memory: the same exports in a heap capped at 64 MB finish, and their peak RSS barely moves with the row count
      for (const format of ['gpkg', 'shp']) {
        const peaks: string[] = [];
        const times: number[] = [];
        for (const n of [25_000, 100_000]) {
          const maxId = await cut(n);
          if (!maxId) continue;
          const r = await timed(process.execPath, ['--max-old-space-size=64', '--max-semi-space-size=4', '--import', 'tsx', 'server/cli.ts', 'export',
            '--layer', layer.id, '--format', format, '--max-id', String(maxId), '--out', path.join(dir, `capped.${format}`)], { ...process.env, DATABASE_URL: databaseUrl });
          peaks.push(`${n.toLocaleString()} rows ${r.rssMB.toFixed(0)} MB`);
          times.push(r.ms);
        }
        rows.push({ name: `export → ${format}, heap capped at 64 MB (25k, 100k rows)`, n: times.length, medianMs: times[times.length - 1], p95Ms: NaN, note: `peak RSS ${peaks.join(', ')}` });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
export default bench;
