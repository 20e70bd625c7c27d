// A write's body, checked before anything touches the database: GeoJSON shape, geometry type, rings,
// coordinates (swapped axes, metres as degrees, zone, district extent), then every property against
// the collection's columns (unknown names, types, required values, coded values).
import { DISTRICT_BBOX, type LayerDef } from '../../geo/layers.ts';
import {
  checkFeatureShape, checkGeometryType, checkPlacement, checkPolygonCoordinates, type Issue, type PolygonalGeometry,
  type PolygonCoords, toEastNorth,
} from '../../geo/validate.ts';
import { isErrorCode } from '../../geo/errors.ts';
import type { CollectionColumns } from '../core/catalogue.ts';
import { DomainError } from '../core/errors.ts';
import { checkProps, type WriteMode } from '../core/write.ts';
import type { FeatureCrs } from './crs.ts';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_VERTICES = 100_000;

export type { WriteMode };

export interface CheckedBody {
  /** GeoJSON in east/north (x, y) order in `srid`, for ST_GeomFromGeoJSON */
  geometry?: { geojson: string; srid: number };
  /** column → value to write; `undefined` = the column's default (replace) */
  props: Map<string, unknown>;
  reason?: string;
}

/** A geometry finding of geo/validate.ts as a refusal: shape problems are bad requests, the rest unprocessable. */
function issueError(issue: Issue): DomainError {
  const status = issue.code === 'not_geojson' || issue.code === 'bad_coordinates' ? 400 : issue.code === 'too_many_vertices' ? 413 : 422;
  const code = isErrorCode(issue.code) ? issue.code : 'invalid_geometry';
  return new DomainError(code, issue.message, { path: issue.path ?? null, position: issue.position ?? null }, { status });
}

function toEastNorthGeometry(g: PolygonalGeometry, crs: FeatureCrs): PolygonalGeometry {
  const ring = (r: number[][]) => r.map((p) => toEastNorth(p, crs));
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: (g.coordinates as PolygonCoords).map(ring) }
    : { type: 'MultiPolygon', coordinates: (g.coordinates as PolygonCoords[]).map((p) => p.map(ring)) };
}

/** Check a write's body for `layer`; throws a FeatureError with the first problem. */
export function checkBody(body: unknown, layer: LayerDef, cols: CollectionColumns, crs: FeatureCrs, mode: WriteMode, sees = true): CheckedBody {
  const shape = checkFeatureShape(body, { geometryRequired: mode !== 'patch' });
  if (shape) throw issueError(shape);
  const feature = body as { geometry?: { type: string; coordinates: unknown } | null; properties?: Record<string, unknown> | null; reason?: unknown };

  let geometry: CheckedBody['geometry'];
  if (feature.geometry) {
    const allowed = layer.geometry === 'polygon' ? ['Polygon', 'MultiPolygon'] : layer.geometry === 'line' ? ['LineString', 'MultiLineString'] : ['Point'];
    const g = feature.geometry as PolygonalGeometry;
    const problem = checkGeometryType(g, allowed) ?? checkPolygonCoordinates(g, MAX_VERTICES) ?? checkPlacement(g, crs, DISTRICT_BBOX);
    if (problem) throw issueError(problem);
    geometry = { geojson: JSON.stringify(toEastNorthGeometry(g, crs)), srid: crs.srid };
  }

  const props = checkProps(feature.properties ?? {}, layer, cols, mode, { sees });
  let reason: string | undefined;
  if (feature.reason !== undefined) {
    if (typeof feature.reason !== 'string' || feature.reason.includes('\0') || feature.reason.length > 1000) {
      throw new DomainError('wrong_type', '"reason" must be a string of at most 1000 characters', { field: 'reason', expected: 'text' });
    }
    reason = feature.reason;
  }
  return { geometry, props, reason };
}
