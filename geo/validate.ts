// Checks a drawn or uploaded geometry before anything is written: shape of the GeoJSON, geometry
// type, rings (closed, enough points, self-intersections), and where the coordinates fall — swapped
// latitude/longitude, projected metres sent as degrees (or the reverse), a Gauss–Krüger zone that does
// not match the easting's prefix, and anything outside the district. Isomorphic: the feature API runs
// these on every write and the web editor runs them while drawing, so both say the same thing.
//
// Every problem is an `Issue`: a code, a message (English, with the Chinese term where it helps) and
// where it is — a JSON path into the request body and, for coordinates, the offending position.
import { type CrsInfo, transformPosition, zoneFromEasting } from './crs.ts';

export type IssueCode =
  | 'not_geojson'
  | 'wrong_geometry_type'
  | 'bad_coordinates'
  | 'too_few_points'
  | 'unclosed_ring'
  | 'self_intersection'
  | 'latlon_swapped'
  | 'metres_as_degrees'
  | 'degrees_as_metres'
  | 'wrong_zone'
  | 'outside_district'
  | 'too_many_vertices';

export interface Issue {
  code: IssueCode;
  message: string;
  /** JSON path into the request body, e.g. geometry.coordinates[0][0][3] */
  path?: string;
  /** the offending position, as sent */
  position?: number[];
}

export type BBox = [number, number, number, number];
export type Ring = number[][];
export type PolygonCoords = Ring[];

export interface PolygonalGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: PolygonCoords | PolygonCoords[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'];

/**
 * Is `body` a GeoJSON Feature (or, when `geometryRequired` is false, a Feature without geometry for a
 * patch)? Returns the first problem, or null.
 */
export function checkFeatureShape(body: unknown, opts: { geometryRequired: boolean }): Issue | null {
  if (!isObject(body)) return { code: 'not_geojson', message: 'the body must be a GeoJSON Feature object', path: '' };
  if (body.type !== 'Feature') {
    const got = typeof body.type === 'string' ? `"${body.type}"` : 'no "type"';
    const hint = body.type === 'FeatureCollection' ? ' (send one feature per request)' :
      GEOMETRY_TYPES.includes(String(body.type)) ? ' (wrap the geometry in {"type":"Feature","geometry":…,"properties":{…}})' : '';
    return { code: 'not_geojson', message: `the body must be a GeoJSON Feature: "type" is ${got}${hint}`, path: 'type' };
  }
  if (body.properties !== undefined && body.properties !== null && !isObject(body.properties)) {
    return { code: 'not_geojson', message: '"properties" must be an object or null', path: 'properties' };
  }
  if (body.geometry === undefined || body.geometry === null) {
    if (opts.geometryRequired) return { code: 'not_geojson', message: 'the feature has no geometry', path: 'geometry' };
    return null;
  }
  const g = body.geometry;
  if (!isObject(g) || typeof g.type !== 'string' || !GEOMETRY_TYPES.includes(g.type)) {
    return { code: 'not_geojson', message: `"geometry" is not a GeoJSON geometry (type must be one of ${GEOMETRY_TYPES.join(', ')})`, path: 'geometry.type' };
  }
  if (g.type !== 'GeometryCollection' && !Array.isArray(g.coordinates)) {
    return { code: 'not_geojson', message: `a ${g.type} needs a "coordinates" array`, path: 'geometry.coordinates' };
  }
  return null;
}

/** The geometry's type is one the collection takes (Polygon and MultiPolygon for polygon layers). */
export function checkGeometryType(geometry: { type: string }, allowed: readonly string[]): Issue | null {
  if (allowed.includes(geometry.type)) return null;
  return {
    code: 'wrong_geometry_type',
    message: `this collection takes ${allowed.join(' or ')} geometries, not ${geometry.type}`,
    path: 'geometry.type',
  };
}

/** The polygons of a Polygon or MultiPolygon with their JSON paths. */
export function polygonsOf(g: PolygonalGeometry): { coords: PolygonCoords; path: string }[] {
  return g.type === 'Polygon'
    ? [{ coords: g.coordinates as PolygonCoords, path: 'geometry.coordinates' }]
    : (g.coordinates as PolygonCoords[]).map((coords, i) => ({ coords, path: `geometry.coordinates[${i}]` }));
}

export function countPositions(g: PolygonalGeometry): number {
  let n = 0;
  for (const p of polygonsOf(g)) for (const ring of p.coords) n += Array.isArray(ring) ? ring.length : 0;
  return n;
}

const samePosition = (a: number[], b: number[]) => a[0] === b[0] && a[1] === b[1];

/**
 * Structure of a (Multi)Polygon's coordinates: nested arrays of 2–3 finite numbers, every ring at
 * least four positions and closed (last = first), at most `maxVertices` positions in all.
 */
export function checkPolygonCoordinates(g: PolygonalGeometry, maxVertices = Infinity): Issue | null {
  if (g.type === 'MultiPolygon' && (!Array.isArray(g.coordinates) || g.coordinates.length === 0)) {
    return { code: 'bad_coordinates', message: 'a MultiPolygon needs at least one polygon', path: 'geometry.coordinates' };
  }
  for (const { coords, path } of polygonsOf(g)) {
    if (!Array.isArray(coords) || coords.length === 0) {
      return { code: 'bad_coordinates', message: 'a polygon needs at least one ring (an array of positions)', path };
    }
    for (let r = 0; r < coords.length; r++) {
      const ring = coords[r];
      const ringPath = `${path}[${r}]`;
      if (!Array.isArray(ring)) return { code: 'bad_coordinates', message: 'a ring must be an array of positions', path: ringPath };
      for (let i = 0; i < ring.length; i++) {
        const p = ring[i];
        if (!Array.isArray(p) || p.length < 2 || p.length > 3 || p.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
          return { code: 'bad_coordinates', message: `a position must be [x, y] (or [x, y, z]) of finite numbers, got ${JSON.stringify(p)}`, path: `${ringPath}[${i}]` };
        }
      }
      if (ring.length < 4) {
        return { code: 'too_few_points', message: `ring ${r} has ${ring.length} positions; a ring needs at least 4 (three corners and the first again to close it)`, path: ringPath };
      }
      if (!samePosition(ring[0], ring[ring.length - 1])) {
        return {
          code: 'unclosed_ring',
          message: `ring ${r} is not closed: it starts at ${JSON.stringify(ring[0])} and ends at ${JSON.stringify(ring[ring.length - 1])}; repeat the first position at the end`,
          path: `${ringPath}[${ring.length - 1}]`,
          position: ring[ring.length - 1],
        };
      }
    }
  }
  const n = countPositions(g);
  if (n > maxVertices) {
    return { code: 'too_many_vertices', message: `the geometry has ${n} positions; the limit is ${maxVertices}`, path: 'geometry.coordinates' };
  }
  return null;
}

/** The CRS a body's coordinates are in, and the axis order it declares. */
export type InputCrs = Pick<CrsInfo, 'epsg' | 'geographic' | 'axisOrder' | 'zone' | 'zonePrefix'> & { label: string };

/** [x, y] in the declared axis order → [east/lon, north/lat] (proj4's and PostGIS's order). */
export function toEastNorth(p: number[], crs: Pick<InputCrs, 'axisOrder'>): [number, number] {
  return crs.axisOrder === 'lonlat' ? [p[0], p[1]] : [p[1], p[0]];
}

/** Longitude/latitude (CGCS2000) of a position given in `crs`'s declared axis order. */
export function toLonLat(p: number[], crs: InputCrs, swap = false): [number, number] {
  const [e, n] = toEastNorth(swap ? [p[1], p[0]] : p, crs);
  if (crs.geographic) return [e, n];
  try {
    const out = transformPosition(crs.epsg, 4490, [e, n]);
    return Number.isFinite(out[0]) && Number.isFinite(out[1]) ? out : [NaN, NaN];
  } catch {
    return [NaN, NaN];
  }
}

const inBox = (p: [number, number], b: BBox) => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];

function* positions(g: PolygonalGeometry): Generator<{ p: number[]; path: string }> {
  for (const { coords, path } of polygonsOf(g)) {
    for (let r = 0; r < coords.length; r++) {
      for (let i = 0; i < coords[r].length; i++) yield { p: coords[r][i], path: `${path}[${r}][${i}]` };
    }
  }
}

function axisNames(crs: InputCrs): string {
  if (crs.axisOrder === 'lonlat') return 'longitude, latitude';
  if (crs.axisOrder === 'latlon') return 'latitude, longitude';
  return 'northing, easting';
}

/** Which CGCS2000 GK CRS projected coordinates like these probably are (for the error message). */
export function guessProjectedCrs(p: number[]): string {
  const zone = zoneFromEasting(p[0]) ?? zoneFromEasting(p[1]);
  if (zone === 36) return 'EPSG:4524 (CGCS2000 3° zone 36, with zone prefix)';
  if (zone === 37) return 'EPSG:4525 (CGCS2000 3° zone 37, with zone prefix)';
  if (zone !== undefined) return `the CGCS2000 3° zone ${zone} CRS with zone prefix`;
  return 'EPSG:4545 or EPSG:4546 (CGCS2000 3° CM 108°E / 111°E, no zone prefix)';
}

/**
 * Where the coordinates fall, for a body in `crs`: projected metres sent as degrees, degrees sent as
 * metres, a zone prefix that is not the CRS's zone, swapped axes, anything outside `district`.
 * The first problem, or null.
 */
export function checkPlacement(g: PolygonalGeometry, crs: InputCrs, district: BBox): Issue | null {
  const all = [...positions(g)];
  if (crs.geographic) {
    const big = all.find(({ p }) => Math.abs(p[0]) > 180 || Math.abs(p[1]) > 180);
    if (big) {
      return {
        code: 'metres_as_degrees',
        message: `${JSON.stringify(big.p.slice(0, 2))} cannot be degrees (${crs.label} is ${axisNames(crs)} in degrees): ` +
          `these look like projected metres; send them with Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/…> naming their CRS, probably ${guessProjectedCrs(big.p)}`,
        path: big.path,
        position: big.p,
      };
    }
  } else {
    if (all.every(({ p }) => Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 180)) {
      const { p, path } = all[0];
      return {
        code: 'degrees_as_metres',
        message: `${JSON.stringify(p.slice(0, 2))} look like degrees, but ${crs.label} is ${axisNames(crs)} in metres: ` +
          'send degrees as CRS84 (longitude, latitude; no Content-Crs) or say which CRS they are in',
        path,
        position: p,
      };
    }
    if (crs.zonePrefix && crs.zone !== undefined) {
      for (const { p, path } of all) {
        const easting = toEastNorth(p, crs)[0];
        const zone = zoneFromEasting(easting);
        const swappedZone = zoneFromEasting(toEastNorth([p[1], p[0]], crs)[0]);
        if (zone !== undefined && zone !== crs.zone) {
          return {
            code: 'wrong_zone',
            message: `easting ${easting} carries zone ${zone} in front, but ${crs.label} is zone ${crs.zone}: use ${guessProjectedCrs([easting])}`,
            path,
            position: p,
          };
        }
        if (zone === undefined && swappedZone === undefined) {
          return {
            code: 'wrong_zone',
            message: `${JSON.stringify(p.slice(0, 2))}: ${crs.label} has the zone number (${crs.zone}) in front of an 8-digit easting; neither value has one`,
            path,
            position: p,
          };
        }
      }
    }
  }
  const outside = all.find(({ p }) => !inBox(toLonLat(p, crs), district));
  if (!outside) return null;
  if (all.every(({ p }) => inBox(toLonLat(p, crs, true), district))) {
    const order = axisNames(crs);
    return {
      code: 'latlon_swapped',
      message: `the axes are swapped: ${crs.label} takes ${order}, and read that way ${JSON.stringify(outside.p.slice(0, 2))} is outside the district; ` +
        `read the other way round every position is inside. Send ${order}` +
        (crs.axisOrder === 'lonlat' ? ' (GeoJSON order), or name EPSG:4490 in Content-Crs for latitude first' : ''),
      path: outside.path,
      position: outside.p,
    };
  }
  const ll = toLonLat(outside.p, crs);
  const where = Number.isFinite(ll[0]) ? ` (longitude ${ll[0].toFixed(6)}, latitude ${ll[1].toFixed(6)})` : '';
  return {
    code: 'outside_district',
    message: `${JSON.stringify(outside.p.slice(0, 2))}${where} is outside the district's extent ` +
      `(longitude ${district[0]}–${district[2]}, latitude ${district[1]}–${district[3]})`,
    path: outside.path,
    position: outside.p,
  };
}

/** The (Multi)Polygon with every position turned into [lon, lat] (CGCS2000). */
export function polygonToLonLat(g: PolygonalGeometry, crs: InputCrs): PolygonalGeometry {
  const ring = (r: Ring) => r.map((p) => toLonLat(p, crs) as number[]);
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: (g.coordinates as PolygonCoords).map(ring) }
    : { type: 'MultiPolygon', coordinates: (g.coordinates as PolygonCoords[]).map((poly) => poly.map(ring)) };
}

/** [x, y] of where two segments cross (properly or touching), or null. */
function segmentsCross(a: number[], b: number[], c: number[], d: number[]): [number, number] | null {
  const d1x = b[0] - a[0], d1y = b[1] - a[1], d2x = d[0] - c[0], d2y = d[1] - c[1];
  const den = d1x * d2y - d1y * d2x;
  if (den === 0) return null; // parallel (collinear overlaps are left to the database's check)
  const t = ((c[0] - a[0]) * d2y - (c[1] - a[1]) * d2x) / den;
  const u = ((c[0] - a[0]) * d1y - (c[1] - a[1]) * d1x) / den;
  if (t < 0 || t > 1 || u < 0 || u > 1) return null;
  return [a[0] + t * d1x, a[1] + t * d1y];
}

/**
 * Where a ring crosses itself: every crossing of two non-adjacent edges, up to `max` (O(n²): for
 * drawing feedback; the server's authority is PostGIS ST_IsValidDetail).
 */
export function ringSelfIntersections(ring: Ring, max = Infinity): { point: [number, number]; edges: [number, number] }[] {
  const n = ring.length - 1; // edges
  const out: { point: [number, number]; edges: [number, number] }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a vertex
      const hit = segmentsCross(ring[i], ring[i + 1], ring[j], ring[j + 1]);
      if (hit) {
        out.push({ point: hit, edges: [i, j] });
        if (out.length >= max) return out;
      }
    }
  }
  return out;
}

/** The first place a ring crosses itself, or null. */
export function ringSelfIntersection(ring: Ring): { point: [number, number]; edges: [number, number] } | null {
  return ringSelfIntersections(ring, 1)[0] ?? null;
}

/** The first self-intersecting ring of a (Multi)Polygon, as an Issue. */
export function checkSelfIntersection(g: PolygonalGeometry): Issue | null {
  for (const { coords, path } of polygonsOf(g)) {
    for (let r = 0; r < coords.length; r++) {
      const hit = ringSelfIntersection(coords[r]);
      if (hit) {
        return {
          code: 'self_intersection',
          message: `ring ${r} crosses itself at ${JSON.stringify(hit.point)} (edges ${hit.edges[0]} and ${hit.edges[1]})`,
          path: `${path}[${r}]`,
          position: hit.point,
        };
      }
    }
  }
  return null;
}

/** All the geometry checks a client can run before sending (the server runs the same). */
export function validatePolygonFeatureGeometry(g: PolygonalGeometry, crs: InputCrs, district: BBox, maxVertices = Infinity): Issue | null {
  return checkGeometryType(g, ['Polygon', 'MultiPolygon'])
    ?? checkPolygonCoordinates(g, maxVertices)
    ?? checkPlacement(g, crs, district)
    ?? checkSelfIntersection(g);
}
