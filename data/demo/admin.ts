// Administrative layout: the three command areas (片区指挥部), the townships (乡镇/街道) and their
// villages (行政村/社区), and the four parks (园区). Townships are rectangles that tile the district's
// extent; villages are a grid inside each, so "which village is this point in" is arithmetic.
import { DISTRICT_BBOX } from '../../geo/layers.ts';
import { type BBox, type Ring, type XY, fromLonLat, multiPolygon, polygonGeom, rect } from './geometry.ts';
import { type Rng, stampOf } from './random.ts';
import type { CommandAreaRow, ParkRow, TownshipRow, VillageRow } from './types.ts';

export const CREATED_ON = '2020-12-01'; // when the base registers (admin, constraints) were entered

type AreaCode = CommandAreaRow['code'];

interface TownshipPlan {
  name: string;
  kind: TownshipRow['kind'];
  area: AreaCode;
  /** lon/lat extent: west, south, east, north */
  extent: [number, number, number, number];
  /** villages per side at scale 1 */
  grid: [number, number];
}

// The old town (贵城) lies west of 109.60°E, the port side (港城) east of it; the 郁江 runs through
// both at about 23.09°N. The ring of towns around them is the 城区外围 command area.
const TOWNSHIPS: TownshipPlan[] = [
  { name: '贵城街道', kind: 'subdistrict', area: 'guicheng', extent: [109.5, 23.085, 109.6, 23.16], grid: [2, 2] },
  { name: '江南街道', kind: 'subdistrict', area: 'guicheng', extent: [109.5, 22.98, 109.6, 23.085], grid: [2, 2] },
  { name: '港城街道', kind: 'subdistrict', area: 'gangcheng', extent: [109.6, 23.085, 109.7, 23.16], grid: [2, 2] },
  { name: '八塘街道', kind: 'subdistrict', area: 'gangcheng', extent: [109.6, 22.98, 109.7, 23.085], grid: [2, 2] },
  { name: '武乐镇', kind: 'town', area: 'outer', extent: [109.2, 23.16, 109.45, 23.43], grid: [3, 3] },
  { name: '奇石乡', kind: 'town', area: 'outer', extent: [109.45, 23.16, 109.7, 23.43], grid: [3, 3] },
  { name: '中里乡', kind: 'town', area: 'outer', extent: [109.7, 23.16, 109.9, 23.43], grid: [3, 3] },
  { name: '根竹镇', kind: 'town', area: 'outer', extent: [109.2, 22.98, 109.5, 23.16], grid: [3, 3] },
  { name: '庆丰镇', kind: 'town', area: 'outer', extent: [109.7, 22.98, 109.9, 23.16], grid: [3, 3] },
  { name: '桥圩镇', kind: 'town', area: 'outer', extent: [109.2, 22.65, 109.55, 22.98], grid: [3, 3] },
  { name: '大圩镇', kind: 'town', area: 'outer', extent: [109.55, 22.65, 109.9, 22.98], grid: [3, 3] },
];

const CORE_EXTENT: [number, number, number, number] = [109.5, 22.98, 109.7, 23.16];

const COMMAND_AREAS: { code: AreaCode; name: string; commander: string }[] = [
  { code: 'guicheng', name: '贵城片区', commander: '黄志强' },
  { code: 'gangcheng', name: '港城片区', commander: '梁永辉' },
  { code: 'outer', name: '城区外围片区', commander: '覃建华' },
];

export function extentBox([w, s, e, n]: [number, number, number, number]): BBox {
  const [x0, y0] = fromLonLat(w, s);
  const [x1, y1] = fromLonLat(e, n);
  return { x0, y0, x1, y1 };
}

const boxRing = (b: BBox): Ring => rect(b.x0, b.y0, b.x1, b.y1);

export const DISTRICT_BOX = extentBox(DISTRICT_BBOX);
export const CORE_BOX = extentBox(CORE_EXTENT);

export interface VillageCell { id: number; name: string; box: BBox; townshipId: number; rural: boolean }
export interface TownshipCell { id: number; name: string; box: BBox; area: AreaCode; cols: number; rows: number; villages: VillageCell[] }

export interface AdminLayout {
  commandAreas: CommandAreaRow[];
  townships: TownshipRow[];
  villages: VillageRow[];
  parks: ParkRow[];
  parkBoxes: Map<string, { id: number; box: BBox }>;
  townshipCells: TownshipCell[];
  areaIdByCode: Record<AreaCode, number>;
  villageAt(p: XY): VillageCell | null;
  townshipAt(p: XY): TownshipCell | null;
  commandAreaAt(p: XY): number;
}

const stamp = stampOf(CREATED_ON);

export function buildAdmin(scale: number, rng: Rng): AdminLayout {
  const commandAreas = COMMAND_AREAS.map((a, i): CommandAreaRow => ({
    id: i + 1,
    code: a.code,
    name: a.name,
    commander: a.commander,
    // 城区外围 is the district with the core cut out: one polygon with a hole.
    geom: a.code === 'outer'
      ? multiPolygon([[boxRing(DISTRICT_BOX), boxRing(CORE_BOX)]])
      : polygonGeom(boxRing(a.code === 'guicheng' ? { ...CORE_BOX, x1: 0 } : { ...CORE_BOX, x0: 0 })),
    version: 1,
    updated_at: stamp,
  }));
  const areaIdByCode = Object.fromEntries(commandAreas.map((a) => [a.code, a.id])) as Record<AreaCode, number>;

  const names = new VillageNamer(rng.fork('village-names'));
  const townshipCells: TownshipCell[] = [];
  const townships: TownshipRow[] = [];
  const villages: VillageRow[] = [];
  // More villages at larger scales: each side grows with √scale, so the count grows with scale.
  const factor = Math.sqrt(scale);
  for (const [ti, plan] of TOWNSHIPS.entries()) {
    const box = extentBox(plan.extent);
    const id = ti + 1;
    townships.push({ id, name: plan.name, kind: plan.kind, command_area_id: areaIdByCode[plan.area], geom: polygonGeom(boxRing(box)), version: 1, updated_at: stamp });
    const cols = Math.max(1, Math.round(plan.grid[0] * factor));
    const rows = Math.max(1, Math.round(plan.grid[1] * factor));
    const cell: TownshipCell = { id, name: plan.name, box, area: plan.area, cols, rows, villages: [] };
    const w = (box.x1 - box.x0) / cols;
    const h = (box.y1 - box.y0) / rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // exact shared edges: the last column/row ends on the township's own edge
        const vbox = {
          x0: box.x0 + c * w, x1: c === cols - 1 ? box.x1 : box.x0 + (c + 1) * w,
          y0: box.y0 + r * h, y1: r === rows - 1 ? box.y1 : box.y0 + (r + 1) * h,
        };
        const rural = plan.kind === 'town';
        const v: VillageCell = { id: villages.length + 1, name: names.next(rural), box: vbox, townshipId: id, rural };
        cell.villages.push(v);
        villages.push({ id: v.id, name: v.name, kind: rural ? 'village' : 'community', township_id: id, geom: polygonGeom(boxRing(vbox)), version: 1, updated_at: stamp });
      }
    }
    townshipCells.push(cell);
  }

  const parkBoxes = new Map<string, { id: number; box: BBox }>();
  const parks = PARKS.map(([name, x0, y0, x1, y1], i): ParkRow => {
    const box = { x0, y0, x1, y1 };
    parkBoxes.set(name, { id: i + 1, box });
    return { id: i + 1, name, geom: polygonGeom(boxRing(box)), version: 1, updated_at: stamp };
  });

  const townshipAt = (p: XY): TownshipCell | null =>
    townshipCells.find((t) => p[0] >= t.box.x0 && p[0] < t.box.x1 && p[1] >= t.box.y0 && p[1] < t.box.y1) ?? null;
  const villageAt = (p: XY): VillageCell | null => {
    const t = townshipAt(p);
    if (!t) return null;
    const c = Math.min(t.cols - 1, Math.floor(((p[0] - t.box.x0) / (t.box.x1 - t.box.x0)) * t.cols));
    const r = Math.min(t.rows - 1, Math.floor(((p[1] - t.box.y0) / (t.box.y1 - t.box.y0)) * t.rows));
    return t.villages[r * t.cols + c];
  };
  const commandAreaAt = (p: XY): number => areaIdByCode[townshipAt(p)?.area ?? 'outer'];
  return { commandAreas, townships, villages, parks, parkBoxes, townshipCells, areaIdByCode, villageAt, townshipAt, commandAreaAt };
}

/** The four parks of the seed, in metres from the city centre: [name, x0, y0, x1, y1]. */
const PARKS: [string, number, number, number, number][] = [
  ['西江产业园区', -24_000, -9_000, -16_000, -3_000],   // 根竹镇, south of the river
  ['西江教育园区', -16_500, 9_000, -11_000, 13_500],    // between 武乐 and 奇石
  ['粤桂产业园区', 13_000, 1_000, 21_000, 6_500],       // 庆丰镇, east of 港城
  ['富硒产业园区', 2_500, 14_000, 9_000, 19_000],       // 奇石乡
];

// ---- names ----

const SYLLABLE_A = ['石', '龙', '大', '新', '东', '西', '南', '北', '平', '罗', '黄', '马', '竹', '莲', '凤', '六', '桥', '清', '福', '和',
  '安', '上', '下', '木', '甘', '覃', '梁', '古', '白', '金', '银', '长', '高', '沙', '塘', '那', '六', '蒙', '思', '旺'];
const SYLLABLE_B = ['岭', '塘', '江', '湾', '坡', '垌', '屯', '岸', '山', '田', '圩', '水', '埠', '洞', '冲', '岗', '苑', '湖', '桥', '村'];
const COMMUNITY_A = ['城东', '城西', '城南', '城北', '中山', '大东', '解放', '民主', '金港', '荷城', '南江', '新港', '江北', '罗泊',
  '西山', '东湖', '建设', '港湾', '仙衣', '迎宾'];

class VillageNamer {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  next(rural: boolean): string {
    for (let attempt = 0; ; attempt++) {
      const stem = rural ? this.rng.pick(SYLLABLE_A) + this.rng.pick(SYLLABLE_B) : this.rng.pick(COMMUNITY_A);
      const extra = attempt < 30 ? '' : this.rng.pick(SYLLABLE_A);
      // the syllables give ~800 community names: at large scales (a benchmark's 100) they run out, and
      // a community is then numbered as towns number theirs (城东第二社区)
      const nth = attempt < 60 ? '' : `第${chineseNumber(2 + Math.floor((attempt - 60) / 10))}`;
      const name = `${extra}${stem}${nth}${rural ? '村' : '社区'}`;
      if (!this.used.has(name) && !name.includes('村村')) {
        this.used.add(name);
        return name;
      }
    }
  }
}

/** 1…99 in Chinese numerals (二, 十二, 二十, 九十九). */
function chineseNumber(n: number): string {
  const digit = '〇一二三四五六七八九';
  if (n < 10) return digit[n];
  const tens = Math.floor(n / 10), ones = n % 10;
  return `${tens > 1 ? digit[tens] : ''}十${ones ? digit[ones] : ''}`;
}
