// Builds the Fastify instance: the database, the capability plugins and the web client. Nothing else.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { accountsPlugin } from './accounts/index.ts';
import type { DatabaseInfo } from './db/database.ts';
import { databasePlugin } from './db/plugin.ts';
import { exchangePlugin } from './exchange/index.ts';
import { conflictsPlugin } from './conflicts/index.ts';
import { healthPlugin } from './health/index.ts';
import { featuresPlugin } from './features/index.ts';
import { mapPlugin } from './map/index.ts';
import { progressPlugin } from './progress/index.ts';
import { tilesPlugin } from './tiles/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** who is asking: recorded in the history of every write (the accounts capability sets it from the session) */
    actor: string;
  }
}

export interface AppOptions {
  database: { url: string; poolMax: number; info: DatabaseInfo };
  webRoot?: string;
  tileCacheBytes?: number;
  /** who may do what: anonymous read on or off, session length, cookie flags */
  auth?: { publicRead?: boolean; sessionHours?: number; cookieSecure?: boolean; loginsPerMinute?: number };
  logger?: FastifyServerOptions['loggerInstance'] | boolean;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : { logger: opts.logger ?? false }),
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  // every error leaves as JSON that says what was wrong; validation errors name the field
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    reply.code(status).send({
      error: status >= 500 ? 'internal_error' : 'bad_request',
      message: status >= 500 ? 'internal server error' : err.message,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.decorateRequest('actor', 'anonymous');

  await app.register(databasePlugin, opts.database);
  // first after the database: its onRoute hook must see every route registered after it
  await app.register(accountsPlugin, {
    publicRead: opts.auth?.publicRead ?? false,
    sessionHours: opts.auth?.sessionHours ?? 12,
    cookieSecure: opts.auth?.cookieSecure ?? false,
    loginsPerMinute: opts.auth?.loginsPerMinute,
  });
  await app.register(healthPlugin);
  await app.register(mapPlugin);
  await app.register(progressPlugin);
  await app.register(conflictsPlugin);
  await app.register(tilesPlugin, { cacheBytes: opts.tileCacheBytes ?? 256 * 1024 * 1024 });
  await app.register(featuresPlugin);
  await app.register(exchangePlugin);
  if (opts.webRoot && existsSync(opts.webRoot)) {
    // wildcard: files are looked up per request, so a rebuilt client is served without a restart
    await app.register(fastifyStatic, { root: opts.webRoot, wildcard: true });
  }
  return app;
}
