// The area two polygons have in common, in Turf's measure (turf.area of turf.intersect: the sphere of
// turf.earthRadius), without building the common polygon: the live panel needs the figure only, on every
// edit, for hundreds of fields at once, and polygon clipping (polyclip-ts) costs milliseconds per field.
//
// Turf's area of a ring is the shoelace area of its vertices mapped to (λ, sin φ) (Lambert's cylindrical
// equal-area plane) times R². The shoelace sums one term per edge, so the common part's area is the sum
// over the pieces of its boundary: the stretches of A's edges that lie inside B, and of B's edges inside A,
// split where the edges cross, each oriented with the interior on its left. A stretch on the other's
// boundary too (a shared edge) counts once when both interiors lie on the same side, never otherwise.
// Crossings are found in lon/lat, as Turf's clipping finds them. Isomorphic, no dependencies but Turf's radius.
import { earthRadius } from '@turf/helpers';

type BBox = [number, number, number, number];
type Ring = number[][];

const EDGES_PER_CHUNK = 16;
const RAD = Math.PI / 180;

interface Chunk {
  bbox: BBox;
  /** [x0, y0, x1, y1, …]: the chunk's vertices (EDGES_PER_CHUNK + 1 of them at most) */
  xy: Float64Array;
}

const overlaps = (a: BBox, b: BBox): boolean => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

function signedArea(ring: Ring): number {
  let s = 0;
  const [x0, y0] = ring[0];
  for (let i = 1; i < ring.length - 1; i++) s += (ring[i][0] - x0) * (ring[i + 1][1] - y0) - (ring[i + 1][0] - x0) * (ring[i][1] - y0);
  return s / 2;
}

/**
 * Polygons (lon/lat rings, closed) indexed for overlapArea: every ring turned so that the interior lies
 * on the left of its edges (outer rings counter-clockwise, holes clockwise), cut into runs of edges with
 * their boxes.
 */
export class RingIndex {
  readonly bbox: BBox;
  readonly chunks: Chunk[] = [];

  constructor(polys: number[][][][]) {
    const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const poly of polys) {
      poly.forEach((ring, ri) => {
        if (ring.length < 4) return;
        const ccw = signedArea(ring) > 0;
        const r = ccw === (ri === 0) ? ring : [...ring].reverse();
        for (let i = 0; i < r.length - 1; i += EDGES_PER_CHUNK) {
          const end = Math.min(i + EDGES_PER_CHUNK, r.length - 1);
          const xy = new Float64Array((end - i + 1) * 2);
          const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
          for (let k = i; k <= end; k++) {
            const x = r[k][0], y = r[k][1];
            xy[(k - i) * 2] = x;
            xy[(k - i) * 2 + 1] = y;
            if (x < b[0]) b[0] = x;
            if (y < b[1]) b[1] = y;
            if (x > b[2]) b[2] = x;
            if (y > b[3]) b[3] = y;
          }
          this.chunks.push({ bbox: b, xy });
          if (b[0] < box[0]) box[0] = b[0];
          if (b[1] < box[1]) box[1] = b[1];
          if (b[2] > box[2]) box[2] = b[2];
          if (b[3] > box[3]) box[3] = b[3];
        }
      });
    }
    this.bbox = box;
  }

  /** Even–odd: is (x, y) inside (a ray to +x, counting crossings of the chunks it can meet)? */
  contains(x: number, y: number): boolean {
    if (x < this.bbox[0] || x > this.bbox[2] || y < this.bbox[1] || y > this.bbox[3]) return false;
    let inside = false;
    for (const c of this.chunks) {
      if (y < c.bbox[1] || y > c.bbox[3] || x > c.bbox[2]) continue;
      const xy = c.xy;
      for (let k = 0; k + 3 < xy.length; k += 2) {
        const xi = xy[k], yi = xy[k + 1], xj = xy[k + 2], yj = xy[k + 3];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  }
}

/** Distance (degrees) within which a point counts as on an edge: ~0.1 mm. */
const ON_EDGE = 1e-9;

/**
 * Sum of the shoelace terms of `a`'s edge stretches inside `b` (relative to the origin ox, oy in the
 * (λ, sin φ) plane). Shared stretches count when `shared` and the edges run the same way.
 */
function insideStretches(a: RingIndex, b: RingIndex, shared: boolean, ox: number, oy: number): number {
  let s = 0;
  const ts: number[] = [];
  for (const ca of a.chunks) {
    if (!overlaps(ca.bbox, b.bbox)) continue;
    const near = b.chunks.filter((cb) => overlaps(ca.bbox, cb.bbox));
    const xy = ca.xy;
    for (let k = 0; k + 3 < xy.length; k += 2) {
      const px = xy[k], py = xy[k + 1], qx = xy[k + 2], qy = xy[k + 3];
      const dx = qx - px, dy = qy - py;
      const len2 = dx * dx + dy * dy;
      if (len2 === 0) continue;
      const ex0 = Math.min(px, qx), ex1 = Math.max(px, qx), ey0 = Math.min(py, qy), ey1 = Math.max(py, qy);
      if (ex1 < b.bbox[0] || ex0 > b.bbox[2] || ey1 < b.bbox[1] || ey0 > b.bbox[3]) continue; // outside b altogether
      ts.length = 0;
      ts.push(0, 1);
      for (const cb of near) {
        if (ex1 < cb.bbox[0] || ex0 > cb.bbox[2] || ey1 < cb.bbox[1] || ey0 > cb.bbox[3]) continue;
        const f = cb.xy;
        for (let m = 0; m + 3 < f.length; m += 2) {
          const rx = f[m], ry = f[m + 1], sx = f[m + 2], sy = f[m + 3];
          if (Math.max(rx, sx) < ex0 || Math.min(rx, sx) > ex1 || Math.max(ry, sy) < ey0 || Math.min(ry, sy) > ey1) continue;
          const fx = sx - rx, fy = sy - ry;
          const denom = dx * fy - dy * fx;
          const wx = rx - px, wy = ry - py;
          const flen2 = fx * fx + fy * fy;
          if (flen2 === 0) continue;
          if (Math.abs(denom) > 1e-12 * Math.sqrt(len2 * flen2)) {
            const t = (wx * fy - wy * fx) / denom;
            const u = (wx * dy - wy * dx) / denom;
            if (t > 0 && t < 1 && u >= -1e-12 && u <= 1 + 1e-12) ts.push(t);
          } else if (Math.abs(wx * dy - wy * dx) <= ON_EDGE * Math.sqrt(len2)) {
            // collinear: the other edge's ends split this one
            const t1 = (wx * dx + wy * dy) / len2;
            const t2 = ((sx - px) * dx + (sy - py) * dy) / len2;
            if (t1 > 0 && t1 < 1) ts.push(t1);
            if (t2 > 0 && t2 < 1) ts.push(t2);
          }
        }
      }
      ts.sort((u, v) => u - v);
      for (let i = 0; i + 1 < ts.length; i++) {
        const t0 = ts[i], t1 = ts[i + 1];
        if (t1 - t0 <= 1e-15) continue;
        const mx = px + dx * ((t0 + t1) / 2), my = py + dy * ((t0 + t1) / 2);
        const e = edgeAt(near, mx, my);
        if (e ? !(shared && e[0] * dx + e[1] * dy > 0) : !b.contains(mx, my)) continue;
        const ax = (px + dx * t0) * RAD - ox, ay = Math.sin((py + dy * t0) * RAD) - oy;
        const bx = (px + dx * t1) * RAD - ox, by = Math.sin((py + dy * t1) * RAD) - oy;
        s += ax * by - bx * ay;
      }
    }
  }
  return s;
}

/** The direction of the edge of the chunks that (x, y) lies on, if any. */
function edgeAt(chunks: Chunk[], x: number, y: number): [number, number] | undefined {
  for (const c of chunks) {
    if (x < c.bbox[0] - ON_EDGE || x > c.bbox[2] + ON_EDGE || y < c.bbox[1] - ON_EDGE || y > c.bbox[3] + ON_EDGE) continue;
    const f = c.xy;
    for (let m = 0; m + 3 < f.length; m += 2) {
      const rx = f[m], ry = f[m + 1], fx = f[m + 2] - rx, fy = f[m + 3] - ry;
      const l2 = fx * fx + fy * fy;
      if (l2 === 0) continue;
      const t = ((x - rx) * fx + (y - ry) * fy) / l2;
      if (t < 0 || t > 1) continue;
      if (Math.abs((x - rx) * fy - (y - ry) * fx) <= ON_EDGE * Math.sqrt(l2)) return [fx, fy];
    }
  }
  return undefined;
}

/** The area (m², Turf's sphere) that the polygons of `a` and `b` have in common. */
export function overlapArea(a: RingIndex, b: RingIndex): number {
  if (!overlaps(a.bbox, b.bbox)) return 0;
  const ox = a.bbox[0] * RAD, oy = Math.sin(a.bbox[1] * RAD);
  const s = insideStretches(a, b, true, ox, oy) + insideStretches(b, a, false, ox, oy);
  return Math.max(0, (s / 2) * earthRadius * earthRadius);
}
