// PgBouncer for a test, from the shipped configuration (deploy/pgbouncer.ini) with this test's ports,
// database and folder put in: so the tests check the file a deployment uses. As root, runs it as
// `postgres` (PgBouncer refuses to run as root).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './cluster.ts';

const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));

export interface TestBouncer {
  port: number;
  url(database: string): string;
  stop(): Promise<void>;
}

/** Why PgBouncer cannot run here, or null when it can. */
export function bouncerUnavailable(): string | null {
  if (spawnSync('pgbouncer', ['--version']).error) return 'pgbouncer (Debian pgbouncer) is not installed';
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root without a postgres user';
  return null;
}

/** deploy/pgbouncer.ini pointed at `target` (host, port, database), listening on a free port. */
export async function startBouncer(target: URL, opts: { poolSize?: number } = {}): Promise<TestBouncer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-pgbouncer-'));
  const port = await freePort();
  const database = target.pathname.slice(1);
  const ini = readFileSync(path.join(deploy, 'pgbouncer.ini'), 'utf8')
    .replace(/^zhengshou = host=\S+ port=\d+ dbname=\S+/m, `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database}`)
    .replace(/^listen_port = \d+/m, `listen_port = ${port}`)
    .replace(/^auth_file = .*/m, `auth_file = ${path.join(dir, 'userlist.txt')}`)
    .replace(/^default_pool_size = \d+/m, `default_pool_size = ${opts.poolSize ?? 8}`)
    + `logfile = ${path.join(dir, 'log')}\npidfile = ${path.join(dir, 'pid')}\n`;
  writeFileSync(path.join(dir, 'pgbouncer.ini'), ini);
  writeFileSync(path.join(dir, 'userlist.txt'), readFileSync(path.join(deploy, 'userlist.txt')));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) chownSync(path.join(dir, f), uid, gid);
  }
  const [file, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', 'pgbouncer', path.join(dir, 'pgbouncer.ini')]] : ['pgbouncer', [path.join(dir, 'pgbouncer.ini')]];
  const child: ChildProcess = spawn(file, args, { stdio: 'ignore' });
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        let log = '';
        try { log = readFileSync(path.join(dir, 'log'), 'utf8'); } catch { /* none yet */ }
        child.kill();
        throw new Error(`pgbouncer did not start: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await c.end().catch(() => {});
    }
  }
  return {
    port,
    url,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
