// Conflict analysis on the large data set: a red line of 1,000 vertices (a winding road corridor
// through the densest cane-base country) analysed by the server; and the browser's live Turf check,
// per edit (one vertex dragged), against 2,000 constraint polygons loaded for the view, timed inside
// headless Chromium. Targets: server p95 < 150 ms; browser < 16 ms per edit.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { type Benchmark, type BenchRow, measure, summarize } from './harness.ts';

type Ring = number[][];

/** A closed corridor polygon of exactly `vertices` positions (first repeated last) around a wavy centreline. */
export function corridor(cx: number, cy: number, vertices = 1000, lengthDeg = 0.05, halfWidthDeg = 0.0006): GeoJSON.Polygon {
  const side = (vertices - 1) / 2; // points per side; the ring is left side, right side reversed, close
  const n = Math.floor(side);
  const centre = Array.from({ length: n }, (_, i) => {
    const t = i / (n - 1);
    return [cx - lengthDeg / 2 + t * lengthDeg, cy + 0.004 * Math.sin(t * Math.PI * 3)];
  });
  const normal = (i: number) => {
    const a = centre[Math.max(0, i - 1)], b = centre[Math.min(n - 1, i + 1)];
    const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy);
    return [-dy / len, dx / len];
  };
  const left = centre.map((p, i) => [p[0] + normal(i)[0] * halfWidthDeg, p[1] + normal(i)[1] * halfWidthDeg]);
  const right = centre.map((p, i) => [p[0] - normal(i)[0] * halfWidthDeg, p[1] - normal(i)[1] * halfWidthDeg]).reverse();
  const ring: Ring = [...left, ...right];
  while (ring.length < vertices - 1) ring.splice(n, 0, [(left[n - 1][0] + right[0][0]) / 2 + 0.0001 * ring.length, (left[n - 1][1] + right[0][1]) / 2]);
  ring.push([...ring[0]]);
  return { type: 'Polygon', coordinates: [ring] };
}

async function bundleArea(): Promise<string> {
  const root = path.join(import.meta.dirname, '..');
  const out = await build({
    configFile: false, logLevel: 'warn', root,
    build: {
      write: false, minify: true, target: 'es2022',
      lib: { entry: path.join(root, 'geo/area.ts'), formats: ['iife'], name: 'ZsArea', fileName: () => 'area.js' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; code?: string }[] }[];
  const chunk = outputs[0].output.find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('vite produced no bundle for geo/area.ts');
  return chunk.code;
}

const bench: Benchmark = {
  name: 'conflict analysis (压占分析)',
  async run({ baseUrl, pool, authHeaders }) {
    const base = baseUrl.replace(/\/$/, '');
    // the densest cane-base country on a 0.03° grid
    const { rows } = await pool.query<{ x: number; y: number }>(
      `SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_Centroid(ST_Collect(geom)) c, count(*) n FROM cane_base
         GROUP BY ST_SnapToGrid(ST_Centroid(geom), 0.03) ORDER BY count(*) DESC LIMIT 1) s`);
    const { x, y } = rows[0];
    const rows_: BenchRow[] = [];

    // ---- server: 1,000-vertex red line, shifted a little every run ----
    let lastBody: any;
    const row = await measure('server: 1,000-vertex red line, all layers', async (i) => {
      const g = corridor(x + (i % 10) * 0.0003, y + (i % 7) * 0.0002);
      const res = await fetch(`${base}/api/conflicts`, { method: 'POST', headers: { ...authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ geometry: g }) });
      if (!res.ok) throw new Error(`POST /api/conflicts: ${res.status} ${await res.text()}`);
      lastBody = await res.json();
    }, { iterations: 60, warmup: 5 });
    const taken = lastBody.layers.map((l: any) => `${l.id} ${l.count}`).filter((s: string) => !s.endsWith(' 0')).join(', ');
    const landUse = lastBody.landUse as { classes: unknown[]; unsurveyed: { ellipsoidal: { m2: number } } };
    row.note = `vertices ${lastBody.redLine.vertices}; ${lastBody.conflictCount} features taken (${taken}); land-class table ${landUse.classes.length} classes, 未调查 ${landUse.unsurveyed.ellipsoidal.m2.toFixed(2)} m², ${lastBody.planning.consequences.length} consequences; target p95 < 150 ms`;
    rows_.push(row);

    // ---- browser: live Turf overlaps per edit, 2,000 view-loaded polygons ----
    const d = 0.04;
    const bbox = [x - d, y - d, x + d, y + d].map((v) => v.toFixed(6)).join(',');
    const get = async (layer: string, limit: number) => (await (await fetch(`${base}/api/layers/${layer}/features?bbox=${bbox}&limit=${limit}`, { headers: authHeaders })).json()).features as GeoJSON.Feature[];
    const cane = await get('cane_base', 800);
    const farmland = await get('farmland', 2000 - cane.length);
    const code = await bundleArea();
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ content: code });
      const redLine = corridor(x, y);
      const result = await page.evaluate(({ cane, farmland, redLine }) => {
        const Z = (window as unknown as { ZsArea: typeof import('../geo/area.ts') }).ZsArea;
        const live = new Z.LiveOverlaps();
        const t0 = performance.now();
        live.setFeatures({ cane_base: cane, farmland });
        const indexMs = performance.now() - t0;
        const ring = redLine.coordinates[0];
        const times: number[] = [];
        let last: ReturnType<typeof live.compute> | undefined;
        for (let i = 0; i < 240; i++) {
          // drag one vertex along the corridor's edge (the closing vertex stays the first)
          const k = 1 + ((i * 37) % (ring.length - 2));
          ring[k] = [ring[k][0] + 0.00005 * Math.sin(i), ring[k][1] + 0.00005 * Math.cos(i)];
          const s = performance.now();
          last = live.compute(redLine);
          times.push(performance.now() - s);
        }
        // adding a vertex changes the ring's structure: every field the boundary meets is cut again
        const full: number[] = [];
        for (let i = 0; i < 40; i++) {
          const k = 2 + ((i * 53) % (ring.length - 4));
          ring.splice(k, 0, [(ring[k - 1][0] + ring[k][0]) / 2, (ring[k - 1][1] + ring[k][1]) / 2]);
          const s = performance.now();
          live.compute(redLine);
          full.push(performance.now() - s);
          ring.splice(k, 1);
        }
        return { times: times.slice(20), full, indexMs, parts: live.size, layers: last!.layers.filter((l) => l.count > 0).map((l) => `${l.id} ${l.mu.toFixed(2)} 亩`) };
      }, { cane, farmland, redLine });
      const r = summarize('browser: live Turf overlaps per vertex edit', result.times,
        `${cane.length + farmland.length} view polygons (${result.parts} parts, indexed once in ${result.indexMs.toFixed(0)} ms); ${result.layers.join(', ')}; target < 16 ms`);
      rows_.push(r);
      rows_.push(summarize('browser: live Turf overlaps, vertex added (all cut again)', result.full, 'the rare edit: a click that adds a vertex'));
    } finally {
      await browser.close();
    }
    return rows_;
  },
};
export default bench;
