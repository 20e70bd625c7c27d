// Tile SQL. Both encoders read the same rows: the features whose geometry meets the (buffered) tile,
// found through the GiST index on the stored Web-Mercator copy of the geometry (migration 010), which
// is also what is clipped and encoded: no per-feature transform; simplified to half a tile unit
// (below z14); at most FEATURE_LIMIT per layer, largest first.
// - nativeTileSql: PostGIS encodes (ST_AsMVTGeom + ST_AsMVT), every layer of a tile in one statement.
// - clippedTileSql: PostGIS clips and scales to tile units; JavaScript encodes (encode.ts). For
//   PGlite, whose PostGIS is built without protobuf-c.
// The text depends only on the layers and their fields, never on the tile: the tile is $1 z, $2 x,
// $3 y, so each statement is prepared once per connection and reused (render.ts).
import type { LayerDef } from '../../geo/layers.ts';
import { ident, type LayerField, selectFields } from '../core/catalogue.ts';

export const EXTENT = 4096;
export const BUFFER = 64; // tile units of margin, so strokes and labels cross tile edges cleanly
/** The visible rule when a tile would hold more: the largest features are kept (smallest dropped). */
export const FEATURE_LIMIT = 5000;

const WEB_MERCATOR_HALF = 20037508.342789244;

import type { TileCoord } from '../../geo/bbox.ts';
export type { TileCoord };

/** Half a tile unit at zoom z, in metres of Web Mercator: simplification below what a pixel shows. */
export function simplifyTolerance(z: number): number {
  return (2 * WEB_MERCATOR_HALF) / 2 ** z / EXTENT / 2;
}

/** Tile bounds in Web Mercator metres. */
export function tileBounds({ z, x, y }: TileCoord): { xmin: number; ymin: number; xmax: number; ymax: number } {
  const size = (2 * WEB_MERCATOR_HALF) / 2 ** z;
  const xmin = -WEB_MERCATOR_HALF + x * size;
  const ymax = WEB_MERCATOR_HALF - y * size;
  return { xmin, ymin: ymax - size, xmax: xmin + size, ymax };
}

/** The same tolerance in SQL, from $1 (the zoom). */
const TOLERANCE_SQL = `(${2 * WEB_MERCATOR_HALF / EXTENT / 2}::float8 / power(2::float8, $1::int))`;
/**
 * From this zoom on, features are not simplified: half a tile unit is 0.3 m at z14 and less beyond,
 * under the spacing of any surveyed vertex, so simplifying removed almost nothing (0.3 % of the bytes
 * of a z14 parcel tile) for ~6 % of the query's CPU. Snapping to the tile grid still applies.
 */
export const SIMPLIFY_BELOW_ZOOM = 14;

/** The stored Web-Mercator copy of a layer's geometry (migration 010: `<geometry column>_3857`). */
export const mercatorColumn = (layer: LayerDef): string => `${layer.geometryColumn}_3857`;

// The tile's envelope, the simplification tolerance and the buffered envelope (all Web Mercator),
// computed once per statement (MATERIALIZED: with a generic plan an inlined envelope would be
// recomputed per row).
const BOUNDS = `bounds AS MATERIALIZED (
    SELECT ST_TileEnvelope($1, $2, $3) AS env, ${TOLERANCE_SQL} AS tolerance, $1::int < ${SIMPLIFY_BELOW_ZOOM} AS simplify,
           ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / EXTENT}) AS env_buffered)`;


function candidates(layer: LayerDef, fields: LayerField[], geomExpr: (g3857: string) => string): string {
  const geom = `t.${ident(mercatorColumn(layer))}`;
  // largest first for polygons and lines; points in id order (stable between zooms). Layers that store
  // their area (the catalogue's storesArea) rank by it rather than by an area computed for every
  // candidate of every tile (~5 % of a parcel tile's database CPU): the same order up to the
  // projection's scale, constant within a tile
  const order = layer.geometry === 'polygon' ? `${layer.storesArea ? 't.area_m2' : `ST_Area(${geom})`} DESC, t.id`
    : layer.geometry === 'line' ? `ST_Length(${geom}) DESC, t.id` : 't.id';
  const g3857 = layer.geometry === 'point' ? geom : `CASE WHEN b.simplify THEN ST_Simplify(${geom}, b.tolerance, true) ELSE ${geom} END`;
  // below LIMIT, so the outer "geom IS NOT NULL" is not pushed down to evaluate geomExpr twice
  return `SELECT ${selectFields(fields)}, ${geomExpr(g3857)} AS geom
      FROM ${ident(layer.table)} t, bounds b
     WHERE ${geom} && b.env_buffered
     ORDER BY ${order}
     LIMIT ${FEATURE_LIMIT}`;
}

/** One MVT layer as a scalar subquery over `bounds` (bytea; empty when no feature is in the tile). */
function nativeLayer(layer: LayerDef, fields: LayerField[]): string {
  return `(SELECT ST_AsMVT(q, ${sqlString(layer.id)}, ${EXTENT}, 'geom', 'id') FROM (
      ${candidates(layer, fields, (g) => `ST_AsMVTGeom(${g}, b.env, ${EXTENT}, ${BUFFER}, true)`)}
    ) q WHERE q.geom IS NOT NULL)`;
}

/**
 * A tile of one or more layers, encoded by PostGIS, as one statement: each layer's message,
 * concatenated (an MVT tile is a sequence of layer messages). Returns one row: { mvt: base64 text }.
 * Base64 rather than bytea: node-postgres reads bytea as hex text, twice the tile's bytes to receive
 * and decode; as base64 a 19 KB parcel tile took ~0.09 ms less of the server's CPU (0.21 vs 0.30 ms
 * per query, measured). Its binary result format is no way out: pg-protocol decodes every value as
 * UTF-8 first, which mangles bytes that are not.
 */
export function nativeTileSql(layers: { layer: LayerDef; fields: LayerField[] }[]): string {
  const parts = layers.map(({ layer, fields }) => `coalesce(${nativeLayer(layer, fields)}, ''::bytea)`);
  return `WITH ${BOUNDS}\n    SELECT encode(${parts.join('\n      || ')}, 'base64') AS mvt`;
}

/**
 * The same features, clipped to the buffered tile, scaled to tile units (y down), snapped to the
 * unit grid and made valid, as GeoJSON text for the JavaScript encoder. Rows: fields…, geom.
 */
export function clippedTileSql(layer: LayerDef, fields: LayerField[]): string {
  const kind = layer.geometry === 'polygon' ? 3 : layer.geometry === 'line' ? 2 : 1;
  const width = '(ST_XMax(b.env) - ST_XMin(b.env))';
  const height = '(ST_YMax(b.env) - ST_YMin(b.env))';
  const clip = (g: string) => layer.geometry === 'point' ? g
    : `ST_ClipByBox2D(${g}, ST_Expand(b.env, ${width} * ${BUFFER / EXTENT})::box2d)`;
  const toTileUnits = (g: string) => `ST_Affine(${clip(g)},
      ${EXTENT} / ${width}, 0, 0, -${EXTENT} / ${height},
      -ST_XMin(b.env) * ${EXTENT} / ${width}, ST_YMax(b.env) * ${EXTENT} / ${height})`;
  const tileGeom = (g: string) =>
    `ST_CollectionExtract(ST_MakeValid(ST_RemoveRepeatedPoints(ST_SnapToGrid(${toTileUnits(g)}, 1))), ${kind})`;
  const names = ['id', ...fields.map((f) => f.name)].map((n) => `q.${ident(n)}`).join(', ');
  return `WITH ${BOUNDS}
    SELECT ${names}, ST_AsGeoJSON(q.geom, 0) AS geom FROM (${candidates(layer, fields, tileGeom)}) q
     WHERE NOT ST_IsEmpty(q.geom)`;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Detected once at start: can this PostGIS encode MVT itself? (PGlite's cannot.) */
export const CAN_ENCODE_MVT_SQL =
  `SELECT ST_AsMVT(q, 'probe', ${EXTENT}, 'geom') AS mvt FROM (SELECT 1 AS id, ST_AsMVTGeom(ST_MakePoint(1, 1), ST_MakeEnvelope(0, 0, 10, 10)) AS geom) q`;
