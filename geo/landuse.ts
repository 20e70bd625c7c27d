// The land-class table (三调) and the 三区三线 result of a red line, from its area figures: one rule for
// the server's authoritative analysis (server/conflicts/analysis.ts, PostGIS figures) and the browser's
// live panel (LiveOverlaps' Turf figures, while drawing). The consequences in words come from
// geo/approval.ts, for both.
import { approvalConsequences, approvalLevel, type ApprovalFigures, type LandUseResult, type PlanningResult } from './approval.ts';
import { dualArea, type DualArea, type LiveResult } from './area.ts';
import { isCultivated, LAND_CLASS_BY_CODE, LEGAL_CATEGORY, type LegalCategory, legalCategoryOf } from './landclass.ts';

/** An area both ways, in m²: e ellipsoidal (or the live figure), p planar. */
export interface AreaPair {
  e: number;
  p: number;
}

/** Within this of the red line's area, the classes cover it all (edges of survey polygons measured apart). */
export const COVER_NOISE_M2 = 0.01;
/**
 * The classes' areas are measured piece by piece (the server cuts by the red line's subdivided pieces;
 * the browser by Turf), the red line's whole: they agree to ~1e-8 of the red line, not to the 0.01 m² the
 * table sums to. An excess that small is measurement, not overlapping survey polygons.
 */
export const MEASURE_NOISE = 1e-7;

/**
 * The classes, the legal categories and 未调查 (the red line's area less the classes', both measures), so
 * that the table sums to the red line. More than the red line (survey polygons overlapping) is reported
 * as overlapM2, never taken off a class; an excess within the measurement noise (MEASURE_NOISE) is spread
 * over the classes in proportion, so the table sums exactly.
 */
export function landUseBreakdown(classes: Map<string, AreaPair>, redLine: DualArea): LandUseResult {
  const measured = [...classes].filter(([, v]) => v.e > 0);
  const measuredE = measured.reduce((a, [, v]) => a + v.e, 0);
  const excess = measuredE - redLine.ellipsoidal.m2;
  const scale = excess > 0 && excess <= Math.max(COVER_NOISE_M2, MEASURE_NOISE * redLine.ellipsoidal.m2) ? redLine.ellipsoidal.m2 / measuredE : 1;
  const rows = measured.sort(([a], [b]) => a.localeCompare(b))
    .map(([code, v]) => {
      const def = LAND_CLASS_BY_CODE.get(code);
      return { code, name: def?.name ?? { zh: code, en: code }, category: legalCategoryOf(code) ?? null, area: dualArea(v.e * scale, v.p * scale) };
    });
  const sumE = rows.reduce((a, r) => a + r.area.ellipsoidal.m2, 0);
  const sumP = rows.reduce((a, r) => a + r.area.planar.m2, 0);
  const gapE = redLine.ellipsoidal.m2 - sumE;
  const gapP = redLine.planar.m2 - sumP;
  const unsurveyed = dualArea(gapE > COVER_NOISE_M2 ? gapE : 0, gapE > COVER_NOISE_M2 ? Math.max(0, gapP) : 0);
  const categories: LandUseResult['categories'] = [];
  for (const category of Object.keys(LEGAL_CATEGORY) as LegalCategory[]) {
    const of = rows.filter((r) => r.category === category);
    categories.push({ category, title: LEGAL_CATEGORY[category], area: dualArea(of.reduce((a, r) => a + r.area.ellipsoidal.m2, 0), of.reduce((a, r) => a + r.area.planar.m2, 0)) });
  }
  const unknown = rows.filter((r) => r.category === null);
  if (unknown.length) {
    categories.push({ category: 'unknown', title: { zh: '地类编码不明', en: 'Unknown class code' },
      area: dualArea(unknown.reduce((a, r) => a + r.area.ellipsoidal.m2, 0), unknown.reduce((a, r) => a + r.area.planar.m2, 0)) });
  }
  categories.push({ category: 'unsurveyed', title: { zh: '未调查', en: 'Unsurveyed' }, area: unsurveyed });
  return { classes: rows, categories, unsurveyed, overlapM2: gapE < -COVER_NOISE_M2 ? -gapE : 0 };
}

/** The 三区三线 result's rows, as the live panel, the report and the approval package list them. */
export const PLANNING_ROWS: readonly { key: 'eco_redline' | 'permanent_basic' | 'urban_inside' | 'urban_outside'; title: { zh: string; en: string }; area: (p: PlanningResult) => DualArea }[] = [
  { key: 'eco_redline', title: { zh: '生态保护红线内', en: 'Inside the ecological red line' }, area: (p) => p.ecoRedline },
  { key: 'permanent_basic', title: { zh: '占用永久基本农田', en: 'Permanent basic farmland taken' }, area: (p) => p.permanentBasicFarmland },
  { key: 'urban_inside', title: { zh: '城镇开发边界内', en: 'Inside the urban development boundary' }, area: (p) => p.insideUrbanBoundary },
  { key: 'urban_outside', title: { zh: '城镇开发边界外', en: 'Outside the urban development boundary' }, area: (p) => p.outsideUrbanBoundary },
];

/** What the 三区三线 result is read from: the red line, its land classes, and its overlaps with the lines. */
export interface PlanningInput {
  redLine: DualArea;
  /** land class code → area under the red line */
  classes: Map<string, AreaPair>;
  landUse: LandUseResult;
  /** the red line's overlap with the ecological protection red line (the conflict layer's total) */
  ecoRedline: DualArea;
  /** … with 永久基本农田 (the conflict layer's total) */
  permanentBasicFarmland: DualArea;
  /** … with the urban development boundary */
  insideUrban: AreaPair;
}

/** The figures the approval rules read (ellipsoidal: the legal area). */
export function approvalFigures(i: PlanningInput): ApprovalFigures {
  const sumOf = (pick: (code: string) => boolean) => [...i.classes].filter(([code]) => pick(code)).reduce((a, [, v]) => a + v.e, 0);
  return {
    redLineM2: i.redLine.ellipsoidal.m2,
    cultivatedM2: sumOf(isCultivated),
    agriculturalM2: sumOf((code) => legalCategoryOf(code) === 'agricultural'),
    permanentBasicM2: i.permanentBasicFarmland.ellipsoidal.m2,
    ecoRedlineM2: i.ecoRedline.ellipsoidal.m2,
    insideUrbanM2: i.insideUrban.e,
    unsurveyedM2: i.landUse.unsurveyed.ellipsoidal.m2,
  };
}

/** 三区三线: the areas inside each line, inside/outside the urban boundary, who approves and why, in words. */
export function planningResult(i: PlanningInput): PlanningResult {
  const figures = approvalFigures(i);
  return {
    ecoRedline: i.ecoRedline,
    permanentBasicFarmland: i.permanentBasicFarmland,
    insideUrbanBoundary: dualArea(i.insideUrban.e, i.insideUrban.p),
    outsideUrbanBoundary: dualArea(Math.max(0, i.redLine.ellipsoidal.m2 - i.insideUrban.e), Math.max(0, i.redLine.planar.m2 - i.insideUrban.p)),
    approvalLevel: approvalLevel(figures),
    consequences: approvalConsequences(figures),
  };
}

/**
 * The live panel's land-class table and 三区三线 result, from LiveOverlaps' figures: the same rules as the
 * server's, on Turf's live areas. Live figures have no planar measure: `planar` is NaN throughout (the
 * panel shows the live column only). Null when the land use under the red line is not all loaded.
 */
export function liveLandUse(live: LiveResult): { landUse: LandUseResult; planning: PlanningResult } | null {
  if (!live.survey) return null;
  const pair = (m2: number): AreaPair => ({ e: m2, p: NaN });
  const redLine = dualArea(live.redLineM2, NaN);
  const classes = new Map(Object.entries(live.survey.classes).map(([code, m2]) => [code, pair(m2)]));
  const landUse = landUseBreakdown(classes, redLine);
  const layer = (id: string) => dualArea(live.layers.find((l) => l.id === id)?.m2 ?? 0, NaN);
  const planning = planningResult({
    redLine, classes, landUse,
    ecoRedline: layer('eco_redline'),
    permanentBasicFarmland: layer('permanent_basic_farmland'),
    insideUrban: pair(live.survey.urbanM2),
  });
  return { landUse, planning };
}
