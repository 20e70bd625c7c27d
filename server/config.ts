// Configuration from the environment, each variable with a default, validated once at start.
// The README lists them all; keep the two in step.
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** postgres://… of a PostgreSQL + PostGIS server; unset = the embedded PGlite database */
  databaseUrl: string | undefined;
  /** where the embedded database keeps its files */
  embeddedDataDir: string;
  /** pool size against a real server (the embedded backend always uses 1: it is one session) */
  poolMax: number;
  /** load the demo district when the database has no projects */
  seedDemo: boolean;
  /** the built web client served from the same port */
  webRoot: string;
  logLevel: string;
  /** in-memory tile cache; 0 turns it off */
  tileCacheBytes: number;
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
  /** bearer token that may read GET /metrics (Prometheus); unset = administrators' sessions only */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  }
  return value;
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
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) throw new ConfigError('METRICS_TOKEN must be 16 or more printable characters without spaces (e.g. openssl rand -hex 32)');
  return {
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    embeddedDataDir: path.resolve(projectRoot, env.PGLITE_DATA_DIR || '.data/pglite'),
    poolMax: intVar(env, 'DB_POOL_MAX', 10, 1, 200),
    seedDemo: boolVar(env, 'SEED_DEMO', true),
    webRoot: path.resolve(projectRoot, env.WEB_ROOT || 'dist/web'),
    logLevel: env.LOG_LEVEL || 'info',
    tileCacheBytes: intVar(env, 'TILE_CACHE_MB', 256, 0, 65536) * 1024 * 1024,
    publicRead: boolVar(env, 'PUBLIC_READ', false),
    sessionHours: intVar(env, 'SESSION_HOURS', 12, 1, 24 * 30),
    initialAdminPassword: env.ADMIN_PASSWORD || undefined,
    cookieSecure: boolVar(env, 'COOKIE_SECURE', false),
    loginsPerMinute: intVar(env, 'LOGINS_PER_MINUTE', 30, 1, 100_000),
    importPreviewHours: intVar(env, 'IMPORT_PREVIEW_HOURS', 24, 1, 24 * 365),
    metricsToken,
  };
}
