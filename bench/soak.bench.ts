// Soak: mixed load for a long while from a few concurrent clients, the server's memory sampled from
// its own GET /metrics (process_resident_memory_bytes) every 10 s. What a day of use looks like, cut
// short: tiles of several zooms, pages of OGC items, label points, progress figures, a parcel PATCHed
// with If-Match every few requests, a conflict analysis now and then. Reported: RSS after the warm-up
// against RSS at the end (issue #14: within 10 %; each the median of a minute's samples), the errors
// (any answer but the expected one: 0), and each route's median and p95.
//   SOAK_SECONDS        default 600        SOAK_WARMUP_SECONDS  default 60 (at most a fifth of the run)
//   SOAK_CLIENTS        default 4          SOAK_TILES           distinct tiles asked for, default 400
// The server runs in the bench's own process (bench/run.ts), so its RSS includes the clients' few MB;
// the tile set is bounded, so the tile cache fills during the warm-up rather than over the whole run.
import { LABELLED_LAYERS, LAYERS } from '../geo/layers.ts';
import { type Benchmark, type BenchRow, summarize } from './harness.ts';

const seconds = Number(process.env.SOAK_SECONDS || 600);
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS || Math.min(60, seconds / 5));
const clients = Number(process.env.SOAK_CLIENTS || 4);
const distinctTiles = Number(process.env.SOAK_TILES || 400);
const SAMPLE_EVERY_MS = 10_000;

const ZOOMS = [10, 12, 13, 14, 15, 16];

/** One client's round of requests: mostly tiles, a write every few requests, an analysis now and then. */
const ROUND = ['tile', 'tile', 'items', 'tile', 'progress', 'write', 'tile', 'tile', 'items', 'tile',
  'labels', 'write', 'tile', 'tile', 'items', 'progress', 'tile', 'write', 'tile', 'conflicts'] as const;
type Kind = (typeof ROUND)[number];
const ROUTE: Record<Kind, string> = {
  tile: 'GET /tiles/:layers/:z/:x/:y.mvt (z10–16)',
  items: 'GET /ogc/collections/:id/items (100 in a bbox)',
  labels: 'GET /api/layers/:id/labels',
  progress: 'GET /api/progress',
  write: 'PATCH /ogc/collections/parcel/items/:fid (If-Match)',
  conflicts: 'POST /api/conflicts (a stored red line)',
};

/** What the soak reads from the server's GET /metrics at each sample. */
interface Figures {
  /** resident memory, V8 heap in use, memory outside the heap (Buffers), tile cache (MB) */
  rss: number;
  heap: number;
  external: number;
  tiles: number;
  /** event-loop stalls over 100 ms so far */
  stalls: number;
  /** tile cache hits and misses so far */
  hits: number;
  misses: number;
}

function tileAt(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return { x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n) };
}

const bench: Benchmark = {
  name: `soak (${seconds} s, ${clients} clients)`,
  async run({ pool, baseUrl, authHeaders }) {
    const base = baseUrl.replace(/\/$/, '');
    const { rows: points } = await pool.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) lon, ST_Y(p) lat FROM (SELECT ST_PointOnSurface(geom) p FROM parcel ORDER BY md5(id::text) LIMIT $1) s`, [Math.ceil(distinctTiles / 2)]);
    const tiles = Array.from({ length: distinctTiles }, (_, i) => {
      const { lon, lat } = points[i % points.length];
      const z = ZOOMS[i % ZOOMS.length];
      const layers = LAYERS.filter((l) => l.minZoom <= z);
      const { x, y } = tileAt(lon, lat, z);
      return `/tiles/${layers[Math.floor(i / ZOOMS.length) % layers.length].id}/${z}/${x}/${y}.mvt`;
    });
    const projects = (await pool.query<{ id: number }>('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id')).rows.map((r) => r.id);
    // each client writes parcels of its own: a 412 would be the bench's doing, not the server's
    const writable = (await pool.query<{ id: number }>('SELECT id FROM parcel ORDER BY id DESC LIMIT $1', [clients * 20])).rows.map((r) => r.id);
    const versions = new Map<number, string>();

    const times = new Map<Kind, number[]>(ROUND.map((k) => [k, []]));
    const errors: string[] = [];
    let requests = 0;

    /** The server's figures from its GET /metrics. */
    const memory = async (): Promise<Figures> => {
      const text = await (await fetch(`${base}/metrics`, { headers: authHeaders })).text();
      const mb = (name: string) => {
        const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
        if (!m) throw new Error(`GET /metrics has no ${name}`);
        return Number(m[1]) / 2 ** 20;
      };
      const count = (series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? NaN);
      const stalls = count('eventloop_delay_seconds_count') - count('eventloop_delay_seconds_bucket{le="0.1"}');
      return { rss: mb('process_resident_memory_bytes'), heap: mb('nodejs_heap_size_used_bytes'), external: mb('nodejs_external_memory_bytes'), tiles: mb('tile_cache_bytes'), stalls,
        hits: count('tile_cache_hits_total'), misses: count('tile_cache_misses_total') };
    };

    const request = async (kind: Kind, client: number, i: number): Promise<void> => {
      let path: string;
      let init: RequestInit = { headers: authHeaders };
      let fid = 0;
      switch (kind) {
        case 'tile':
          path = tiles[(client * 97 + i * 31) % tiles.length];
          break;
        case 'items': {
          const { lon, lat } = points[(client * 13 + i) % points.length];
          path = `/ogc/collections/${i % 2 ? 'house' : 'parcel'}/items?limit=100&bbox=${lon - 0.005},${lat - 0.005},${lon + 0.005},${lat + 0.005}`;
          break;
        }
        case 'labels':
          path = `/api/layers/${LABELLED_LAYERS[(client + i) % LABELLED_LAYERS.length]}/labels`;
          break;
        case 'progress':
          path = `/api/progress?groupBy=${['district', 'area', 'project'][i % 3]}`;
          break;
        case 'write': {
          const mine = writable.filter((_, k) => k % clients === client);
          fid = mine[i % mine.length];
          if (!versions.has(fid)) {
            const res = await fetch(`${base}/ogc/collections/parcel/items/${fid}`, { headers: authHeaders });
            await res.arrayBuffer();
            versions.set(fid, res.headers.get('etag') ?? '');
          }
          path = `/ogc/collections/parcel/items/${fid}`;
          init = {
            method: 'PATCH',
            headers: { ...authHeaders, 'content-type': 'application/merge-patch+json', 'if-match': versions.get(fid)! },
            body: JSON.stringify({ properties: { owner_name: `耐久测试 ${client}-${i}` }, reason: 'soak' }),
          };
          break;
        }
        case 'conflicts':
          path = '/api/conflicts';
          init = { method: 'POST', headers: { ...authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ projectId: projects[(client + i) % projects.length] }) };
          break;
      }
      const t0 = performance.now();
      try {
        const res = await fetch(base + path, init);
        await res.arrayBuffer();
        times.get(kind)!.push(performance.now() - t0);
        if (res.status !== 200) errors.push(`${init.method ?? 'GET'} ${path}: ${res.status}`);
        else if (kind === 'write') versions.set(fid, res.headers.get('etag') ?? '');
      } catch (err) {
        errors.push(`${init.method ?? 'GET'} ${path}: ${(err as Error).message}`);
      }
      requests++;
    };

    const start = performance.now();
    const deadline = start + seconds * 1000;
    const samples: (Figures & { t: number })[] = [{ t: 0, ...(await memory()) }];
    const sampler = setInterval(() => {
      const t = Math.round((performance.now() - start) / 1000);
      memory().then((m) => samples.push({ t, ...m }), (err) => errors.push(`GET /metrics: ${(err as Error).message}`));
    }, SAMPLE_EVERY_MS);
    await Promise.all(Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) await request(ROUND[(i + client * 5) % ROUND.length], client, i);
    }));
    clearInterval(sampler);
    const end = Math.round((performance.now() - start) / 1000);
    samples.push({ t: end, ...(await memory()) });

    // RSS swings with the garbage collector by a fifth or more between samples: compare the medians of a
    // window after the warm-up and of the same window at the end
    const window = Math.max(SAMPLE_EVERY_MS / 1000, Math.min(60, (end - warmupSeconds) / 2));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const warmRss = median(samples.filter((s) => s.t >= warmupSeconds && s.t <= warmupSeconds + window).map((s) => s.rss));
    const endRss = median(samples.filter((s) => s.t >= end - window).map((s) => s.rss));
    console.log(`soak memory every ${SAMPLE_EVERY_MS / 1000} s (RSS / heap used / external / tile cache, MB): ` +
      samples.map((s) => `${s.t}s ${s.rss.toFixed(0)}/${s.heap.toFixed(0)}/${s.external.toFixed(0)}/${s.tiles.toFixed(1)}`).join(', '));
    if (errors.length) console.log(`soak errors (${errors.length}), the first: ${errors.slice(0, 10).join('; ')}`);

    const [first, last] = [samples[0], samples.at(-1)!];
    const rows: BenchRow[] = ROUND.filter((k, i) => ROUND.indexOf(k) === i).map((k) => summarize(`soak: ${ROUTE[k]}`, times.get(k)!));
    rows.push(summarize('soak: every request', [...times.values()].flat(),
      `RSS median ${warmupSeconds}–${warmupSeconds + window} s ${warmRss.toFixed(0)} MB → last ${window} s ${endRss.toFixed(0)} MB ` +
      `(×${(endRss / warmRss).toFixed(3)}), peak ${Math.max(...samples.map((s) => s.rss)).toFixed(0)} MB; ` +
      `${errors.length} errors in ${requests} requests; event-loop stalls over 100 ms: ${last.stalls - first.stalls}; ` +
      `tile cache hits ${(100 * (last.hits - first.hits) / (last.hits - first.hits + last.misses - first.misses)).toFixed(0)} %; ${clients} clients, ${end} s`));
    return rows;
  },
};

export default bench;
