// Import through the HTTP API on the large data set, as the bench account: a GeoJSON of N parcels
// uploaded (POST /api/import → the validated preview) and committed (POST /api/import/:id/commit),
// the two timed apart. (a) N existing parcels, by code with their stored geometry, one attribute
// changed (owner_name): every feature an update; (b) N new parcels (fresh codes, 4 m squares on
// existing parcels' PointOnSurface, the project as the batch's default): every feature an insert.
// The data is left as found: the updates alternate between a changed and the original owner_name
// (an even number of runs, so the last one writes the originals back; versions and history still
// grow, as with any write), the new parcels and the bench's import batches are deleted through SQL.
// The request shapes (multipart layer, project, crs, file; commit with a JSON body) are the same
// before and after the write-path rebuild, so this file also runs on the older code.
import { type Benchmark, type BenchRow, summarize } from './harness.ts';

const SIZES = [100, 1000];
const RUNS = 5;
const WARMUP = 1; // WARMUP + RUNS even: the update runs end on the original values
const CODE_PREFIX = 'BENCH-IMP-';

interface Feature { type: 'Feature'; geometry: unknown; properties: Record<string, unknown> }

const bench: Benchmark = {
  name: 'import (preview + commit, GeoJSON)',
  async run({ baseUrl, pool, authHeaders }) {
    const rows: BenchRow[] = [];
    const { rows: [{ first }] } = await pool.query<{ first: number }>(`SELECT coalesce(max(id), 0)::int + 1 AS first FROM import_batch`);

    async function upload(features: Feature[], project?: number): Promise<{ id: number; ms: number; counts: Record<string, number> }> {
      const form = new FormData();
      form.append('layer', 'parcel');
      form.append('crs', 'EPSG:4490');
      if (project !== undefined) form.append('project', String(project));
      form.append('file', new Blob([JSON.stringify({ type: 'FeatureCollection', features })], { type: 'application/geo+json' }), 'bench.geojson');
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/import`, { method: 'POST', headers: authHeaders, body: form });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 201) throw new Error(`import preview: ${res.status} ${text.slice(0, 500)}`);
      const body = JSON.parse(text) as { id: number; counts: Record<string, number> };
      if (body.counts.errors > 0) throw new Error(`import preview has ${body.counts.errors} error(s): ${text.slice(0, 1000)}`);
      return { id: body.id, ms, counts: body.counts };
    }

    async function commit(id: number): Promise<{ ms: number; inserted: number; updated: number }> {
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/import/${id}/commit`, {
        method: 'POST', headers: { ...authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'benchmark' }),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`import commit: ${res.status} ${text.slice(0, 1000)}`);
      const body = JSON.parse(text) as { inserted: number; updated: number };
      return { ms, inserted: body.inserted, updated: body.updated };
    }

    try {
      for (const n of SIZES) {
        // (a) updates: N existing (non-military) parcels, their stored geometry, owner_name changed
        const { rows: targets } = await pool.query<{ code: string; owner_name: string; g: string }>(
          `SELECT code, owner_name, ST_AsGeoJSON(geom, 15) AS g FROM parcel WHERE owner_type <> 'military' ORDER BY id LIMIT $1`, [n]);
        if (targets.length < n) throw new Error(`only ${targets.length} parcels`);
        const previewMs: number[] = [];
        const commitMs: number[] = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const features: Feature[] = targets.map((t) => ({
            type: 'Feature', geometry: JSON.parse(t.g),
            properties: { code: t.code, owner_name: i % 2 === 0 ? `${t.owner_name}（基准）` : t.owner_name },
          }));
          const p = await upload(features);
          if (p.counts.update !== n) throw new Error(`update preview: ${JSON.stringify(p.counts)}`);
          const c = await commit(p.id);
          if (c.updated !== n || c.inserted !== 0) throw new Error(`update commit: ${JSON.stringify(c)}`);
          if (i >= WARMUP) { previewMs.push(p.ms); commitMs.push(c.ms); }
        }
        rows.push(summarize(`import ${n} updates: preview`, previewMs, 'upload + parse + validate'));
        rows.push(summarize(`import ${n} updates: commit`, commitMs, `${(commitMs.slice().sort((a, b) => a - b)[RUNS >> 1] / n).toFixed(2)} ms/feature (median)`));

        // (b) inserts: N new parcels, 4 m squares on existing parcels, the first one's project as the default
        const { rows: anchors } = await pool.query<{ x: number; y: number; project_id: number }>(
          `SELECT ST_X(p) x, ST_Y(p) y, project_id FROM (SELECT ST_PointOnSurface(geom) p, project_id FROM parcel ORDER BY id DESC LIMIT $1) s`, [n]);
        const project = anchors[0].project_id;
        const d = 0.00002; // ≈ 2 m
        const previewNew: number[] = [];
        const commitNew: number[] = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const features: Feature[] = anchors.map((a, k) => ({
            type: 'Feature',
            geometry: { type: 'Polygon', coordinates: [[[a.x - d, a.y - d], [a.x + d, a.y - d], [a.x + d, a.y + d], [a.x - d, a.y + d], [a.x - d, a.y - d]]] },
            properties: { code: `${CODE_PREFIX}${n}-${i}-${k}`, owner_type: 'household', owner_name: `基准户 ${k}`, land_class: '0101' },
          }));
          const p = await upload(features, project);
          if (p.counts.insert !== n) throw new Error(`insert preview: ${JSON.stringify(p.counts)}`);
          const c = await commit(p.id);
          if (c.inserted !== n || c.updated !== 0) throw new Error(`insert commit: ${JSON.stringify(c)}`);
          if (i >= WARMUP) { previewNew.push(p.ms); commitNew.push(c.ms); }
          await pool.query(`DELETE FROM parcel WHERE code LIKE $1`, [`${CODE_PREFIX}%`]);
        }
        rows.push(summarize(`import ${n} inserts: preview`, previewNew, 'upload + parse + validate'));
        rows.push(summarize(`import ${n} inserts: commit`, commitNew, `${(commitNew.slice().sort((a, b) => a - b)[RUNS >> 1] / n).toFixed(2)} ms/feature (median)`));
      }
    } finally {
      await pool.query(`DELETE FROM parcel WHERE code LIKE $1`, [`${CODE_PREFIX}%`]);
      await pool.query(`DELETE FROM import_batch WHERE id >= $1 AND created_by = 'bench'`, [first]); // its features cascade
    }
    return rows;
  },
};
export default bench;
