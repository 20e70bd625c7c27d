// Reading features: a page of items (bbox, datetime, attribute filters, CRS) and one item. The JSON of
// each feature is built in the database and passed through as text, so a page of 1,000 is never
// parsed and re-serialised here; the page's ids are picked first, so rows skipped by OFFSET cost no JSON. Table and column names come from geo/layers.ts and the catalog.
import type pg from 'pg';
import type { OrderedIds } from './ordered-ids.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { ident } from '../core/catalogue.ts';
import type { CollectionColumns } from '../core/catalogue.ts';
import type { Param } from '../core/filter.ts';
import { geometryIn, type FeatureCrs } from './crs.ts';
import { layerGeometry, propertiesJson, storedAreaColumn } from '../core/catalogue.ts';

export interface BboxFilter {
  /** as sent: two corners in the bbox CRS's declared axis order */
  coords: [number, number, number, number];
  crs: FeatureCrs;
}

export interface TimeFilter {
  column: string;
  /** ISO date or timestamp; undefined = open */
  start?: string;
  end?: string;
  /** end is a whole day: include all of it */
  endIsDate?: boolean;
}

export interface ItemsQuery {
  bbox?: BboxFilter;
  datetime?: TimeFilter;
  /** attribute filters (server/core/filter.ts): each a condition over `t`, its values through `param` */
  conditions: ((param: Param) => string)[];
  limit: number;
  offset: number;
  crs: FeatureCrs;
  /** ORDER BY over `t` (server/core/filter.ts orderSql: sortby, ending in the id); the id alone by default */
  order?: string;
}

export function featureJsonSql(layer: LayerDef, cols: CollectionColumns, crs: FeatureCrs): string {
  return `json_build_object('type', 'Feature', 'id', t.id,
    'geometry', ST_AsGeoJSON(${geometryIn(layerGeometry(layer), crs)}, ${crs.decimals}, 0)::json,
    'properties', ${propertiesJson(cols)})`;
}

function whereClause(layer: LayerDef, q: Omit<ItemsQuery, 'limit' | 'offset' | 'crs'>, params: unknown[]): string {
  const geom = layerGeometry(layer);
  const where = [`${geom} IS NOT NULL`];
  if (q.bbox) {
    const [a0, b0, a1, b1] = q.bbox.coords;
    const [x0, y0, x1, y1] = q.bbox.crs.flip ? [b0, a0, b1, a1] : [a0, b0, a1, b1];
    params.push(x0, y0, x1, y1);
    const n = params.length;
    let env = `ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, ${q.bbox.crs.srid})`;
    if (q.bbox.crs.srid !== 4490) env = `ST_Transform(ST_Segmentize(${env}, 500), 4490)`;
    where.push(`ST_Intersects(${geom}, ${env})`);
  }
  if (q.datetime) {
    const col = `t.${ident(q.datetime.column)}`;
    where.push(`${col} IS NOT NULL`);
    if (q.datetime.start) {
      params.push(q.datetime.start);
      where.push(`${col}::timestamptz >= $${params.length}::timestamptz`);
    }
    if (q.datetime.end) {
      params.push(q.datetime.end);
      where.push(q.datetime.endIsDate
        ? `${col}::timestamptz < ($${params.length}::date + 1)::timestamptz`
        : `${col}::timestamptz <= $${params.length}::timestamptz`);
    }
  }
  const param: Param = (value) => `$${params.push(value)}`;
  for (const condition of q.conditions) where.push(condition(param));
  return where.join(' AND ');
}

export interface ItemsPage {
  /** the features as a JSON array, ready to splice into the response */
  featuresJson: string;
  numberReturned: number;
  numberMatched: number;
}

export async function queryItems(pool: pg.Pool, layer: LayerDef, cols: CollectionColumns, q: ItemsQuery, orderings?: OrderedIds): Promise<ItemsPage> {
  const params: unknown[] = [];
  const where = whereClause(layer, q, params);
  // a sorted result (the attribute table's pages): cut from the kept ordering
  if (orderings && q.order) return sortedPage(pool, layer, cols, q, orderings, where, params);
  const pageParams = [...params, q.limit, q.offset];
  const n = params.length;
  // the page's ids in the sort order (ARRAY(subquery) keeps it), numbered, then their JSON in that order
  const [page, count] = await Promise.all([
    pool.query<{ features: string; n: number }>(
      `SELECT coalesce(json_agg(f.j ORDER BY f.ord), '[]')::text AS features, count(*)::int AS n
         FROM (SELECT page.ord, ${featureJsonSql(layer, cols, q.crs)} AS j
                 FROM unnest(ARRAY(SELECT t.id FROM ${ident(layer.table)} t WHERE ${where}
                                    ORDER BY ${q.order ?? 't.id'} LIMIT $${n + 1} OFFSET $${n + 2})) WITH ORDINALITY AS page(id, ord)
                 JOIN ${ident(layer.table)} t ON t.id = page.id) f`,
      pageParams,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(layer.table)} t WHERE ${where}`, params),
  ]);
  return { featuresJson: page.rows[0].features, numberReturned: page.rows[0].n, numberMatched: count.rows[0].n };
}

/**
 * A page of a sorted result, cut from the result's ids in order (ordered-ids.ts): sorted once for the
 * first page asked, kept until the layer changes, so a page at any depth is rows by id.
 */
async function sortedPage(pool: pg.Pool, layer: LayerDef, cols: CollectionColumns, q: ItemsQuery, orderings: OrderedIds, where: string, params: unknown[]): Promise<ItemsPage> {
  const key = `${layer.id}\n${where}\n${JSON.stringify(params)}\n${q.order}`;
  let ids = orderings.get(key);
  if (!ids) {
    const mark = orderings.mark(layer.id);
    const { rows } = await pool.query<{ ids: number[] }>(
      `SELECT coalesce(array_agg(t.id ORDER BY ${q.order}), '{}') AS ids FROM ${ident(layer.table)} t WHERE ${where}`, params);
    ids = Int32Array.from(rows[0].ids);
    orderings.store(key, layer.id, ids, mark);
  }
  const page = Array.from(ids.subarray(q.offset, q.offset + q.limit));
  const { rows } = await pool.query<{ features: string; n: number }>(
    `SELECT coalesce(json_agg(f.j ORDER BY f.ord), '[]')::text AS features, count(*)::int AS n
       FROM (SELECT page.ord, ${featureJsonSql(layer, cols, q.crs)} AS j
               FROM unnest($1::int[]) WITH ORDINALITY AS page(id, ord)
               JOIN ${ident(layer.table)} t ON t.id = page.id) f`,
    [page]);
  return { featuresJson: rows[0].features, numberReturned: rows[0].n, numberMatched: ids.length };
}

/** A figure summed over the features a query matches: its unit says how the client shows it. */
export interface SummedField { name: string; unit: 'm2' | 'mu' | 'yuan'; sql: string }

/** What a layer's matches sum: the stored ellipsoidal area, and every attribute in 亩, m² or 元. */
export function summedFields(layer: LayerDef, cols: CollectionColumns): SummedField[] {
  const area = storedAreaColumn(layer);
  const fields: SummedField[] = area ? [{ name: 'area_m2', unit: 'm2', sql: `t.${ident(area)}` }] : [];
  for (const r of cols.read) {
    if (r.derived || (r.kind !== 'number' && r.kind !== 'int')) continue;
    const unit = /_mu$/.test(r.name) ? 'mu' : /_m2$/.test(r.name) ? 'm2' : /_yuan$/.test(r.name) ? 'yuan' : null;
    if (unit) fields.push({ name: r.name, unit, sql: r.sql });
  }
  return fields;
}

export interface Summary { numberMatched: number; sums: { name: string; unit: SummedField['unit']; value: number }[] }

/** Count and sums of the features a query matches (the attribute table's footer), in one statement. */
export async function summarise(pool: pg.Pool, layer: LayerDef, cols: CollectionColumns, q: Omit<ItemsQuery, 'limit' | 'offset' | 'crs'>): Promise<Summary> {
  const params: unknown[] = [];
  const where = whereClause(layer, q, params);
  const fields = summedFields(layer, cols);
  const { rows } = await pool.query<Record<string, number>>(
    `SELECT count(*)::int AS n${fields.map((f, i) => `, coalesce(sum(${f.sql}), 0)::float8 AS s${i}`).join('')}
       FROM ${ident(layer.table)} t WHERE ${where}`,
    params,
  );
  return { numberMatched: rows[0].n, sums: fields.map((f, i) => ({ name: f.name, unit: f.unit, value: rows[0][`s${i}`] })) };
}

/** The most ids one request answers (the whole parcel layer of a district is well under it). */
export const MAX_IDS = 100_000;

export interface IdsAnswer {
  /** the ids selected, ascending; at most MAX_IDS */
  ids: number[];
  numberMatched: number;
}

/**
 * The ids of the features a query selects, without their shapes (选择集: the map's box and lasso
 * select; a shared link's ids checked against what the reader may read now). `among` limits the answer
 * to those ids.
 */
export async function queryIds(pool: pg.Pool, layer: LayerDef, q: Omit<ItemsQuery, 'limit' | 'offset' | 'crs'>, among?: number[]): Promise<IdsAnswer> {
  const params: unknown[] = [];
  let where = whereClause(layer, q, params);
  if (among) {
    params.push(among);
    where += ` AND t.id = ANY($${params.length}::int[])`;
  }
  params.push(MAX_IDS);
  const { rows } = await pool.query<{ ids: number[] | null; n: number }>(
    `SELECT (SELECT array_agg(s.id ORDER BY s.id) FROM (SELECT t.id FROM ${ident(layer.table)} t WHERE ${where} ORDER BY t.id LIMIT $${params.length}) s) AS ids,
            (SELECT count(*)::int FROM ${ident(layer.table)} t WHERE ${where}) AS n`,
    params,
  );
  return { ids: rows[0].ids ?? [], numberMatched: rows[0].n };
}

export interface OneItem {
  featureJson: string;
  version: number | null;
}

export async function queryItem(
  pool: pg.Pool | pg.PoolClient, layer: LayerDef, cols: CollectionColumns, id: number, crs: FeatureCrs,
): Promise<OneItem | null> {
  const { rows } = await pool.query<{ j: string; version: number | null }>(
    `SELECT ${featureJsonSql(layer, cols, crs)}::text AS j, ${cols.versioned ? 't.version' : 'NULL::int'} AS version
       FROM ${ident(layer.table)} t WHERE t.id = $1 AND ${layerGeometry(layer)} IS NOT NULL`,
    [id],
  );
  return rows[0] ? { featureJson: rows[0].j, version: rows[0].version } : null;
}

/** Earliest and latest value of a collection's time column (for its temporal extent). */
export async function temporalExtent(pool: pg.Pool, layer: LayerDef, column: string): Promise<[string | null, string | null]> {
  const col = `t.${ident(column)}`;
  const { rows } = await pool.query<{ a: string | null; b: string | null }>(
    `SELECT to_char(min(${col})::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') a,
            to_char(max(${col})::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') b
       FROM ${ident(layer.table)} t WHERE ${layerGeometry(layer)} IS NOT NULL`,
  );
  return [rows[0]?.a ?? null, rows[0]?.b ?? null];
}
