// One code path, two backends: a PostgreSQL + PostGIS server (DATABASE_URL) or the embedded PGlite.
// Either way the rest of the server gets a postgres:// URL and a pool size to use with it.
import pg from 'pg';
import type { Config } from '../config.ts';
import { type EmbeddedDatabase, type EmbeddedLog, startEmbeddedDatabase } from './embedded.ts';
import { type ConnectionLog, guardPool } from './connection.ts';
import { StartupError } from './migrate.ts';

// date columns stay 'YYYY-MM-DD' strings: pg would turn them into Dates at local midnight, shifting days.
pg.types.setTypeParser(1082, (value: string) => value);

export type Backend = 'postgres' | 'embedded';

export interface OpenDatabase {
  backend: Backend;
  url: string;
  /** the primary without a pooler in between: LISTEN and migrations (session state) go here; else `url` */
  directUrl: string;
  /** PGlite is one database session: a pool of one, or requests interleave inside one transaction */
  poolMax: number;
  close(): Promise<void>;
  /** the embedded engine, when it is the backend */
  embedded?: EmbeddedDatabase;
}

export async function openDatabase(config: Config, log?: EmbeddedLog): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    return { backend: 'postgres', url: config.databaseUrl, directUrl: config.databaseDirectUrl ?? config.databaseUrl, poolMax: config.poolMax, close: async () => {} };
  }
  const embedded = await startEmbeddedDatabase(config.embeddedDataDir, log);
  return { backend: 'embedded', url: embedded.url, directUrl: embedded.url, poolMax: 1, close: embedded.close, embedded };
}

/** A pool for set-up and local tools (migrations, the demo loader, the CLI): no statement timeout. */
export function createPool(db: Pick<OpenDatabase, 'url' | 'poolMax'>, log: ConnectionLog = { warn: () => {} }): pg.Pool {
  return guardPool(new pg.Pool({ connectionString: db.url, max: db.poolMax, connectionTimeoutMillis: 10_000 }), log);
}

export interface DatabaseInfo {
  backend: Backend;
  postgres: string;
  postgis: string;
  geos: string;
  proj: string;
}

export async function describeDatabase(pool: pg.Pool, backend: Backend): Promise<DatabaseInfo> {
  const { rows } = await pool.query<{ pg: string; postgis: string; geos: string; proj: string }>(
    `SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis,
            postgis_geos_version() AS geos, postgis_proj_version() AS proj`,
  );
  const r = rows[0];
  return { backend, postgres: r.pg, postgis: r.postgis, geos: r.geos, proj: r.proj };
}

/** Turn a connection failure into the one line a user needs (no stack trace). */
export function explainConnectionError(url: string, err: unknown): StartupError {
  const e = err as NodeJS.ErrnoException & { code?: string };
  const where = redactUrl(url);
  switch (e.code) {
    case 'ECONNREFUSED':
      return new StartupError(`cannot connect to the database at ${where}: nothing is listening there (is PostgreSQL running?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot connect to the database at ${where}: the host name does not resolve`);
    case '28P01':
    case '28000':
      return new StartupError(`cannot connect to the database at ${where}: the user name or password was refused`);
    case '3D000':
      return new StartupError(`cannot connect to the database at ${where}: that database does not exist (create it with createdb)`);
    default:
      return new StartupError(`cannot connect to the database at ${where}: ${e.message ?? String(err)}`);
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
