// Configuration from the environment, each variable with a default, validated once at start.
// The README lists them all; keep the two in step.
import path from 'node:path';
import { type Basemap, loadBasemaps } from './basemaps.ts';

export interface Config {
  port: number;
  host: string;
  /** postgres://… of a PostgreSQL + PostGIS server; unset = the embedded PGlite database */
  databaseUrl: string | undefined;
  /** hot-standby replicas (READ_DATABASE_URLS) for reads that may be a little late; empty = every read on the primary */
  readDatabaseUrls: string[];
  /** a map print whose page has not drawn everything by then is 502 print_failed */
  printTimeoutMs: number;
  /** map prints run one at a time per process: one that waits longer is 503 print_busy */
  printWaitMs: number;
  /** a direct connection to the primary for LISTEN and migrations, when DATABASE_URL is a transaction-pooling PgBouncer */
  databaseDirectUrl?: string;
  /** named (prepared) tile statements; off behind a PgBouncer without max_prepared_statements (< 1.21) */
  preparedStatements: boolean;
  /** how long a reader who has just written waits for a replica to replay the write before reading the primary */
  replicaWaitMs: number;
  /** a replica later than this (for readers who have not written) leaves the rotation until it catches up */
  replicaMaxLagMs: number;
  /** where the embedded database keeps its files */
  embeddedDataDir: string;
  /** pool size against a real server (the embedded backend always uses 1: it is one session) */
  poolMax: number;
  /** every statement's limit on interactive routes */
  statementTimeoutMs: number;
  /** the limit for imports and exports, which read or write whole layers */
  longStatementTimeoutMs: number;
  /** how long a request waits for a free database connection before it is answered 503; unset = the backend's default */
  connectionWaitMs: number | undefined;
  /** load the demo district when the database has no projects */
  seedDemo: boolean;
  /** the built web client served from the same port */
  webRoot: string;
  logLevel: string;
  /** in-memory tile cache; 0 turns it off */
  tileCacheBytes: number;
  /** which cached tiles a change drops: 'precise' (those it touches) or 'layer' (all of the layer's; to compare) */
  tileInvalidation: 'precise' | 'layer';
  /** anonymous visitors may read maps, figures and the feature API (never write, never military attributes) */
  publicRead: boolean;
  /** sessions end this many hours after login */
  sessionHours: number;
  /** password for the first admin account when the database has no users; unset = a random one, printed once */
  initialAdminPassword: string | undefined;
  /** mark the session cookie Secure (serve behind HTTPS) */
  cookieSecure: boolean;
  /** login attempts per minute from one client address */
  loginsPerMinute: number;
  /** an import preview not committed is removed, with its rows, this many hours after upload */
  importPreviewHours: number;
  /** an uploaded zip may expand to this many bytes, all entries together */
  importMaxUncompressedBytes: number;
  /** the largest procedure attachment kept (ATTACHMENT_MAX_MB) */
  attachmentMaxBytes: number;
  /** bearer token that may read GET /metrics (Prometheus); unset = administrators' sessions only */
  metricsToken: string | undefined;
  /** raster basemaps offered beside the offline map: 天地图 (TIANDITU_KEY) and BASEMAPS; GCJ-02/BD-09 refused */
  basemaps: Basemap[];
}

/** A setting that cannot be used: the process stops at start and says which and why. */
import { ConfigError } from './config-error.ts';
export { ConfigError };

/** Database limits used where no configuration is passed (tests, benches building an app directly). */
export const DATABASE_DEFAULTS = {
  statementTimeoutMs: 10_000,
  longStatementTimeoutMs: 300_000,
  /** a server's pool has many connections: a short wait. The embedded database has one, which every
   *  request takes in turn (an analysis or an import holds it for seconds): a longer one. */
  connectionWaitMs: { postgres: 3_000, embedded: 10_000 },
} as const;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function enumVar<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}=${raw} is not a boolean (use true or false)`);
}

export const projectRoot = path.resolve(import.meta.dirname, '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql:// (got "${databaseUrl}")`);
  }
  const readDatabaseUrls = (env.READ_DATABASE_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of readDatabaseUrls) {
    if (!/^postgres(ql)?:\/\//.test(u)) throw new ConfigError(`READ_DATABASE_URLS must list postgres:// or postgresql:// URLs, separated by commas (got "${u}")`);
  }
  if (readDatabaseUrls.length && !databaseUrl) throw new ConfigError('READ_DATABASE_URLS needs DATABASE_URL: replicas are of a PostgreSQL primary (the embedded database has none)');
  if (new Set(readDatabaseUrls).size !== readDatabaseUrls.length) throw new ConfigError('READ_DATABASE_URLS lists one replica twice');
  const databaseDirectUrl = env.DATABASE_DIRECT_URL || undefined;
  if (databaseDirectUrl && !/^postgres(ql)?:\/\//.test(databaseDirectUrl)) throw new ConfigError(`DATABASE_DIRECT_URL must start with postgres:// or postgresql:// (got "${databaseDirectUrl}")`);
  if (databaseDirectUrl && !databaseUrl) throw new ConfigError('DATABASE_DIRECT_URL needs DATABASE_URL: it is the direct way to the same PostgreSQL primary (the embedded database has no pooler)');
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) throw new ConfigError('METRICS_TOKEN must be 16 or more printable characters without spaces (e.g. openssl rand -hex 32)');
  return {
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    readDatabaseUrls,
    databaseDirectUrl,
    preparedStatements: boolVar(env, 'DATABASE_PREPARED_STATEMENTS', true),
    printTimeoutMs: intVar(env, 'PRINT_TIMEOUT_S', 90, 5, 3600) * 1000,
    printWaitMs: intVar(env, 'PRINT_WAIT_S', 120, 1, 3600) * 1000,
    replicaWaitMs: intVar(env, 'REPLICA_WAIT_MS', 200, 0, 10_000),
    replicaMaxLagMs: intVar(env, 'REPLICA_MAX_LAG_MS', 2_000, 100, 3_600_000),
    embeddedDataDir: path.resolve(projectRoot, env.PGLITE_DATA_DIR || '.data/pglite'),
    poolMax: intVar(env, 'DB_POOL_MAX', 10, 1, 200),
    statementTimeoutMs: intVar(env, 'DB_STATEMENT_TIMEOUT_S', DATABASE_DEFAULTS.statementTimeoutMs / 1000, 1, 3600) * 1000,
    longStatementTimeoutMs: intVar(env, 'DB_LONG_STATEMENT_TIMEOUT_S', DATABASE_DEFAULTS.longStatementTimeoutMs / 1000, 1, 86_400) * 1000,
    connectionWaitMs: env.DB_CONNECTION_WAIT_MS ? intVar(env, 'DB_CONNECTION_WAIT_MS', 0, 100, 60_000) : undefined,
    seedDemo: boolVar(env, 'SEED_DEMO', true),
    webRoot: path.resolve(projectRoot, env.WEB_ROOT || 'dist/web'),
    logLevel: env.LOG_LEVEL || 'info',
    tileCacheBytes: intVar(env, 'TILE_CACHE_MB', 256, 0, 65536) * 1024 * 1024,
    tileInvalidation: enumVar(env, 'TILE_INVALIDATION', ['precise', 'layer'] as const, 'precise'),
    publicRead: boolVar(env, 'PUBLIC_READ', false),
    sessionHours: intVar(env, 'SESSION_HOURS', 12, 1, 24 * 30),
    initialAdminPassword: env.ADMIN_PASSWORD || undefined,
    cookieSecure: boolVar(env, 'COOKIE_SECURE', false),
    loginsPerMinute: intVar(env, 'LOGINS_PER_MINUTE', 30, 1, 100_000),
    importPreviewHours: intVar(env, 'IMPORT_PREVIEW_HOURS', 24, 1, 24 * 365),
    importMaxUncompressedBytes: intVar(env, 'IMPORT_MAX_UNCOMPRESSED_MB', 500, 1, 1024 * 1024) * 1024 * 1024,
    attachmentMaxBytes: intVar(env, 'ATTACHMENT_MAX_MB', 20, 1, 1024) * 1024 * 1024,
    metricsToken,
    basemaps: loadBasemaps(env),
  };
}
