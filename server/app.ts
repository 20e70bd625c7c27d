// Builds the Fastify instance: the database, the capability plugins and the web client. Nothing else.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { accountsPlugin } from './accounts/index.ts';
import { changesPlugin } from './changes/index.ts';
import { changeFeedPlugin } from './core/changes.ts';
import { procedurePlugin } from './procedure/index.ts';
import { isExpensive, readsFrom } from './accounts/policy.ts';
import { readingPlugin } from './core/reading.ts';
import { admissionLimits, admissionPlugin } from './core/admission.ts';
import type { DatabaseInfo } from './db/database.ts';
import { toErrorReply } from './core/errors.ts';
import { useDepthCheckedJson } from './core/json.ts';
import { databasePlugin, type ReplicaSettings } from './db/plugin.ts';
import { exchangePlugin } from './exchange/index.ts';
import { conflictsPlugin } from './conflicts/index.ts';
import { writeFeatureFile } from './exchange/feature-file.ts';
import { healthPlugin } from './health/index.ts';
import { featuresPlugin } from './features/index.ts';
import { mapPlugin } from './map/index.ts';
import { metricsPlugin } from './metrics/index.ts';
import { printPlugin } from './print/index.ts';
import { progressPlugin } from './progress/index.ts';
import { tilesPlugin } from './tiles/index.ts';
import { type Basemap, basemapsPlugin } from './basemaps.ts';

/** A route as registered: what the error-contract tests fuzz (tests/contract/fuzz.test.ts). */
export interface RouteEntry {
  method: string;
  url: string;
  schema?: { params?: unknown; querystring?: unknown; body?: unknown; response?: unknown };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** every route with its declared schema, in the order registered */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    /** who is asking: recorded in the history of every write (the accounts capability sets it from the session) */
    actor: string;
  }
}

export interface AppOptions {
  database: { url: string; directUrl?: string; preparedStatements?: boolean; poolMax: number; info: DatabaseInfo; statementTimeoutMs?: number; longStatementTimeoutMs?: number; connectionWaitMs?: number; replicas?: ReplicaSettings };
  webRoot?: string;
  tileCacheBytes?: number;
  /** which cached tiles a change drops: those it touches (default) or the whole layer's (for comparison) */
  tileInvalidation?: 'precise' | 'layer';
  /** hours an uncommitted import preview is kept (default 24) */
  importPreviewHours?: number;
  /** bytes an uploaded zip may expand to (default 500 MB) */
  importMaxUncompressedBytes?: number;
  /** the largest procedure attachment kept (default 20 MB) */
  attachmentMaxBytes?: number;
  /** who may do what: anonymous read on or off, session length, cookie flags */
  auth?: { publicRead?: boolean; sessionHours?: number; cookieSecure?: boolean; loginsPerMinute?: number; metricsToken?: string };
  logger?: FastifyServerOptions['loggerInstance'] | boolean;
  /** raster basemaps served through the tile proxy (server/basemaps.ts); none = the offline map only */
  basemaps?: Basemap[];
  /** map prints (server/print): PRINT_TIMEOUT_S and PRINT_WAIT_S */
  printTimeoutMs?: number;
  printWaitMs?: number;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : { logger: opts.logger ?? false }),
    bodyLimit: 10 * 1024 * 1024,
    // strictTypes off: some schemas leave out `type` on purpose (a feature's property values, an
    // optional body), because with coerceTypes a type would turn 12 into "12" (server/core/schemas.ts)
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false, allowUnionTypes: true, strictTypes: false } },
    // the router's own refusals (a path parameter over 100 characters, a bad %-encoding) keep the contract too
    frameworkErrors: (err, _request, res) => {
      const { status, body, headers } = toErrorReply(err);
      const reply = res as unknown as FastifyReply;
      if (headers) reply.headers(headers);
      reply.code(status).type('application/json; charset=utf-8').send(body);
    },
  }) as unknown as FastifyInstance;

  // one error handler for every route: the error contract of geo/errors.ts (server/core/errors.ts)
  app.setErrorHandler((err, request, reply) => {
    const { status, body, headers, fault } = toErrorReply(err);
    if (fault) request.log.error({ err }, 'request failed');
    if (headers) reply.headers(headers);
    reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    reply.code(404).send({ error: 'route_not_found', message: `no route ${request.method} ${path}`, params: { method: request.method, path } });
  });

  app.decorateRequest('actor', 'anonymous');
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, schema: route.schema as RouteEntry['schema'] });
  });
  // JSON bodies nested absurdly deep are refused (400 too_complex) before they are parsed
  useDepthCheckedJson(app, ['application/json']);

  await app.register(databasePlugin, opts.database);
  // every process learns every committed change of the map (tiles and the change stream read it)
  await app.register(changeFeedPlugin);
  // first after the database: its onRoute hook must see every route registered after it
  await app.register(accountsPlugin, {
    publicRead: opts.auth?.publicRead ?? false,
    sessionHours: opts.auth?.sessionHours ?? 12,
    cookieSecure: opts.auth?.cookieSecure ?? false,
    loginsPerMinute: opts.auth?.loginsPerMinute,
    metricsToken: opts.auth?.metricsToken,
  });
  // expensive routes take a bounded share of the pool (after accounts: the share is per account)
  await app.register(admissionPlugin, { limits: admissionLimits(opts.database.poolMax), isExpensive });
  // where each request reads: the primary, or a replica for the routes declared so (accounts/policy.ts)
  await app.register(readingPlugin, { readsFrom, cookieSecure: opts.auth?.cookieSecure ?? false });
  await app.register(healthPlugin);
  await app.register(metricsPlugin);
  await app.register(mapPlugin);
  await app.register(progressPlugin);
  await app.register(conflictsPlugin, { writeFeatureFile });
  await app.register(printPlugin, { timeoutMs: opts.printTimeoutMs, waitMs: opts.printWaitMs });
  await app.register(procedurePlugin, { attachmentMaxBytes: opts.attachmentMaxBytes ?? 20 * 1024 * 1024 });
  await app.register(tilesPlugin, { cacheBytes: opts.tileCacheBytes ?? 256 * 1024 * 1024, invalidation: opts.tileInvalidation });
  await app.register(basemapsPlugin, { basemaps: opts.basemaps ?? [] });
  await app.register(changesPlugin);
  await app.register(featuresPlugin);
  await app.register(exchangePlugin, { previewHours: opts.importPreviewHours ?? 24, maxUncompressedBytes: opts.importMaxUncompressedBytes });
  if (opts.webRoot && existsSync(opts.webRoot)) {
    // wildcard: files are looked up per request, so a rebuilt client is served without a restart
    await app.register(fastifyStatic, { root: opts.webRoot, wildcard: true });
  }
  return app;
}
