// Registers the pool (@fastify/postgres), a Kysely instance on top of it as `app.db`, and the
// layers' typed fields (read from the catalog once, on first use).
// The pool is closed with the app.
import fastifyPostgres from '@fastify/postgres';
import fp from 'fastify-plugin';
import pg from 'pg';
import { DATABASE_DEFAULTS } from '../config.ts';
import { type FeatureColumns, type LayerFields, loadFeatureColumns, loadLayerFields } from '../core/catalogue.ts';
import { guardPool } from './connection.ts';
import type { DatabaseInfo } from './database.ts';
import { createDb, type Db } from './kysely.ts';
import { ReplicaSet } from './replicas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Kysely over app.pg's pool: the way ordinary queries are written (server/db/kysely.ts) */
    db: Db;
    databaseInfo: DatabaseInfo;
    /** statement limits: `statementTimeoutMs` on every connection, `longStatementTimeoutMs` for imports and exports */
    databaseLimits: { statementTimeoutMs: number; longStatementTimeoutMs: number };
    /** every map layer's fields, typed from the catalog on first use */
    layerFields(): Promise<LayerFields>;
    /** every layer's columns as the feature API and the write path know them, on first use */
    featureColumns(): Promise<FeatureColumns>;
    /** the primary without a pooler in between (DATABASE_DIRECT_URL): the LISTEN connections use it */
    databaseDirectUrl: string;
    /** may statements be named (prepared per connection)? Not through a transaction-pooling PgBouncer < 1.21 */
    preparedStatements: boolean;
    /** the read replicas (READ_DATABASE_URLS), or null: every read on the primary (server/db/replicas.ts) */
    replicas: ReplicaSet | null;
  }
}

/** Hot-standby replicas for reads that may be a little late (server/db/replicas.ts). */
export interface ReplicaSettings {
  urls: string[];
  /** REPLICA_MAX_LAG_MS */
  maxLagMs: number;
  /** REPLICA_WAIT_MS */
  waitMs: number;
  /** how often the replicas' positions are read (default 250 ms) */
  pollMs?: number;
}

export interface DatabasePluginOptions {
  url: string;
  /** DATABASE_DIRECT_URL: the primary without the pooler `url` may go through; default `url` */
  directUrl?: string;
  /** DATABASE_PREPARED_STATEMENTS: default true */
  preparedStatements?: boolean;
  poolMax: number;
  info: DatabaseInfo;
  /** every statement's limit on the app's connections (imports and exports set a longer one for theirs) */
  statementTimeoutMs?: number;
  /** the limit imports and exports set for their own statements */
  longStatementTimeoutMs?: number;
  /** how long a request waits for a free connection before it is answered 503 database_busy */
  connectionWaitMs?: number;
  /** read replicas; none (or the embedded backend, which has none) = every read on the primary */
  replicas?: ReplicaSettings;
}

export const databasePlugin = fp<DatabasePluginOptions>(
  async (app, opts) => {
    const limits = {
      statementTimeoutMs: opts.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs,
      longStatementTimeoutMs: opts.longStatementTimeoutMs ?? DATABASE_DEFAULTS.longStatementTimeoutMs,
    };
    await app.register(fastifyPostgres, {
      pg, connectionString: opts.url, max: opts.poolMax,
      connectionTimeoutMillis: opts.connectionWaitMs ?? DATABASE_DEFAULTS.connectionWaitMs[opts.info.backend],
      // sent at connection start-up, so it holds for Kysely, plain queries and transactions alike
      statement_timeout: limits.statementTimeoutMs,
      // a peer that vanished without closing (a failover, a cut cable) is noticed by TCP keepalive
      keepAlive: true,
      // the embedded database's one connection stays open: it is also the one that LISTENs
      idleTimeoutMillis: opts.info.backend === 'embedded' ? 0 : 10_000,
    });
    guardPool(app.pg.pool, app.log);
    app.decorate('db', createDb(app.pg.pool));
    app.decorate('databaseInfo', opts.info);
    app.decorate('databaseLimits', limits);
    app.decorate('databaseDirectUrl', opts.directUrl ?? opts.url);
    app.decorate('preparedStatements', opts.preparedStatements ?? true);
    const replicaUrls = opts.info.backend === 'postgres' ? opts.replicas?.urls ?? [] : [];
    const replicas = replicaUrls.length === 0 ? null : new ReplicaSet(app.pg.pool, app.db, opts.url, {
      urls: replicaUrls, maxLagMs: opts.replicas!.maxLagMs, waitMs: opts.replicas!.waitMs, pollMs: opts.replicas!.pollMs,
      poolMax: opts.poolMax, statementTimeoutMs: limits.statementTimeoutMs,
      connectionWaitMs: opts.connectionWaitMs ?? DATABASE_DEFAULTS.connectionWaitMs.postgres, log: app.log,
    });
    app.decorate('replicas', replicas);
    if (replicas) {
      app.addHook('onReady', () => replicas.start());
      app.addHook('onClose', () => replicas.close());
    }
    let fields: Promise<LayerFields> | undefined;
    app.decorate('layerFields', () => {
      fields ??= loadLayerFields(app.pg.pool).catch((err) => {
        fields = undefined; // try again next time (the database may have been down)
        throw err;
      });
      return fields;
    });
    let columns: Promise<FeatureColumns> | undefined;
    app.decorate('featureColumns', () => {
      columns ??= app.layerFields().then((f) => loadFeatureColumns(app.pg.pool, f)).catch((err) => {
        columns = undefined;
        throw err;
      });
      return columns;
    });
  },
  { name: 'database' },
);
