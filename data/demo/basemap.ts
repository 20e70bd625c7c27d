// The base map, so the demo reads like a map offline: the 郁江 and some ponds, roads and the railway,
// built-up areas and place names. Shapes are synthetic but sit where the real ones roughly are.
import { type AdminLayout, DISTRICT_BOX } from './admin.ts';
import { type BBox, type Ring, type XY, corridorRing, lineGeom, pointGeom, polygonGeom, rect, smooth } from './geometry.ts';
import type { Rng } from './random.ts';
import type { BuiltUpRow, PlaceRow, RoadRow, WaterRow } from './types.ts';

/** The river's centre line (metres north of the city centre) at easting x. */
export function riverCentreY(x: number): number {
  return 350 * Math.sin(x / 6000) + 200 * Math.sin(x / 2300 + 1);
}

export function riverHalfWidth(x: number): number {
  return 230 + 60 * Math.sin(x / 4000);
}

/** Within `margin` metres of the 郁江 (fields and red lines keep off it). */
export function nearRiver([x, y]: XY, margin: number): boolean {
  return Math.abs(y - riverCentreY(x)) < riverHalfWidth(x) + margin;
}

export function riverLine(x0: number, x1: number, offset: (x: number) => number = () => 0): XY[] {
  const pts: XY[] = [];
  for (let x = x0; x <= x1 + 1e-6; x += 200) pts.push([x, riverCentreY(x) + offset(x)]);
  return pts;
}

/** City areas drawn as built-up; farmland and cane bases are kept out of them. */
export const BUILT_UP: { name: string; box: BBox }[] = [
  { name: '贵城老城区', box: { x0: -7_800, y0: 950, x1: -600, y1: 4_600 } },
  { name: '港城片区', box: { x0: -600, y0: 950, x1: 6_500, y1: 3_600 } },
  { name: '江南片区', box: { x0: -7_000, y0: -3_200, x1: 3_000, y1: -950 } },
];

export const inBuiltUp = ([x, y]: XY, margin = 0): boolean =>
  BUILT_UP.some(({ box }) => x > box.x0 - margin && x < box.x1 + margin && y > box.y0 - margin && y < box.y1 + margin);

export interface BaseMap { water: WaterRow[]; road: RoadRow[]; built_up: BuiltUpRow[]; place: PlaceRow[] }

export function buildBaseMap(admin: AdminLayout, rng: Rng): BaseMap {
  return { water: buildWater(rng), road: buildRoads(), built_up: buildBuiltUp(admin), place: buildPlaces(admin) };
}

function buildWater(rng: Rng): WaterRow[] {
  // ends 100 m inside the extent: the banks' normals lean a little east or west
  const x0 = DISTRICT_BOX.x0 + 100;
  const river = corridorRing(riverLine(x0, DISTRICT_BOX.x1 - 100), (s) => riverHalfWidth(x0 + s), 200);
  const water: WaterRow[] = [{ id: 1, name: '郁江', kind: 'river', geom: polygonGeom(river) }];
  const lakes: [string, number, number, number][] = [['东湖', -3_200, 2_900, 420], ['南湖', -1_800, -2_300, 300]];
  for (const [name, x, y, r] of lakes) water.push({ id: water.length + 1, name, kind: 'lake', geom: polygonGeom(blob([x, y], r, rng)) });
  for (let i = 0; i < 12; i++) {
    const p: XY = [rng.range(-38_000, 28_000), rng.range(-45_000, 35_000)];
    if (nearRiver(p, 800) || inBuiltUp(p, 500)) continue;
    water.push({ id: water.length + 1, name: `${rng.pick(['大', '新', '长', '鱼', '莲'])}塘`, kind: 'pond', geom: polygonGeom(blob(p, rng.range(60, 160), rng)) });
  }
  return water;
}

/** A wobbly round polygon (lakes, ponds). */
export function blob([cx, cy]: XY, r: number, rng: Rng, n = 12): Ring {
  const ring: Ring = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const rr = r * rng.range(0.8, 1.15);
    ring.push([cx + rr * Math.cos(a), cy + rr * 0.8 * Math.sin(a)]);
  }
  return ring;
}

const STATIC_ROADS: { name: string; class: RoadRow['class']; points: XY[] }[] = [
  { name: '广昆高速（G80）', class: 'expressway', points: [[-40_800, 9_500], [-20_000, 11_000], [0, 11_800], [15_000, 10_500], [30_600, 12_500]] },
  { name: '贵港至隆安高速', class: 'expressway', points: [[-40_800, -20_000], [-20_000, -16_000], [-5_000, -11_000], [5_000, -9_000]] },
  { name: '南广高速铁路', class: 'railway', points: [[-40_800, 8_000], [-15_000, 9_200], [3_600, 9_400], [20_000, 8_200], [30_600, 9_000]] },
  { name: '黎湛铁路', class: 'railway', points: [[-5_000, 37_000], [-3_000, 15_000], [-2_000, 8_000], [2_000, 5_500], [12_000, 3_000], [30_600, -8_000]] },
  { name: '金港大道', class: 'arterial', points: [[1_500, 900], [1_600, 4_200], [1_700, 7_500]] },
  { name: '城东大道', class: 'arterial', points: [[9_600, 900], [9_700, 4_800], [9_900, 7_500]] },
  { name: '中山路', class: 'arterial', points: [[-7_800, 1_900], [-4_000, 2_000], [-600, 2_000], [1_500, 2_100]] },
  { name: '建设路', class: 'secondary', points: [[-2_500, 1_000], [-2_500, 4_500]] },
  { name: '西环路', class: 'secondary', points: [[-6_000, 1_000], [-6_000, 4_500]] },
  { name: '北环路', class: 'arterial', points: [[-7_500, 5_300], [-1_500, 5_600], [6_500, 5_800]] },
  { name: '江南大道', class: 'arterial', points: [[-8_000, -2_000], [-1_000, -2_100], [6_000, -1_800]] },
  { name: '荷城路', class: 'secondary', points: [[-4_500, 1_000], [-4_500, 5_500]] },
];

function buildRoads(): RoadRow[] {
  return STATIC_ROADS.map((r, i) => ({ id: i + 1, name: r.name, class: r.class, geom: lineGeom([smooth(r.points, 2)]) }));
}

function buildBuiltUp(admin: AdminLayout): BuiltUpRow[] {
  const rows: BuiltUpRow[] = BUILT_UP.map((b, i) => ({ id: i + 1, name: b.name, geom: polygonGeom(rect(b.box.x0, b.box.y0, b.box.x1, b.box.y1)) }));
  for (const t of admin.townshipCells.filter((t) => t.area === 'outer')) {
    const [x, y] = townSeat(t.box);
    rows.push({ id: rows.length + 1, name: `${t.name}圩镇`, geom: polygonGeom(rect(x - 500, y - 400, x + 500, y + 400)) });
  }
  return rows;
}

/** Where a town's seat (圩镇) sits: a fixed point inside its township. */
export function townSeat(box: BBox): XY {
  return [box.x0 + (box.x1 - box.x0) * 0.55, box.y0 + (box.y1 - box.y0) * 0.42];
}

function buildPlaces(admin: AdminLayout): PlaceRow[] {
  const places: PlaceRow[] = [{ id: 1, name: '贵港市', kind: 'city', rank: 1, geom: pointGeom([-2_500, 2_600]) }];
  const add = (name: string, kind: PlaceRow['kind'], rank: number, p: XY) =>
    places.push({ id: places.length + 1, name, kind, rank, geom: pointGeom(p) });
  add('贵港站', 'station', 2, [3_600, 9_400]);
  add('贵港港', 'landmark', 3, [8_000, -600]);
  add('东湖公园', 'landmark', 3, [-3_200, 2_900]);
  add('南山寺', 'landmark', 4, [-2_000, -4_200]);
  add('贵港军分区', 'landmark', 4, [5_200, 5_200]);
  add('西江农场', 'landmark', 4, [-26_500, -5_500]);
  add('猫儿山', 'landmark', 4, [-3_000, 14_000]);
  for (const t of admin.townshipCells) {
    const p: XY = t.area === 'outer' ? townSeat(t.box) : [(t.box.x0 + t.box.x1) / 2, (t.box.y0 + t.box.y1) / 2];
    add(t.name, 'town', 2, p);
    for (const v of t.villages) add(v.name, 'village', 5, [(v.box.x0 + v.box.x1) / 2, (v.box.y0 + v.box.y1) / 2]);
  }
  return places;
}
