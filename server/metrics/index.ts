// The metrics capability: GET /metrics, the server's figures in Prometheus text format (README
// "Metrics" lists them and shows a scrape config). Open to administrators and to the METRICS_TOKEN
// bearer: server/accounts/policy.ts decides, as for every route.
// Each app has a registry of its own (tests and benches build several apps in one process). Requests
// and database errors are counted by hooks here; what other parts count — the pool, the tile cache,
// the worker slots — is read from them when Prometheus scrapes, so they know nothing of this plugin.
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isDatabaseUnavailable } from '../core/errors.ts';
import { noQuery } from '../core/schemas.ts';
import { workerCounts } from '../core/worker-slots.ts';
import type { Replica } from '../db/replicas.ts';

/** The route label of a request no route matched: one label, however many URLs are tried. */
export const UNMATCHED = 'unmatched';

/** How often the event-loop watch looks at the clock. */
const EVENT_LOOP_TICK_MS = 10;

/**
 * The class of a database error: the first two characters of PostgreSQL's SQLSTATE ('23' integrity,
 * '57' operator intervention, …), 'connection' for a connection the driver lost or could not open,
 * or null when the error is not the database's. Looks through `cause` too, for errors rethrown as
 * another.
 */
export function databaseErrorClass(err: unknown): string | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    // the server's own errors carry a severity beside the SQLSTATE (driver errors have an errno code)
    if (typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.slice(0, 2);
    if (code === 'database_unavailable' || isDatabaseUnavailable(e)) return 'connection';
  }
  return null;
}

/**
 * Samples the event loop's delay into a histogram: a timer due every EVENT_LOOP_TICK_MS observes how
 * late it ran, so a stall of N ms is one observation of about N ms. Cumulative, like every
 * histogram: a check over a window compares two scrapes, and scrapes reset nothing. (Node's
 * monitorEventLoopDelay, behind prom-client's nodejs_eventloop_lag_*, is reset by every scrape and
 * misses stalls inside timer callbacks: README "Metrics".)
 */
function watchEventLoop(histogram: Histogram): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    histogram.observe(Math.max(0, now - last - EVENT_LOOP_TICK_MS) / 1000);
    last = now;
  }, EVENT_LOOP_TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  // process and Node.js figures: memory (process_resident_memory_bytes), CPU, heap, GC, handles, and
  // the event loop's lag since the previous scrape (nodejs_eventloop_lag_*: see eventloop_delay_seconds
  // below for what they miss). prom-client cannot stop them: a closed app leaves its event-loop monitor
  // and GC observer behind, a few per test process.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern (unmatched for none) and status; _count counts the requests',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  // ~2 µs a request (prom-client hashes the labels)
  app.addHook('onResponse', (request, reply, done) => {
    requests.observe({ method: request.method, route: request.routeOptions.url ?? UNMATCHED, status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });

  const dbErrors = new Counter({
    name: 'db_errors_total',
    help: 'Database errors, by SQLSTATE class (first two characters) or "connection" for a connection lost or refused',
    labelNames: ['class'] as const,
    registers,
  });
  const countDatabaseError = (err: unknown) => {
    const kind = databaseErrorClass(err);
    if (kind) dbErrors.inc({ class: kind });
  };
  // every error that ends a request passes here before the one error handler (app.ts) answers it
  app.addHook('onError', (_request, _reply, err, done) => {
    countDatabaseError(err);
    done();
  });
  // and a pooled connection that fails while idle
  app.pg.pool.on('error', countDatabaseError);

  const pool = app.pg.pool;
  const poolGauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers, collect() { this.set(read()); } });
  poolGauge('db_pool_max', 'Connections the pool may open', () => pool.options.max ?? 10);
  poolGauge('db_pool_size', 'Connections the pool holds open', () => pool.totalCount);
  poolGauge('db_pool_in_use', 'Connections checked out', () => pool.totalCount - pool.idleCount);
  poolGauge('db_pool_waiting', 'Queries and check-outs waiting for a connection', () => pool.waitingCount);

  // read replicas (server/db/replicas.ts): each one's state as the monitor last saw it, and where the
  // replica-read routes' reads went
  const replicas = app.replicas;
  if (replicas) {
    for (const r of replicas.replicas) r.pool.on('error', countDatabaseError);
    const each = (name: string, help: string, read: (r: Replica) => number, counter = false) => {
      if (counter) new Counter({ name, help, labelNames: ['replica'] as const, registers, collect() { this.reset(); for (const r of replicas.replicas) this.inc({ replica: r.name }, read(r)); } });
      else new Gauge({ name, help, labelNames: ['replica'] as const, registers, collect() { for (const r of replicas.replicas) this.set({ replica: r.name }, read(r)); } });
    };
    each('db_replica_up', 'Whether the read replica answered its last probe (1) or not (0)', (r) => (r.up ? 1 : 0));
    each('db_replica_in_rotation', 'Whether the read replica serves reads (1): up and no later than REPLICA_MAX_LAG_MS', (r) => (r.inRotation ? 1 : 0));
    each('db_replica_lag_seconds', 'How late the read replica is: the age of the oldest primary WAL position it has not replayed (0 = caught up)', (r) => (Number.isFinite(r.lagMs) ? r.lagMs / 1000 : -1));
    each('db_replica_down_total', 'Times the read replica left the rotation because it could not be reached', (r) => r.downEvents, true);
    each('db_replica_pool_in_use', 'Connections to the read replica checked out', (r) => r.pool.totalCount - r.pool.idleCount);
    new Counter({
      name: 'db_replica_route_reads_total', help: 'Reads of the replica-read routes (accounts/policy.ts), by where they went: a replica\'s name, or primary (none in rotation, or none had replayed the reader\'s own last write in time)',
      labelNames: ['target'] as const, registers,
      collect() {
        this.reset();
        this.inc({ target: 'primary' }, replicas.counts.primary);
        for (const r of replicas.replicas) this.inc({ target: r.name }, r.reads);
      },
    });
    new Counter({
      name: 'db_replica_writer_fallbacks_total', help: 'Reads of a user who had just written that went to the primary because no replica replayed the write within REPLICA_WAIT_MS',
      registers, collect() { this.reset(); this.inc(replicas.counts.writerFallbacks); },
    });
  }

  // the tile cache counts for itself (server/tiles/cache.ts); read when scraped
  const tileCache = () => (app.hasDecorator('tiles') ? app.tiles.cache.counts() : undefined);
  for (const [name, key, help] of [
    ['tile_cache_hits_total', 'hits', 'Tiles answered from the cache'],
    ['tile_cache_misses_total', 'misses', 'Tiles looked for in the cache and rendered (none while the cache is off)'],
    ['tile_cache_evictions_total', 'evictions', 'Tiles dropped to make room (tiles dropped because their data changed are not counted)'],
    ['tile_cache_invalidated_total', 'invalidated', 'Tiles dropped because a change touched them'],
  ] as const) {
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(tileCache()?.[key] ?? 0); } });
  }
  new Gauge({ name: 'tile_cache_entries', help: 'Tiles in the cache', registers, collect() { this.set(tileCache()?.entries ?? 0); } });
  new Gauge({ name: 'tile_cache_bytes', help: 'Bytes of tiles in the cache', registers, collect() { this.set(tileCache()?.bytes ?? 0); } });

  // worker threads are the process's: every app in a process reports the same (server/core/worker-slots.ts)
  new Gauge({
    name: 'worker_threads_running', help: 'Worker threads running, by kind of job (export, import)', labelNames: ['kind'] as const, registers,
    collect() { for (const s of workerCounts()) this.set({ kind: s.kind }, s.running); },
  });
  new Gauge({
    name: 'worker_threads_queued', help: 'Jobs waiting for a worker thread, by kind of job (export, import)', labelNames: ['kind'] as const, registers,
    collect() { for (const s of workerCounts()) this.set({ kind: s.kind }, s.queued); },
  });

  const stopWatch = watchEventLoop(new Histogram({
    name: 'eventloop_delay_seconds',
    help: `How late a timer due every ${EVENT_LOOP_TICK_MS} ms ran: a stall of the event loop is one observation of its length`,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  }));
  app.addHook('onClose', async () => stopWatch());

  app.get('/metrics', { schema: { querystring: noQuery } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
}, { name: 'metrics', dependencies: ['database'] });
