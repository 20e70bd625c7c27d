// The feature API on the large data set: a page of 1,000 parcels in each supported CRS (target p95
// < 100 ms), and a write with history (a PATCH with If-Match, recorded in change_log; target p95 < 30 ms).
import { type Benchmark, type BenchRow, measure } from './harness.ts';

const CRSS: [string, string][] = [
  ['CRS84', 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'],
  ['EPSG:4490', 'http://www.opengis.net/def/crs/EPSG/0/4490'],
  ['EPSG:4326', 'http://www.opengis.net/def/crs/EPSG/0/4326'],
  ['EPSG:4524', 'http://www.opengis.net/def/crs/EPSG/0/4524'],
  ['EPSG:4525', 'http://www.opengis.net/def/crs/EPSG/0/4525'],
  ['EPSG:4545', 'http://www.opengis.net/def/crs/EPSG/0/4545'],
  ['EPSG:4546', 'http://www.opengis.net/def/crs/EPSG/0/4546'],
];

const bench: Benchmark = {
  name: 'feature API (OGC API – Features)',
  async run({ baseUrl, pool, authHeaders }) {
    const rows: BenchRow[] = [];
    const { rows: c } = await pool.query<{ n: number }>('SELECT count(*)::int n FROM parcel');
    const pages = Math.max(1, Math.floor(c[0].n / 1000) - 1);
    for (const [label, uri] of CRSS) {
      rows.push(await measure(`items: 1,000 parcels in ${label}`, async (i) => {
        const offset = ((i * 7919) % pages) * 1000;
        const res = await fetch(`${baseUrl}/ogc/collections/parcel/items?limit=1000&offset=${offset}&crs=${encodeURIComponent(uri)}`, { headers: authHeaders });
        if (!res.ok) throw new Error(`items ${label}: ${res.status}`);
        const body = (await res.json()) as { numberReturned: number };
        if (body.numberReturned !== 1000) throw new Error(`items ${label}: ${body.numberReturned} features`);
      }, { iterations: 30, note: `numberMatched ${c[0].n}` }));
    }
    rows.push(await measure('items: 1,000 parcels in a bbox (CRS84)', async (i) => {
      const x = 109.5 + (i % 5) * 0.03;
      const res = await fetch(`${baseUrl}/ogc/collections/parcel/items?limit=1000&bbox=${x},23.0,${x + 0.1},23.2`, { headers: authHeaders });
      if (!res.ok) throw new Error(`bbox: ${res.status}`);
      await res.arrayBuffer();
    }, { iterations: 30 }));

    // writes: patch parcels (owner name, and back), each in one transaction with its history row
    const { rows: targets } = await pool.query<{ id: number }>(`SELECT id FROM parcel ORDER BY id DESC LIMIT 100`);
    const versions = new Map<number, number>();
    for (const t of targets) {
      const res = await fetch(`${baseUrl}/ogc/collections/parcel/items/${t.id}`, { headers: authHeaders });
      versions.set(t.id, Number(res.headers.get('etag')!.replace(/"/g, '')));
    }
    rows.push(await measure('write with history (PATCH + If-Match)', async (i) => {
      const id = targets[i % targets.length].id;
      const res = await fetch(`${baseUrl}/ogc/collections/parcel/items/${id}`, {
        method: 'PATCH',
        headers: { ...authHeaders, 'content-type': 'application/merge-patch+json', 'If-Match': `"${versions.get(id)}"` },
        body: JSON.stringify({ properties: { owner_name: `基准测试 ${i}` }, reason: 'benchmark' }),
      });
      if (res.status !== 200) throw new Error(`write: ${res.status} ${await res.text()}`);
      versions.set(id, Number(res.headers.get('etag')!.replace(/"/g, '')));
      await res.arrayBuffer();
    }, { iterations: 100, warmup: 5 }));
    rows.push(await measure('write with history: geometry (PATCH + If-Match)', async (i) => {
      const id = targets[i % targets.length].id;
      const cur = await pool.query<{ g: string }>(`SELECT ST_AsGeoJSON(geom, 9) g FROM parcel WHERE id = $1`, [id]);
      const geometry = JSON.parse(cur.rows[0].g) as { coordinates: number[][][][] };
      geometry.coordinates[0][0] = geometry.coordinates[0][0].map(([x, y]) => [x + (i % 2 ? 1e-6 : -1e-6), y]);
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/ogc/collections/parcel/items/${id}`, {
        method: 'PATCH',
        headers: { ...authHeaders, 'content-type': 'application/merge-patch+json', 'If-Match': `"${versions.get(id)}"` },
        body: JSON.stringify({ geometry }),
      });
      if (res.status !== 200) throw new Error(`write: ${res.status} ${await res.text()}`);
      versions.set(id, Number(res.headers.get('etag')!.replace(/"/g, '')));
      await res.arrayBuffer();
      return performance.now() - t0;
    }, { iterations: 50, warmup: 5, note: 'includes reading the geometry first' }));
    return rows;
  },
};
export default bench;
