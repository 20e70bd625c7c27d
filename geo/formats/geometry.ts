// Plain geometry helpers shared by the exchange formats: ring orientation, closure, assembling rings
// into polygons (outer rings and the holes inside them), and bounding boxes. No Node APIs.
export type Pos = number[];
export type Ring = Pos[];
export type PolygonCoords = Ring[];

export type Geometry =
  | { type: 'Point'; coordinates: Pos }
  | { type: 'MultiPoint'; coordinates: Pos[] }
  | { type: 'LineString'; coordinates: Pos[] }
  | { type: 'MultiLineString'; coordinates: Pos[][] }
  | { type: 'Polygon'; coordinates: PolygonCoords }
  | { type: 'MultiPolygon'; coordinates: PolygonCoords[] };

/** Twice the signed area (shoelace) relative to the first vertex: > 0 counter-clockwise in x-east/y-north. */
export function signedArea2(ring: Ring): number {
  if (ring.length < 3) return 0;
  const x0 = ring[0][0], y0 = ring[0][1];
  let s = 0;
  for (let i = 1; i < ring.length - 1; i++) {
    s += (ring[i][0] - x0) * (ring[i + 1][1] - y0) - (ring[i + 1][0] - x0) * (ring[i][1] - y0);
  }
  return s;
}

export const ringArea = (ring: Ring): number => Math.abs(signedArea2(ring)) / 2;

export function isClosed(ring: Ring): boolean {
  const a = ring[0], b = ring[ring.length - 1];
  return ring.length > 1 && a[0] === b[0] && a[1] === b[1];
}

/**
 * 界址点数: the corners of a boundary, each counted once. A closed ring repeats its first position
 * at the end; that closing position is the same 界址点 (J1) and is not counted again, so a
 * six-cornered red line has 6 boundary points, not 7.
 */
export function boundaryPointCount(polygons: PolygonCoords[]): number {
  let n = 0;
  for (const p of polygons) for (const r of p) n += isClosed(r) ? r.length - 1 : r.length;
  return n;
}

export function closeRing(ring: Ring): Ring {
  return isClosed(ring) ? ring : [...ring, [ring[0][0], ring[0][1]]];
}

/** The ring with the wanted orientation (ccw = counter-clockwise in x-east/y-north axes). */
export function orient(ring: Ring, ccw: boolean): Ring {
  const isCcw = signedArea2(ring) > 0;
  return isCcw === ccw ? ring : [...ring].reverse();
}

/** Polygons as outer ring counter-clockwise, holes clockwise (RFC 7946), or the reverse (shapefile). */
export function orientPolygons(polys: PolygonCoords[], outerCcw: boolean): PolygonCoords[] {
  return polys.map((p) => p.map((r, i) => orient(r, i === 0 ? outerCcw : !outerCcw)));
}

export function polygonsOf(g: Geometry): PolygonCoords[] {
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

export function pointInRing(p: Pos, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Closed rings without a known structure (shapefile parts, DXF polylines) → polygons: each ring that lies
 * inside another (by one of its vertices) is a hole of the smallest ring containing it; the others are
 * outer rings. Orientation is not trusted (writers differ).
 */
export function assembleRings(rings: Ring[]): PolygonCoords[] {
  const withArea = rings.map((r) => ({ r, a: ringArea(r) })).sort((x, y) => y.a - x.a);
  const polys: { outer: Ring; area: number; holes: Ring[] }[] = [];
  for (const { r, a } of withArea) {
    let host: (typeof polys)[number] | undefined;
    for (const p of polys) {
      if (p.area > a && pointInRing(r[0], p.outer) && !p.holes.some((h) => pointInRing(r[0], h))) {
        if (!host || p.area < host.area) host = p;
      }
    }
    if (host) host.holes.push(r);
    else polys.push({ outer: r, area: a, holes: [] });
  }
  return polys.map((p) => [p.outer, ...p.holes]);
}

export type BBox = [number, number, number, number];

/** How deep each geometry type nests its positions (a Point's coordinates are one position). */
const POSITION_DEPTH: Record<Geometry['type'], number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };

/**
 * Where a parsed geometry's coordinates are not nested arrays of [x, y] or [x, y, z] finite numbers to
 * the depth its type says (e.g. `coordinates[0][3]: null`), or null when they are. Parsers check this
 * before anything walks the positions (bboxOf, reprojection), so a bad position is named, not a crash.
 */
export function malformedPosition(g: { type: Geometry['type']; coordinates: unknown }): string | null {
  const walk = (c: unknown, depth: number, path: string): string | null => {
    if (depth === 0) {
      const ok = Array.isArray(c) && (c.length === 2 || c.length === 3) && c.every((v) => typeof v === 'number' && Number.isFinite(v));
      return ok ? null : `${path}: ${JSON.stringify(c) ?? String(c)} is not a position [x, y] of finite numbers`;
    }
    if (!Array.isArray(c)) return `${path}: ${JSON.stringify(c) ?? String(c)} is not an array`;
    for (let i = 0; i < c.length; i++) {
      const bad = walk(c[i], depth - 1, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  };
  return walk(g.coordinates, POSITION_DEPTH[g.type], 'coordinates');
}

export function bboxOf(g: Geometry): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const p = c as number[];
      if (p[0] < b[0]) b[0] = p[0];
      if (p[1] < b[1]) b[1] = p[1];
      if (p[0] > b[2]) b[2] = p[0];
      if (p[1] > b[3]) b[3] = p[1];
    } else for (const x of c as unknown[]) visit(x);
  };
  visit(g.coordinates);
  return b;
}

/** Every position of a geometry, mapped (e.g. swapped or reprojected). */
export function mapPositions(g: Geometry, f: (p: Pos) => Pos): Geometry {
  const m = (c: unknown): unknown => (typeof (c as number[])[0] === 'number' ? f(c as Pos) : (c as unknown[]).map(m));
  return { type: g.type, coordinates: m(g.coordinates) } as Geometry;
}
