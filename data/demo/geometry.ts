// Plane geometry of the demo district. Everything is built in metres east/north of the city centre
// (a local equirectangular frame, plenty accurate over 80 km for synthetic data) and turned into
// CGCS2000 lon/lat only on output. Meshes share vertex objects between neighbouring cells, so after
// rounding the shared coordinates are still bit-identical: that is what makes parcels tile a red
// line exactly (no slivers, no T-junctions) once they are in PostGIS.
import { CITY_CENTRE } from '../../geo/layers.ts';
import type { Rng } from './random.ts';

export type XY = [number, number];
/** an open ring (first point not repeated), counter-clockwise for outer rings */
export type Ring = XY[];

export interface MultiPolygonGeom { type: 'MultiPolygon'; coordinates: number[][][][] }
export interface MultiLineStringGeom { type: 'MultiLineString'; coordinates: number[][][] }
export interface PointGeom { type: 'Point'; coordinates: number[] }

const [LON0, LAT0] = CITY_CENTRE;
export const M_PER_DEG_LAT = 110_760;
export const M_PER_DEG_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);

/** 1e-7° ≈ 1 cm: enough for parcels, short JSON, and equal inputs still round to equal outputs */
const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

export function toLonLat([x, y]: XY): number[] {
  return [round7(LON0 + x / M_PER_DEG_LON), round7(LAT0 + y / M_PER_DEG_LAT)];
}

export function fromLonLat(lon: number, lat: number): XY {
  return [(lon - LON0) * M_PER_DEG_LON, (lat - LAT0) * M_PER_DEG_LAT];
}

function closedLonLat(ring: Ring): number[][] {
  const out = ring.map(toLonLat);
  out.push(out[0]);
  return out;
}

/** polygons: each [outer, ...holes] */
export function multiPolygon(polygons: Ring[][]): MultiPolygonGeom {
  return {
    type: 'MultiPolygon',
    coordinates: polygons.map(([outer, ...holes]) => [
      closedLonLat(ccw(outer)),
      ...holes.map((h) => closedLonLat(ccw(h).reverse())),
    ]),
  };
}

export const polygonGeom = (ring: Ring): MultiPolygonGeom => multiPolygon([[ring]]);

export function lineGeom(lines: XY[][]): MultiLineStringGeom {
  return { type: 'MultiLineString', coordinates: lines.map((l) => l.map(toLonLat)) };
}

export const pointGeom = (p: XY): PointGeom => ({ type: 'Point', coordinates: toLonLat(p) });

export function signedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return s / 2;
}

export const area = (ring: Ring): number => Math.abs(signedArea(ring));

export function ccw(ring: Ring): Ring {
  return signedArea(ring) >= 0 ? ring : [...ring].reverse();
}

export function centroid(ring: Ring): XY {
  let x = 0;
  let y = 0;
  for (const p of ring) {
    x += p[0];
    y += p[1];
  }
  return [x / ring.length, y / ring.length];
}

export function rect(x0: number, y0: number, x1: number, y1: number): Ring {
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

/** A copy of a convex ring shrunk towards its vertex centroid (stays inside it). */
export function shrink(ring: Ring, factor: number): Ring {
  const [cx, cy] = centroid(ring);
  return ring.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor] as XY);
}

export interface BBox { x0: number; y0: number; x1: number; y1: number }

export function bboxOf(points: readonly XY[]): BBox {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

export const bboxesMeet = (a: BBox, b: BBox): boolean => a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;

export function pointInRing([px, py]: XY, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Separating-axis test for two convex rings: true when they overlap by more than `margin` metres
 * along every axis. For a slightly non-convex ring it can only err towards "overlap", which is the
 * safe side for the uses here (keeping cane bases off red lines).
 */
export function convexOverlap(a: Ring, b: Ring, margin = 0): boolean {
  for (const ring of [a, b]) {
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i];
      const q = ring[(i + 1) % ring.length];
      const nx = q[1] - p[1];
      const ny = p[0] - q[0];
      const len = Math.hypot(nx, ny) || 1;
      const [amin, amax] = project(a, nx / len, ny / len);
      const [bmin, bmax] = project(b, nx / len, ny / len);
      if (amax - margin <= bmin || bmax - margin <= amin) return false;
    }
  }
  return true;
}

function project(ring: Ring, nx: number, ny: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const [x, y] of ring) {
    const d = x * nx + y * ny;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return [lo, hi];
}

/** A uniform-grid spatial hash over bounding boxes. */
export class GridIndex<T> {
  private readonly cells = new Map<number, { box: BBox; item: T }[]>();
  constructor(private readonly cellSize: number) {}

  private key(i: number, j: number): number {
    return (i + 100_000) * 200_003 + (j + 100_000);
  }

  insert(box: BBox, item: T): void {
    const entry = { box, item };
    this.forCells(box, (k) => {
      const list = this.cells.get(k);
      if (list) list.push(entry);
      else this.cells.set(k, [entry]);
    });
  }

  /** items whose boxes meet `box` (an item may be returned more than once) */
  query(box: BBox): T[] {
    const out: T[] = [];
    this.forCells(box, (k) => {
      for (const e of this.cells.get(k) ?? []) if (bboxesMeet(e.box, box)) out.push(e.item);
    });
    return out;
  }

  private forCells(box: BBox, fn: (key: number) => void): void {
    const s = this.cellSize;
    for (let i = Math.floor(box.x0 / s); i <= Math.floor(box.x1 / s); i++) {
      for (let j = Math.floor(box.y0 / s); j <= Math.floor(box.y1 / s); j++) fn(this.key(i, j));
    }
  }
}

// ---- polylines ----

/** Chaikin corner cutting: turns a few waypoints into a smooth road or river line. */
export function smooth(points: XY[], iterations = 3): XY[] {
  let pts = points;
  for (let n = 0; n < iterations; n++) {
    const out: XY[] = [pts[0]];
    for (let i = 0; i < pts.length - 1; i++) {
      const [ax, ay] = pts[i];
      const [bx, by] = pts[i + 1];
      out.push([0.75 * ax + 0.25 * bx, 0.75 * ay + 0.25 * by], [0.25 * ax + 0.75 * bx, 0.25 * ay + 0.75 * by]);
    }
    out.push(pts[pts.length - 1]);
    pts = out;
  }
  return pts;
}

export function lineLength(points: XY[]): number {
  let s = 0;
  for (let i = 1; i < points.length; i++) s += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
  return s;
}

/** The point at arc length s along a polyline (clamped to its ends). */
export function pointAt(points: XY[], s: number): XY {
  let rest = Math.max(0, s);
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1];
    const [bx, by] = points[i];
    const seg = Math.hypot(bx - ax, by - ay);
    if (rest <= seg && seg > 0) return [ax + ((bx - ax) * rest) / seg, ay + ((by - ay) * rest) / seg];
    rest -= seg;
  }
  return points[points.length - 1];
}

/** Unit normal to the left of the line at arc length s, from a chord around s (smooth along curves). */
function leftNormalAt(points: XY[], s: number, total: number): XY {
  const a = pointAt(points, Math.max(0, s - 15));
  const b = pointAt(points, Math.min(total, s + 15));
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy) || 1;
  return [-dy / len, dx / len];
}

/** One piece of a mesh that becomes one parcel: its ring and the convex cells it is made of. */
export interface MeshPiece { ring: Ring; cells: Ring[] }
export interface Mesh { redLine: Ring; pieces: MeshPiece[] }

/**
 * A road red line (a corridor along a centre line) cut into parcels: cross-cuts every ~spacing
 * metres and `lanes` strips across (the centre line among the cuts). Neighbouring cuts are merged
 * now and then so parcel sizes vary.
 */
export function corridorMesh(centre: XY[], width: number, spacing: number, lanes: number, rng: Rng): Mesh {
  const total = lineLength(centre);
  const n = Math.max(2, Math.round(total / spacing));
  const step = total / n;
  const rows: XY[][] = [];
  for (let i = 0; i <= n; i++) {
    const s = i === 0 || i === n ? i * step : i * step + rng.range(-0.25, 0.25) * step;
    const [px, py] = pointAt(centre, s);
    const [nx, ny] = leftNormalAt(centre, s, total);
    const row: XY[] = [];
    for (let j = 0; j <= lanes; j++) {
      const inner = j > 0 && j < lanes ? rng.range(-0.12, 0.12) * (width / lanes) : 0;
      const offset = -width / 2 + (j * width) / lanes + inner;
      row.push([px + nx * offset, py + ny * offset]);
    }
    rows.push(row);
  }
  return meshFromGrid(rows, rng);
}

/**
 * A block red line: a quadrilateral (corners counter-clockwise from bottom-left) cut into an
 * nx × ny grid by bilinear interpolation, interior vertices jittered so parcels are not all equal.
 */
export function blockMesh(corners: [XY, XY, XY, XY], nx: number, ny: number, rng: Rng): Mesh {
  const [c00, c10, c11, c01] = corners;
  const at = (u: number, v: number): XY => [
    (1 - u) * (1 - v) * c00[0] + u * (1 - v) * c10[0] + u * v * c11[0] + (1 - u) * v * c01[0],
    (1 - u) * (1 - v) * c00[1] + u * (1 - v) * c10[1] + u * v * c11[1] + (1 - u) * v * c01[1],
  ];
  const rows: XY[][] = [];
  for (let i = 0; i <= nx; i++) {
    const row: XY[] = [];
    for (let j = 0; j <= ny; j++) {
      const interior = i > 0 && i < nx && j > 0 && j < ny;
      const du = interior ? rng.range(-0.13, 0.13) / nx : 0;
      const dv = interior ? rng.range(-0.13, 0.13) / ny : 0;
      row.push(at(i / nx + du, j / ny + dv));
    }
    rows.push(row);
  }
  return meshFromGrid(rows, rng);
}

/**
 * Cells of a structured grid rows[i][j] (i along, j across, j growing to the left), with about a
 * quarter of them merged with the next cell along i. Merged pieces keep the neighbours' vertices,
 * so the mesh stays conforming. The red line is the grid's whole boundary, every vertex included.
 */
function meshFromGrid(rows: XY[][], rng: Rng): Mesh {
  const n = rows.length - 1;
  const lanes = rows[0].length - 1;
  const pieces: MeshPiece[] = [];
  for (let j = 0; j < lanes; j++) {
    let i = 0;
    while (i < n) {
      const len = i + 1 < n && rng.chance(0.25) ? 2 : 1;
      const ring: Ring = [];
      const cells: Ring[] = [];
      for (let k = i; k <= i + len; k++) ring.push(rows[k][j]);
      for (let k = i + len; k >= i; k--) ring.push(rows[k][j + 1]);
      for (let k = i; k < i + len; k++) cells.push([rows[k][j], rows[k + 1][j], rows[k + 1][j + 1], rows[k][j + 1]]);
      pieces.push({ ring, cells });
      i += len;
    }
  }
  const redLine: Ring = [];
  for (let i = 0; i <= n; i++) redLine.push(rows[i][0]);
  for (let j = 1; j <= lanes; j++) redLine.push(rows[n][j]);
  for (let i = n - 1; i >= 0; i--) redLine.push(rows[i][lanes]);
  for (let j = lanes - 1; j >= 1; j--) redLine.push(rows[0][j]);
  return { redLine, pieces };
}

/** A corridor polygon (no mesh) along a line: rivers and riverbanks. */
export function corridorRing(centre: XY[], halfWidthAt: (s: number) => number, spacing: number): Ring {
  const total = lineLength(centre);
  const n = Math.max(2, Math.round(total / spacing));
  const left: XY[] = [];
  const right: XY[] = [];
  for (let i = 0; i <= n; i++) {
    const s = (i * total) / n;
    const [px, py] = pointAt(centre, s);
    const [nx, ny] = leftNormalAt(centre, s, total);
    const w = halfWidthAt(s);
    left.push([px + nx * w, py + ny * w]);
    right.push([px - nx * w, py - ny * w]);
  }
  return [...right, ...left.reverse()];
}
