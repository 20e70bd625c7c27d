// Readers panning a map, in a process of their own (so the server under test does not share their
// event loop): node bench/tools/pan.mjs <baseUrl> <seconds> <readers> <pathFile> → JSON on stdout.
// pathFile: a JSON array of tile paths in the order a map panning over the area asks for them; each
// reader walks it from its own starting point, one request at a time, round and round. Counts the
// responses the server says it answered from its cache (x-cache: HIT).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [baseUrl, seconds, readers, pathFile] = process.argv.slice(2);
const paths = JSON.parse(readFileSync(pathFile, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(readers) });
const until = Date.now() + Number(seconds) * 1000;
const latencies = [];
let hits = 0;
let non2xx = 0;
let errors = 0;
let bytes = 0;

const get = (p) => new Promise((resolve) => {
  const t0 = performance.now();
  http.get(baseUrl + p, { agent }, (res) => {
    res.on('data', (chunk) => { bytes += chunk.length; });
    res.on('end', () => {
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 200) non2xx++;
      if (res.headers['x-cache'] === 'HIT') hits++;
      resolve();
    });
  }).on('error', () => { errors++; resolve(); });
});

async function reader(i) {
  let k = Math.floor((i * paths.length) / Number(readers));
  while (Date.now() < until) {
    await get(paths[k]);
    k = (k + 1) % paths.length;
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Number(readers) }, (_, i) => reader(i)));
const elapsed = (performance.now() - t0) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
process.stdout.write(JSON.stringify({
  total: latencies.length, perSecond: latencies.length / elapsed, p50: q(0.5), p95: q(0.95), p99: q(0.99),
  hits, non2xx, errors, bytes,
}));
