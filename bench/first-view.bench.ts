// The first full view after login, as a user gets it: headless Chromium (Debian's, through
// playwright-core) opens the map page `/` with a session cookie, in a fresh browser context each time
// (cold HTTP cache), and the time is taken from navigation start until `window.__zs.idle()` resolves
// (web/src/App.svelte: every visible source loaded, no data request pending, map idle).
//
// Two configurations, interleaved run by run after a warm-up each:
//   - PostgreSQL at the bench scale: a server on the bench database;
//   - the embedded default at scale 1: a server on a fresh PGlite in a temporary folder, demo data
//     seeded as on a first `npm start`.
// Each server is its own process, started as `npm run serve` starts it (tsx server/main.ts): the
// browser driver's work stays out of the server's event loop (PGlite runs its queries on it).
// (The district overview opens at zoom ~9, below every tiled layer's first zoom: the first view is
// the GeoJSON layers, no tiles.)
//
// `FIRST_VIEW_BASELINE=<checkout>` also starts the same servers from another checkout (its dist/web
// built) and interleaves its runs with this one's: before and after side by side in one run.
// `FIRST_VIEW_RUNS` (default 7) views per server. `FIRST_VIEW_ONLY=embedded` (or `postgres`) runs one
// configuration: a baseline checkout whose migrations are older than the bench database's runs embedded only.
//
// Besides the total, a breakdown: for each kind of request (an API route with its layer, a layer's
// tiles, the client's own files) how long the slowest of that kind took per view and when, after
// navigation start, the last of them ended. That says where the time goes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { type Browser, chromium } from 'playwright-core';
import { type Benchmark, type BenchRow, quantile, summarize } from './harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const RUNS = Number(process.env.FIRST_VIEW_RUNS || 7);
const VIEWPORT = { width: 1440, height: 900 };

interface Server {
  label: string;
  url: string;
  cookie: string;
  child: ChildProcess;
  /** the bench's pool on the server's PostgreSQL database (none: embedded) */
  db?: pg.Pool;
  cleanup: () => Promise<void>;
}

interface Req {
  kind: string;
  startMs: number;
  endMs: number;
  bytes: number;
}

interface View {
  totalMs: number;
  /** when window.__zs appeared (the map was created) */
  mapMs: number;
  requests: Req[];
  /** CPU ms Chromium's processes spent on the view, by process type (gpu-process, renderer, browser, …) */
  browserCpu: Record<string, number>;
  /** CPU ms of the server process, and of the PostgreSQL backends on its database */
  serverCpu: number;
}

// ---- CPU accounting from /proc (Linux): on a 2-core machine the view's wall time is mostly CPU ----

const TICK_MS = 10; // USER_HZ = 100

function processes(): Map<number, { parent: number; cpuMs: number }> {
  const result = new Map<number, { parent: number; cpuMs: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(d), { parent: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS });
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

function processType(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

/** CPU ms so far of Chromium's processes (this process's descendants but the servers), by pid. */
function browserCpu(servers: Set<number>): Map<number, number> {
  const all = processes();
  const result = new Map<number, number>();
  for (const [pid, p] of all) {
    let up = p.parent;
    let ours = false;
    for (let hops = 0; up > 1 && hops < 20; hops++) {
      if (servers.has(up) || servers.has(pid)) break;
      if (up === process.pid) {
        ours = true;
        break;
      }
      up = all.get(up)?.parent ?? 0;
    }
    if (ours) result.set(pid, p.cpuMs);
  }
  return result;
}

/** CPU ms so far of a server's process and its database's backends (none for the embedded one). */
async function serverCpu(server: Server): Promise<number> {
  const backends = server.db ? (await server.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid) : [];
  const all = processes();
  return [server.child.pid!, ...backends].reduce((sum, pid) => sum + (all.get(pid)?.cpuMs ?? 0), 0);
}

/** Starts tsx server/main.ts of `root` with `env`; resolves with its URL once it listens. */
function startProcess(root: string, env: Record<string, string | undefined>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /is running at (http:\/\/[^/\s]+)\//.exec(line);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`server in ${root} exited (${code}) before listening: ${stderr.slice(-2000)}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function login(url: string, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login as ${username} at ${url} failed: ${res.status} ${await res.text()}`);
  const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
  return { cookie: token, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** A server on the bench database; the bench account's session (ctx.authHeaders) is valid on it. */
async function postgresServer(label: string, root: string, databaseUrl: string, cookie: string, db: pg.Pool): Promise<Server> {
  const { url, child } = await startProcess(root, { DATABASE_URL: databaseUrl, SEED_DEMO: 'false' });
  return { label, url, cookie, child, db, cleanup: () => stopProcess(child) };
}

/**
 * The embedded default: a fresh PGlite, the scale-1 demo seeded on first start, an account with every
 * role and command area (as the bench account has on PostgreSQL) made through the admin API.
 */
async function embeddedServer(label: string, root: string): Promise<Server> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zs-bench-fv-pglite-'));
  const adminPassword = 'admin-' + randomBytes(12).toString('hex');
  let child: ChildProcess | undefined;
  try {
    const started = await startProcess(root, {
      DATABASE_URL: undefined, PGLITE_DATA_DIR: dataDir, SEED_DEMO: 'true', ADMIN_PASSWORD: adminPassword,
    });
    child = started.child;
    const admin = await login(started.url, 'admin', adminPassword);
    const areas = ((await (await fetch(`${started.url}/api/layers/command_area/features`, { headers: { cookie: `zs_session=${admin.cookie}` } })).json()) as
      { features: { id: number }[] }).features.map((f) => f.id);
    const password = 'bench-' + randomBytes(12).toString('hex');
    const res = await fetch(`${started.url}/api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `zs_session=${admin.cookie}`, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ username: 'bench', password, roles: ['viewer', 'planner', 'editor', 'land_bureau', 'admin', 'military'], areaIds: areas }),
    });
    if (res.status !== 201) throw new Error(`creating the bench account failed: ${res.status} ${await res.text()}`);
    const { cookie } = await login(started.url, 'bench', password);
    const c = child;
    return { label, url: started.url, cookie, child: c, cleanup: async () => {
      await stopProcess(c);
      await rm(dataDir, { recursive: true, force: true });
    } };
  } catch (err) {
    if (child) await stopProcess(child);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** What a request is, for the breakdown: route and layer, without ids, tile numbers and query. */
function kindOf(url: string): string {
  const u = new URL(url);
  const p = u.pathname;
  let m = /^\/tiles\/([^/]+)\/\d+\/\d+\/\d+\.mvt$/.exec(p);
  if (m) return `tiles ${m[1]}`;
  m = /^\/api\/layers\/([^/]+)\/(features|labels)$/.exec(p);
  if (m) return `${m[2]} ${m[1]}`;
  if (p.startsWith('/assets/')) return `client ${p.replace(/-[\w-]{8}\./, '.').replace(/^\/assets\//, '')}`;
  if (p === '/') return 'page /';
  return p;
}

/** One view in a fresh context: navigation start → idle(), with every request's timing. */
async function view(browser: Browser, server: Server, serverPids: Set<number>): Promise<View> {
  const cpu0 = browserCpu(serverPids);
  const server0 = await serverCpu(server);
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  try {
    await context.addCookies([{ name: 'zs_session', value: server.cookie, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    const finished: { url: string; start: number; end: number; bytes: Promise<number> }[] = [];
    const failed: string[] = [];
    page.on('requestfinished', (req) => {
      const t = req.timing();
      finished.push({ url: req.url(), start: t.startTime, end: t.startTime + t.responseEnd,
        bytes: req.sizes().then((s) => s.responseBodySize).catch(() => 0) });
    });
    page.on('requestfailed', (req) => failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.url()}: ${res.status()}`);
    });
    await page.goto(`${server.url}/`, { waitUntil: 'commit' });
    const mapMs = await (await page.waitForFunction(() => (window.__zs !== undefined ? performance.now() : false), undefined, { timeout: 60_000, polling: 10 })).jsonValue() as number;
    const { totalMs, origin } = await page.evaluate(async () => {
      await window.__zs!.idle();
      return { totalMs: performance.now(), origin: performance.timeOrigin };
    });
    if (failed.length) throw new Error(`${server.label}: requests failed: ${failed.slice(0, 5).join('; ')}`);
    // before the context closes: its renderer process goes with it
    const cpu1 = browserCpu(serverPids);
    const server1 = await serverCpu(server);
    const byType: Record<string, number> = {};
    for (const [pid, ms] of cpu1) {
      const type = processType(pid);
      byType[type] = (byType[type] ?? 0) + ms - (cpu0.get(pid) ?? 0);
    }
    const requests: Req[] = [];
    for (const f of finished) {
      requests.push({ kind: kindOf(f.url), startMs: f.start - origin, endMs: f.end - origin, bytes: await f.bytes });
    }
    return { totalMs, mapMs, requests, browserCpu: byType, serverCpu: server1 - server0 };
  } finally {
    await context.close();
  }
}

/** Per kind of request: the slowest of that kind in each view, and when the last of them ended. */
function breakdown(label: string, views: View[], top: number): BenchRow[] {
  const kinds = new Map<string, { slowest: number[]; lastEnd: number[]; count: number[]; bytes: number[] }>();
  for (const v of views) {
    const byKind = new Map<string, Req[]>();
    for (const r of v.requests) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
    for (const [kind, reqs] of byKind) {
      const k = kinds.get(kind) ?? { slowest: [], lastEnd: [], count: [], bytes: [] };
      k.slowest.push(Math.max(...reqs.map((r) => r.endMs - r.startMs)));
      k.lastEnd.push(Math.max(...reqs.map((r) => r.endMs)));
      k.count.push(reqs.length);
      k.bytes.push(reqs.reduce((s, r) => s + r.bytes, 0));
      kinds.set(kind, k);
    }
  }
  const med = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
  return [...kinds.entries()]
    .map(([kind, k]) => ({ kind, k, slowest: med(k.slowest) }))
    .sort((a, b) => b.slowest - a.slowest)
    .slice(0, top)
    .map(({ kind, k }) => summarize(`  ${label}: ${kind} (slowest of ${med(k.count)}/view)`, k.slowest,
      `last ends at +${med(k.lastEnd).toFixed(0)} ms; ${(med(k.bytes) / 1024).toFixed(0)} KB/view`));
}

const bench: Benchmark = {
  name: 'first full view after login (headless Chromium)',
  async run({ pool, databaseUrl, scale, authHeaders }) {
    const cookie = /zs_session=([^;]+)/.exec(authHeaders.cookie)![1];
    const baseline = process.env.FIRST_VIEW_BASELINE ? path.resolve(process.env.FIRST_VIEW_BASELINE) : undefined;
    const roots: [string, string][] = baseline ? [['before', baseline], ['after', ROOT]] : [['', ROOT]];
    for (const [, root] of roots) {
      if (!existsSync(path.join(root, 'dist/web/index.html'))) throw new Error(`${root}/dist/web is missing: run \`npx vite build\` there first`);
    }
    const servers: Server[] = [];
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      for (const [tag, root] of roots) {
        const prefix = tag ? `${tag}: ` : '';
        const only = process.env.FIRST_VIEW_ONLY;
        if (only !== 'embedded') servers.push(await postgresServer(`${prefix}PostgreSQL scale ${scale}`, root, databaseUrl, cookie, pool));
        if (only !== 'postgres') servers.push(await embeddedServer(`${prefix}embedded scale 1`, root));
      }
      const serverPids = new Set(servers.map((s) => s.child.pid!));
      // a warm-up view each (the servers' first statements, the browser's own start), then interleaved
      for (const s of servers) await view(browser, s, serverPids);
      const views = new Map<Server, View[]>(servers.map((s) => [s, []]));
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) views.get(s)!.push(await view(browser, s, serverPids));
      }
      const rows: BenchRow[] = [];
      for (const s of servers) {
        const vs = views.get(s)!;
        const mapAt = quantile(vs.map((v) => v.mapMs).sort((a, b) => a - b), 0.5);
        const reqs = quantile(vs.map((v) => v.requests.length).sort((a, b) => a - b), 0.5);
        rows.push(summarize(`first view, ${s.label}`, vs.map((v) => v.totalMs),
          `map created at +${mapAt.toFixed(0)} ms; ${reqs} requests; goal ≤ 1500 ms`));
      }
      if (baseline) {
        for (let i = 0; i < servers.length / 2; i++) {
          const before = summarize('', views.get(servers[i])!.map((v) => v.totalMs));
          const after = summarize('', views.get(servers[i + servers.length / 2])!.map((v) => v.totalMs));
          rows.push({ name: `  after ÷ before, ${servers[i].label.replace(/^before: /, '')}`, n: after.n, medianMs: after.medianMs / before.medianMs,
            p95Ms: after.p95Ms / before.p95Ms, note: 'ratios, not ms' });
        }
      }
      // where the CPU went: Chromium's processes and the server's, per view
      const med = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
      for (const s of servers) {
        const vs = views.get(s)!;
        const types = [...new Set(vs.flatMap((v) => Object.keys(v.browserCpu)))]
          .map((t) => [t, med(vs.map((v) => v.browserCpu[t] ?? 0))] as const).filter(([, ms]) => ms >= 20).sort((a, b) => b[1] - a[1]);
        rows.push(summarize(`  ${s.label}: CPU per view, Chromium`, vs.map((v) => Object.values(v.browserCpu).reduce((a, b) => a + b, 0)),
          `CPU ms, not wall: ${types.map(([t, ms]) => `${t} ${ms.toFixed(0)}`).join(', ')}`));
        rows.push(summarize(`  ${s.label}: CPU per view, server`, vs.map((v) => v.serverCpu),
          `CPU ms, not wall: ${s.db ? 'Node process + PostgreSQL backends' : 'Node process with PGlite'}`));
      }
      for (const s of servers) rows.push(...breakdown(s.label, views.get(s)!, 6));
      return rows;
    } finally {
      await browser.close();
      for (const s of servers) await s.cleanup();
    }
  },
};
export default bench;
