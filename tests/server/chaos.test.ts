// Chaos: the server as `npm run serve` starts it, on a PostgreSQL cluster of the test's own, under a
// bounded mixed load (tiles, items, writes, a conflict analysis) while its database connections are
// killed mid-write several times and PostgreSQL is restarted. The process must stay alive, every
// failure must be a 503, every write answered 200 must be stored with its history and no write
// answered with an error may have left anything; service is back within 2 s of PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../server/config.ts';
import { clusterUnavailable, freePort, startCluster, type TestCluster } from '../helpers/cluster.ts';

const why = inject('backend') !== 'postgres' ? 'runs with the PostgreSQL suite' : clusterUnavailable();
const DB = 'zs_chaos_test';
const PASSWORD = 'chaos-admin-password-1';

interface Write { parcel: number; value: number; status: number; error?: string }

describe.skipIf(why !== null)('chaos: connections killed and PostgreSQL restarted under load', () => {
  let cluster: TestCluster;
  let server: ChildProcess;
  let base: string;
  let exited: string | null = null;
  let log = '';
  let db: pg.Pool;
  const headers: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await startCluster();
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.end();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(path.join(projectRoot, 'node_modules/.bin/tsx'), ['server/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: cluster.url(DB), PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', SEED_DEMO: 'true', DB_POOL_MAX: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => { log += d; });
    server.stderr!.on('data', (d) => { log += d; });
    server.on('exit', (code, signal) => { exited = `exit ${code} ${signal}`; });
    for (let i = 0; ; i++) {
      if (exited) throw new Error(`the server ended: ${exited}\n${log.slice(-3000)}`);
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      if (i > 900) throw new Error(`the server did not start in 180 s\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // an account that writes parcels everywhere and analyses red lines
    const login = async (username: string, password: string) => {
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
      return { cookie: /zs_session=[^;]+/.exec(res.headers.get('set-cookie')!)![0], 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
    };
    const adminHeaders = await login('admin', PASSWORD);
    db = new pg.Pool({ connectionString: cluster.url(DB), max: 2 });
    db.on('error', () => {});
    const areaIds = (await db.query<{ id: number }>('SELECT id FROM command_area')).rows.map((r) => r.id);
    const created = await fetch(`${base}/api/admin/users`, {
      method: 'POST', headers: { ...adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'chaos', password: PASSWORD, roles: ['editor', 'planner', 'viewer'], areaIds }),
    });
    expect(created.status).toBe(201);
    Object.assign(headers, await login('chaos', PASSWORD));
  }, 240_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await db?.end().catch(() => {});
    cluster?.destroy();
  });

  it('stays up, answers failures 503, keeps every answered write and nothing else, recovers within 2 s', async () => {
    const parcels = (await db.query<{ id: number }>(`SELECT id FROM parcel WHERE owner_type <> 'military' ORDER BY id LIMIT 24`)).rows.map((r) => r.id);
    const redLine = (await db.query<{ id: number }>('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1')).rows[0].id;
    const statuses = new Map<string, number>();
    const bad: string[] = [];
    const writes: Write[] = [];
    let stop = false;
    let nextValue = 1_000_000;
    const call = async (label: string, url: string, init: RequestInit = {}): Promise<Response | null> => {
      let res: Response;
      try {
        res = await fetch(`${base}${url}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
      } catch (err) {
        bad.push(`${label}: no answer (${(err as Error).message})`);
        return null;
      }
      statuses.set(`${label} ${res.status}`, (statuses.get(`${label} ${res.status}`) ?? 0) + 1);
      if (res.status >= 500 && res.status !== 503) bad.push(`${label}: ${res.status} ${await res.clone().text()}`);
      return res;
    };
    const reader = async (i: number) => {
      const urls = ['/tiles/parcel/14/13358/7126.mvt', '/ogc/collections/parcel/items?limit=50', '/api/layers', `/tiles/red_line/12/${3339 + (i % 2)}/1781.mvt`, '/api/progress'];
      for (let n = 0; !stop; n++) {
        const res = await call('read', urls[(n + i) % urls.length]);
        await res?.arrayBuffer();
        if (!res) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const writer = async (mine: number[]) => {
      for (let n = 0; !stop; n++) {
        const parcel = mine[n % mine.length];
        const read = await call('read', `/ogc/collections/parcel/items/${parcel}`);
        if (!read || read.status !== 200) { await read?.arrayBuffer(); await new Promise((r) => setTimeout(r, 50)); continue; }
        const etag = read.headers.get('etag')!;
        await read.arrayBuffer();
        const value = nextValue++;
        const res = await call('write', `/ogc/collections/parcel/items/${parcel}`, {
          method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': etag },
          body: JSON.stringify({ properties: { agreed_compensation_yuan: value } }),
        });
        const body = res ? await res.text() : '';
        writes.push({ parcel, value, status: res?.status ?? 0, error: res && res.status !== 200 ? (JSON.parse(body) as { error: string }).error : undefined });
      }
    };
    const analyst = async () => {
      while (!stop) {
        const res = await call('conflicts', '/api/conflicts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId: redLine }) });
        await res?.arrayBuffer();
      }
    };
    const load = [0, 1, 2].map(reader).concat([0, 1, 2].map((k) => writer(parcels.filter((_, j) => j % 3 === k))), [analyst()]);

    // six times: kill every busy connection of the server's database
    let killed = 0;
    for (let round = 0; round < 6; round++) {
      await new Promise((r) => setTimeout(r, 1000));
      killed += (await db.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND state <> 'idle'`, [DB])).rows[0].n;
    }
    // then restart PostgreSQL, and time the way back from the moment it accepts connections again
    cluster.restart();
    await cluster.ready();
    const back = performance.now();
    let recoveredMs = Infinity;
    while (performance.now() - back < 10_000) {
      const health = await fetch(`${base}/health`).then((r) => r.status, () => 0);
      const write = await fetch(`${base}/ogc/collections/parcel/items/${parcels[0]}`, { headers }).then((r) => r.status, () => 0);
      if (health === 200 && write === 200) { recoveredMs = performance.now() - back; break; }
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 2000)); // load after recovery: writes that must be stored
    stop = true;
    await Promise.all(load);

    const ok = writes.filter((w) => w.status === 200);
    const failed = writes.filter((w) => w.status !== 200 && w.error !== 'commit_unknown');
    console.log(`chaos: ${writes.length} writes (${ok.length} stored, ${failed.length} refused), ${killed} connections killed, recovered ${recoveredMs.toFixed(0)} ms after PostgreSQL; ${[...statuses].map(([k, v]) => `${k}×${v}`).join(', ')}`);
    expect(exited, `the server process ended\n${log.slice(-3000)}`).toBeNull();
    if (bad.length) console.log(log.slice(-20000));
    expect(bad, `answers that were not 503\n${[...statuses].join('\n')}`).toEqual([]);
    expect(killed, 'no connection was killed').toBeGreaterThan(0);
    expect([...statuses.keys()].some((k) => k.endsWith(' 503')), 'no request saw the outage').toBe(true);
    expect(recoveredMs).toBeLessThanOrEqual(2000);

    // every answered write is stored with its history; no failed write left a trace
    expect(ok.length).toBeGreaterThanOrEqual(5);
    const { rows: history } = await db.query<{ feature_id: number; version: number; value: string | null }>(
      `SELECT feature_id::int, version, after->>'agreed_compensation_yuan' AS value FROM change_log WHERE layer = 'parcel' AND feature_id = ANY($1)`, [parcels]);
    const logged = new Set(history.map((h) => `${h.feature_id}:${Number(h.value)}`));
    for (const w of ok) expect(logged.has(`${w.parcel}:${w.value}`), `write ${w.value} to parcel ${w.parcel} answered 200 but has no history`).toBe(true);
    for (const w of failed) expect(logged.has(`${w.parcel}:${w.value}`), `write ${w.value} to parcel ${w.parcel} answered ${w.status} ${w.error} but is in the history`).toBe(false);
    // each parcel's current value is its last answered write, and its version is its history's newest
    const { rows: current } = await db.query<{ id: number; value: string; version: number }>(
      'SELECT id, agreed_compensation_yuan::text AS value, version FROM parcel WHERE id = ANY($1)', [parcels]);
    for (const p of current) {
      const versions = history.filter((h) => h.feature_id === p.id).map((h) => h.version);
      expect(p.version, `parcel ${p.id}`).toBe(Math.max(1, ...versions));
      const last = ok.filter((w) => w.parcel === p.id).at(-1);
      if (last && !writes.some((w) => w.parcel === p.id && w.error === 'commit_unknown')) expect(Number(p.value), `parcel ${p.id}`).toBe(last.value);
    }
  }, 120_000);
});
