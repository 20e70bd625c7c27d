// `npm run bench`: generate the large data set once into a PostgreSQL + PostGIS database, start the
// server on it, run every bench/*.bench.ts and print one table of medians and p95s.
//   BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/zs_bench (created if missing)
//   BENCH_SCALE         default 25 (the generator's scale for ≥200k farmland, ≥50k cane bases, ≥100k parcels)
//   BENCH_ONLY          run only benchmarks whose file name contains this text
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/start.ts';
import { type Benchmark, type BenchRow, formatTable } from './harness.ts';
import { benchSession, ensureData, ensureDatabase } from './setup.ts';

const url = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/zs_bench';
const scale = Number(process.env.BENCH_SCALE || 25);

async function main(): Promise<void> {
  await ensureDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await ensureData(pool, scale, url);
  const config = loadConfig({ ...process.env, DATABASE_URL: url, PORT: '0', SEED_DEMO: 'false' });
  const server = await startServer(config, pino({ level: 'warn' }));
  const files = (await readdir(import.meta.dirname)).filter((f) => f.endsWith('.bench.ts') && f.includes(process.env.BENCH_ONLY ?? '')).sort();
  const rows: BenchRow[] = [];
  const authHeaders = await benchSession(pool, server.url);
  try {
    for (const file of files) {
      const bench = (await import(path.join(import.meta.dirname, file))).default as Benchmark;
      process.stdout.write(`running ${bench.name}…\n`);
      rows.push(...(await bench.run({ pool, baseUrl: server.url, databaseUrl: url, scale, authHeaders })));
    }
  } finally {
    await server.close();
    await pool.end();
  }
  const table = formatTable(rows);
  console.log(`\nscale ${scale}, ${new Date().toISOString()}\n${table}`);
  await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(path.join(import.meta.dirname, 'results', 'latest.md'), `scale ${scale}\n\n${table}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
