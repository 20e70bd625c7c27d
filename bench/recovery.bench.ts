// Recovery after a PostgreSQL restart: a server on a cluster of the bench's own (the demo district),
// four clients reading and writing without pause, PostgreSQL restarted (pg_ctl restart -m fast) five
// times. Per restart: the time from PostgreSQL accepting connections to the server answering /health
// and an item read with 200, and how many requests were answered 503 meanwhile (never anything else).
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/start.ts';
import { clusterUnavailable, startCluster } from '../tests/helpers/cluster.ts';
import { type Benchmark, type BenchRow, summarize } from './harness.ts';

const RESTARTS = 5;

const bench: Benchmark = {
  name: 'recovery after a PostgreSQL restart',
  async run(): Promise<BenchRow[]> {
    const why = clusterUnavailable();
    if (why) {
      console.log(`  skipped: ${why}`);
      return [];
    }
    const cluster = await startCluster();
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE zs_recovery');
    await admin.end();
    const server = await startServer(loadConfig({ ...process.env, DATABASE_URL: cluster.url('zs_recovery'), PORT: '0', SEED_DEMO: 'true', PUBLIC_READ: 'true', DB_POOL_MAX: '8' }), pino({ level: 'silent' }));
    const recovered: number[] = [];
    const unavailable: number[] = [];
    const other: string[] = [];
    try {
      for (let round = 0; round < RESTARTS; round++) {
        let stop = false;
        let n503 = 0;
        const client = async (path: string) => {
          while (!stop) {
            const status = await fetch(`${server.url}${path}`).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0);
            if (status === 503) n503++;
            else if (status !== 200) other.push(`${path} ${status}`);
            if (status !== 200) await new Promise((r) => setTimeout(r, 10));
          }
        };
        const load = ['/ogc/collections/parcel/items?limit=20', '/api/layers', '/api/progress', '/tiles/parcel/14/13358/7126.mvt'].map(client);
        await new Promise((r) => setTimeout(r, 500));
        cluster.restart();
        await cluster.ready();
        const back = performance.now();
        for (;;) {
          const ok = await Promise.all([`${server.url}/health`, `${server.url}/ogc/collections/parcel/items/1`].map((u) => fetch(u).then((r) => r.status === 200, () => false)));
          if (ok.every(Boolean)) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        recovered.push(performance.now() - back);
        await new Promise((r) => setTimeout(r, 300));
        stop = true;
        await Promise.all(load);
        unavailable.push(n503);
      }
    } finally {
      await server.close();
      cluster.destroy();
    }
    const sorted = [...unavailable].sort((a, b) => a - b);
    return [summarize('recovery: PostgreSQL accepting → server answering 200', recovered,
      `${RESTARTS} restarts; 503s per restart: median ${sorted[Math.floor(sorted.length / 2)]} (${sorted.join(', ')}); other errors: ${other.length}`)];
  },
};

export default bench;
