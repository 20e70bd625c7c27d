// Map data as GeoJSON (CRS84) by layer and bounding box: what the web map draws until the vector-tile
// capability takes over the large layers. Table and column names come from geo/layers.ts, never
// from the request.
import type pg from 'pg';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import { ident, type LayerField, selectFields } from '../core/catalogue.ts';

export type BBox = [number, number, number, number];

export interface LayerFeatures {
  type: 'FeatureCollection';
  features: { type: 'Feature'; id: number; geometry: unknown; properties: Record<string, unknown> }[];
  numberReturned: number;
  truncated: boolean;
}

export async function layerFeatures(
  pool: pg.Pool, layer: LayerDef, fields: LayerField[], bbox: BBox | undefined, limit: number,
): Promise<LayerFeatures> {
  const geom = `t.${ident(layer.geometryColumn)}`;
  const where = [`${geom} IS NOT NULL`];
  const params: unknown[] = [limit + 1];
  if (bbox) {
    params.push(...bbox);
    where.push(`${geom} && ST_MakeEnvelope($2, $3, $4, $5, 4490)`);
  }
  const { rows } = await pool.query<Record<string, unknown> & { id: number; geometry: string }>(
    `SELECT ${selectFields(fields)}, ST_AsGeoJSON(${geom}, 7) AS geometry
       FROM ${ident(layer.table)} t WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT $1`,
    params,
  );
  const truncated = rows.length > limit;
  const features = rows.slice(0, limit).map(({ geometry, ...properties }) => ({
    type: 'Feature' as const,
    id: properties.id,
    geometry: JSON.parse(geometry),
    properties,
  }));
  return { type: 'FeatureCollection', features, numberReturned: features.length, truncated };
}

/**
 * One label point per feature of a labelled layer (the catalogue's labelPoints), properties as
 * layerFeatures gives them: the centre of the largest inscribed circle of the feature's largest part
 * (the pole of inaccessibility, as the client's polylabel finds it), and `_area`, that part's area in
 * square degrees, which the style sorts by. Both stored with the feature whenever its geometry is
 * written (migrations/functions/60_labels.sql): computed here, per call, they took seconds.
 */
export async function layerLabels(pool: pg.Pool, layer: LayerDef, fields: LayerField[]): Promise<LayerFeatures> {
  const { rows } = await pool.query<Record<string, unknown> & { id: number; geometry: string; _area: number }>(
    `SELECT ${selectFields(fields)}, t.label_area AS _area, ST_AsGeoJSON(t.label_point, 7) AS geometry
       FROM ${ident(layer.table)} t WHERE t.label_point IS NOT NULL ORDER BY t.id`,
  );
  const features = rows.map(({ geometry, ...properties }) => ({
    type: 'Feature' as const, id: properties.id, geometry: JSON.parse(geometry), properties,
  }));
  return { type: 'FeatureCollection', features, numberReturned: features.length, truncated: false };
}

export interface LayerSummary {
  id: string;
  title: LayerDef['title'];
  geometry: LayerDef['geometry'];
  group: LayerDef['group'];
  count: number;
  bbox: BBox | null;
  /** count and bbox are the planner's statistics of a large table, not counted (see layerSummaries) */
  estimated: boolean;
}

/**
 * From this many rows on, a layer's count and extent come from the statistics PostgreSQL keeps
 * (live rows as the statistics collector counts them, the geometry column's NULL fraction and
 * extent from ANALYZE) instead of a scan: counting and bounding the three large layers at scale 25
 * (120k parcels, 228k farmland and 55k cane-base polygons) took ~0.6–1 s of every first view.
 */
export const ESTIMATE_FROM_ROWS = 20_000;

export async function layerSummaries(pool: pg.Pool, estimateFromRows = ESTIMATE_FROM_ROWS): Promise<LayerSummary[]> {
  // the statistics of every layer's table and geometry column (a table never analysed has none)
  const { rows: stats } = await pool.query<{ i: number; live: number; has_stats: boolean; null_frac: number }>(
    `SELECT (l.i - 1)::int AS i,
            -- the statistics collector's live rows (current within a second of each commit), else the
            -- planner's (last VACUUM / ANALYZE / CREATE INDEX; -1: never)
            (CASE WHEN pg_stat_get_live_tuples(c.oid) > 0 OR pg_stat_get_tuples_deleted(c.oid) > 0
                  THEN pg_stat_get_live_tuples(c.oid) ELSE greatest(c.reltuples, 0) END)::float8 AS live,
            s.null_frac IS NOT NULL AS has_stats, coalesce(s.null_frac, 0)::float8 AS null_frac
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS l(tbl, col, i)
       JOIN pg_class c ON c.oid = to_regclass(quote_ident(l.tbl))
       LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = l.tbl AND s.attname = l.col
      ORDER BY l.i`,
    [LAYERS.map((l) => l.table), LAYERS.map((l) => l.geometryColumn)],
  );
  const byLayer = new Map(stats.map((s) => [s.i, s]));
  const large = (i: number) => (byLayer.get(i)?.live ?? 0) >= estimateFromRows;
  // one round trip for all layers: exact count and extent of the small ones, estimated extent of the large
  const sql = LAYERS.map((l, i) => {
    const table = ident(l.table);
    const col = ident(l.geometryColumn);
    const s = byLayer.get(i);
    const count = large(i) ? 'NULL::int' : `(SELECT count(${col}) FROM ${table})::int`;
    const extent = large(i) && s?.has_stats
      ? `ST_EstimatedExtent(${literal(l.table)}, ${literal(l.geometryColumn)})::geometry`
      : `(SELECT ST_Extent(${col}) FROM ${table})::geometry`;
    return `SELECT ${i} AS i, ${count} AS n, ${extent} AS e`;
  }).join(' UNION ALL ');
  const { rows } = await pool.query<{ i: number; n: number | null; x0: number | null; y0: number | null; x1: number | null; y1: number | null }>(
    `SELECT i, n, ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (${sql}) s ORDER BY i`,
  );
  return rows.map((r) => {
    const l = LAYERS[r.i];
    const s = byLayer.get(r.i)!;
    const estimated = large(r.i);
    return {
      id: l.id, title: l.title, geometry: l.geometry, group: l.group,
      count: estimated ? Math.round(s.live * (1 - s.null_frac)) : r.n!,
      bbox: r.x0 === null ? null : [r.x0, r.y0!, r.x1!, r.y1!],
      estimated,
    };
  });
}

/** A text literal for SQL (table and column names from the catalogue, never from a request). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export interface DistrictInfo {
  name: string;
  synthetic: true;
  bbox: BBox;
  center: [number, number];
}

export async function districtInfo(pool: pg.Pool, fallback: BBox): Promise<DistrictInfo> {
  const { rows } = await pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
    'SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom) e FROM command_area) s',
  );
  const r = rows[0];
  const bbox: BBox = r && r.x0 !== null ? [r.x0, r.y0, r.x1, r.y1] : fallback;
  return {
    name: '港北区（演示）',
    synthetic: true,
    bbox,
    center: [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2],
  };
}
