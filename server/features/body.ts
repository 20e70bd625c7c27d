// A write's body, checked before anything touches the database: GeoJSON shape, geometry type, rings,
// coordinates (swapped axes, metres as degrees, zone, district extent), then every property against
// the collection's columns (unknown names, types, required values, coded values).
import { TAKE_STATUS } from '../../geo/domain.ts';
import { DISTRICT_BBOX, type LayerDef } from '../../geo/layers.ts';
import {
  checkFeatureShape, checkGeometryType, checkPlacement, checkPolygonCoordinates, type Issue, type PolygonalGeometry,
  type PolygonCoords, toEastNorth,
} from '../../geo/validate.ts';
import { codeOf } from './collections.ts';
import type { CollectionColumns, Column } from './columns.ts';
import type { FeatureCrs } from './crs.ts';
import { FeatureError } from './errors.ts';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_VERTICES = 100_000;

export type WriteMode = 'create' | 'replace' | 'patch';

export interface CheckedBody {
  /** GeoJSON in east/north (x, y) order in `srid`, for ST_GeomFromGeoJSON */
  geometry?: { geojson: string; srid: number };
  /** column → value to write; `undefined` = the column's default (replace) */
  props: Map<string, unknown>;
  reason?: string;
}

function issueError(issue: Issue): FeatureError {
  const status = issue.code === 'not_geojson' || issue.code === 'bad_coordinates' ? 400
    : issue.code === 'too_many_vertices' ? 413 : 422;
  return new FeatureError(status, issue.code, issue.message, { path: issue.path, position: issue.position });
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const typeName: Record<Column['kind'], string> = {
  text: 'a string', int: 'a whole number', number: 'a number', boolean: 'true or false', date: 'a date YYYY-MM-DD',
  timestamp: 'a timestamp', other: 'a value',
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** One property value, checked against its column and converted (coded labels → keys). */
export function checkValue(col: Column, value: unknown): unknown {
  const wrong = () => new FeatureError(422, 'wrong_type', `"${col.name}" must be ${typeName[col.kind]}${col.nullable ? ' or null' : ''}, got ${describe(value)}`,
    { field: col.name, path: `properties.${col.name}`, expected: col.kind });
  if (value === null) {
    if (!col.nullable) throw new FeatureError(422, 'missing_attribute', `"${col.name}" is required and cannot be null`, { field: col.name, path: `properties.${col.name}` });
    return null;
  }
  switch (col.kind) {
    case 'text': {
      if (typeof value !== 'string') throw wrong();
      if (col.vocab) {
        const code = codeOf(col.vocab, value.trim());
        if (!code) {
          const allowed = Object.entries(col.vocab).map(([k, l]) => `${k} (${l.zh})`);
          throw new FeatureError(422, 'wrong_value', `"${col.name}" must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`,
            { field: col.name, path: `properties.${col.name}`, allowed: Object.keys(col.vocab) });
        }
        return code;
      }
      return value;
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'date':
      if (typeof value !== 'string' || !validDate(value)) throw wrong();
      return value;
    case 'timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw wrong();
      return value;
    default:
      return value;
  }
}

function toEastNorthGeometry(g: PolygonalGeometry, crs: FeatureCrs): PolygonalGeometry {
  const ring = (r: number[][]) => r.map((p) => toEastNorth(p, crs));
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: (g.coordinates as PolygonCoords).map(ring) }
    : { type: 'MultiPolygon', coordinates: (g.coordinates as PolygonCoords[]).map((p) => p.map(ring)) };
}

/** Check a write's body for `layer`; throws a FeatureError with the first problem. */
export function checkBody(body: unknown, layer: LayerDef, cols: CollectionColumns, crs: FeatureCrs, mode: WriteMode): CheckedBody {
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

  const props = new Map<string, unknown>();
  const given = feature.properties ?? {};
  const byName = new Map(cols.writable.map((c) => [c.name, c]));
  for (const [name, value] of Object.entries(given)) {
    const col = byName.get(name);
    if (!col) {
      if (cols.readOnly.has(name)) continue; // sent back as read: ignored
      throw new FeatureError(422, 'unknown_attribute', `"${name}" is not an attribute of ${layer.id}; its attributes are ${[...byName.keys()].join(', ')}`,
        { field: name, path: `properties.${name}`, allowed: [...byName.keys()] });
    }
    props.set(name, checkValue(col, value));
  }
  if (mode !== 'patch') {
    for (const col of cols.writable) {
      if (props.has(col.name)) continue;
      if (!col.nullable && !col.hasDefault) {
        throw new FeatureError(422, 'missing_attribute', `"${col.name}" is required`, { field: col.name, path: `properties.${col.name}` });
      }
      if (mode === 'replace') props.set(col.name, undefined);
    }
  }
  if (mode === 'create' && layer.id === 'parcel' && props.has('status') && props.get('status') !== 'unsigned') {
    throw new FeatureError(422, 'status_transition', `a new parcel starts as 未签约 (unsigned), not ${TAKE_STATUS[props.get('status') as keyof typeof TAKE_STATUS].zh} (${String(props.get('status'))})`,
      { field: 'status', path: 'properties.status', allowed: ['unsigned'] });
  }
  let reason: string | undefined;
  if (feature.reason !== undefined) {
    if (typeof feature.reason !== 'string') throw new FeatureError(422, 'wrong_type', '"reason" must be a string', { path: 'reason' });
    reason = feature.reason;
  }
  return { geometry, props, reason };
}
