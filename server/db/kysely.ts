// Kysely, the way ordinary queries are written: typed against the Database interface below, run on
// the same pg pool as the hand-written SQL (so the embedded PGlite's pool of one serves both).
// Queries that need PostGIS or heavy aggregates stay plain SQL on app.pg (or sql`` inside Kysely).
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';
export type Db = Kysely<Database>;

/**
 * A Kysely instance over an existing pool. It does not own the pool: close the pool, not this
 * (Kysely's destroy() would end the pool under its other users).
 */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const byPool = new WeakMap<pg.Pool, Db>();

/** The one Kysely instance of a pool (for code that is handed the pool, as the CLI and the tests do). */
export function dbOf(pool: pg.Pool): Db {
  let db = byPool.get(pool);
  if (!db) byPool.set(pool, (db = createDb(pool)));
  return db;
}
