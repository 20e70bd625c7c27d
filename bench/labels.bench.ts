// Label points of the labelled layers, side by side in one run: the query that computed them per call
// (the largest part's largest inscribed circle, what GET /api/layers/{id}/labels did before migration
// 012) against the points stored on write, which the route now reads; then the route itself.
import { LAYERS, type LayerDef } from '../geo/layers.ts';
import { ident, loadLayerFields, selectFields } from '../server/core/catalogue.ts';
import { releasedFields } from '../server/core/release.ts';
import { type Benchmark, type BenchRow, measure } from './harness.ts';

const LAYER_IDS = ['red_line', 'village'];

function computedSql(layer: LayerDef, select: string): string {
  const geom = `t.${ident(layer.geometryColumn)}`;
  return `SELECT ${select}, ST_Area(part) AS _area, ST_AsGeoJSON((ST_MaximumInscribedCircle(part)).center, 7) AS geometry
       FROM ${ident(layer.table)} t,
            LATERAL (SELECT d.geom AS part FROM ST_Dump(${geom}) d ORDER BY ST_Area(d.geom) DESC LIMIT 1) biggest
      WHERE ${geom} IS NOT NULL ORDER BY t.id`;
}

const storedSql = (layer: LayerDef, select: string): string =>
  `SELECT ${select}, t.label_area AS _area, ST_AsGeoJSON(t.label_point, 7) AS geometry
     FROM ${ident(layer.table)} t WHERE t.label_point IS NOT NULL ORDER BY t.id`;

const bench: Benchmark = {
  name: 'label points (computed per call vs stored)',
  async run({ pool, baseUrl, authHeaders }) {
    const fields = await loadLayerFields(pool);
    const rows: BenchRow[] = [];
    for (const id of LAYER_IDS) {
      const layer = LAYERS.find((l) => l.id === id)!;
      const { rows: [{ n }] } = await pool.query<{ n: number }>(`SELECT count(label_point)::int AS n FROM ${ident(layer.table)}`);
      // the point alone (what storing saves), then with the properties the route sends
      const bare = 't.id';
      const full = selectFields(releasedFields(fields.get(id)!, layer, true));
      rows.push(await measure(`${id}: point, computed per call`, () => pool.query(computedSql(layer, bare)), { iterations: 5, warmup: 1, note: `${n} features` }));
      rows.push(await measure(`${id}: point, stored`, () => pool.query(storedSql(layer, bare)), { iterations: 5, warmup: 1, note: `${n} features` }));
      rows.push(await measure(`${id}: with properties, computed per call`, () => pool.query(computedSql(layer, full)), { iterations: 5, warmup: 1 }));
      rows.push(await measure(`${id}: with properties, stored`, () => pool.query(storedSql(layer, full)), { iterations: 5, warmup: 1 }));
      rows.push(await measure(`${id}: GET /api/layers/${id}/labels`, async () => {
        const res = await fetch(`${baseUrl}/api/layers/${id}/labels`, { headers: authHeaders });
        if (!res.ok) throw new Error(`${id} labels: ${res.status}`);
        return res.arrayBuffer();
      }, { iterations: 5, warmup: 1 }));
    }
    return rows;
  },
};
export default bench;
