// Exports of 100,000 parcels to GeoPackage and Shapefile (issue #6): wall time and peak memory of the
// CLI (a process of its own, as a batch job runs it: `node --import tsx server/cli.ts export …`, which
// is what `npm run cli` does), side by side in the same run with ogr2ogr exporting the same rows and
// columns from the same PostGIS, the two interleaved run by run. Both include process start-up.
// Peak memory is GNU time's maximum resident set size of the process, measured at 25,000, 50,000 and
// 100,000 rows (--max-id cuts the same rows for both tools): it should not grow with the row count.
// Ours spools both formats in a worker thread with a bounded heap (server/exchange/export.ts), straight
// into the --out file.
// Ours zips the Shapefile (the issue asks for a zip; deflate level 1, see formats/shapefile.ts);
// ogr2ogr writes loose files. One more row shows ours storing the zip uncompressed (ZS_SHP_ZIP_LEVEL=0:
// the same bytes as ogr2ogr's output, in a zip).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAYER_BY_ID } from '../geo/layers.ts';
import { loadLayerFields, selectFields } from '../server/core/catalogue.ts';
import { type Benchmark, type BenchRow, summarize } from './harness.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..');

interface Run { ms: number; rssMB: number }

/** Wall ms and peak RSS (MB) of a command, from GNU time. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'ZSTIME %e %M', cmd, ...args], { env, cwd: ROOT, maxBuffer: 1 << 26 });
  const m = /ZSTIME ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return { ms: Number(m[1]) * 1000, rssMB: Number(m[2]) / 1024 };
}

function pgConn(url: string): string {
  const u = new URL(url);
  return `PG:host=${u.hostname} port=${u.port || 5432} dbname=${u.pathname.slice(1)} user=${decodeURIComponent(u.username)}${u.password ? ` password=${decodeURIComponent(u.password)}` : ''}`;
}

const median = (xs: number[]): number => summarize('', xs).medianMs;
const peak = (xs: Run[]): number => Math.max(...xs.map((x) => x.rssMB));

const bench: Benchmark = {
  name: 'exchange exports',
  async run({ pool, databaseUrl }) {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'zs-bench-exchange-'));
    const layer = LAYER_BY_ID.get('parcel')!;
    const fields = (await loadLayerFields(pool)).get('parcel')!;
    const iterations = Number(process.env.BENCH_EXCHANGE_ITERATIONS || 5);
    const cut = async (n: number): Promise<number> =>
      (await pool.query(`SELECT id FROM parcel ORDER BY id OFFSET $1 LIMIT 1`, [n - 1])).rows[0]?.id;
    const env = { ...process.env, DATABASE_URL: databaseUrl };
    const ours = (format: string, maxId: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
      timed(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'export', '--layer', layer.id, '--format', format,
        '--max-id', String(maxId), '--out', path.join(dir, `ours.${format}`)], { ...env, ...extraEnv });
    const ogr = async (format: string, maxId: number): Promise<Run> => {
      const out = path.join(dir, format === 'gpkg' ? 'ogr.gpkg' : 'ogr_shp');
      await rm(out, { recursive: true, force: true });
      const sql = `SELECT ${selectFields(fields)}, t.geom FROM parcel t WHERE t.geom IS NOT NULL AND t.id <= ${maxId} ORDER BY t.id`;
      return timed('ogr2ogr', ['-f', format === 'gpkg' ? 'GPKG' : 'ESRI Shapefile', ...(format === 'shp' ? ['-lco', 'ENCODING=UTF-8'] : []),
        out, pgConn(databaseUrl), '-sql', sql, '-nln', 'parcel']);
    };
    try {
      const cuts = new Map<number, number>();
      for (const n of [25_000, 50_000, 100_000]) {
        const maxId = await cut(n);
        if (maxId) cuts.set(n, maxId);
        else rows.push({ name: `export ${n} parcels`, n: 0, medianMs: NaN, p95Ms: NaN, note: `fewer than ${n} parcels in the data set` });
      }
      const results = new Map<string, Run[]>(); // `${tool} ${format} ${n}`
      const add = (key: string, r: Run) => results.set(key, [...(results.get(key) ?? []), r]);
      const formats = [['gpkg', {}], ['shp', {}], ['shp-stored', { ZS_SHP_ZIP_LEVEL: '0' }]] as const;
      // warm-up (untimed): the same rows through both tools once, so neither pays for a cold cache
      for (const maxId of cuts.values()) {
        for (const format of ['gpkg', 'shp']) { await ours(format, maxId); await ogr(format, maxId); }
      }
      for (let i = 0; i < iterations; i++) {
        for (const [n, maxId] of cuts) {
          if (n !== 100_000 && i >= 3) continue; // the smaller cuts are for memory: 3 runs
          for (const [name, extraEnv] of formats) {
            const format = name === 'shp-stored' ? 'shp' : name;
            add(`ours ${name} ${n}`, await ours(format, maxId, extraEnv));
            if (name !== 'shp-stored') add(`ogr ${name} ${n}`, await ogr(format, maxId));
          }
        }
      }
      const rss = (tool: string, name: string) => [...cuts.keys()].map((n) => `${(n / 1000).toFixed(0)}k ${peak(results.get(`${tool} ${name} ${n}`)!).toFixed(0)} MB`).join(', ');
      for (const [n] of cuts) {
        for (const [name] of formats) {
          const label = name === 'shp-stored' ? 'shp, zip stored (level 0)' : name === 'shp' ? 'shp (zip, deflate level 1)' : name;
          const o = summarize(`export ${n.toLocaleString()} parcels → ${label}: ours (CLI)`, results.get(`ours ${name} ${n}`)!.map((r) => r.ms));
          const t = results.get(`ogr ${name === 'shp-stored' ? 'shp' : name} ${n}`)!;
          o.note = `×${(o.medianMs / median(t.map((r) => r.ms))).toFixed(2)} ogr2ogr's median; peak RSS ${rss('ours', name)}`;
          rows.push(o);
          if (name !== 'shp-stored') {
            rows.push(summarize(`export ${n.toLocaleString()} parcels → ${name}: ogr2ogr${name === 'shp' ? ' (loose files)' : ''}`, t.map((r) => r.ms), `peak RSS ${rss('ogr', name)}`));
          }
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
export default bench;
