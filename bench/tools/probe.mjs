// Times every read endpoint of a running server, one request at a time (median of a few calls each):
// the probe that finds slow endpoints (issue #14). Logs in as the given account first.
//   node bench/tools/probe.mjs <baseUrl> <username> <password> [calls]   → a table on stdout
// PROBE_ONLY / PROBE_SKIP (text) keep only / leave out the endpoints whose path contains it.

const [baseUrl, username, password, callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? 3);

const login = await fetch(new URL('/api/auth/login', baseUrl), {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
});
if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
const { csrfToken } = await login.json();
const cookie = /zs_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')[0];
const headers = { cookie, 'x-csrf-token': csrfToken };

const getJson = async (path) => (await fetch(new URL(path, baseUrl), { headers })).json();
const { layers } = await getJson('/api/layers');
const projects = await getJson('/ogc/collections/red_line/items?limit=1');
const projectId = projects.features[0].id;

const endpoints = [
  ['GET', '/api/layers'],
  ['GET', '/api/district'],
  ...layers.map((l) => ['GET', `/api/layers/${l.id}/features`]),
  ...layers.filter((l) => l.geometry === 'polygon').map((l) => ['GET', `/api/layers/${l.id}/labels`]),
  ['GET', '/api/progress'],
  ['GET', '/api/progress?groupBy=project'],
  ['GET', '/api/progress/map'],
  ['GET', '/api/progress/series'],
  ['GET', '/api/progress/resettlement'],
  ['GET', '/api/progress/reserved-land'],
  ['GET', '/api/progress/dispatch?month=2021-06'],
  ['GET', '/api/problems'],
  ...layers.map((l) => ['GET', `/ogc/collections/${l.id}/items?limit=1000`]),
  ['GET', '/tiles/style.json'],
  ['POST', '/api/conflicts', { projectId }],
].filter(([, path]) => path.includes(process.env.PROBE_ONLY ?? '') && !(process.env.PROBE_SKIP && path.includes(process.env.PROBE_SKIP)));

const rows = [];
for (const [method, path, body] of endpoints) {
  const times = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const res = await fetch(new URL(path, baseUrl), {
      method, headers: body ? { ...headers, 'content-type': 'application/json' } : headers, body: body ? JSON.stringify(body) : undefined,
    });
    bytes = (await res.arrayBuffer()).byteLength;
    times.push(performance.now() - t0);
    status = res.status;
  }
  times.sort((a, b) => a - b);
  rows.push({ endpoint: `${method} ${path}`, status, kB: Math.round(bytes / 1024), medianMs: Math.round(times[Math.floor(times.length / 2)]), maxMs: Math.round(times.at(-1)) });
}
rows.sort((a, b) => b.medianMs - a.medianMs);
for (const r of rows) console.log(`| ${r.endpoint} | ${r.status} | ${r.kB} | ${r.medianMs} | ${r.maxMs} |`);
