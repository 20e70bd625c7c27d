// The bench database: created if missing, the generated district loaded once per scale (its load time
// kept beside the scale), and a logged-in `bench` account. Shared by `npm run bench` (bench/run.ts)
// and the growth curve (bench/growth.ts).
import pg from 'pg';
import { generateDistrict } from '../data/demo/index.ts';
import { loadDistrict } from '../data/load.ts';
import { ROLE_IDS } from '../geo/roles.ts';
import { randomPassword } from '../server/accounts/passwords.ts';
import { createUser, setPassword } from '../server/accounts/users.ts';
import { createDb } from '../server/db/kysely.ts';
import { migrate } from '../server/db/migrate.ts';

export async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await client.end();
}

/** Migrates, and (re)generates the district unless this database already holds `scale`. */
export async function ensureData(pool: pg.Pool, scale: number, url: string): Promise<void> {
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
  const loadSeconds = (performance.now() - t0) / 1000;
  // kept beside the scale: the growth curve reports each scale's load time
  await pool.query(`INSERT INTO app_setting (key, value) VALUES ('bench_scale', $1::jsonb), ('bench_load_seconds', $2::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [JSON.stringify(scale), JSON.stringify(Math.round(loadSeconds * 10) / 10)]);
  console.log(`loaded in ${loadSeconds.toFixed(1)} s:`, counts);
}

/** The `bench` account (every role and area) with a fresh password, logged in: its session headers. */
export async function benchSession(pool: pg.Pool, baseUrl: string): Promise<Record<string, string>> {
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
