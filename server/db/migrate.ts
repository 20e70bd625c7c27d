// The schema, on every start, under one advisory lock (several servers starting at once migrate one
// at a time):
//
//  1. Numbered migrations, migrations/NNN_*.sql: tables, columns, indexes and data changes. Each file
//     runs once, in its own transaction, recorded in schema_migrations; the files are also idempotent
//     (IF NOT EXISTS), so a half-known state is safe to run again. They define no function and no
//     trigger.
//  2. Then every file of migrations/functions/NN_*.sql, in name order, all in one transaction, on
//     EVERY start: each database function (CREATE OR REPLACE FUNCTION) and each trigger (CREATE OR
//     REPLACE TRIGGER, PostgreSQL 14+, so the table is never without it and reads are not blocked) in
//     its current form, one file per concern. A function is changed by editing its file, in one place;
//     an existing database gets the same functions and triggers as a fresh one at its next start.
//
// Why after, and only after, the numbered migrations: the files can then rely on every table, column
// and row type existing (plpgsql bodies are checked only when run, but function signatures such as
// zs_progress_take_row(change_log) RETURNS SETOF progress_take_history, LANGUAGE sql bodies and
// CREATE TRIGGER need their tables now), so they run the same on a fresh and on an existing database;
// applying them before the numbered ones as well would fail on a fresh database. The price: a
// numbered migration cannot call a function from the files (on a fresh database it does not exist
// yet; on an existing one it is the previous version). A data step that needs one goes at the end of
// the function's file, written to check on each start whether it is due (see the progress rebuild in
// 40_progress.sql). Renaming or removing a function or trigger, or changing a function's arguments or
// result type (which CREATE OR REPLACE refuses), takes a DROP in a numbered migration.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../config.ts';
import { LAYERS } from '../../geo/layers.ts';
import { withClient } from './connection.ts';

export const migrationsDir = path.join(projectRoot, 'migrations');
/** the functions and triggers, re-applied on every start (see above) */
export const functionsDirName = 'functions';
const SQL_FILE = /^\d+_.+\.sql$/;
const MIGRATION_LOCK = 73190521; // pg_advisory_lock key: several servers starting at once migrate one at a time

export class StartupError extends Error {}

export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<string[]> {
  const files = await sqlFiles(dir);
  const applied: string[] = [];
  await withClient(pool, async (client) => {
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
      await applyFunctions(client, path.join(dir, functionsDirName));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  });
  return applied;
}

/** The numbered SQL files of a directory, in order (NNN_name.sql; other files and folders are not read). */
export async function sqlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && SQL_FILE.test(e.name)).map((e) => e.name).sort();
}

/** Which table's rows each derived table's features depend on (geo/layers.ts dependsOn), by table. */
export function layerDependants(): { table: string; dependant: string }[] {
  return LAYERS.flatMap((l) => (l.dependsOn ?? []).map((table) => ({ table, dependant: l.table })));
}

/** Every functions file, in order, in one transaction: all of them take effect or none. */
async function applyFunctions(client: pg.PoolClient, dir: string): Promise<void> {
  const files = await Promise.all((await sqlFiles(dir)).map(async (file) => ({ file, sql: await readFile(path.join(dir, file), 'utf8') })));
  await client.query('BEGIN');
  try {
    // the layer catalogue's dependencies, for the change notifications' triggers (30_layer_notify.sql)
    await client.query(`SELECT set_config('zs.layer_dependants', $1, true)`, [JSON.stringify(layerDependants())]);
    for (const { file, sql } of files) {
      try {
        await client.query(sql);
      } catch (err) {
        throw new StartupError(`${functionsDirName}/${file} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
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
