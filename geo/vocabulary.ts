// Coded columns (代码表): stored as the key, accepted as key or label, shown as the label. Shared by
// the server (validation, exports, filters) and the web client (forms, legends).
import {
  APPROVAL_STAGE, COMMAND_AREA, FARMLAND_KIND, LAND_CLASS, type Label, MILITARY_USE, OWNER_TYPE, PROBLEM_KIND, PROJECT_KIND,
  PROJECT_SOURCE, TAKE_STATUS,
} from './domain.ts';

const DISPUTE_STATUS = {
  open: { zh: '未解决', en: 'Open' }, mediating: { zh: '调处中', en: 'Mediating' }, resolved: { zh: '已解决', en: 'Resolved' },
};
const PROBLEM_STATUS = {
  open: { zh: '未解决', en: 'Open' }, in_progress: { zh: '推进中', en: 'In progress' }, resolved: { zh: '已解决', en: 'Resolved' },
};
/** 生态保护红线's leading ecological function (主导生态功能) */
const ECO_FUNCTION = {
  water_conservation: { zh: '水源涵养', en: 'Water conservation' }, biodiversity: { zh: '生物多样性维护', en: 'Biodiversity' },
  soil_conservation: { zh: '水土保持', en: 'Soil conservation' },
};
const TOWNSHIP_KIND = { town: { zh: '镇', en: 'Town' }, subdistrict: { zh: '街道', en: 'Sub-district' } };

/** Coded columns: stored as the key, accepted as key or Chinese label. */
export const VOCAB: Record<string, Record<string, Label>> = {
  'parcel.status': TAKE_STATUS, 'house.status': TAKE_STATUS,
  'parcel.owner_type': OWNER_TYPE, 'house.owner_type': OWNER_TYPE,
  'red_line.kind': PROJECT_KIND, 'red_line.source': PROJECT_SOURCE, 'red_line.approval_stage': APPROVAL_STAGE,
  'farmland.kind': FARMLAND_KIND, 'military_land.use': MILITARY_USE,
  'disputed_land.status': DISPUTE_STATUS, 'problem.status': PROBLEM_STATUS, 'problem.kind': PROBLEM_KIND,
  'command_area.code': COMMAND_AREA, 'township.kind': TOWNSHIP_KIND,
  'eco_redline.kind': ECO_FUNCTION, 'land_use.class_code': LAND_CLASS,
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

