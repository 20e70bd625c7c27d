// 三区三线 of the demo district: the ecological protection red line (生态保护红线) on the 郁江's rural
// reaches and on the hills, and the urban development boundary (城镇开发边界) around the city, the parks
// and the town seats. The third line, 永久基本农田, is the farmland layer's kind.
// The lines are drawn here as the planners' outlines; the loader then leaves the fields out of the
// ecological red line, and the 永久基本农田 and the ecological red line out of the boundary
// (data/load.ts), as the 2022 划定 did: the three lines never overlap.
import { CREATED_ON, type AdminLayout, DISTRICT_BOX } from './admin.ts';
import { blob, BUILT_UP, riverHalfWidth, riverLine, townSeat } from './basemap.ts';
import { type BBox, bboxesMeet, corridorRing, type Ring, polygonGeom, rect } from './geometry.ts';
import { type Rng, stampOf } from './random.ts';
import type { EcoRedlineRow, UrbanBoundaryRow } from './types.ts';

const stamp = stampOf(CREATED_ON);

/** The river and a 60 m strip of each bank, between two eastings. */
function riverReach(x0: number, x1: number): Ring {
  return corridorRing(riverLine(x0, x1), (s) => riverHalfWidth(x0 + s) + 60, 200);
}

export function buildEcoRedline(rng: Rng): EcoRedlineRow[] {
  const zones: { name: string; kind: EcoRedlineRow['kind']; ring: Ring }[] = [
    // the city's reach (x −9 km … +10 km) is the port and the embankments: outside the line
    { name: '郁江（西段）水源涵养生态保护红线', kind: 'water_conservation', ring: riverReach(DISTRICT_BOX.x0 + 100, -9_000) },
    { name: '郁江（东段）水源涵养生态保护红线', kind: 'water_conservation', ring: riverReach(10_000, DISTRICT_BOX.x1 - 100) },
    { name: '猫儿山水土保持生态保护红线', kind: 'soil_conservation', ring: blob([-3_000, 14_500], 2_400, rng, 18) },
    { name: '武乐大山生物多样性维护生态保护红线', kind: 'biodiversity', ring: blob([-27_000, 30_500], 3_200, rng, 18) },
    { name: '龙山水土保持生态保护红线', kind: 'soil_conservation', ring: blob([-12_000, -36_000], 2_800, rng, 18) },
  ];
  return zones.map((z, i) => ({
    id: i + 1, code: `STHX-${String(i + 1).padStart(3, '0')}`, name: z.name, kind: z.kind,
    geom: polygonGeom(z.ring), version: 1, updated_at: stamp,
  }));
}

const grow = (b: BBox, m: number): BBox => ({ x0: b.x0 - m, y0: b.y0 - m, x1: b.x1 + m, y1: b.y1 + m });

export function buildUrbanBoundary(admin: AdminLayout): UrbanBoundaryRow[] {
  // the centre: the three built-up areas and 800 m round them, the river between them included
  const [oldTown, port, south] = BUILT_UP.map((b) => grow(b.box, 800));
  const centre: Ring = [
    [oldTown.x0, port.y0], [south.x0, port.y0], [south.x0, south.y0], [south.x1, south.y0], [south.x1, port.y0],
    [port.x1, port.y0], [port.x1, port.y1], [oldTown.x1, port.y1], [oldTown.x1, oldTown.y1], [oldTown.x0, oldTown.y1],
  ];
  const pieces: { name: string; ring: Ring; box: BBox }[] = [];
  pieces.push({ name: '中心城区城镇开发边界', ring: centre, box: { x0: oldTown.x0, y0: south.y0, x1: port.x1, y1: oldTown.y1 } });
  for (const [name, park] of admin.parkBoxes) {
    const b = grow(park.box, 300);
    pieces.push({ name: `${name}城镇开发边界`, ring: rect(b.x0, b.y0, b.x1, b.y1), box: b });
  }
  for (const t of admin.townshipCells.filter((c) => c.area === 'outer')) {
    const [x, y] = townSeat(t.box);
    const b = { x0: x - 800, y0: y - 700, x1: x + 800, y1: y + 700 };
    // a seat beside a park shares its boundary
    if (pieces.some((p) => bboxesMeet(p.box, b))) continue;
    pieces.push({ name: `${t.name}圩镇城镇开发边界`, ring: rect(b.x0, b.y0, b.x1, b.y1), box: b });
  }
  return pieces.map((p, i) => ({
    id: i + 1, code: `CZKF-${String(i + 1).padStart(3, '0')}`, name: p.name, geom: polygonGeom(p.ring), version: 1, updated_at: stamp,
  }));
}
