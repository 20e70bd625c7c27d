// Names of exported attributes: short (≤ 10 bytes) for dBase/Shapefile, Chinese headers for the ledger
// and CAD/KML readers, and the way back (file field → layer column) for imports. The Shapefile table
// is documented in README.md (Exchange).
import { OWNER_TYPE, TAKE_STATUS, type Label } from '../../geo/domain.ts';

/** Layer columns longer than 10 bytes, and the dBase field names they are written as. */
export const SHAPEFILE_NAMES: Record<string, string> = {
  agreed_compensation_yuan: 'agreed_cmp',
  building_area_m2: 'bldg_m2',
  command_area_id: 'cmd_area',
  land_target_mu: 'land_tgt',
  house_target_m2: 'house_tgt',
  approval_stage: 'approval',
  progress_pct: 'progress',
  households_waiting: 'hh_waiting',
  units_planned: 'units_plan',
  units_delivered: 'units_dlvd',
  planned_delivery_on: 'planned_on',
  actual_delivery_on: 'actual_on',
  overdue_months: 'overdue_mo',
  delivered_mu: 'deliv_mu',
  township_id: 'twnship_id',
};

/** dBase names for a list of columns: the table above, else truncated to 10 bytes and made unique. */
export function shapefileNames(columns: string[]): string[] {
  const used = new Set<string>();
  return columns.map((c) => {
    let name = SHAPEFILE_NAMES[c] ?? c.slice(0, 10);
    for (let i = 1; used.has(name.toLowerCase()); i++) name = `${name.slice(0, 10 - String(i).length)}${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** Chinese column headers (ledger, DXF attribute text, import of Chinese-headed files). */
export const FIELD_LABEL: Record<string, Label> = {
  id: { zh: '序号', en: 'ID' },
  code: { zh: '宗地编号', en: 'Code' },
  name: { zh: '名称', en: 'Name' },
  project_id: { zh: '项目ID', en: 'Project ID' },
  owner_type: { zh: '权属类型', en: 'Owner type' },
  owner_name: { zh: '权利人', en: 'Owner' },
  land_class: { zh: '地类编码', en: 'Land class' },
  class_code: { zh: '地类编码(三调)', en: 'Land class (survey)' },
  status: { zh: '状态', en: 'Status' },
  agreed_compensation_yuan: { zh: '协议补偿金额(元)', en: 'Agreed compensation (yuan)' },
  paid_yuan: { zh: '已付金额(元)', en: 'Paid (yuan)' },
  area_mu: { zh: '面积(亩)', en: 'Area (mu)' },
  building_area_m2: { zh: '建筑面积(m²)', en: 'Building area (m²)' },
  structure: { zh: '结构', en: 'Structure' },
};

const ZH_STATUS = new Map<string, string>(Object.entries(TAKE_STATUS).map(([k, v]) => [v.zh, k]));
const ZH_OWNER = new Map<string, string>(Object.entries(OWNER_TYPE).map(([k, v]) => [v.zh, k]));

/** The third survey's own field names (三调数据库标准: DLBM 地类编码, TBBH 图斑编号) → land-use columns. */
const SURVEY_FIELDS: Record<string, string> = { dlbm: 'class_code', tbbh: 'code' };

/** Header / field name in a file → layer column, for the columns a layer takes. */
export function autoMapping(fileFields: string[], columns: string[]): Record<string, string | null> {
  const byShort = new Map(Object.entries(SHAPEFILE_NAMES).map(([long, short]) => [short.toLowerCase(), long]));
  const byLabel = new Map<string, string>();
  for (const [col, label] of Object.entries(FIELD_LABEL)) byLabel.set(label.zh, col);
  // the ministry TXT's parcel header fields
  byLabel.set('地块编号', 'code').set('地块名称', 'owner_name').set('地类编码', 'land_class').set('权利人', 'owner_name');
  const cols = new Set(columns);
  const mapping: Record<string, string | null> = {};
  for (const f of fileFields) {
    const lower = f.toLowerCase();
    const candidates = [lower, byShort.get(lower), byLabel.get(f), SURVEY_FIELDS[lower]];
    mapping[f] = candidates.find((c): c is string => !!c && cols.has(c)) ?? null;
  }
  return mapping;
}

/** Normalise a value for a column: Chinese status / owner-type labels → keys; empty text → null. */
export function normaliseValue(column: string, value: unknown): unknown {
  if (value === '' || value === undefined) return null;
  if (typeof value === 'string') {
    const v = value.trim();
    if (column === 'status') return ZH_STATUS.get(v) ?? v;
    if (column === 'owner_type') return ZH_OWNER.get(v) ?? v;
    return v;
  }
  return value;
}
