// A load generator in its own process (autocannon), so the server under test does not share its
// event loop: node bench/tools/load.mjs <baseUrl> <seconds> <connections> <path>…  → JSON on stdout.
// LOAD_HEADERS (JSON object) adds headers to every request (e.g. a session cookie).
import autocannon from 'autocannon';

const [baseUrl, seconds, connections, ...paths] = process.argv.slice(2);
const headers = process.env.LOAD_HEADERS ? JSON.parse(process.env.LOAD_HEADERS) : {};
const result = await autocannon({
  url: baseUrl,
  connections: Number(connections),
  duration: Number(seconds),
  pipelining: 1,
  headers,
  requests: paths.map((path) => ({ method: 'GET', path, headers })),
});
process.stdout.write(JSON.stringify({
  requestsPerSecond: result.requests.average,
  latencyP50: result.latency.p50,
  latencyP99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  total: result.requests.total,
}));
