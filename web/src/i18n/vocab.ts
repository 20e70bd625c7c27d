// Attribute names and the few value lists that geo/domain.ts does not (yet) carry: the base-map
// and admin tables' CHECK values from migrations/002_domain.sql. Domain statuses and kinds are
// taken from geo/domain.ts, never repeated here.
// TODO(geo): these value lists belong in geo/domain.ts next to the others.
import {
  APPROVAL_STAGE, COMMAND_AREA, FARMLAND_KIND, MILITARY_USE, OWNER_TYPE, PROBLEM_KIND, PROJECT_KIND,
  PROJECT_SOURCE, TAKE_STATUS, type Label,
} from '../../../geo/domain.ts';

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
