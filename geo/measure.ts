// Measuring on the map (量测): lengths and areas on the GRS80 ellipsoid (CGCS2000), with the planar
// Gauss–Krüger figure of a CGCS2000 3° zone beside them. Isomorphic: the browser's measure tool and
// the tests use the same functions.
//
// - Lengths: Vincenty's inverse formula on GRS80 (geodesic distance, accurate to well under a
//   millimetre for any two points that are not nearly antipodal) — what PostGIS ST_Length(geography)
//   and ST_Distance(geography) give (they use GeographicLib).
// - Areas: each edge (a geodesic, as PostGIS geography takes it) is cut into pieces of at most 1 km
//   along the geodesic (Vincenty's direct formula), the vertices mapped to the authalic sphere (same
//   longitude, authalic latitude, radius R_q: an equal-area mapping of the ellipsoid) and the area
//   summed exactly on that sphere. Agrees with PostGIS ST_Area(geography) to ~1e-7 for the district's
//   fields and red lines (tests/geo/measure.test.ts). Turf's area (a sphere of the mean radius) is
//   0.2 % off at 23°N, geo/area.ts liveArea ~0.01 %: this one is for figures people write down.
// - Planar: the vertices projected into the zone's GK plane (geo/area.ts), Euclidean distances and
//   the shoelace area — what 勘测定界 computes from boundary-point coordinates.
import { gaussKrugerEpsg, transformPosition, zoneForLongitude } from './crs.ts';
import { planarArea, polygonsOf, type AreaGeometry, zoneForGeometry } from './area.ts';
import { areaFigures, type AreaFigures } from './units.ts';

/** GRS80 (= the CGCS2000 ellipsoid in a and 1/f) */
export const GRS80 = { a: 6378137, f: 1 / 298.257222101 } as const;
const A = GRS80.a;
const F = GRS80.f;
const B = A * (1 - F);
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

export class GeodesicError extends Error {}

export interface Inverse {
  /** metres along the geodesic */
  distance: number;
  /** forward azimuth at the first point, degrees clockwise from north */
  azimuth1: number;
  /** forward azimuth at the second point */
  azimuth2: number;
}

function series(u2: number): { a: number; b: number } {
  return {
    a: 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2))),
    b: (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2))),
  };
}

function deltaSigma(b: number, sinS: number, cosS: number, cos2Sm: number): number {
  return b * sinS * (cos2Sm + (b / 4) * (cosS * (-1 + 2 * cos2Sm * cos2Sm) - (b / 6) * cos2Sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2Sm * cos2Sm)));
}

/** Geodesic between two lon/lat points (degrees) on GRS80: Vincenty's inverse formula. */
export function geodesicInverse(lon1: number, lat1: number, lon2: number, lat2: number): Inverse {
  const L = (lon2 - lon1) * RAD;
  const tanU1 = (1 - F) * Math.tan(lat1 * RAD), cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1), sinU1 = tanU1 * cosU1;
  const tanU2 = (1 - F) * Math.tan(lat2 * RAD), cosU2 = 1 / Math.sqrt(1 + tanU2 * tanU2), sinU2 = tanU2 * cosU2;
  let lambda = L, prev: number;
  let sinL = 0, cosL = 0, sinS = 0, cosS = 0, sigma = 0, cos2A = 0, cos2Sm = 0;
  let iterations = 0;
  do {
    sinL = Math.sin(lambda);
    cosL = Math.cos(lambda);
    const t = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
    sinS = Math.sqrt(cosU2 * sinL * (cosU2 * sinL) + t * t);
    if (sinS === 0) return { distance: 0, azimuth1: 0, azimuth2: 0 }; // the same point
    cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    sigma = Math.atan2(sinS, cosS);
    const sinA = (cosU1 * cosU2 * sinL) / sinS;
    cos2A = 1 - sinA * sinA;
    cos2Sm = cos2A !== 0 ? cosS - (2 * sinU1 * sinU2) / cos2A : 0; // on the equator
    const C = (F / 16) * cos2A * (4 + F * (4 - 3 * cos2A));
    prev = lambda;
    lambda = L + (1 - C) * F * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
    if (++iterations > 200) throw new GeodesicError(`no geodesic found between (${lon1}, ${lat1}) and (${lon2}, ${lat2}): nearly antipodal points`);
  } while (Math.abs(lambda - prev) > 1e-12);
  const u2 = (cos2A * (A * A - B * B)) / (B * B);
  const s = series(u2);
  const distance = B * s.a * (sigma - deltaSigma(s.b, sinS, cosS, cos2Sm));
  const az1 = Math.atan2(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL) / RAD;
  const az2 = Math.atan2(cosU1 * sinL, -sinU1 * cosU2 + cosU1 * sinU2 * cosL) / RAD;
  return { distance, azimuth1: (az1 + 360) % 360, azimuth2: (az2 + 360) % 360 };
}

/** The point `distance` metres from (lon, lat) along the geodesic leaving at `azimuth` degrees: Vincenty's direct formula. */
export function geodesicDirect(lon: number, lat: number, azimuth: number, distance: number): [number, number] {
  const a1 = azimuth * RAD;
  const sinA1 = Math.sin(a1), cosA1 = Math.cos(a1);
  const tanU1 = (1 - F) * Math.tan(lat * RAD), cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1), sinU1 = tanU1 * cosU1;
  const sigma1 = Math.atan2(tanU1, cosA1);
  const sinA = cosU1 * sinA1;
  const cos2A = 1 - sinA * sinA;
  const u2 = (cos2A * (A * A - B * B)) / (B * B);
  const s = series(u2);
  let sigma = distance / (B * s.a), prev: number;
  let sinS = 0, cosS = 0, cos2Sm = 0;
  let iterations = 0;
  do {
    cos2Sm = Math.cos(2 * sigma1 + sigma);
    sinS = Math.sin(sigma);
    cosS = Math.cos(sigma);
    prev = sigma;
    sigma = distance / (B * s.a) + deltaSigma(s.b, sinS, cosS, cos2Sm);
    if (++iterations > 200) throw new GeodesicError('the direct geodesic did not converge');
  } while (Math.abs(sigma - prev) > 1e-12);
  sinS = Math.sin(sigma);
  cosS = Math.cos(sigma);
  cos2Sm = Math.cos(2 * sigma1 + sigma);
  const x = sinU1 * sinS - cosU1 * cosS * cosA1;
  const lat2 = Math.atan2(sinU1 * cosS + cosU1 * sinS * cosA1, (1 - F) * Math.sqrt(sinA * sinA + x * x));
  const lambda = Math.atan2(sinS * sinA1, cosU1 * cosS - sinU1 * sinS * cosA1);
  const C = (F / 16) * cos2A * (4 + F * (4 - 3 * cos2A));
  const L = lambda - (1 - C) * F * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
  return [lon + L / RAD, lat2 / RAD];
}

/** Geodesic distance (m) between two lon/lat points on GRS80. */
export function geodesicDistance(p: number[], q: number[]): number {
  return geodesicInverse(p[0], p[1], q[0], q[1]).distance;
}

/** Ellipsoidal length (m) of a lon/lat line: the sum of its geodesic segments. */
export function geodesicLength(line: number[][]): number {
  let s = 0;
  for (let i = 1; i < line.length; i++) s += geodesicDistance(line[i - 1], line[i]);
  return s;
}

// ---- ellipsoidal area ----

/** the longest piece (m) an edge is cut into before it goes to the authalic sphere */
const PIECE_M = 1000;

function q(sinPhi: number): number {
  const es = E * sinPhi;
  return (1 - E2) * (sinPhi / (1 - es * es) - (1 / (2 * E)) * Math.log((1 - es) / (1 + es)));
}
const QP = q(1);
/** radius of the sphere with the ellipsoid's surface area */
export const AUTHALIC_RADIUS = A * Math.sqrt(QP / 2);

/** Authalic latitude (radians) of a geodetic latitude in degrees. */
function authalic(latDeg: number): number {
  const v = q(Math.sin(latDeg * RAD)) / QP;
  return Math.asin(Math.max(-1, Math.min(1, v)));
}

/** The ring's vertices with every edge cut into geodesic pieces of at most PIECE_M. */
function densify(ring: number[][]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    out.push([x1, y1]);
    const inv = geodesicInverse(x1, y1, x2, y2);
    const n = Math.ceil(inv.distance / PIECE_M);
    for (let k = 1; k < n; k++) out.push(geodesicDirect(x1, y1, inv.azimuth1, (inv.distance * k) / n));
  }
  if (ring.length) out.push(ring[ring.length - 1]);
  return out;
}

/** Unsigned ellipsoidal area (m²) of one closed lon/lat ring with geodesic edges. */
export function geodesicRingArea(ring: number[][]): number {
  if (ring.length < 4) return 0;
  const pts = densify(ring);
  let excess = 0;
  let t1 = Math.tan(authalic(pts[0][1]) / 2);
  for (let i = 1; i < pts.length; i++) {
    const t2 = Math.tan(authalic(pts[i][1]) / 2);
    let dl = (pts[i][0] - pts[i - 1][0]) * RAD;
    if (dl > Math.PI) dl -= 2 * Math.PI;
    else if (dl < -Math.PI) dl += 2 * Math.PI;
    // the signed spherical excess of the triangle (pole, p_{i-1}, p_i)
    excess += 2 * Math.atan2(Math.tan(dl / 2) * (t1 + t2), 1 + t1 * t2);
    t1 = t2;
  }
  return Math.abs(excess) * AUTHALIC_RADIUS * AUTHALIC_RADIUS;
}

/** Ellipsoidal area (m²) of a lon/lat Polygon or MultiPolygon on GRS80: outer rings minus holes, as PostGIS ST_Area(geography). */
export function ellipsoidalArea(g: AreaGeometry): number {
  let total = 0;
  for (const p of polygonsOf(g)) p.forEach((ring, i) => (total += (i === 0 ? 1 : -1) * geodesicRingArea(ring)));
  return total;
}

// ---- the measure tool's figures ----

/** Euclidean length (m) of a lon/lat line projected into the zone's Gauss–Krüger plane. */
export function planarLength(line: number[][], zone: number): number {
  const epsg = gaussKrugerEpsg(zone, true);
  const pts = line.map((p) => transformPosition(4490, epsg, [p[0], p[1]]));
  let s = 0;
  for (let i = 1; i < pts.length; i++) s += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
  return s;
}

export interface LengthMeasure {
  /** geodesic, on GRS80 (m) */
  ellipsoidal: number;
  /** in the GK plane of `zone` (m) */
  planar: number;
  zone: number;
}

export interface AreaMeasure {
  ellipsoidal: AreaFigures;
  planar: AreaFigures;
  /** geodesic perimeter (m) */
  perimeter: number;
  zone: number;
}

/** The 3° zone a line is measured in: the override when given, else the zone of its mean longitude. */
export function zoneForLine(line: number[][], override?: number): number {
  if (override !== undefined) return override;
  const lons = line.map((p) => p[0]);
  return zoneForLongitude((Math.min(...lons) + Math.max(...lons)) / 2);
}

/** A measured distance: the geodesic length and the planar GK length beside it. */
export function measureLine(line: number[][], zone?: number): LengthMeasure {
  const z = zoneForLine(line, zone);
  return { ellipsoidal: geodesicLength(line), planar: planarLength(line, z), zone: z };
}

/** A measured area (a closed ring, first point repeated): ellipsoidal and planar, with the perimeter. */
export function measureArea(ring: number[][], zone?: number): AreaMeasure {
  const g: GeoJSON.Polygon = { type: 'Polygon', coordinates: [ring] };
  const z = zoneForGeometry(g, zone);
  return { ellipsoidal: areaFigures(ellipsoidalArea(g)), planar: areaFigures(planarArea(g, z)), perimeter: geodesicLength(ring), zone: z };
}

/** '856.32 m' below a kilometre, '12.345 km' from one up (km to the metre). */
export function formatLength(m: number, locale: 'zh' | 'en' = 'zh'): string {
  const loc = locale === 'zh' ? 'zh-CN' : 'en-US';
  const n = (v: number, d: number) => v.toLocaleString(loc, { minimumFractionDigits: d, maximumFractionDigits: d });
  return m < 1000 ? `${n(m, 2)} m` : `${n(m / 1000, 3)} km`;
}
