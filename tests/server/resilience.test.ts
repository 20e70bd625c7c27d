// Database faults: a database that is away answers 503 on every route, a connection killed during a
// write ends in 503 with nothing written (and the process alive), a statement past its limit is a
// 503 query_timeout that leaves its connection usable, and expensive requests take a bounded share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { EXPENSIVE_ROUTES, POLICY } from '../../server/accounts/policy.ts';
import { Admission } from '../../server/core/admission.ts';
import { api, authHeaders, getJson, useTestPool } from '../helpers/db.ts';

const backend = inject('backend');
const pool = useTestPool();
const UNREACHABLE = { url: 'postgres://postgres@127.0.0.1:9/none', poolMax: 2, info: { backend: 'postgres' as const, postgres: '?', postgis: '?', geos: '?', proj: '?' } };

/** A concrete URL for a route pattern (path parameters filled with plausible values). */
const concrete = (url: string): string => url
  .replace(':layers', 'parcel').replace(':layer.json', 'parcel.json').replace(':id', '1').replace(':fid', '1').replace(':version', '1')
  .replace(':z', '14').replace(':x', '13358').replace(':y.mvt', '7126.mvt').replace('/*', '/');

describe('while the database is unreachable', () => {
  let app: FastifyInstance;
  beforeAll(async () => { app = await buildApp({ database: UNREACHABLE }); await app.ready(); });
  afterAll(() => app.close());

  it('answers every route but the static files 503 database_unavailable with Retry-After', async () => {
    const routes = app.routeTable.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && r.url !== '/*');
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes) {
      // a session cookie: the request is as a logged-in user's would be, so its answer needs the database
      const res = await app.inject({
        method: r.method as 'GET', url: concrete(r.url),
        headers: { cookie: 'zs_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'x-csrf-token': 'x', 'content-type': 'application/json' },
        payload: ['POST', 'PUT', 'PATCH'].includes(r.method) ? (r.url === '/api/auth/login' ? { username: 'someone', password: 'x' } : {}) : undefined,
      });
      const label = `${r.method} ${r.url}`;
      expect(res.statusCode, label).toBe(503);
      if (r.url === '/health') continue; // /health has its own body
      expect(res.json().error, label).toBe('database_unavailable');
      expect(res.headers['retry-after'], label).toBe('2');
    }
  });
});

describe('expensive requests', () => {
  it('declares only routes that exist in the access policy', () => {
    for (const key of EXPENSIVE_ROUTES) expect(Object.keys(POLICY), key).toContain(key);
  });

  it('lets one account run at most its share at once and refuses the rest 429', async () => {
    const admission = new Admission({ slots: 4, perAccount: 2, waitMs: 1000 });
    const a = await admission.enter('viewer');
    const b = await admission.enter('viewer');
    await expect(admission.enter('viewer')).rejects.toMatchObject({ code: 'too_many_requests', status: 429 });
    const other = await admission.enter('planner');
    expect(admission.counts).toEqual({ running: 3, waiting: 0 });
    a(); a(); // giving back twice gives back once
    const c = await admission.enter('viewer');
    b(); c(); other();
    expect(admission.counts).toEqual({ running: 0, waiting: 0 });
  });

  it('queues beyond the slots and answers 503 database_busy after the wait', async () => {
    const admission = new Admission({ slots: 1, perAccount: 5, waitMs: 50 });
    const first = await admission.enter('a');
    const second = admission.enter('b');
    expect(admission.counts).toEqual({ running: 1, waiting: 1 });
    first();
    const release = await second; // the slot passed on
    expect(admission.counts).toEqual({ running: 1, waiting: 0 });
    await expect(admission.enter('c')).rejects.toMatchObject({ code: 'database_busy', status: 503 });
    release();
    expect(admission.counts).toEqual({ running: 0, waiting: 0 });
  });
});

describe.runIf(backend === 'postgres')('on PostgreSQL', () => {
  it('answers 503 when the connection is killed during a write, writes nothing, and goes on serving', async () => {
    const { body: list } = await getJson('/ogc/collections/farmland/items?limit=1');
    const id = list.features[0].id as number;
    const read = await api(`/ogc/collections/farmland/items/${id}`);
    const etag = read.headers.get('etag')!;
    const before = (await read.json()) as { geometry: { coordinates: number[][][][] } };
    const history = (await pool.query('SELECT count(*)::int AS n FROM change_log')).rows[0].n as number;
    // a polygon of 99,999 vertices: its validity check keeps the write busy long enough to be killed
    const [x0, y0] = before.geometry.coordinates[0][0][0];
    const ring: number[][] = [];
    for (let i = 0; i < 99_999; i++) ring.push([x0 + 0.003 * Math.cos((2 * Math.PI * i) / 99_999), y0 + 0.003 * Math.sin((2 * Math.PI * i) / 99_999)]);
    ring.push(ring[0]);
    const write = api(`/ogc/collections/farmland/items/${id}`, {
      method: 'PATCH', headers: { ...authHeaders('tester'), 'content-type': 'application/merge-patch+json', 'if-match': etag },
      body: JSON.stringify({ geometry: { type: 'Polygon', coordinates: [ring] } }),
    });
    // kill the app's busy connections while the write runs (never the test's own)
    let killed = 0;
    for (let i = 0; i < 100 && killed === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      killed = (await pool.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE '%farmland%'`)).rows[0].n;
    }
    const res = await write;
    expect(killed, 'the write was never seen running').toBeGreaterThan(0);
    expect(res.status).toBe(503);
    expect((await res.json()).error).toBe('database_unavailable');
    expect(res.headers.get('retry-after')).toBe('2');
    // nothing was written: same version, no new history
    const after = await api(`/ogc/collections/farmland/items/${id}`);
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).toBe(etag);
    expect((await pool.query('SELECT count(*)::int AS n FROM change_log')).rows[0].n).toBe(history);
  });

  it('cancels a statement past its limit as 503 query_timeout and keeps the connection usable', async () => {
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, statementTimeoutMs: 300, info: (await getJson('/health')).body.database }, auth: { publicRead: true } });
    const lock = await pool.connect();
    try {
      await app.ready();
      // the items query waits on a lock the test holds, past the app's 300 ms statement limit
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE parcel IN ACCESS EXCLUSIVE MODE');
      const res = await app.inject({ method: 'GET', url: '/ogc/collections/parcel/items?limit=1' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('query_timeout');
      await lock.query('ROLLBACK');
      // the pool's one connection answers the next request
      const again = await app.inject({ method: 'GET', url: '/ogc/collections/parcel/items?limit=1' });
      expect(again.statusCode).toBe(200);
    } finally {
      await lock.query('ROLLBACK').catch(() => {});
      lock.release();
      await app.close();
    }
  });

  it('answers 503 database_busy with Retry-After when no connection comes free within the wait', async () => {
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, connectionWaitMs: 200, statementTimeoutMs: 5000, info: (await getJson('/health')).body.database }, auth: { publicRead: true } });
    const lock = await pool.connect();
    try {
      await app.ready();
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE parcel IN ACCESS EXCLUSIVE MODE');
      // the first request holds the app's one connection, waiting on the lock; the second finds none free
      const first = app.inject({ method: 'GET', url: '/ogc/collections/parcel/items?limit=1' });
      await new Promise((r) => setTimeout(r, 100));
      const second = await app.inject({ method: 'GET', url: '/api/layers' });
      expect(second.statusCode).toBe(503);
      expect(second.json().error).toBe('database_busy');
      expect(second.headers['retry-after']).toBe('1');
      await lock.query('ROLLBACK');
      expect((await first).statusCode).toBe(200);
    } finally {
      await lock.query('ROLLBACK').catch(() => {});
      lock.release();
      await app.close();
    }
  });

  it('keeps a second user answered while one viewer fires 30 expensive requests', async () => {
    const expensive = Array.from({ length: 30 }, (_, i) => api(i % 2 ? '/api/conflicts/report?projectId=1&format=html' : '/api/layers/red_line/labels', { who: 'viewer' })
      .then(async (r) => { await r.arrayBuffer(); return r.status; }));
    const slowest: number[] = [];
    const others = (async () => {
      for (let i = 0; i < 10; i++) {
        for (const path of ['/tiles/parcel/14/13358/7126.mvt', `/ogc/collections/parcel/items?limit=20&offset=${i * 20}`]) {
          const t = performance.now();
          const r = await api(path, { who: 'planner' });
          await r.arrayBuffer();
          expect(r.status, path).toBe(200);
          slowest.push(performance.now() - t);
        }
      }
    })();
    const statuses = await Promise.all(expensive);
    await others;
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // the floor the issue sets for the other user: within 1 s
    expect(Math.max(...slowest)).toBeLessThan(1000);
  });
});
