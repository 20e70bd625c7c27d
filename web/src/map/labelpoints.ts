// One label point per polygon feature (its largest part's pole of inaccessibility), so that
// labels of large areas are drawn once, inside the shape, instead of once per tile.

import { signedArea2 } from '../../../geo/formats/geometry.ts';

type Ring = number[][];
type Poly = Ring[];

function segDist2(px: number, py: number, a: number[], b: number[]): number {
  let x = a[0];
  let y = a[1];
  let dx = b[0] - x;
  let dy = b[1] - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = b[0];
      y = b[1];
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = px - x;
  dy = py - y;
  return dx * dx + dy * dy;
}

/** Signed distance from a point to the polygon outline (positive inside). */
function signedDist(x: number, y: number, poly: Poly): number {
  let inside = false;
  let min = Infinity;
  for (const ring of poly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if (a[1] > y !== b[1] > y && x < ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
      min = Math.min(min, segDist2(x, y, a, b));
    }
  }
  return (inside ? 1 : -1) * Math.sqrt(min);
}

interface Cell {
  x: number;
  y: number;
  h: number;
  d: number;
  max: number;
}

function cell(x: number, y: number, h: number, poly: Poly): Cell {
  const d = signedDist(x, y, poly);
  return { x, y, h, d, max: d + h * Math.SQRT2 };
}

/** Pole of inaccessibility (polylabel), good to `precision` in the polygon's units. */
export function polylabel(poly: Poly, precision?: number): [number, number] {
  const outer = poly[0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of outer) {
    minX = Math.min(minX, p[0]);
    minY = Math.min(minY, p[1]);
    maxX = Math.max(maxX, p[0]);
    maxY = Math.max(maxY, p[1]);
  }
  const w = maxX - minX;
  const hgt = maxY - minY;
  const size = Math.min(w, hgt);
  if (size === 0) return [minX, minY];
  const prec = precision ?? Math.max(w, hgt) / 100;
  let h = size / 2;
  const queue: Cell[] = [];
  for (let x = minX; x < maxX; x += size) for (let y = minY; y < maxY; y += size) queue.push(cell(x + h, y + h, h, poly));
  let best = cell(minX + w / 2, minY + hgt / 2, 0, poly);
  let guard = 0;
  while (queue.length && guard++ < 5000) {
    // take the most promising cell
    let bi = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i].max > queue[bi].max) bi = i;
    const c = queue[bi];
    queue[bi] = queue[queue.length - 1];
    queue.pop();
    if (c.d > best.d) best = c;
    if (c.max - best.d <= prec) continue;
    h = c.h / 2;
    queue.push(cell(c.x - h, c.y - h, h, poly), cell(c.x + h, c.y - h, h, poly));
    queue.push(cell(c.x - h, c.y + h, h, poly), cell(c.x + h, c.y + h, h, poly));
  }
  return [best.x, best.y];
}

/** Label points for a layer's polygons, properties kept (plus `_area` for sorting/filtering). */
export function labelPoints(fc: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection<GeoJSON.Point> {
  const out: GeoJSON.Feature<GeoJSON.Point>[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (!g) continue;
    let polys: Poly[];
    if (g.type === 'Polygon') polys = [g.coordinates];
    else if (g.type === 'MultiPolygon') polys = g.coordinates;
    else continue;
    let best: Poly | null = null;
    let bestArea = 0;
    for (const p of polys) {
      const a = Math.abs(signedArea2(p[0]));
      if (a > bestArea) {
        bestArea = a;
        best = p;
      }
    }
    if (!best) continue;
    out.push({
      type: 'Feature',
      id: f.id,
      properties: { ...f.properties, _area: bestArea },
      geometry: { type: 'Point', coordinates: polylabel(best) },
    });
  }
  return { type: 'FeatureCollection', features: out };
}
