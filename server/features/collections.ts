// Which layers the feature API serves, which of them can be edited, their time property (for
// `datetime`), coded values (accepted as key or Chinese label) and the Chinese titles of fields.
import {
  APPROVAL_STAGE, COMMAND_AREA, FARMLAND_KIND, type Label, MILITARY_USE, OWNER_TYPE, PROBLEM_KIND, PROJECT_KIND,
  PROJECT_SOURCE, TAKE_STATUS,
} from '../../geo/domain.ts';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';

/** Layers that can be written: red lines, parcels, constraint features, resettlement sites. */
export const EDITABLE: ReadonlySet<string> = new Set([
  'red_line', 'parcel', 'farmland', 'cane_base', 'military_land', 'disputed_land', 'reserved_land', 'resettlement_site',
]);

export const isEditable = (layer: LayerDef): boolean => EDITABLE.has(layer.id);

/** The column `datetime` filters on, where a collection has time. */
export const TEMPORAL: Readonly<Record<string, { column: string; title: Label }>> = {
  red_line: { column: 'approved_on', title: { zh: '批复日期', en: 'Approved on' } },
  parcel: { column: 'signed_on', title: { zh: '签约日期', en: 'Signed on' } },
  house: { column: 'signed_on', title: { zh: '签约日期', en: 'Signed on' } },
  reserved_land: { column: 'due_on', title: { zh: '应交付日期', en: 'Due on' } },
  resettlement_site: { column: 'planned_delivery_on', title: { zh: '计划交付日期', en: 'Planned delivery' } },
  problem: { column: 'opened_on', title: { zh: '登记日期', en: 'Opened on' } },
};

const DISPUTE_STATUS = {
  open: { zh: '未解决', en: 'Open' }, mediating: { zh: '调处中', en: 'Mediating' }, resolved: { zh: '已解决', en: 'Resolved' },
};
const PROBLEM_STATUS = {
  open: { zh: '未解决', en: 'Open' }, in_progress: { zh: '推进中', en: 'In progress' }, resolved: { zh: '已解决', en: 'Resolved' },
};
const TOWNSHIP_KIND = { town: { zh: '镇', en: 'Town' }, subdistrict: { zh: '街道', en: 'Sub-district' } };

/** Coded columns: stored as the key, accepted as key or Chinese label. */
const VOCAB: Record<string, Record<string, Label>> = {
  'parcel.status': TAKE_STATUS, 'house.status': TAKE_STATUS,
  'parcel.owner_type': OWNER_TYPE, 'house.owner_type': OWNER_TYPE,
  'red_line.kind': PROJECT_KIND, 'red_line.source': PROJECT_SOURCE, 'red_line.approval_stage': APPROVAL_STAGE,
  'farmland.kind': FARMLAND_KIND, 'military_land.use': MILITARY_USE,
  'disputed_land.status': DISPUTE_STATUS, 'problem.status': PROBLEM_STATUS, 'problem.kind': PROBLEM_KIND,
  'command_area.code': COMMAND_AREA, 'township.kind': TOWNSHIP_KIND,
};

export function vocabulary(layerId: string, column: string): Record<string, Label> | undefined {
  return VOCAB[`${layerId}.${column}`];
}

/** A coded value given as key or as its Chinese/English label → the key; undefined if neither. */
export function codeOf(vocab: Record<string, Label>, value: string): string | undefined {
  if (Object.hasOwn(vocab, value)) return value;
  for (const [key, label] of Object.entries(vocab)) if (label.zh === value || label.en === value) return key;
  return undefined;
}

/** Chinese and English titles of the fields, for the attribute form, the schema and the HTML view. */
export const FIELD_TITLES: Record<string, Label> = {
  id: { zh: '编号', en: 'ID' },
  code: { zh: '编码', en: 'Code' },
  name: { zh: '名称', en: 'Name' },
  kind: { zh: '类型', en: 'Kind' },
  source: { zh: '项目来源', en: 'Source' },
  year: { zh: '年度', en: 'Year' },
  command_area_id: { zh: '片区指挥部', en: 'Command area' },
  park_id: { zh: '园区', en: 'Park' },
  land_target_mu: { zh: '土地征收目标（亩）', en: 'Land target (mu)' },
  house_target_m2: { zh: '房屋征收目标（m²）', en: 'House target (m²)' },
  approval_stage: { zh: '报批阶段', en: 'Approval stage' },
  approval_doc_no: { zh: '批复文号', en: 'Approval document no.' },
  approved_on: { zh: '批复日期', en: 'Approved on' },
  approved_by_region: { zh: '自治区批复', en: 'Approved by the region' },
  owner_unit: { zh: '项目业主', en: 'Owner unit' },
  started_on: { zh: '开工日期', en: 'Started on' },
  project_id: { zh: '所属项目', en: 'Project' },
  village_id: { zh: '所在村', en: 'Village' },
  owner_type: { zh: '权属类型', en: 'Owner type' },
  owner_name: { zh: '权利人', en: 'Owner' },
  land_class: { zh: '地类编码', en: 'Land class' },
  status: { zh: '状态', en: 'Status' },
  agreed_compensation_yuan: { zh: '协议补偿金额（元）', en: 'Agreed compensation (yuan)' },
  paid_yuan: { zh: '已付金额（元）', en: 'Paid (yuan)' },
  signed_on: { zh: '签约日期', en: 'Signed on' },
  paid_on: { zh: '付款日期', en: 'Paid on' },
  handed_over_on: { zh: '交地日期', en: 'Handed over on' },
  court_filed_on: { zh: '司法征收立案日期', en: 'Court filed on' },
  grower: { zh: '经营主体', en: 'Grower' },
  unit: { zh: '单位', en: 'Unit' },
  use: { zh: '用途', en: 'Use' },
  notes: { zh: '备注', en: 'Notes' },
  parties: { zh: '争议双方', en: 'Parties' },
  description: { zh: '说明', en: 'Description' },
  owed_mu: { zh: '应留用（亩）', en: 'Owed (mu)' },
  delivered_mu: { zh: '已落实（亩）', en: 'Delivered (mu)' },
  due_on: { zh: '应交付日期', en: 'Due on' },
  delivered_on: { zh: '交付日期', en: 'Delivered on' },
  is_shantytown: { zh: '棚户区', en: 'Shantytown' },
  units_planned: { zh: '计划套数', en: 'Units planned' },
  units_delivered: { zh: '已交付套数', en: 'Units delivered' },
  households_waiting: { zh: '待安置户数', en: 'Households waiting' },
  construction_start_on: { zh: '开工日期', en: 'Construction start' },
  planned_delivery_on: { zh: '计划交付日期', en: 'Planned delivery' },
  actual_delivery_on: { zh: '实际交付日期', en: 'Actual delivery' },
  area_mu: { zh: '面积（亩，椭球面）', en: 'Area (mu, ellipsoidal)' },
  progress_pct: { zh: '交地进度（%）', en: 'Handover progress (%)' },
  overdue_months: { zh: '逾期月数', en: 'Months overdue' },
  version: { zh: '版本', en: 'Version' },
  updated_at: { zh: '更新时间', en: 'Updated at' },
  updated_by: { zh: '更新人', en: 'Updated by' },
};

export const fieldTitle = (name: string): Label => FIELD_TITLES[name] ?? { zh: name, en: name };

export const COLLECTIONS: readonly LayerDef[] = LAYERS;
