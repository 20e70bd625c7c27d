// The domain's vocabulary with its Chinese and English labels: one source for the map, the
// reports and the exports. Keys match the CHECK constraints in migrations/002_domain.sql.

import { LAND_CLASSES } from './landclass.ts';

export type Label = { zh: string; en: string };

export const TAKE_STATUS = {
  unsigned: { zh: '未签约', en: 'Unsigned' },
  signed: { zh: '已签约', en: 'Signed' },
  paid: { zh: '已付款', en: 'Paid' },
  handed_over: { zh: '已交地', en: 'Handed over' },
  court: { zh: '司法征收', en: 'Court route' },
} as const satisfies Record<string, Label>;

export const OWNER_TYPE = {
  village_collective: { zh: '村集体', en: 'Village collective' },
  household: { zh: '农户', en: 'Household' },
  public_institution: { zh: '公建单位', en: 'Public institution' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  military: { zh: '部队', en: 'Military' },
  state_farm: { zh: '国有农场', en: 'State farm' },
} as const satisfies Record<string, Label>;

export const PROJECT_KIND = {
  road: { zh: '道路', en: 'Road' },
  bridge: { zh: '桥梁', en: 'Bridge' },
  industrial_park: { zh: '产业园区', en: 'Industrial park' },
  residential: { zh: '商住', en: 'Residential' },
  old_town_renewal: { zh: '旧城改造', en: 'Old-town renewal' },
  riverfront: { zh: '滨江治理', en: 'Riverfront' },
  public_facility: { zh: '公共设施', en: 'Public facility' },
  resettlement: { zh: '安置区', en: 'Resettlement' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<string, Label>;

export const PROJECT_SOURCE = {
  city_assigned: { zh: '市下达', en: 'City-assigned' },
  district_coordinated: { zh: '区统筹', en: 'District-coordinated' },
  key: { zh: '重点项目', en: 'Key project' },
} as const satisfies Record<string, Label>;

export const APPROVAL_STAGE = {
  pre_expropriation: { zh: '预征地', en: 'Pre-expropriation' },
  submitted: { zh: '报批', en: 'Submitted' },
  approved: { zh: '已批复', en: 'Approved' },
} as const satisfies Record<string, Label>;

export const FARMLAND_KIND = {
  permanent_basic: { zh: '永久基本农田', en: 'Permanent basic farmland' },
  cultivated: { zh: '一般耕地', en: 'Cultivated land' },
} as const satisfies Record<string, Label>;

export const MILITARY_USE = {
  training_ground: { zh: '训练场', en: 'Training ground' },
  dependents_housing: { zh: '军属宿舍', en: 'Dependents’ housing' },
  compound: { zh: '军分区大院', en: 'Compound' },
  other: { zh: '其他军事用地', en: 'Other military land' },
} as const satisfies Record<string, Label>;

export const PROBLEM_KIND = {
  funding: { zh: '资金不到位', en: 'Funding not in place' },
  public_institution: { zh: '公建单位征收', en: 'Public-institution land' },
  military_land: { zh: '军事用地', en: 'Military land' },
  cane_base_replacement: { zh: '双高糖料蔗基地调整置换', en: 'Cane-base replacement' },
  resettlement_delay: { zh: '安置房未交付', en: 'Resettlement delay' },
  irrigation_damage: { zh: '灌溉设施破坏', en: 'Irrigation damage' },
  reserved_land: { zh: '留用地未落实', en: 'Reserved land owed' },
  pension_eligibility: { zh: '失地农民养老保险', en: 'Pension eligibility' },
  illegal_building: { zh: '“双违”', en: 'Illegal occupation/building' },
} as const satisfies Record<string, Label>;

export const COMMAND_AREA = {
  guicheng: { zh: '贵城片区', en: 'Guicheng' },
  gangcheng: { zh: '港城片区', en: 'Gangcheng' },
  outer: { zh: '城区外围片区', en: 'Outer ring' },
} as const satisfies Record<string, Label>;

/** Land-class names by code (GB/T 21010-2017, second level): geo/landclass.ts holds the table. */
export const LAND_CLASS: Record<string, Label> = Object.fromEntries(LAND_CLASSES.map((c) => [c.code, c.name]));

/** Allowed next states of a parcel or house (the workflow the feature API enforces). */
export const TAKE_STATUS_NEXT: Record<keyof typeof TAKE_STATUS, (keyof typeof TAKE_STATUS)[]> = {
  unsigned: ['signed', 'court'],
  signed: ['paid', 'court'],
  paid: ['handed_over'],
  handed_over: [],
  court: ['handed_over'],
};

// The base-map and admin tables' value lists (CHECK values in migrations/002_domain.sql).
export const WATER_KIND: Record<string, Label> = {
  river: { zh: '河流', en: 'River' },
  lake: { zh: '湖泊', en: 'Lake' },
  pond: { zh: '坑塘', en: 'Pond' },
};
export const ROAD_CLASS: Record<string, Label> = {
  expressway: { zh: '高速公路', en: 'Expressway' },
  arterial: { zh: '主干路', en: 'Arterial' },
  secondary: { zh: '次干路', en: 'Secondary' },
  local: { zh: '支路', en: 'Local' },
  railway: { zh: '铁路', en: 'Railway' },
};
export const PLACE_KIND: Record<string, Label> = {
  city: { zh: '城区', en: 'City' },
  town: { zh: '镇', en: 'Town' },
  village: { zh: '村', en: 'Village' },
  landmark: { zh: '地标', en: 'Landmark' },
  station: { zh: '车站/码头', en: 'Station' },
};
export const TOWNSHIP_KIND: Record<string, Label> = {
  town: { zh: '镇', en: 'Town' },
  subdistrict: { zh: '街道', en: 'Subdistrict' },
};
export const VILLAGE_KIND: Record<string, Label> = {
  village: { zh: '行政村', en: 'Village' },
  community: { zh: '社区', en: 'Community' },
};
export const DISPUTE_STATUS: Record<string, Label> = {
  open: { zh: '未解决', en: 'Open' },
  mediating: { zh: '调处中', en: 'Mediating' },
  resolved: { zh: '已解决', en: 'Resolved' },
};
export const PROBLEM_STATUS: Record<string, Label> = {
  open: { zh: '待处理', en: 'Open' },
  in_progress: { zh: '处理中', en: 'In progress' },
  resolved: { zh: '已解决', en: 'Resolved' },
};

/** The stored keys of the coded values above (as the database's CHECK constraints list them). */
export type TakeStatus = keyof typeof TAKE_STATUS;
export type OwnerType = keyof typeof OWNER_TYPE;
export type ProblemKind = keyof typeof PROBLEM_KIND;

/** Attribute names as shown in popups. */
export const ATTRIBUTE: Record<string, Label> = {
  id: { zh: '要素编号', en: 'Feature ID' },
  name: { zh: '名称', en: 'Name' },
  title: { zh: '问题', en: 'Issue' },
  kind: { zh: '类型', en: 'Kind' },
  class: { zh: '道路等级', en: 'Class' },
  rank: { zh: '显示级别', en: 'Rank' },
  code: { zh: '编号', en: 'Code' },
  commander: { zh: '指挥长', en: 'Commander' },
  command_area_id: { zh: '片区指挥部', en: 'Command area' },
  township_id: { zh: '所属乡镇（街道）', en: 'Township' },
  village_id: { zh: '所属行政村', en: 'Village' },
  project_id: { zh: '所属项目', en: 'Project' },
  land_class: { zh: '地类', en: 'Land class' },
  class_code: { zh: '地类', en: 'Land class' },
  grower: { zh: '经营主体', en: 'Grower' },
  unit: { zh: '使用单位', en: 'Unit' },
  use: { zh: '用途', en: 'Use' },
  notes: { zh: '备注', en: 'Notes' },
  parties: { zh: '争议双方', en: 'Parties' },
  status: { zh: '状态', en: 'Status' },
  year: { zh: '年度', en: 'Year' },
  owed_mu: { zh: '应留用面积', en: 'Owed' },
  delivered_mu: { zh: '已落实面积', en: 'Delivered' },
  source: { zh: '项目来源', en: 'Source' },
  land_target_mu: { zh: '土地征收目标', en: 'Land target' },
  house_target_m2: { zh: '房屋征收目标', en: 'House target' },
  approval_stage: { zh: '报批阶段', en: 'Approval stage' },
  owner_type: { zh: '权属性质', en: 'Owner type' },
  owner_name: { zh: '权利人', en: 'Owner' },
  agreed_compensation_yuan: { zh: '协议补偿金额', en: 'Agreed compensation' },
  paid_yuan: { zh: '已支付金额', en: 'Paid' },
  building_area_m2: { zh: '建筑面积', en: 'Floor area' },
  structure: { zh: '房屋结构', en: 'Structure' },
  units_planned: { zh: '规划安置房', en: 'Units planned' },
  units_delivered: { zh: '已交付安置房', en: 'Units delivered' },
  households_waiting: { zh: '待安置户数', en: 'Households waiting' },
  planned_delivery_on: { zh: '计划交付日期', en: 'Planned delivery' },
  actual_delivery_on: { zh: '实际交付日期', en: 'Actual delivery' },
  owner: { zh: '责任单位', en: 'Responsible' },
  progress_pct: { zh: '征收进度', en: 'Progress' },
  area_mu: { zh: '面积', en: 'Area' },
  overdue_months: { zh: '交付情况', en: 'Delivery' },
  // the stored columns the popups do not show, named in the audit log and the history of changes
  park_id: { zh: '园区', en: 'Park' },
  approval_doc_no: { zh: '批复文号', en: 'Approval document no.' },
  approved_on: { zh: '批复日期', en: 'Approved on' },
  approved_by_region: { zh: '自治区批复', en: 'Approved by the region' },
  owner_unit: { zh: '项目业主', en: 'Project owner' },
  started_on: { zh: '开工日期', en: 'Started on' },
  parcel_id: { zh: '所在宗地', en: 'Parcel' },
  floors: { zh: '层数', en: 'Floors' },
  signed_on: { zh: '签约日期', en: 'Signed on' },
  paid_on: { zh: '付款日期', en: 'Paid on' },
  handed_over_on: { zh: '交地日期', en: 'Handed over on' },
  court_filed_on: { zh: '司法征收立案日期', en: 'Court case filed on' },
  demolished_on: { zh: '拆除日期', en: 'Demolished on' },
  description: { zh: '说明', en: 'Description' },
  due_on: { zh: '应交付日期', en: 'Due on' },
  delivered_on: { zh: '交付日期', en: 'Delivered on' },
  is_shantytown: { zh: '棚户区', en: 'Shantytown' },
  construction_start_on: { zh: '开工日期', en: 'Construction start' },
  resettlement_site_id: { zh: '所属安置区', en: 'Resettlement site' },
  opened_on: { zh: '登记日期', en: 'Opened on' },
  resolved_on: { zh: '解决日期', en: 'Resolved on' },
  planned_on: { zh: '计划日期', en: 'Planned on' },
  occurred_on: { zh: '实际日期', en: 'Occurred on' },
  amount_yuan: { zh: '金额', en: 'Amount' },
  requested_on: { zh: '申请日期', en: 'Requested on' },
  received_on: { zh: '到账日期', en: 'Received on' },
  red_line: { zh: '红线范围', en: 'Red line' },
  procedure_exception: { zh: '签约例外说明', en: 'Signing exception' },
  area_m2: { zh: '面积', en: 'Area' },
  version: { zh: '版本', en: 'Version' },
  updated_at: { zh: '更新时间', en: 'Updated at' },
  updated_by: { zh: '更新人', en: 'Updated by' },
};

/** Which value list translates an attribute, per layer (`*` = any layer). */
export const VALUE_LISTS: Record<string, Record<string, Record<string, Label>>> = {
  '*': {
    owner_type: OWNER_TYPE,
    approval_stage: APPROVAL_STAGE,
    source: PROJECT_SOURCE,
    use: MILITARY_USE,
  },
  water: { kind: WATER_KIND },
  road: { class: ROAD_CLASS },
  place: { kind: PLACE_KIND },
  command_area: { code: COMMAND_AREA },
  township: { kind: TOWNSHIP_KIND },
  village: { kind: VILLAGE_KIND },
  farmland: { kind: FARMLAND_KIND },
  disputed_land: { status: DISPUTE_STATUS },
  red_line: { kind: PROJECT_KIND },
  parcel: { status: TAKE_STATUS },
  house: { status: TAKE_STATUS },
  problem: { kind: PROBLEM_KIND, status: PROBLEM_STATUS },
};
