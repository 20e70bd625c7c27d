// What the land a red line takes means for its approval (报批): the consequences in words, from the
// land-class figures (三调) and the 三区三线 results. Isomorphic: the server's analysis and report and
// the browser's panel say the same sentences.
//   《土地管理法》(2019) 第四十六条: 征收永久基本农田、永久基本农田以外的耕地超过三十五公顷、其他土地超过七十公顷的，
//   由国务院批准；征收其他土地，由省、自治区、直辖市人民政府批准。第四十四条: 占用土地涉及农用地转为建设用地的，办理
//   农用地转用审批。第三十条: 非农业建设经批准占用耕地的，按照"占多少，垦多少"补充耕地（占补平衡）。
//   生态保护红线内: 原则上禁止开发性、生产性建设活动；国家重大项目等确实无法避让的，须论证并报批。
//   城镇开发边界: 边界内按城市批次（分批次）报批；边界外的建设项目单独选址。
import type { DualArea } from './area.ts';
import type { Label } from './domain.ts';
import type { LegalCategory } from './landclass.ts';
import { M2_PER_HECTARE, m2ToMu } from './units.ts';

/** The figures the rules read, in m² (ellipsoidal: the legal area). */
export interface ApprovalFigures {
  redLineM2: number;
  /** 耕地 (01xx) taken, 永久基本农田 included */
  cultivatedM2: number;
  /** 农用地 taken (耕地 included) */
  agriculturalM2: number;
  /** 永久基本农田 taken */
  permanentBasicM2: number;
  /** inside the ecological protection red line */
  ecoRedlineM2: number;
  /** inside the urban development boundary */
  insideUrbanM2: number;
  /** land of no surveyed class (no 三调 polygon) */
  unsurveyedM2: number;
}

export type ApprovalLevel = 'state_council' | 'province';

// ---- the analysis' answer (POST /api/conflicts → landUse, planning), read by the panel and the report ----

/** What the red line takes by 三调 land class, summing to its area (未调查 the land no survey polygon covers). */
export interface LandUseResult {
  /** by second-level class code, in code order */
  classes: { code: string; name: Label; category: LegalCategory | null; area: DualArea }[];
  /** by legal category (农用地 / 建设用地 / 未利用地), then 未调查 and codes of no known category */
  categories: { category: LegalCategory | 'unsurveyed' | 'unknown'; title: Label; area: DualArea }[];
  unsurveyed: DualArea;
  /** survey polygons counted twice (they overlap: a data error): left in the classes, said in a warning */
  overlapM2: number;
}

/** 三区三线 and what they mean for the approval. */
export interface PlanningResult {
  ecoRedline: DualArea;
  permanentBasicFarmland: DualArea;
  insideUrbanBoundary: DualArea;
  outsideUrbanBoundary: DualArea;
  approvalLevel: ApprovalLevel;
  consequences: Consequence[];
}


export interface Consequence {
  /** stable key, for tests and for the client's styling */
  rule: 'permanent_basic' | 'cultivated_quota' | 'conversion' | 'eco_redline' | 'urban_inside' | 'urban_outside' | 'urban_across' | 'approval_level' | 'unsurveyed';
  severity: 'block' | 'warn' | 'info';
  text: Label;
}

/** 第四十六条 thresholds */
export const STATE_COUNCIL_CULTIVATED_M2 = 35 * M2_PER_HECTARE;
export const STATE_COUNCIL_OTHER_M2 = 70 * M2_PER_HECTARE;
/** below this, an area is measurement noise, not a finding (the analysis' sliver tolerance is per feature) */
const NOISE_M2 = 1;

const mu = (m2: number): string => m2ToMu(m2).toFixed(2);

/** Who approves the take: the State Council or the province (第四十六条). */
export function approvalLevel(f: ApprovalFigures): ApprovalLevel {
  const other = f.redLineM2 - f.cultivatedM2;
  return f.permanentBasicM2 > NOISE_M2 || f.cultivatedM2 - f.permanentBasicM2 > STATE_COUNCIL_CULTIVATED_M2 || other > STATE_COUNCIL_OTHER_M2
    ? 'state_council' : 'province';
}

/** The consequences for the approval, most binding first. */
export function approvalConsequences(f: ApprovalFigures): Consequence[] {
  const out: Consequence[] = [];
  if (f.ecoRedlineM2 > NOISE_M2) {
    out.push({ rule: 'eco_redline', severity: 'block', text: {
      zh: `位于生态保护红线内 ${mu(f.ecoRedlineM2)} 亩：原则上禁止开发性、生产性建设，确实无法避让的须开展不可避让论证并报批`,
      en: `${mu(f.ecoRedlineM2)} mu inside the ecological protection red line: construction is in principle forbidden; a project that truly cannot avoid it needs an unavoidability study and approval`,
    } });
  }
  if (f.permanentBasicM2 > NOISE_M2) {
    out.push({ rule: 'permanent_basic', severity: 'block', text: {
      zh: `占用永久基本农田 ${mu(f.permanentBasicM2)} 亩：须报国务院批准，并补划数量相等、质量相当的永久基本农田`,
      en: `Takes ${mu(f.permanentBasicM2)} mu of permanent basic farmland: needs State Council approval and equal replacement farmland of the same quality`,
    } });
  }
  if (f.cultivatedM2 > NOISE_M2) {
    out.push({ rule: 'cultivated_quota', severity: 'warn', text: {
      zh: `占用耕地 ${mu(f.cultivatedM2)} 亩：须落实耕地占补平衡（补充数量、质量相当的耕地）和新增建设用地计划指标`,
      en: `Takes ${mu(f.cultivatedM2)} mu of cultivated land: needs balancing (equal new cultivated land) and construction-land quota`,
    } });
  }
  if (f.agriculturalM2 > NOISE_M2) {
    out.push({ rule: 'conversion', severity: 'warn', text: {
      zh: `占用农用地 ${mu(f.agriculturalM2)} 亩：须办理农用地转用审批`,
      en: `Takes ${mu(f.agriculturalM2)} mu of agricultural land: needs approval of its conversion to construction land`,
    } });
  }
  const outsideUrbanM2 = f.redLineM2 - f.insideUrbanM2;
  if (f.insideUrbanM2 <= NOISE_M2) {
    out.push({ rule: 'urban_outside', severity: 'info', text: {
      zh: '位于城镇开发边界外：单独选址报批',
      en: 'Outside the urban development boundary: sited and approved on its own',
    } });
  } else if (outsideUrbanM2 > NOISE_M2) {
    out.push({ rule: 'urban_across', severity: 'info', text: {
      zh: `跨城镇开发边界：边界内 ${mu(f.insideUrbanM2)} 亩可按城市批次报批，边界外 ${mu(outsideUrbanM2)} 亩须单独选址`,
      en: `Crosses the urban development boundary: ${mu(f.insideUrbanM2)} mu inside may go in a city batch, ${mu(outsideUrbanM2)} mu outside must be sited on its own`,
    } });
  } else {
    out.push({ rule: 'urban_inside', severity: 'info', text: {
      zh: '位于城镇开发边界内：按城市批次报批',
      en: 'Inside the urban development boundary: approved in a city batch',
    } });
  }
  out.push(approvalLevel(f) === 'state_council'
    ? { rule: 'approval_level', severity: 'warn', text: {
      zh: '征收审批机关：国务院（涉及永久基本农田，或耕地超过 35 公顷，或其他土地超过 70 公顷）',
      en: 'Approved by the State Council (permanent basic farmland, or over 35 ha of cultivated land, or over 70 ha of other land)',
    } }
    : { rule: 'approval_level', severity: 'info', text: {
      zh: '征收审批机关：自治区人民政府',
      en: 'Approved by the autonomous region’s government',
    } });
  if (f.unsurveyedM2 > NOISE_M2) {
    out.push({ rule: 'unsurveyed', severity: 'warn', text: {
      zh: `${mu(f.unsurveyedM2)} 亩无三调地类图斑（未调查）：地类须现场核实`,
      en: `${mu(f.unsurveyedM2)} mu has no land-use survey polygon (unsurveyed): its class must be checked on site`,
    } });
  }
  return out;
}

/** Who approves, as the approval package (报批材料) names it: 第四十六条's two levels. */
export const APPROVAL_LEVEL: Record<ApprovalLevel, Label> = {
  state_council: { zh: '国务院', en: 'State Council' },
  province: { zh: '自治区人民政府（省级）', en: 'The autonomous region’s government (provincial level)' },
};
