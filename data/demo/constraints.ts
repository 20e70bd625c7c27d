// Land a project may not simply take: military land (军事用地) on 港区大道, the land disputed between
// 西江农场 and 根竹镇 (争议地), and the reserved land (留用地) owed to villages for earlier takes.
import type { AdminLayout } from './admin.ts';
import { CREATED_ON } from './admin.ts';
import { type Ring, type XY, polygonGeom, rect } from './geometry.ts';
import { stampOf } from './random.ts';
import type { DisputedLandRow, MilitaryLandRow, ReservedLandRow } from './types.ts';

/** 港区大道's centre line is straight: y = 4200 + 0.075 (x − 1500) (see catalogue.ts). */
const ganquY = (x: number): number => 4_200 + 0.075 * (x - 1_500);

/** A quadrilateral hugging 港区大道, from `below` to `above` metres off its centre line. */
function alongGanqu(x0: number, x1: number, below: number, above: number): Ring {
  return [[x0, ganquY(x0) + below], [x1, ganquY(x1) + below], [x1, ganquY(x1) + above], [x0, ganquY(x0) + above]];
}

export interface MilitaryZone { ring: Ring; row: MilitaryLandRow }

export function buildMilitaryLand(): MilitaryZone[] {
  const unit = '中国人民解放军某部';
  // The red line is 60 m wide (±30 m): each piece reaches into it from one side.
  const zones: Omit<MilitaryLandRow, 'id' | 'geom' | 'version' | 'updated_at'>[] = [
    { code: 'JS-001', name: '训练场', unit, use: 'training_ground', notes: '第X集团军X师训练场，港区大道红线北侧穿越，需市政府协调征收' },
    { code: 'JS-002', name: '军属宿舍楼', unit, use: 'dependents_housing', notes: '军属宿舍楼及附属用地，部分位于港区大道红线内' },
    { code: 'JS-003', name: '贵港军分区大院内外花圃带', unit: '贵港军分区', use: 'compound', notes: '大院围墙内外花圃带土地，位于红线内' },
  ];
  const rings: Ring[] = [
    alongGanqu(3_900, 5_000, 8, 900),      // training ground north of the road, its south edge 22 m inside
    alongGanqu(5_700, 5_950, -180, -12),   // dependents' housing south of the road
    alongGanqu(6_300, 6_900, 18, 140),     // flower belt along the compound wall, north side
  ];
  return zones.map((z, i) => ({ ring: rings[i], row: { id: i + 1, ...z, geom: polygonGeom(rings[i]), version: 1, updated_at: stampOf(CREATED_ON) } }));
}

/** 西江农场 ↔ 根竹镇: overlaps the west of 西江产业园区标准厂房（一期）. */
export const DISPUTED_RING: Ring = rect(-22_600, -7_600, -20_700, -5_900);

export function buildDisputedLand(): DisputedLandRow[] {
  const stamp = stampOf(CREATED_ON);
  return [
    { id: 1, code: 'ZY-001', name: '西江农场与根竹镇争议地', parties: '广西农垦国有西江农场；根竹镇', status: 'mediating',
      description: '西江产业园区范围内权属争议，待区政府调解后方可征收', geom: polygonGeom(DISPUTED_RING), version: 1, updated_at: stamp },
    { id: 2, code: 'ZY-002', name: '庆丰镇与大圩镇村界争议地', parties: '庆丰镇；大圩镇', status: 'open',
      description: '村民小组之间土地界线不清', geom: polygonGeom(rect(21_000, -13_800, 22_400, -12_600)), version: 1, updated_at: stamp },
    { id: 3, code: 'ZY-003', name: '武乐镇林地权属争议', parties: '武乐镇两村民小组', status: 'resolved',
      description: '已调解，签订界线协议', geom: polygonGeom(rect(-30_000, 28_000, -28_800, 29_200)), version: 1, updated_at: stamp },
  ];
}

interface ReservedPlan { village: XY; projectName: string | null; year: number; owedMu: number; deliveredMu: number; dueOn: string; deliveredOn: string | null; notes: string; site: Ring | null }

/** 留用地: what the seed says was never delivered, and some that was. */
export function buildReservedLand(admin: AdminLayout, projectIdByName: Map<string, number>): ReservedLandRow[] {
  const plans: ReservedPlan[] = [
    { village: [16_000, 3_500], projectName: '粤桂产业园区（华电片区）', year: 2019, owedMu: 86.5, deliveredMu: 0, dueOn: '2020-12-31', deliveredOn: null,
      notes: '粤桂产业园区未落实留用地', site: rect(20_200, 1_200, 20_800, 1_700) },
    { village: [18_500, 5_500], projectName: '粤桂园港区大道（粤桂三路至华电路）', year: 2021, owedMu: 24.3, deliveredMu: 0, dueOn: '2022-12-31', deliveredOn: null,
      notes: '粤桂园路网项目生产生活留用地，2022年重点落实', site: null },
    { village: [6_000, 800], projectName: null, year: 2012, owedMu: 62.8, deliveredMu: 0, dueOn: '2013-12-31', deliveredOn: null,
      notes: '港城棚户第一安置区（原称解放路安置区），2012年至今未落实留用地', site: null },
    { village: [7_600, 1_200], projectName: null, year: 2012, owedMu: 48.2, deliveredMu: 0, dueOn: '2013-12-31', deliveredOn: null,
      notes: '三合棚户区（原称解放路安置区），2012年至今未落实留用地', site: rect(7_300, 2_000, 7_700, 2_350) },
    { village: [-20_000, -5_000], projectName: '西江产业园区标准厂房（一期）', year: 2020, owedMu: 55, deliveredMu: 55, dueOn: '2021-12-31', deliveredOn: '2021-10-20',
      notes: '已落实', site: rect(-23_500, -8_800, -23_000, -8_300) },
    { village: [-13_000, 10_000], projectName: '西江教育园区（二期）', year: 2021, owedMu: 40, deliveredMu: 18, dueOn: '2022-06-30', deliveredOn: '2022-09-15',
      notes: '部分落实', site: rect(-15_800, 9_300, -15_300, 9_700) },
    { village: [-2_000, 7_000], projectName: '城北大道东段（至北环路与高速公路连接线路口段）', year: 2019, owedMu: 32, deliveredMu: 32, dueOn: '2020-12-31', deliveredOn: '2020-11-30',
      notes: '已落实', site: rect(-1_200, 8_000, -800, 8_400) },
  ];
  return plans.map((p, i) => {
    const village = admin.villageAt(p.village);
    if (!village) throw new Error(`reserved land ${i + 1} lies outside every village`);
    return {
      id: i + 1,
      code: `LY-${String(i + 1).padStart(3, '0')}`,
      village_id: village.id,
      project_id: p.projectName ? projectIdByName.get(p.projectName) ?? null : null,
      year: p.year,
      owed_mu: p.owedMu,
      delivered_mu: p.deliveredMu,
      due_on: p.dueOn,
      delivered_on: p.deliveredOn,
      notes: p.notes,
      geom: p.site ? polygonGeom(p.site) : null,
      version: 1,
      updated_at: stampOf(CREATED_ON),
    };
  });
}

