// GET /metrics (server/metrics/index.ts): Prometheus text that parses, counters that move with the
// requests, and access for administrators and the METRICS_TOKEN bearer only. The counting runs on an
// app of this file's own (its own registry): the shared server's counters move with every other
// suite's requests too.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CITY_CENTRE } from '../../geo/layers.ts';
import { buildApp } from '../../server/app.ts';
import { DomainError } from '../../server/core/errors.ts';
import { databaseErrorClass, UNMATCHED } from '../../server/metrics/index.ts';
import { api, authHeaders, getJson } from '../helpers/db.ts';
import { type Exposition, observationsAbove, parseExposition, sum } from '../helpers/metrics.ts';
import { tileAt } from '../helpers/tiles.ts';

const TOKEN = randomBytes(24).toString('hex');
const bearer = { authorization: `Bearer ${TOKEN}` };
let app: FastifyInstance;

beforeAll(async () => {
  const info = (await getJson('/health')).body.database;
  app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, auth: { metricsToken: TOKEN } });
});
afterAll(() => app?.close());

async function scrape(on: FastifyInstance = app): Promise<Exposition> {
  const res = await on.inject({ url: '/metrics', headers: bearer });
  expect(res.statusCode, res.body).toBe(200);
  return parseExposition(res.body);
}

const requestsOf = (m: Exposition, labels: Record<string, string>) => sum(m, 'http_request_duration_seconds_count', labels);

describe('GET /metrics', () => {
  it('answers Prometheus text: every line parses, every metric has HELP and TYPE', async () => {
    await app.inject({ url: '/api/layers', headers: authHeaders('viewer') }); // a request to count
    const res = await app.inject({ url: '/metrics', headers: bearer });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseExposition(res.body);
    expect(m.problems).toEqual([]);
    expect(m.samples.length).toBeGreaterThan(50);
  });

  it('has every metric the README lists', async () => {
    const m = await scrape();
    const listed = {
      http_request_duration_seconds: 'histogram', db_errors_total: 'counter',
      db_pool_max: 'gauge', db_pool_size: 'gauge', db_pool_in_use: 'gauge', db_pool_waiting: 'gauge',
      tile_cache_hits_total: 'counter', tile_cache_misses_total: 'counter', tile_cache_evictions_total: 'counter',
      tile_cache_entries: 'gauge', tile_cache_bytes: 'gauge',
      worker_threads_running: 'gauge', worker_threads_queued: 'gauge',
      eventloop_delay_seconds: 'histogram', nodejs_eventloop_lag_max_seconds: 'gauge', nodejs_eventloop_lag_p99_seconds: 'gauge',
      process_resident_memory_bytes: 'gauge',
    };
    expect(Object.fromEntries(Object.keys(listed).map((n) => [n, m.types.get(n)]))).toEqual(listed);
  });

  it('counts each request once, under its route pattern and status', async () => {
    const labels = { method: 'GET', route: '/ogc/collections/:id/items', status: '200' };
    const before = requestsOf(await scrape(), labels);
    for (const layer of ['parcel', 'house', 'parcel']) {
      expect((await app.inject({ url: `/ogc/collections/${layer}/items?limit=1`, headers: authHeaders('viewer') })).statusCode).toBe(200);
    }
    const after = await scrape();
    expect(requestsOf(after, labels) - before).toBe(3);
    // the pattern, never the URL: the label set stays bounded
    expect(after.samples.filter((s) => s.labels.route?.includes('parcel'))).toEqual([]);
  });

  it('counts requests no route matches under one label', async () => {
    const labels = { route: UNMATCHED, status: '404' };
    const before = requestsOf(await scrape(), labels);
    for (const path of ['/no/such/page', `/no/such/${randomBytes(4).toString('hex')}`]) {
      expect((await app.inject({ url: path, headers: authHeaders('viewer') })).statusCode).toBe(404);
    }
    const after = await scrape();
    expect(requestsOf(after, labels) - before).toBe(2);
    expect(after.samples.filter((s) => s.labels.route?.startsWith('/no/'))).toEqual([]);
  });

  it('counts a tile cache miss and then a hit for the same tile asked twice', async () => {
    const { z, x, y } = tileAt(CITY_CENTRE[0], CITY_CENTRE[1], 13);
    const before = await scrape();
    for (let i = 0; i < 2; i++) {
      expect((await app.inject({ url: `/tiles/parcel/${z}/${x}/${y}.mvt`, headers: authHeaders('viewer') })).statusCode).toBe(200);
    }
    const after = await scrape();
    expect(sum(after, 'tile_cache_misses_total') - sum(before, 'tile_cache_misses_total')).toBe(1);
    expect(sum(after, 'tile_cache_hits_total') - sum(before, 'tile_cache_hits_total')).toBe(1);
    expect(sum(after, 'tile_cache_entries')).toBeGreaterThan(0);
  });

  it('reports the pool as configured, its connections within its bounds', async () => {
    const m = await scrape();
    expect(sum(m, 'db_pool_max')).toBe(1);
    expect(sum(m, 'db_pool_in_use')).toBeLessThanOrEqual(sum(m, 'db_pool_size'));
    expect(sum(m, 'db_pool_size')).toBeLessThanOrEqual(1);
  });

  it('reports the export workers running and queued', async () => {
    const m = await scrape();
    expect(m.samples.filter((s) => s.name.startsWith('worker_threads_') && s.labels.kind === 'export').map((s) => s.name).sort())
      .toEqual(['worker_threads_queued', 'worker_threads_running']);
  });

  it('sees an event-loop stall as one observation over 100 ms', async () => {
    const before = await scrape();
    const until = performance.now() + 150;
    while (performance.now() < until); // this process serves the app: its loop stalls for 150 ms
    await new Promise((resolve) => setTimeout(resolve, 50)); // the watch's next tick records it
    const after = await scrape();
    expect(observationsAbove(after, 'eventloop_delay_seconds', 0.1) - observationsAbove(before, 'eventloop_delay_seconds', 0.1)).toBe(1);
  });

  it('counts a database error by its SQLSTATE class', async () => {
    const before = sum(await scrape(), 'db_errors_total', { class: '22' });
    // a date the schema's pattern lets through and PostgreSQL refuses (22008: datetime field overflow)
    const res = await app.inject({ url: '/api/audit?from=2021-02-30', headers: authHeaders('admin2') });
    expect(res.statusCode, res.body).toBe(400);
    expect(sum(await scrape(), 'db_errors_total', { class: '22' }) - before).toBe(1);
  });

  it('counts a database that cannot be reached as a connection error, and still answers the bearer', async () => {
    // nothing listens on port 9 (as in tests/contract/fuzz.test.ts)
    const info = { backend: 'postgres' as const, postgres: '?', postgis: '?', geos: '?', proj: '?' };
    const down = await buildApp({ database: { url: 'postgres://postgres@127.0.0.1:9/none', poolMax: 1, info }, auth: { metricsToken: TOKEN, publicRead: true } });
    try {
      expect((await down.inject('/api/district')).statusCode).toBe(503);
      expect(sum(await scrape(down), 'db_errors_total', { class: 'connection' })).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('who may read GET /metrics', () => {
  it('refuses anonymous visitors (401) and accounts without the admin role (403)', async () => {
    expect((await api('/metrics', { who: null })).status).toBe(401);
    for (const who of ['viewer', 'planner', 'bureau', 'norole']) expect((await api('/metrics', { who })).status, who).toBe(403);
  });

  it('answers administrators', async () => {
    const res = await api('/metrics', { who: 'admin2' });
    expect(res.status).toBe(200);
    expect(parseExposition(await res.text()).problems).toEqual([]);
  });

  it('answers the METRICS_TOKEN bearer without a session, and no other bearer', async () => {
    expect((await app.inject({ url: '/metrics', headers: bearer })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Basic ${TOKEN}` } })).statusCode).toBe(401);
  });

  it('takes no bearer when METRICS_TOKEN is unset', async () => {
    // the shared server runs without one
    expect((await api('/metrics', { who: null, headers: bearer })).status).toBe(401);
  });

  it('gives the bearer nothing but /metrics', async () => {
    expect((await app.inject({ url: '/api/audit', headers: bearer })).statusCode).toBe(401);
  });
});

describe('the class of a database error', () => {
  it('is the SQLSTATE class of a PostgreSQL error', () => {
    expect(databaseErrorClass(Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' }))).toBe('23');
    expect(databaseErrorClass(Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' }))).toBe('57');
  });

  it('is "connection" for a connection the driver lost or could not open', () => {
    expect(databaseErrorClass(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(databaseErrorClass(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('connection');
    expect(databaseErrorClass(new DomainError('database_unavailable', 'the database cannot be reached'))).toBe('connection');
  });

  it('is found through the cause of an error rethrown as another', () => {
    expect(databaseErrorClass(new Error('statement timed out', { cause: Object.assign(new Error('canceling statement'), { code: '57014', severity: 'ERROR' }) }))).toBe('57');
  });

  it('is none for errors that are not the database', () => {
    expect(databaseErrorClass(new DomainError('invalid_input', 'bad'))).toBeNull();
    expect(databaseErrorClass(Object.assign(new Error('x'), { code: 'FST_ERR_VALIDATION' }))).toBeNull();
  });
});
