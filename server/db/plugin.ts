// Registers the pool (@fastify/postgres), a Kysely instance on top of it as `app.db`, and the
// layers' typed fields (read from the catalog once, on first use).
// The pool is closed with the app.
import fastifyPostgres from '@fastify/postgres';
import fp from 'fastify-plugin';
import pg from 'pg';
import { type FeatureColumns, type LayerFields, loadFeatureColumns, loadLayerFields } from '../core/catalogue.ts';
import type { DatabaseInfo } from './database.ts';
import { createDb, type Db } from './kysely.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Kysely over app.pg's pool: the way ordinary queries are written (server/db/kysely.ts) */
    db: Db;
    databaseInfo: DatabaseInfo;
    /** every map layer's fields, typed from the catalog on first use */
    layerFields(): Promise<LayerFields>;
    /** every layer's columns as the feature API and the write path know them, on first use */
    featureColumns(): Promise<FeatureColumns>;
  }
}

export interface DatabasePluginOptions {
  url: string;
  poolMax: number;
  info: DatabaseInfo;
}

export const databasePlugin = fp<DatabasePluginOptions>(
  async (app, opts) => {
    await app.register(fastifyPostgres, {
      pg, connectionString: opts.url, max: opts.poolMax, connectionTimeoutMillis: 10_000,
      // the embedded database's one connection stays open: it is also the one that LISTENs
      idleTimeoutMillis: opts.info.backend === 'embedded' ? 0 : 10_000,
    });
    app.pg.pool.on('error', (err) => app.log.warn({ err }, 'idle database connection failed'));
    app.decorate('db', createDb(app.pg.pool));
    app.decorate('databaseInfo', opts.info);
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
