// Read replicas (READ_DATABASE_URLS, issue 18) on a real streaming replica: a PostgreSQL cluster of
// the test's own holding a copy of the test database, and a hot standby made from it with
// pg_basebackup -R. With replay paused on the standby (pg_wal_replay_pause) the tests show
// read-your-writes, that no stale tile enters the cache, that the change stream waits for the
// replica, that a replica too far behind or stopped leaves the rotation (reads move to the primary,
// failures are 503 for at most 2 s), and that it comes back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { describeDatabase } from '../../server/db/database.ts';
import { parseLsn } from '../../server/db/replicas.ts';
import { clusterUnavailable, startCluster, startReplica, type TestCluster, type TestReplica } from '../helpers/cluster.ts';
import { api } from '../helpers/db.ts';
import { parseExposition, sum } from '../helpers/metrics.ts';
import { openStream } from '../helpers/sse.ts';
import { tileAt } from '../helpers/tiles.ts';

const why = inject('backend') !== 'postgres' ? 'runs with the PostgreSQL suite (the embedded database has no replicas)' : clusterUnavailable();
const DB = 'zs_replica_copy';
if (why) process.stdout.write(`read replica tests skipped: ${why}\n`);

describe.skipIf(why !== null)('read replicas on a streaming hot standby', () => {
  let primary: TestCluster;
  let replica: TestReplica;
  let app: FastifyInstance;
  let base: string;
  let db: pg.Pool;
  let standby: pg.Pool;
  let log = '';
  let parcel: { id: number; code: string; tile: { z: number; x: number; y: number } };

  /** the standby's replay stopped / going on again (what a slow or busy replica looks like) */
  const pause = async () => {
    await standby.query('SELECT pg_wal_replay_pause()');
    for (let i = 0; (await standby.query<{ s: string }>('SELECT pg_get_wal_replay_pause_state() s')).rows[0].s !== 'paused'; i++) {
      if (i > 500) throw new Error('replay did not pause');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  /** resume replay and wait until the standby, and the app's view of it, have everything the primary has */
  const resume = async (target = app) => {
    await standby.query('SELECT pg_wal_replay_resume()');
    const lsn = parseLsn((await db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text l')).rows[0].l)!;
    for (let i = 0; ; i++) {
      const r = target.replicas!.replicas[0];
      if (r.inRotation && r.replayLsn !== null && r.replayLsn >= lsn) return;
      if (i > 1000) throw new Error('the replica did not catch up in 10 s');
      await new Promise((res) => setTimeout(res, 10));
    }
  };
  const items = async (who: string, cookie?: string) => {
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const res = await api(`${base}/ogc/collections/parcel/items?code=${encodeURIComponent(parcel.code)}`, { who, headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { features: { properties: { agreed_compensation_yuan: number } }[] };
    return body.features[0].properties.agreed_compensation_yuan;
  };
  const tile = async (who: string) => {
    const { z, x, y } = parcel.tile;
    const res = await api(`${base}/tiles/parcel/${z}/${x}/${y}.mvt`, { who });
    expect(res.status).toBe(200);
    return { body: Buffer.from(await res.arrayBuffer()), cache: res.headers.get('x-cache') };
  };
  /** A writes a new compensation through the feature API; answers the cookie header to read with (session + zs_wrote) */
  const write = async (value: number): Promise<string> => {
    const read = await api(`${base}/ogc/collections/parcel/items/${parcel.id}`, { who: 'tester' });
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag')!;
    await read.arrayBuffer();
    const res = await api(`${base}/ogc/collections/parcel/items/${parcel.id}`, {
      who: 'tester', method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': etag },
      body: JSON.stringify({ properties: { agreed_compensation_yuan: value } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const wrote = /zs_wrote=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    expect(wrote, 'a write answers the read-your-writes cookie').toBeTruthy();
    return `${inject('sessions').tester.cookie}; ${wrote}`;
  };
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = parseExposition(await (await api(`${base}/metrics`, { who: 'tester' })).text());
    // (prom-client's own nodejs_eventloop_lag_* may print Nan between scrapes: not this test's concern)
    expect(m.problems.filter((p) => p.includes('db_replica'))).toEqual([]);
    expect(m.types.get(name), name).toBeDefined();
    return sum(m, name, labels);
  };

  beforeAll(async () => {
    const started = Date.now();
    primary = await startCluster();
    // a copy of the test database (demo district, test accounts and their sessions)
    const dumpDir = mkdtempSync(path.join(os.tmpdir(), 'zs-replica-dump-'));
    try {
      const file = path.join(dumpDir, 'db.dump');
      execFileSync('pg_dump', ['-Fc', '-Z', '0', '-f', file, inject('databaseUrl')]);
      execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DB]);
      execFileSync('pg_restore', ['--no-owner', '-j', '2', '-d', primary.url(DB), file]);
    } finally {
      rmSync(dumpDir, { recursive: true, force: true });
    }
    const restored = Date.now();
    replica = await startReplica(primary);
    process.stdout.write(`replica test setup: copy ${restored - started} ms, pg_basebackup + start ${Date.now() - restored} ms\n`);
    db = new pg.Pool({ connectionString: primary.url(DB), max: 2 });
    standby = new pg.Pool({ connectionString: replica.url(DB), max: 1 });
    db.on('error', () => {});
    standby.on('error', () => {});
    const info = await describeDatabase(db, 'postgres');
    const logStream = new Writable({ write(chunk, _enc, done) { log += chunk; done(); } });
    app = await buildApp({
      database: { url: primary.url(DB), poolMax: 6, info, replicas: { urls: [replica.url(DB)], maxLagMs: 60_000, waitMs: 200 } },
      logger: pino({ level: 'info' }, logStream),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const { rows } = await db.query<{ id: number; code: string; lon: number; lat: number }>(
      `SELECT id, code, ST_X(p) lon, ST_Y(p) lat FROM (SELECT id, code, ST_PointOnSurface(geom) p FROM parcel WHERE owner_type <> 'military' ORDER BY id LIMIT 1) s`);
    parcel = { id: rows[0].id, code: rows[0].code, tile: tileAt(rows[0].lon, rows[0].lat, 16) };
  }, 240_000);

  afterAll(async () => {
    await standby?.query('SELECT pg_wal_replay_resume()').catch(() => {});
    await app?.close();
    await db?.end().catch(() => {});
    await standby?.end().catch(() => {});
    replica?.destroy();
    primary?.destroy();
  });

  it('is in rotation, and replica-read routes read it', async () => {
    const r = app.replicas!.replicas[0];
    expect(r.up).toBe(true);
    expect(r.inRotation).toBe(true);
    const before = r.reads;
    expect((await api(`${base}/api/layers`, { who: 'viewer' })).status).toBe(200);
    expect(r.reads).toBe(before + 1);
    // a single feature (its ETag is what a write is checked against) stays on the primary
    expect((await api(`${base}/ogc/collections/parcel/items/${parcel.id}`, { who: 'viewer' })).status).toBe(200);
    expect(r.reads).toBe(before + 1);
    expect(await metric('db_replica_in_rotation', { replica: r.name })).toBe(1);
  });

  it('read-your-writes: the writer reads the new version while replay is paused, another user may read the old one; both the new after resume', async () => {
    const old = await items('viewer');
    await pause();
    const fallbacksBefore = await metric('db_replica_writer_fallbacks_total');
    const cookie = await write(old + 1);
    expect(await items('tester', cookie)).toBe(old + 1); // the replica lacks it: the primary answers after REPLICA_WAIT_MS
    expect(await metric('db_replica_writer_fallbacks_total')).toBe(fallbacksBefore + 1);
    expect(await items('viewer')).toBe(old); // another user, on the paused replica
    await resume();
    const replicaReads = app.replicas!.replicas[0].reads;
    expect(await items('viewer')).toBe(old + 1);
    expect(await items('tester', cookie)).toBe(old + 1);
    expect(app.replicas!.replicas[0].reads).toBe(replicaReads + 2); // both from the replica again
  });

  it('a forged read-your-writes cookie is ignored', async () => {
    const r = app.replicas!.replicas[0];
    const before = r.reads;
    await items('viewer', `${inject('sessions').viewer.cookie}; zs_wrote=FFFFFFFF/0.AAAAAAAAAAAAAAAAAAAAAA`);
    expect(r.reads).toBe(before + 1);
  });

  it('stale tiles: a tile rendered from the paused replica is served but not cached; after resume the next one shows the edit', async () => {
    const old = await items('viewer');
    const warm = await tile('viewer');
    const cached = await tile('viewer');
    expect(cached.cache).toBe('HIT');
    expect(cached.body.equals(warm.body)).toBe(true);

    const stream = await openStream(`${base}/api/changes`, { who: 'viewer' });
    await stream.next((e) => e.event === 'hello');
    await pause();
    await write(old + 7);
    // the edit's invalidation has reached this process (the writer waits 250 ms for it; a loaded machine may take longer)
    const version = (await db.query<{ version: number }>('SELECT version FROM parcel WHERE id = $1', [parcel.id])).rows[0].version;
    expect(await app.changes.seen('parcel', parcel.id, version, 10_000)).toBe(true);
    const during = await tile('viewer');
    expect(during.cache).toBe('MISS');
    expect(during.body.equals(warm.body)).toBe(true); // the paused replica's (old) content
    const again = await tile('viewer');
    expect(again.cache).toBe('MISS'); // it was not kept
    // the change stream holds the change while the replica in rotation lacks it
    await new Promise((r) => setTimeout(r, 600));
    expect(stream.events.filter((e) => e.event === 'change')).toEqual([]);

    await resume();
    const change = await stream.next((e) => e.event === 'change', { timeoutMs: 5_000 });
    expect(JSON.parse(change.data)).toMatchObject({ layer: 'parcel', id: parcel.id });
    stream.close();
    const after = await tile('viewer');
    expect(after.cache).toBe('MISS');
    expect(after.body.equals(warm.body)).toBe(false); // the edit, without waiting for any expiry
    const kept = await tile('viewer');
    expect(kept.cache).toBe('HIT');
    expect(kept.body.equals(after.body)).toBe(true);
  });

  it('a replica later than REPLICA_MAX_LAG_MS leaves the rotation until it catches up', async () => {
    const strict = await buildApp({
      database: { url: primary.url(DB), poolMax: 2, info: await describeDatabase(db, 'postgres'), replicas: { urls: [replica.url(DB)], maxLagMs: 300, waitMs: 0, pollMs: 50 } },
      logger: pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { log += chunk; done(); } })),
    });
    await strict.ready();
    try {
      const r = strict.replicas!.replicas[0];
      expect(r.inRotation).toBe(true);
      await pause();
      await db.query('UPDATE parcel SET agreed_compensation_yuan = agreed_compensation_yuan WHERE id = $1', [parcel.id]);
      for (let i = 0; r.inRotation; i++) {
        if (i > 500) throw new Error('the paused replica stayed in rotation');
        await new Promise((res) => setTimeout(res, 10));
      }
      expect(r.lagMs).toBeGreaterThan(300);
      expect((await strict.inject({ method: 'GET', url: '/api/layers', cookies: { zs_session: inject('sessions').viewer.token } })).statusCode).toBe(200);
      expect(r.reads).toBe(0); // the primary served it
      expect(log).toMatch(/left the rotation: too far behind/);
      await resume(strict);
      expect(r.lagMs).toBeLessThanOrEqual(300);
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()');
      await strict.close();
    }
  });

  it('a replica stopped under read load: only 503s, for at most 2 s; reads move to the primary and come back when it is started again', async () => {
    const r = app.replicas!.replicas[0];
    const urls = [
      `/ogc/collections/parcel/items?limit=20`, '/api/layers', '/api/progress', `/api/layers/command_area/features`,
      `/ogc/collections/farmland/items?limit=20`,
    ];
    const results: { at: number; status: number }[] = [];
    const failures: string[] = [];
    let stop = false;
    const reader = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const url = urls[(n + i) % urls.length];
        try {
          const res = await api(`${base}${url}`, { who: 'viewer' });
          await res.arrayBuffer();
          results.push({ at: Date.now(), status: res.status });
        } catch (err) {
          failures.push(`${url}: no answer (${(err as Error).message})`);
        }
      }
    };
    const readers = Array.from({ length: 20 }, (_, i) => reader(i));
    await new Promise((res) => setTimeout(res, 1000));
    const downEvents = r.downEvents;
    const primaryBefore = app.replicas!.counts.primary;
    const stoppedAt = Date.now();
    replica.stop();
    await new Promise((res) => setTimeout(res, 4000));
    stop = true;
    await Promise.all(readers);

    expect(failures).toEqual([]);
    const statuses = new Set(results.map((x) => x.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const failed = results.filter((x) => x.status === 503);
    if (failed.length) expect(failed.at(-1)!.at - failed[0].at).toBeLessThanOrEqual(2000);
    expect(results.filter((x) => x.at > stoppedAt + 2000 && x.status !== 200)).toEqual([]);
    expect(results.filter((x) => x.at > stoppedAt + 2000).length).toBeGreaterThan(20);
    expect(r.inRotation).toBe(false);
    expect(r.downEvents).toBe(downEvents + 1);
    expect(app.replicas!.counts.primary).toBeGreaterThan(primaryBefore + 20); // reads went to the primary
    expect(await metric('db_replica_up', { replica: r.name })).toBe(0);
    expect(await metric('db_replica_down_total', { replica: r.name })).toBe(downEvents + 1);
    expect(log).toMatch(/left the rotation: unreachable/);
    process.stdout.write(`replica stopped under 20 readers: ${results.length} answers, ${failed.length} × 503 over ${failed.length ? failed.at(-1)!.at - failed[0].at : 0} ms\n`);

    replica.start();
    for (let i = 0; !r.inRotation; i++) {
      if (i > 1000) throw new Error('the replica did not return to rotation within 10 s');
      await new Promise((res) => setTimeout(res, 10));
    }
    const reads = r.reads;
    expect((await api(`${base}/api/layers`, { who: 'viewer' })).status).toBe(200);
    expect(r.reads).toBe(reads + 1);
    expect(await metric('db_replica_in_rotation', { replica: r.name })).toBe(1);
    expect(log).toMatch(/is in rotation/);
  }, 60_000);
});
