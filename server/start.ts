// Open the database (embedded or DATABASE_URL) → migrate → seed the demo if empty → build the app
// → listen. Used by server/main.ts and by the test suite's global setup, so both start the same way.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { seedDemoIfEmpty } from '../data/seed.ts';
import { ensureInitialAdmin } from './accounts/users.ts';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import {
  createPool, type DatabaseInfo, describeDatabase, explainConnectionError, openDatabase, type OpenDatabase,
} from './db/database.ts';
import { createDb } from './db/kysely.ts';
import { migrate, StartupError } from './db/migrate.ts';

/** Migrate and seed through a short-lived pool, closed before the app opens its own. */
export async function prepareDatabase(database: OpenDatabase, seedDemo: boolean, log: FastifyBaseLogger, adminPassword?: string): Promise<DatabaseInfo> {
  // migrations hold a session-level advisory lock: directly on the primary, never through a pooler
  const setupPool = createPool({ url: database.directUrl, poolMax: database.poolMax }, log);
  try {
    await setupPool.query('SELECT 1').catch((err) => {
      throw explainConnectionError(database.url, err);
    });
    const applied = await migrate(setupPool);
    if (applied.length) log.info({ applied }, 'migrations applied');
    if (seedDemo && (await seedDemoIfEmpty(setupPool, (msg) => log.info(msg)))) {
      log.info('demo district loaded (synthetic data)');
    }
    const admin = await ensureInitialAdmin(createDb(setupPool), adminPassword);
    if (admin?.generated) {
      // the only time this password is ever shown: it is stored as a hash
      log.warn(`no accounts yet: created user "${admin.username}" with password ${admin.password} — log in, change it (右上角 → 修改密码) and add users`);
    } else if (admin) {
      log.info(`no accounts yet: created user "${admin.username}" with the password from ADMIN_PASSWORD`);
    }
    return await describeDatabase(setupPool, database.backend);
  } finally {
    // PGlite is one session: the app's pool must be the only one talking to it
    await setupPool.end();
  }
}

export interface RunningServer {
  app: FastifyInstance;
  database: OpenDatabase;
  info: DatabaseInfo;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, log: FastifyBaseLogger): Promise<RunningServer> {
  if (!config.databaseUrl) {
    log.info({ dataDir: config.embeddedDataDir }, 'starting the embedded PostGIS (PGlite); the first start unpacks it (~15 s)');
  }
  const database = await openDatabase(config, log);
  try {
    const info = await prepareDatabase(database, config.seedDemo, log, config.initialAdminPassword);
    log.info(info, `database ready: ${info.backend === 'embedded' ? 'embedded PGlite' : 'PostgreSQL server'}, PostgreSQL ${info.postgres}, PostGIS ${info.postgis}`);
    const app = await buildApp({
      database: { url: database.url, directUrl: database.directUrl, preparedStatements: config.preparedStatements, poolMax: database.poolMax, info, statementTimeoutMs: config.statementTimeoutMs, longStatementTimeoutMs: config.longStatementTimeoutMs, connectionWaitMs: config.connectionWaitMs,
        replicas: { urls: config.readDatabaseUrls, maxLagMs: config.replicaMaxLagMs, waitMs: config.replicaWaitMs } },
      webRoot: config.webRoot, tileCacheBytes: config.tileCacheBytes, tileInvalidation: config.tileInvalidation, importPreviewHours: config.importPreviewHours, importMaxUncompressedBytes: config.importMaxUncompressedBytes, attachmentMaxBytes: config.attachmentMaxBytes, basemaps: config.basemaps, printTimeoutMs: config.printTimeoutMs, printWaitMs: config.printWaitMs, logger: log,
      auth: { publicRead: config.publicRead, sessionHours: config.sessionHours, cookieSecure: config.cookieSecure, loginsPerMinute: config.loginsPerMinute, metricsToken: config.metricsToken } });
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await app.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new StartupError(`port ${config.port} on ${config.host} is already in use: stop the other server or set PORT`);
      if (code === 'EADDRNOTAVAIL') throw new StartupError(`HOST=${config.host} is not an address of this machine`);
      throw err;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    return {
      app, database, info,
      url: `http://${config.host}:${port}`,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}
