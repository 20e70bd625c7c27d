// Numbered SQL migrations from migrations/, applied in order on every start. Each file runs once,
// in its own transaction, recorded in schema_migrations; the files are also idempotent
// (IF NOT EXISTS / OR REPLACE), so a half-known state is safe to run again.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../config.ts';

export const migrationsDir = path.join(projectRoot, 'migrations');
const MIGRATION_LOCK = 73190521; // pg_advisory_lock key: several servers starting at once migrate one at a time

export class StartupError extends Error {}

export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(dir, file), 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw explainMigrationError(file, err);
      }
      applied.push(file);
    }
    await checkPostgis(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}

function explainMigrationError(file: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/extension "postgis"/.test(message) && /not available|could not open extension control file/.test(message)) {
    return new StartupError(
      'PostGIS is not installed on this PostgreSQL server: install it (Debian: apt-get install postgresql-15-postgis-3) or unset DATABASE_URL to use the embedded database',
    );
  }
  return new StartupError(`migration ${file} failed: ${message}`);
}

const MIN_POSTGIS: [number, number] = [3, 3];

async function checkPostgis(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ v: string }>('SELECT postgis_lib_version() AS v');
  const [major, minor] = rows[0].v.split('.').map(Number);
  if (major < MIN_POSTGIS[0] || (major === MIN_POSTGIS[0] && minor < MIN_POSTGIS[1])) {
    throw new StartupError(`PostGIS ${rows[0].v} is too old: version ${MIN_POSTGIS.join('.')} or later is needed`);
  }
}
