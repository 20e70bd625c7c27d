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
}

export async function layerSummaries(pool: pg.Pool): Promise<LayerSummary[]> {
  // one round trip for all layers
  const sql = LAYERS.map((l, i) => `SELECT ${i} AS i, (SELECT count(${ident(l.geometryColumn)}) FROM ${ident(l.table)})::int AS n,
      (SELECT ST_Extent(${ident(l.geometryColumn)}) FROM ${ident(l.table)})::geometry AS e`).join(' UNION ALL ');
  const { rows } = await pool.query<{ i: number; n: number; x0: number | null; y0: number | null; x1: number | null; y1: number | null }>(
    `SELECT i, n, ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (${sql}) s ORDER BY i`,
  );
  return rows.map((r) => {
    const l = LAYERS[r.i];
    return {
      id: l.id, title: l.title, geometry: l.geometry, group: l.group, count: r.n,
      bbox: r.x0 === null ? null : [r.x0, r.y0!, r.x1!, r.y1!],
    };
  });
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
