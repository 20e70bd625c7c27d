// A PostgreSQL cluster of a test's own (initdb in a temporary folder, its own port), for tests that
// stop, restart or break the database under a running server without touching the shared one.
// Uses the machine's PostgreSQL binaries (pg_config --bindir); as root, runs them as `postgres`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestCluster {
  port: number;
  url(database: string): string;
  /** pg_ctl restart -m fast: backends are terminated, then the server starts again */
  restart(): void;
  stop(): void;
  start(): void;
  /** resolves when the server accepts connections again */
  ready(timeoutMs?: number): Promise<void>;
  destroy(): void;
}

function binDir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const debian = '/usr/lib/postgresql/15/bin';
    return existsSync(debian) ? debian : undefined;
  }
}

/** Why a private cluster cannot be made here, or null when it can. */
export function clusterUnavailable(): string | null {
  const bin = binDir();
  if (!bin || !existsSync(path.join(bin, 'initdb'))) return 'no PostgreSQL server binaries (initdb)';
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root without a postgres user';
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startCluster(): Promise<TestCluster> {
  const bin = binDir()!;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-cluster-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // fsync off: the tests kill and restart it, they never pull the plug on the machine
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const ctl = (action: string, extra: string[] = []) => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', ...extra, action, '-o', opts]);
  ctl('start');
  const cluster: TestCluster = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: () => ctl('restart', ['-m', 'fast']),
    stop: () => ctl('stop', ['-m', 'fast']),
    start: () => ctl('start'),
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = new pg.Client({ connectionString: cluster.url('postgres'), connectionTimeoutMillis: 1000 });
        try {
          await c.connect();
          await c.query('SELECT 1');
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 20));
        } finally {
          await c.end().catch(() => {});
        }
      }
    },
    destroy() {
      try { ctl('stop', ['-m', 'immediate']); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface TestReplica {
  port: number;
  url(database: string): string;
  /** pg_ctl stop -m fast: its connections are ended, new ones refused */
  stop(): void;
  start(): void;
  destroy(): void;
}

/**
 * A hot-standby replica of `primary`, streaming from it: pg_basebackup -R -X stream into a temporary
 * folder, started on a port of its own (initdb's pg_hba already lets 127.0.0.1 replicate with trust).
 */
export async function startReplica(primary: TestCluster): Promise<TestReplica> {
  const bin = binDir()!;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-replica-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on -c max_connections=60`;
  const ctl = (action: string, extra: string[] = []) => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', ...extra, action, '-o', opts]);
  ctl('start');
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: () => ctl('stop', ['-m', 'fast']),
    start: () => ctl('start'),
    destroy() {
      try { ctl('stop', ['-m', 'immediate']); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
