// Read scaling on one machine: the same read load on a server with no replica and on one with a
// streaming hot standby (READ_DATABASE_URLS), while 5 parcel writes a second go to the primary.
// Both servers run on a cluster of the bench's own holding a copy of the bench database (pg_dump |
// pg_restore), the replica made from it with pg_basebackup -R; the tile cache is off, so every read
// reaches a database. Alternating 8-second runs, 3 per side and kind (z14 parcel tiles; OGC items pages
// of 100 parcels in a bbox), 16 connections from a load generator in a second process. Reported:
// requests/s, p50/p99, CPU per request (this process, which runs the server, plus every process of the
// primary and the replica: backends, WAL sender, startup/replay, WAL receiver), and the replica's
// replay lag during the runs (pg_stat_replication on the primary, every 100 ms).
// On a 2-core machine the replica competes with the primary for the same cores: the gain is bounded.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { lonLatToWorld } from '../geo/bbox.ts';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/start.ts';
import { clusterUnavailable, startCluster, startReplica } from '../tests/helpers/cluster.ts';
import { type Benchmark, type BenchRow, cpuMs, quantile } from './harness.ts';
import { benchSession } from './setup.ts';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_REPLICA_SECONDS || 8);
const ROUNDS = 3;
const WRITES_PER_SECOND = 5;

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

const bench: Benchmark = {
  name: 'read scaling: 0 vs 1 replica',
  async run({ databaseUrl }): Promise<BenchRow[]> {
    const why = clusterUnavailable();
    if (why) {
      console.log(`  skipped: ${why}`);
      return [];
    }
    const primary = await startCluster();
    const dump = await mkdtemp(path.join(os.tmpdir(), 'zs-replica-bench-'));
    const t0 = performance.now();
    try {
      await run('pg_dump', ['-Fc', '-Z', '0', '-f', path.join(dump, 'db.dump'), databaseUrl], { maxBuffer: 1 << 26 });
      const admin = new pg.Client({ connectionString: primary.url('postgres') });
      await admin.connect();
      await admin.query('CREATE DATABASE zs');
      await admin.end();
      await run('pg_restore', ['-j', '2', '-d', primary.url('zs'), path.join(dump, 'db.dump')], { maxBuffer: 1 << 26 });
    } finally {
      await rm(dump, { recursive: true, force: true });
    }
    const copySeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const replica = await startReplica(primary);
    const replicaSeconds = (performance.now() - t1) / 1000;
    console.log(`  copied the bench database in ${copySeconds.toFixed(0)} s; replica made in ${replicaSeconds.toFixed(0)} s`);

    const pools = { primary: new pg.Pool({ connectionString: primary.url('zs'), max: 2 }), replica: new pg.Pool({ connectionString: replica.url('zs'), max: 1 }) };
    const common = { ...process.env, PORT: '0', SEED_DEMO: 'false', TILE_CACHE_MB: '0', DATABASE_URL: primary.url('zs') };
    const servers = {
      none: await startServer(loadConfig({ ...common, READ_DATABASE_URLS: '' }), pino({ level: 'warn' })),
      one: await startServer(loadConfig({ ...common, READ_DATABASE_URLS: replica.url('zs') }), pino({ level: 'warn' })),
    };
    const rows: BenchRow[] = [];
    try {
      const headers = await benchSession(pools.primary, servers.none.url);
      const { rows: spots } = await pools.primary.query<{ x: number; y: number }>(
        `SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_PointOnSurface(geom) c FROM parcel ORDER BY md5(id::text) LIMIT 200) s`);
      const tileOf = ({ x, y }: { x: number; y: number }) => {
        const [wx, wy] = lonLatToWorld(x, y);
        return `/tiles/parcel/14/${Math.floor(wx * 2 ** 14)}/${Math.floor(wy * 2 ** 14)}.mvt`;
      };
      const kinds = {
        tiles: [...new Set(spots.map(tileOf))],
        items: spots.slice(0, 100).map(({ x, y }) => `/ogc/collections/parcel/items?limit=100&bbox=${x - 0.004},${y - 0.003},${x + 0.004},${y + 0.003}`),
      };
      const { rows: targets } = await pools.primary.query<{ id: number }>('SELECT id FROM parcel ORDER BY md5(id::text) LIMIT 100');
      // each target's ETag, kept from every write's answer (both servers write to the one primary)
      const etags = new Map<number, string>();
      const etagOf = async (id: number) => (await fetch(`${servers.none.url.replace(/\/$/, '')}/ogc/collections/parcel/items/${id}`, { headers })).headers.get('etag')!;
      for (const t of targets) etags.set(t.id, await etagOf(t.id));

      // every process of both clusters: backends and the replication processes (pg_stat_activity lists them all)
      const dbPids = async () => {
        const out: number[] = [];
        for (const p of [pools.primary, pools.replica]) {
          out.push(...(await p.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()')).rows.map((r) => r.pid));
        }
        return out;
      };

      const measureRun = async (side: 'none' | 'one', kind: 'tiles' | 'items') => {
        const base = servers[side].url.replace(/\/$/, '');
        // the writer: 5 parcel writes a second through the server under test, to the primary
        let writing = true;
        let writes = 0;
        const writer = (async () => {
          for (let i = 0; writing; i++) {
            const started = performance.now();
            const id = targets[(i * 7 + (side === 'one' ? 3 : 0)) % targets.length].id;
            const res = await fetch(`${base}/ogc/collections/parcel/items/${id}`, {
              method: 'PATCH', headers: { ...headers, 'content-type': 'application/merge-patch+json', 'If-Match': etags.get(id)! },
              body: JSON.stringify({ properties: { owner_name: `读扩展 ${i}` }, reason: 'benchmark' }),
            });
            await res.arrayBuffer();
            if (res.ok) { writes++; etags.set(id, res.headers.get('etag')!); } else throw new Error(`PATCH parcel ${id}: ${res.status}`);
            await new Promise((r) => setTimeout(r, Math.max(0, 1000 / WRITES_PER_SECOND - (performance.now() - started))));
          }
        })();
        // the replica's replay lag as the primary sees it
        const lagMs: number[] = [];
        const lagBytes: number[] = [];
        let polling = true;
        const poller = (async () => {
          while (polling) {
            const { rows: r } = await pools.primary.query<{ ms: number | null; bytes: string | null }>(
              `SELECT (extract(epoch FROM replay_lag) * 1000)::float8 AS ms, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS bytes FROM pg_stat_replication`);
            if (r[0]) { lagMs.push(r[0].ms ?? 0); lagBytes.push(Number(r[0].bytes ?? 0)); }
            await new Promise((res) => setTimeout(res, 100));
          }
        })();
        // reads the server sent to the replica (its own count; pg_stat_database flushes too late to tell)
        const replicaReads = () => servers[side].app.replicas?.replicas.reduce((n, r) => n + r.reads, 0) ?? 0;
        const reads0 = replicaReads();
        const pids = await dbPids();
        const before = new Map(pids.map((p) => [p, cpuMs(p)]));
        const self0 = process.cpuUsage();
        const load = JSON.parse((await run(process.execPath, [path.join(import.meta.dirname, 'tools/load.mjs'), base, String(SECONDS), '16', ...kinds[kind]],
          { env: { ...process.env, LOAD_HEADERS: JSON.stringify({ cookie: headers.cookie }) } })).stdout);
        const self = process.cpuUsage(self0);
        let cpu = (self.user + self.system) / 1000;
        for (const p of new Set([...pids, ...(await dbPids())])) cpu += cpuMs(p) - (before.get(p) ?? 0);
        writing = false;
        polling = false;
        await Promise.all([writer, poller]);
        const onReplica = replicaReads() - reads0;
        return { rps: load.requestsPerSecond as number, p50: load.latencyP50 as number, p99: load.latencyP99 as number,
          non2xx: load.non2xx as number, total: load.total as number, cpuPerRequest: cpu / load.total, writes, lagMs, lagBytes, onReplica };
      };

      for (const kind of ['tiles', 'items'] as const) {
        // warm both: the same data in shared buffers and the page cache on either side
        for (const side of ['none', 'one'] as const) for (const p of kinds[kind]) await fetch(servers[side].url.replace(/\/$/, '') + p, { headers: { cookie: headers.cookie } }).then((r) => r.arrayBuffer());
        const results = { none: [] as Awaited<ReturnType<typeof measureRun>>[], one: [] as Awaited<ReturnType<typeof measureRun>>[] };
        for (let round = 0; round < ROUNDS; round++) {
          // which side goes first alternates by round
          for (const side of round % 2 ? ['one', 'none'] as const : ['none', 'one'] as const) results[side].push(await measureRun(side, kind));
        }
        const s = (side: 'none' | 'one') => {
          const rs = results[side];
          const lag = rs.flatMap((r) => r.lagMs).sort((a, b) => a - b);
          const bytes = rs.flatMap((r) => r.lagBytes).sort((a, b) => a - b);
          return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)),
            cpu: median(rs.map((r) => r.cpuPerRequest)), total: rs.reduce((n, r) => n + r.total, 0), non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
            writes: rs.reduce((n, r) => n + r.writes, 0), onReplica: rs.reduce((n, r) => n + r.onReplica, 0), runs: rs.map((r) => Math.round(r.rps)).join('/'),
            lag: `replay lag p95 ${quantile(lag, 0.95).toFixed(1)} ms, max ${lag.at(-1)?.toFixed(1)} ms, max ${(bytes.at(-1)! / 1024).toFixed(0)} KB behind` };
        };
        const a = s('none');
        const b = s('one');
        const what = kind === 'tiles' ? `z14 parcel tiles, uncached (${kinds.tiles.length} tiles)` : 'items: 100 parcels in a bbox';
        rows.push(
          { name: `${what}: primary only`, n: a.total, medianMs: a.p50, p95Ms: NaN,
            note: `${Math.round(a.rps)} req/s (runs ${a.runs}), p99 ${a.p99} ms, non-2xx ${a.non2xx}; ${a.cpu.toFixed(2)} ms CPU/request; ${a.writes} writes; ${a.onReplica} reads on the replica` },
          { name: `${what}: + 1 streaming replica`, n: b.total, medianMs: b.p50, p95Ms: NaN,
            note: `${Math.round(b.rps)} req/s (runs ${b.runs}), p99 ${b.p99} ms, non-2xx ${b.non2xx}; ${b.cpu.toFixed(2)} ms CPU/request; ${b.writes} writes; ${b.onReplica} reads on the replica; ×${(b.rps / a.rps).toFixed(2)} req/s, ×${(b.cpu / a.cpu).toFixed(2)} CPU/request; ${b.lag}` },
        );
      }
      rows.push({ name: 'replica set-up', n: 1, medianMs: NaN, p95Ms: NaN, note: `copy of the bench database ${copySeconds.toFixed(0)} s (pg_dump | pg_restore -j 2), pg_basebackup -R + start ${replicaSeconds.toFixed(0)} s` });
    } finally {
      await servers.none.close();
      await servers.one.close();
      await pools.primary.end();
      await pools.replica.end();
      replica.destroy();
      primary.destroy();
    }
    return rows;
  },
};

export default bench;
