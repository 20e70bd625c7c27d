// The whole scale-out topology as deploy/topology.sh starts it, on a PostgreSQL cluster of the test's
// own (a copy of the test database): a streaming replica made with pg_basebackup -R, PgBouncer in
// transaction mode, two app processes and HAProxy in front. Through it: requests reach both processes,
// a session works on both, a write through one shows in an item and a tile fetched through the other
// within 1 s, and a logout in one ends the session in the other within 1 s.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterUnavailable, freePort, startCluster, type TestCluster } from '../helpers/cluster.ts';
import { bouncerUnavailable } from '../helpers/pgbouncer.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';
import { hasProgram } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DB = 'zs_topology';
const why = inject('backend') !== 'postgres' ? 'runs with the PostgreSQL suite'
  : clusterUnavailable() ?? bouncerUnavailable() ?? (hasProgram('haproxy', ['-v'], 'topology', 'haproxy') ? null : 'haproxy (Debian haproxy) is not installed');
if (why) process.stdout.write(`topology tests skipped: ${why}\n`);

describe.skipIf(why !== null)('deploy/topology.sh: HAProxy, two app processes, PgBouncer, a streaming replica', () => {
  let primary: TestCluster;
  let db: pg.Pool;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let balancer: string;
  let apps: string[];

  const topology = (action: string) => execFileSync(path.join(root, 'deploy/topology.sh'), [action], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    primary = await startCluster();
    dir = mkdtempSync(path.join(os.tmpdir(), 'zs-topology-'));
    chmodSync(dir, 0o755); // the replica and PgBouncer run as postgres inside it
    const file = path.join(dir, 'db.dump');
    execFileSync('pg_dump', ['-Fc', '-Z', '0', '-f', file, inject('databaseUrl')]);
    execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DB]);
    execFileSync('pg_restore', ['--no-owner', '-j', '2', '-d', primary.url(DB), file]);
    rmSync(file);
    const [replica, bouncer, app1, app2, lb] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    env = {
      ...process.env, PRIMARY_PORT: String(primary.port), REPLICA_PORT: String(replica), BOUNCER_PORT: String(bouncer),
      APP_PORTS: `${app1} ${app2}`, BALANCER_PORT: String(lb), DB, ZS_DIR: path.join(dir, 'run'), SEED_DEMO: 'false', LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    try {
      topology('start');
    } catch (err) {
      const logs = [`app-${app1}.log`, `app-${app2}.log`, 'pgbouncer.log', 'replica.log']
        .map((f) => { try { return `--- ${f}\n${readFileSync(path.join(dir, 'run', f), 'utf8').slice(-2000)}`; } catch { return ''; } }).join('\n');
      throw new Error(`topology did not start: ${(err as { stderr?: string }).stderr ?? err}\n${logs}`);
    }
    balancer = `http://127.0.0.1:${lb}`;
    apps = [`http://127.0.0.1:${app1}`, `http://127.0.0.1:${app2}`];
    db = new pg.Pool({ connectionString: primary.url(DB), max: 2 });
  }, 240_000);

  afterAll(async () => {
    try { if (env) topology('stop'); } catch { /* already down */ }
    await db?.end();
    primary?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = async (base: string, username: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: inject('testPassword') }) });
    expect(res.status, await res.clone().text()).toBe(200);
    const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
    return { cookie: `zs_session=${token}`, 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
  };
  /** ms until `done` holds, polled every 20 ms, at most 5 s */
  const msUntil = async (done: () => Promise<boolean>) => {
    const t0 = performance.now();
    while (performance.now() - t0 < 5_000) {
      if (await done()) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return Infinity;
  };

  it('balances requests over both processes, each healthy, each reading the replica', async () => {
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${balancer}/health`);
      expect(res.status).toBe(200);
      served.add(res.headers.get('x-served-by') ?? '');
    }
    expect([...served].sort()).toEqual(['app1', 'app2']);
    const replica = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${env.REPLICA_PORT}/${DB}` });
    await replica.connect();
    try {
      expect((await replica.query('SELECT pg_is_in_recovery() r')).rows[0].r).toBe(true);
    } finally {
      await replica.end();
    }
  });

  it('keeps a session made through the balancer on both processes, and a logout in one ends it in the other within 1 s', async () => {
    const viewer = await login(balancer, 'viewer');
    for (const base of apps) expect((await fetch(`${base}/api/layers`, { headers: viewer })).status).toBe(200);
    expect((await fetch(`${apps[0]}/api/auth/logout`, { method: 'POST', headers: viewer })).status).toBe(204);
    const ms = await msUntil(async () => (await fetch(`${apps[1]}/api/layers`, { headers: viewer })).status === 401);
    expect(ms).toBeLessThan(1_000);
  });

  it('shows a write through one process in an item and a tile fetched through the other within 1 s', async () => {
    const writer = await login(apps[0], 'tester');
    const reader = await login(apps[1], 'viewer');
    const { rows: [parcel] } = await db.query<{ id: number }>(`SELECT id FROM parcel WHERE owner_type <> 'military' ORDER BY id DESC LIMIT 1`);
    const t = await tileOver(db, 'parcel', 15, `id = ${parcel.id}`);
    const tileOwner = async () => {
      const res = await fetch(`${apps[1]}/tiles/parcel/${t.z}/${t.x}/${t.y}.mvt`, { headers: reader });
      return decodeTile(new Uint8Array(await res.arrayBuffer()), t.z, t.x, t.y).parcel?.find((f) => f.id === parcel.id)?.properties.owner_name;
    };
    const itemOwner = async () => ((await (await fetch(`${apps[1]}/ogc/collections/parcel/items/${parcel.id}`, { headers: reader })).json()) as { properties: { owner_name: string } }).properties.owner_name;
    await tileOwner(); // in the second process's tile cache now
    const before = await fetch(`${apps[0]}/ogc/collections/parcel/items/${parcel.id}`, { headers: writer });
    const name = `负载均衡 ${Date.now() % 100000}`;
    const patched = await fetch(`${apps[0]}/ogc/collections/parcel/items/${parcel.id}`, {
      method: 'PATCH',
      headers: { ...writer, 'content-type': 'application/merge-patch+json', 'if-match': before.headers.get('etag')! },
      body: JSON.stringify({ properties: { owner_name: name }, reason: 'topology test' }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const item = await msUntil(async () => (await itemOwner()) === name);
    const tile = await msUntil(async () => (await tileOwner()) === name);
    expect(item).toBeLessThan(1_000);
    expect(tile).toBeLessThan(1_000);
  });
});
