// `npm run bench`: generate the large data set once into a PostgreSQL + PostGIS database, start the
// server on it, run every bench/*.bench.ts and print one table of medians and p95s.
//   BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/zs_bench (created if missing)
//   BENCH_SCALE         default 25 (the generator's scale for ≥200k farmland, ≥50k cane bases, ≥100k parcels)
//   BENCH_ONLY          run only benchmarks whose file name contains this text
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { generateDistrict } from '../data/demo/index.ts';
import { loadDistrict } from '../data/load.ts';
import { ROLE_IDS } from '../geo/roles.ts';
import { randomPassword } from '../server/accounts/passwords.ts';
import { createUser, setPassword } from '../server/accounts/users.ts';
import { loadConfig } from '../server/config.ts';
import { createDb } from '../server/db/kysely.ts';
import { migrate } from '../server/db/migrate.ts';
import { startServer } from '../server/start.ts';
import { type Benchmark, type BenchRow, formatTable } from './harness.ts';

const url = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/zs_bench';
const scale = Number(process.env.BENCH_SCALE || 25);

async function ensureDatabase(): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await client.end();
}

async function ensureData(pool: pg.Pool): Promise<void> {
  await migrate(pool);
  const { rows } = await pool.query(`SELECT value FROM app_setting WHERE key = 'bench_scale'`);
  if (rows[0]?.value === scale) return;
  console.log(`generating the benchmark district at scale ${scale} (once; kept in ${url})…`);
  const t0 = performance.now();
  await pool.query(`DO $$ DECLARE t text; BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'spatial_ref_sys')
    LOOP EXECUTE format('TRUNCATE %I RESTART IDENTITY CASCADE', t); END LOOP; END $$`);
  const counts = await loadDistrict(pool, generateDistrict({ scale }));
  await pool.query('ANALYZE');
  await pool.query(`INSERT INTO app_setting (key, value) VALUES ('bench_scale', $1::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [JSON.stringify(scale)]);
  console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, counts);
}

/** The `bench` account (every role and area) with a fresh password, logged in: its session cookie. */
async function benchSession(pool: pg.Pool, baseUrl: string): Promise<Record<string, string>> {
  const password = randomPassword();
  const db = createDb(pool);
  const { rows } = await pool.query<{ id: number }>(`SELECT id FROM app_user WHERE username = 'bench'`);
  if (rows[0]) await setPassword(db, rows[0].id, password, 'bench', 'password_reset');
  else {
    const areaIds = (await pool.query<{ id: number }>('SELECT id FROM command_area')).rows.map((r) => r.id);
    await createUser(db, { username: 'bench', password, roles: ROLE_IDS, areaIds }, 'bench');
  }
  const res = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password }),
  });
  if (!res.ok) throw new Error(`bench login failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
  return { cookie: `zs_session=${token}`, 'x-csrf-token': csrfToken };
}

async function main(): Promise<void> {
  await ensureDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await ensureData(pool);
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
