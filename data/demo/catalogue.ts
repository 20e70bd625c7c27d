// The seed's projects (2021 work summary and 2022 plan), placed on the map. Coordinates are metres
// east/north of the city centre (109.60°E, 23.09°N); the 郁江 runs along y ≈ 0.
import type { XY } from './geometry.ts';
import type { ProjectKind, ProjectMilestoneRow, ProjectRow } from './types.ts';

/** How a project's parcels progressed: early (done by early 2021), steady (2021 target), late (2022 plan), stalled */
export type Tempo = 'early' | 'steady' | 'late' | 'stalled';

export type Shape =
  | { road: XY[]; width: number; lanes: number; spacing: number }
  | { block: XY; size: [number, number]; rotation: number; cell: number }
  | null; // no red line yet (未出征地红线图)

export interface ProjectPlan {
  name: string;
  kind: ProjectKind;
  source: ProjectRow['source'];
  year: number;
  park?: string;
  shape: Shape;
  startedOn: string;
  approval: 'region' | 'city' | 'submitted' | 'pre';
  tempo: Tempo;
  /** share of parcels with a house on them (old town ≈ 1, farmland roads ≈ 0.03) */
  houseShare: number;
  /** its red line touches 双高糖料蔗基地 (the seed: 15 projects do) */
  caneBase: boolean;
  ownerUnit: string;
  /** 市农投集团（原市西郊苗圃）land inside the red line, 亩 (seed: 富源/中港华府A/A-2/仙衣路) */
  publicInstitutionMu?: number;
  milestones?: { kind: ProjectMilestoneRow['kind']; name: string; on: string }[];
  /** target figures when there is no red line to measure */
  landTargetMu?: number;
  houseTargetM2?: number;
}

const CITY_ROADS = '贵港市城市建设投资发展集团有限公司';
const TRANSPORT = '贵港市交通投资发展集团有限公司';

export const SEED_PROJECTS: ProjectPlan[] = [
  // 港城: the key road with military land on it
  { name: '港区大道（金港大道－城东大道）', kind: 'road', source: 'key', year: 2021, startedOn: '2020-06-15', approval: 'region', tempo: 'steady',
    shape: { road: [[1_500, 4_200], [5_500, 4_500], [9_500, 4_800]], width: 60, lanes: 4, spacing: 70 }, houseShare: 0.06, caneBase: false, ownerUnit: CITY_ROADS },
  // 贵城 old town
  { name: '仙衣路（建设路—西环路）改造工程', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2020-09-01', approval: 'city', tempo: 'steady',
    shape: { road: [[-6_000, 2_350], [-4_200, 2_450], [-2_500, 2_400]], width: 36, lanes: 2, spacing: 40 }, houseShare: 0.45, caneBase: false,
    ownerUnit: CITY_ROADS, publicInstitutionMu: 8 },
  { name: '富源商住小区', kind: 'residential', source: 'city_assigned', year: 2021, startedOn: '2020-05-10', approval: 'city', tempo: 'steady',
    shape: { block: [-6_800, 3_500], size: [520, 420], rotation: 8, cell: 45 }, houseShare: 0.3, caneBase: false,
    ownerUnit: '贵港市富源房地产开发有限公司', publicInstitutionMu: 16 },
  { name: '中港华府（三）A区', kind: 'residential', source: 'city_assigned', year: 2021, startedOn: '2020-07-01', approval: 'city', tempo: 'steady',
    shape: { block: [3_800, 2_300], size: [430, 380], rotation: -5, cell: 42 }, houseShare: 0.3, caneBase: false,
    ownerUnit: '广西中港房地产开发有限公司', publicInstitutionMu: 21 },
  { name: '中港华府（三）A－2区', kind: 'residential', source: 'city_assigned', year: 2021, startedOn: '2020-07-01', approval: 'city', tempo: 'steady',
    shape: { block: [4_420, 2_260], size: [300, 360], rotation: -5, cell: 40 }, houseShare: 0.3, caneBase: false,
    ownerUnit: '广西中港房地产开发有限公司', publicInstitutionMu: 12 },
  { name: '骑楼街区综合改造', kind: 'old_town_renewal', source: 'key', year: 2022, startedOn: '2021-06-01', approval: 'city', tempo: 'late',
    shape: { block: [-3_900, 1_450], size: [640, 340], rotation: 3, cell: 21 }, houseShare: 0.95, caneBase: false, ownerUnit: '贵港市文化旅游投资集团有限公司' },
  { name: '郁江两岸综合治理工程', kind: 'riverfront', source: 'key', year: 2022, startedOn: '2021-08-01', approval: 'submitted', tempo: 'late',
    shape: null /* built along the north bank in projects.ts */, houseShare: 0.08, caneBase: false, ownerUnit: '贵港市文化旅游投资集团有限公司' },
  { name: '旺华郁江大桥及东二环工程', kind: 'bridge', source: 'key', year: 2022, startedOn: '2021-11-01', approval: 'pre', tempo: 'stalled',
    shape: null, houseShare: 0, caneBase: false, ownerUnit: TRANSPORT, landTargetMu: 420, houseTargetM2: 18_500 },
  // 九路两桥 in the 2022 plan
  { name: '猫儿山至武乐公路', kind: 'road', source: 'key', year: 2022, startedOn: '2021-03-01', approval: 'submitted', tempo: 'late',
    shape: { road: [[-3_000, 14_000], [-10_000, 18_000], [-18_000, 21_500], [-26_000, 25_500]], width: 40, lanes: 2, spacing: 95 }, houseShare: 0.03, caneBase: true, ownerUnit: TRANSPORT },
  { name: 'G358贵港至贵隆高速公路庆丰出口一级公路（贵港城区段改造工程）', kind: 'road', source: 'key', year: 2022, startedOn: '2021-04-01', approval: 'region', tempo: 'late',
    shape: { road: [[10_500, -1_300], [16_000, -2_600], [24_000, -3_500]], width: 50, lanes: 2, spacing: 80 }, houseShare: 0.04, caneBase: true, ownerUnit: TRANSPORT },
  { name: 'G358覃塘至黎塘界一级公路（覃塘、根竹段改造）', kind: 'road', source: 'key', year: 2022, startedOn: '2021-04-01', approval: 'region', tempo: 'late',
    shape: { road: [[-10_500, 2_600], [-20_000, 3_600], [-30_000, 4_200], [-39_000, 5_200]], width: 50, lanes: 2, spacing: 95 }, houseShare: 0.04, caneBase: true, ownerUnit: TRANSPORT },
  // 城北片区 roads the summary says opened in 2021
  { name: '城北大道东段（至北环路与高速公路连接线路口段）', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2019-09-01', approval: 'region', tempo: 'early',
    shape: { road: [[-1_000, 6_800], [2_500, 7_000], [6_000, 7_200]], width: 50, lanes: 2, spacing: 70 }, houseShare: 0.05, caneBase: false, ownerUnit: CITY_ROADS,
    milestones: [{ kind: 'completed', name: '全线贯通', on: '2021-01-30' }] },
  { name: '金港大道（北环路－城北大道）', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2019-10-01', approval: 'region', tempo: 'early',
    shape: { road: [[-400, 5_700], [-300, 6_400]], width: 50, lanes: 2, spacing: 50 }, houseShare: 0.05, caneBase: false, ownerUnit: CITY_ROADS,
    milestones: [{ kind: 'half_opened', name: '半幅通车', on: '2021-01-31' }] },
  { name: '城北大道东段高架桥主干道及高铁站高架环路', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2019-11-01', approval: 'region', tempo: 'early',
    shape: { road: [[6_600, 6_200], [8_000, 7_400], [9_600, 8_400]], width: 45, lanes: 2, spacing: 60 }, houseShare: 0.03, caneBase: true, ownerUnit: CITY_ROADS,
    milestones: [{ kind: 'opened_to_traffic', name: '通车', on: '2021-02-01' }] },
  { name: '北环路东段（荷城路－城东大道）', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2020-03-01', approval: 'city', tempo: 'steady',
    shape: { road: [[-4_400, 5_150], [-2_900, 5_250], [-1_400, 5_300]], width: 40, lanes: 2, spacing: 55 }, houseShare: 0.08, caneBase: false, ownerUnit: CITY_ROADS,
    milestones: [{ kind: 'opened_to_traffic', name: '通车', on: '2021-09-03' }] },
  { name: '迎宾大道（北环路至城北大道段）', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2020-03-01', approval: 'city', tempo: 'steady',
    shape: { road: [[-2_300, 5_900], [-2_150, 7_300], [-2_000, 8_600]], width: 45, lanes: 2, spacing: 55 }, houseShare: 0.05, caneBase: true, ownerUnit: CITY_ROADS,
    milestones: [{ kind: 'opened_to_traffic', name: '通车', on: '2021-09-30' }] },
  // 江南: the projects whose works broke the irrigation near 碧桂园城市之光
  { name: '富安居（碧桂园城市之光）', kind: 'residential', source: 'district_coordinated', year: 2021, startedOn: '2019-12-01', approval: 'city', tempo: 'steady',
    shape: { block: [-4_100, -4_900], size: [620, 480], rotation: 12, cell: 55 }, houseShare: 0.12, caneBase: true, ownerUnit: '贵港碧桂园房地产开发有限公司' },
  { name: '盛邦·江南华府', kind: 'residential', source: 'district_coordinated', year: 2021, startedOn: '2020-04-01', approval: 'city', tempo: 'steady',
    shape: { block: [-3_100, -5_900], size: [380, 330], rotation: 10, cell: 48 }, houseShare: 0.15, caneBase: false, ownerUnit: '贵港市盛邦置业有限公司' },
  { name: '龚州路（江南大道－南山路）', kind: 'road', source: 'city_assigned', year: 2021, startedOn: '2020-02-01', approval: 'city', tempo: 'steady',
    shape: { road: [[-6_500, -3_700], [-4_000, -3_800], [-1_200, -4_000]], width: 40, lanes: 2, spacing: 60 }, houseShare: 0.06, caneBase: false, ownerUnit: CITY_ROADS },
  { name: '美家居建材城', kind: 'other', source: 'district_coordinated', year: 2021, startedOn: '2020-06-01', approval: 'city', tempo: 'steady',
    shape: { block: [-800, -5_200], size: [450, 360], rotation: -6, cell: 55 }, houseShare: 0.08, caneBase: false, ownerUnit: '贵港市美家居商贸有限公司' },
  // 港城 public works and resettlement
  { name: '城北安置区（二期）建设用地', kind: 'resettlement', source: 'district_coordinated', year: 2021, startedOn: '2020-08-01', approval: 'city', tempo: 'steady',
    shape: { block: [2_600, 6_100], size: [420, 300], rotation: 0, cell: 45 }, houseShare: 0.2, caneBase: false, ownerUnit: '贵港市港北区住房和城乡建设局' },
  { name: '贵港站站前广场及配套道路', kind: 'public_facility', source: 'city_assigned', year: 2022, startedOn: '2021-05-01', approval: 'submitted', tempo: 'late',
    shape: { block: [3_600, 10_100], size: [600, 420], rotation: 4, cell: 60 }, houseShare: 0.08, caneBase: true, ownerUnit: CITY_ROADS },
  // parks (西江产业园区, 西江教育园区, 粤桂产业园区, 富硒产业园区)
  { name: '西江产业园区标准厂房（一期）', kind: 'industrial_park', source: 'key', year: 2021, park: '西江产业园区', startedOn: '2020-10-01', approval: 'region', tempo: 'steady',
    shape: { block: [-20_500, -6_800], size: [1_500, 1_100], rotation: 0, cell: 95 }, houseShare: 0.02, caneBase: true, ownerUnit: '西江产业园区管理委员会' },
  { name: '西江产业园区纵一路', kind: 'road', source: 'district_coordinated', year: 2022, park: '西江产业园区', startedOn: '2021-06-01', approval: 'submitted', tempo: 'late',
    shape: { road: [[-18_000, -8_800], [-17_800, -6_000], [-17_600, -3_300]], width: 40, lanes: 2, spacing: 70 }, houseShare: 0.02, caneBase: true, ownerUnit: '西江产业园区管理委员会' },
  { name: '西江教育园区（二期）', kind: 'public_facility', source: 'key', year: 2022, park: '西江教育园区', startedOn: '2021-03-01', approval: 'submitted', tempo: 'late',
    shape: { block: [-13_800, 11_200], size: [1_300, 1_000], rotation: -4, cell: 90 }, houseShare: 0.03, caneBase: true, ownerUnit: '西江教育园区管理委员会' },
  { name: '富硒产业园区基础设施（一期）', kind: 'industrial_park', source: 'district_coordinated', year: 2022, park: '富硒产业园区', startedOn: '2021-05-01', approval: 'pre', tempo: 'late',
    shape: { block: [5_800, 16_400], size: [1_200, 900], rotation: 6, cell: 90 }, houseShare: 0.03, caneBase: true, ownerUnit: '富硒产业园区管理委员会' },
  { name: '粤桂产业园区（华电片区）', kind: 'industrial_park', source: 'key', year: 2021, park: '粤桂产业园区', startedOn: '2020-09-01', approval: 'region', tempo: 'steady',
    shape: { block: [19_200, 4_800], size: [1_300, 1_000], rotation: 0, cell: 90 }, houseShare: 0.02, caneBase: true, ownerUnit: '粤桂产业园区管理委员会' },
  { name: '粤桂园港区大道（粤桂三路至华电路）', kind: 'road', source: 'key', year: 2022, park: '粤桂产业园区', startedOn: '2021-04-01', approval: 'submitted', tempo: 'late',
    shape: { road: [[13_500, 2_600], [16_000, 2_900], [18_300, 3_300]], width: 50, lanes: 2, spacing: 70 }, houseShare: 0.03, caneBase: true, ownerUnit: '粤桂产业园区管理委员会' },
  { name: '粤港二路', kind: 'road', source: 'district_coordinated', year: 2022, park: '粤桂产业园区', startedOn: '2021-04-01', approval: 'pre', tempo: 'late',
    shape: { road: [[15_000, 4_100], [15_300, 5_200], [15_600, 6_300]], width: 40, lanes: 2, spacing: 60 }, houseShare: 0.03, caneBase: true, ownerUnit: '粤桂产业园区管理委员会' },
  // outer ring
  { name: '庆丰至大圩公路改造工程', kind: 'road', source: 'district_coordinated', year: 2021, startedOn: '2020-11-01', approval: 'city', tempo: 'steady',
    shape: { road: [[22_000, -6_000], [20_000, -12_000], [17_000, -19_000]], width: 30, lanes: 2, spacing: 80 }, houseShare: 0.04, caneBase: true, ownerUnit: TRANSPORT },
];
