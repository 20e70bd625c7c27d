// The 界址点 (boundary points) of an analysed red line in the analysis' Gauss–Krüger zone, numbered as
// the ministry TXT numbers them (geo/formats/ministry-txt.ts boundaryRings): the report's 界址点坐标表 and
// the approval package's 界址点 sheet print the same table.
import { projectToGaussKruger } from '../../geo/area.ts';
import { boundaryRings } from '../../geo/formats/ministry-txt.ts';
import type { ConflictResult } from './analysis.ts';

/** Coordinates are given to the millimetre (the ministry TXT's 精度=0.001), edges to the centimetre. */
export const COORD_DIGITS = 3;
export const EDGE_DIGITS = 2;
export const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

export interface PackagePoint {
  ring: number;
  name: string;
  /** northing, m, rounded to 0.001 */
  x: number;
  /** easting with the zone prefix, m, rounded to 0.001 */
  y: number;
  /** the point the edge runs to (the ring's next; after the last, its first) */
  next: string;
  /** the edge to `next`, m, from the rounded coordinates (as anyone checking the table computes it), to 0.01 */
  edgeM: number;
}

/** The 界址点 of the analysed red line in the analysis' zone, numbered as the ministry TXT numbers them. */
export function packagePoints(result: ConflictResult): { points: PackagePoint[]; rings: number } {
  const rings = boundaryRings(projectToGaussKruger(result.redLine.geometry, result.convention.zone));
  const points: PackagePoint[] = [];
  for (const r of rings) {
    const pts = r.points.map((p) => ({ name: p.name, x: round(p.x, COORD_DIGITS), y: round(p.y, COORD_DIGITS) }));
    pts.forEach((p, i) => {
      const n = pts[(i + 1) % pts.length];
      points.push({ ring: r.ring, ...p, next: n.name, edgeM: round(Math.hypot(n.x - p.x, n.y - p.y), EDGE_DIGITS) });
    });
  }
  return { points, rings: rings.length };
}
