// Land classes (地类) of GB/T 21010-2017 《土地利用现状分类》, the classification of the third national
// land survey (三调), at the second level (4-digit codes), with the legal category (三大类) of the Land
// Administration Law each belongs to. The approval (报批) is decided by these figures: 耕地 needs
// balancing (占补平衡) and quota, 农用地 conversion (农转用) needs approval, 未利用地 does not count
// against farmland. One table: the conflict analysis, the reports, the map legend and the import
// vocabulary all read it.
import type { Label } from './domain.ts';

/** 农用地 / 建设用地 / 未利用地: the three legal categories (《土地管理法》第四条). */
export type LegalCategory = 'agricultural' | 'construction' | 'unused';

export const LEGAL_CATEGORY: Record<LegalCategory, Label> = {
  agricultural: { zh: '农用地', en: 'Agricultural land' },
  construction: { zh: '建设用地', en: 'Construction land' },
  unused: { zh: '未利用地', en: 'Unused land' },
};

/** The first-level classes (一级类), for legends and summaries. */
export const LAND_CLASS_GROUP: Record<string, Label> = {
  '01': { zh: '耕地', en: 'Cultivated land' }, '02': { zh: '园地', en: 'Garden land' }, '03': { zh: '林地', en: 'Forest land' },
  '04': { zh: '草地', en: 'Grassland' }, '05': { zh: '商业服务业用地', en: 'Commercial' }, '06': { zh: '工矿仓储用地', en: 'Industrial and storage' },
  '07': { zh: '住宅用地', en: 'Residential' }, '08': { zh: '公共管理与公共服务用地', en: 'Public administration and services' },
  '09': { zh: '特殊用地', en: 'Special use' }, '10': { zh: '交通运输用地', en: 'Transport' }, '11': { zh: '水域及水利设施用地', en: 'Water and water works' },
  '12': { zh: '其他土地', en: 'Other land' },
};

export interface LandClassDef {
  code: string;
  name: Label;
  category: LegalCategory;
}

// [code, 名称, English, category]. First-level classes: 01 耕地, 02 园地, 03 林地, 04 草地, 05 商业服务业用地,
// 06 工矿仓储用地, 07 住宅用地, 08 公共管理与公共服务用地, 09 特殊用地, 10 交通运输用地, 11 水域及水利设施用地,
// 12 其他土地. The category follows the standard's 附录 (三大类对照): 1006 农村道路, 1103 水库水面, 1104 坑塘水面,
// 1107 沟渠, 1202 设施农用地 and 1203 田坎 are 农用地; 1109 水工建筑用地 and 1201 空闲地 are 建设用地.
const A = 'agricultural';
const C = 'construction';
const U = 'unused';
const TABLE: [string, string, string, LegalCategory][] = [
  ['0101', '水田', 'Paddy field', A], ['0102', '水浇地', 'Irrigated land', A], ['0103', '旱地', 'Dry land', A],
  ['0201', '果园', 'Orchard', A], ['0202', '茶园', 'Tea garden', A], ['0203', '橡胶园', 'Rubber plantation', A], ['0204', '其他园地', 'Other garden land', A],
  ['0301', '乔木林地', 'Forest', A], ['0302', '竹林地', 'Bamboo forest', A], ['0303', '红树林地', 'Mangrove', A], ['0304', '森林沼泽', 'Forest swamp', A],
  ['0305', '灌木林地', 'Shrubland', A], ['0306', '灌丛沼泽', 'Shrub swamp', A], ['0307', '其他林地', 'Other forest land', A],
  ['0401', '天然牧草地', 'Natural pasture', A], ['0402', '沼泽草地', 'Marsh grassland', A], ['0403', '人工牧草地', 'Sown pasture', A], ['0404', '其他草地', 'Other grassland', A],
  ['0501', '零售商业用地', 'Retail', C], ['0502', '批发市场用地', 'Wholesale market', C], ['0503', '餐饮用地', 'Catering', C], ['0504', '旅馆用地', 'Hotels', C],
  ['0505', '商务金融用地', 'Business and finance', C], ['0506', '娱乐用地', 'Entertainment', C], ['0507', '其他商服用地', 'Other commercial', C],
  ['0601', '工业用地', 'Industrial', C], ['0602', '采矿用地', 'Mining', C], ['0603', '盐田', 'Salt pan', C], ['0604', '仓储用地', 'Warehousing', C],
  ['0701', '城镇住宅用地', 'Urban residential', C], ['0702', '农村宅基地', 'Rural homestead', C],
  ['0801', '机关团体用地', 'Government', C], ['0802', '新闻出版用地', 'Press and publishing', C], ['0803', '教育用地', 'Education', C], ['0804', '科研用地', 'Research', C],
  ['0805', '医疗卫生用地', 'Health care', C], ['0806', '社会福利用地', 'Social welfare', C], ['0807', '文化设施用地', 'Cultural facilities', C], ['0808', '体育用地', 'Sports', C],
  ['0809', '公用设施用地', 'Public utilities', C], ['0810', '公园与绿地', 'Park and green', C],
  ['0901', '军事设施用地', 'Military facilities', C], ['0902', '使领馆用地', 'Embassies', C], ['0903', '监教场所用地', 'Detention facilities', C],
  ['0904', '宗教用地', 'Religious', C], ['0905', '殡葬用地', 'Funeral', C], ['0906', '风景名胜设施用地', 'Scenic-site facilities', C],
  ['1001', '铁路用地', 'Railway', C], ['1002', '轨道交通用地', 'Rail transit', C], ['1003', '公路用地', 'Highway', C], ['1004', '城镇村道路用地', 'Urban and village roads', C],
  ['1005', '交通服务场站用地', 'Transport stations', C], ['1006', '农村道路', 'Rural road', A], ['1007', '机场用地', 'Airport', C], ['1008', '港口码头用地', 'Port and wharf', C],
  ['1009', '管道运输用地', 'Pipelines', C],
  ['1101', '河流水面', 'River', U], ['1102', '湖泊水面', 'Lake', U], ['1103', '水库水面', 'Reservoir', A], ['1104', '坑塘水面', 'Pond', A],
  ['1105', '沿海滩涂', 'Coastal tidal flat', U], ['1106', '内陆滩涂', 'Inland tidal flat', U], ['1107', '沟渠', 'Ditch and canal', A], ['1108', '沼泽地', 'Swamp', U],
  ['1109', '水工建筑用地', 'Hydraulic structures', C], ['1110', '冰川及永久积雪', 'Glacier and permanent snow', U],
  ['1201', '空闲地', 'Vacant land', C], ['1202', '设施农用地', 'Agricultural facilities', A], ['1203', '田坎', 'Field ridge', A], ['1204', '盐碱地', 'Saline land', U],
  ['1205', '沙地', 'Sand', U], ['1206', '裸土地', 'Bare soil', U], ['1207', '裸岩石砾地', 'Bare rock', U],
  // the third survey's working classes (三调工作分类) that merge or split the standard's, as real 三调 data has them
  ['05H1', '商业服务业设施用地', 'Commercial facilities', C], ['0508', '物流仓储用地', 'Logistics and storage', C],
  ['08H1', '机关团体新闻出版用地', 'Government and press', C], ['08H2', '科教文卫用地', 'Education, science, culture and health', C],
  ['08H2A', '高教用地', 'Higher education', C], ['0810A', '广场用地', 'Squares', C], ['09', '特殊用地', 'Special use', C],
  // 可调整地类 (K): cultivated land turned to orchards, forest, grass or fish ponds that can be turned back;
  // 三调 keeps them apart from the base class, in the same legal category (农用地)
  ['0201K', '可调整果园', 'Adjustable orchard', A], ['0202K', '可调整茶园', 'Adjustable tea garden', A],
  ['0203K', '可调整橡胶园', 'Adjustable rubber plantation', A], ['0204K', '可调整其他园地', 'Adjustable other garden land', A],
  ['0301K', '可调整乔木林地', 'Adjustable arbour forest', A], ['0302K', '可调整竹林地', 'Adjustable bamboo forest', A],
  ['0307K', '可调整其他林地', 'Adjustable other forest', A], ['0404K', '可调整其他草地', 'Adjustable other grassland', A],
  ['1104K', '可调整养殖坑塘', 'Adjustable fish pond', A],
];

export const LAND_CLASSES: readonly LandClassDef[] = TABLE.map(([code, zh, en, category]) => ({ code, name: { zh, en }, category }));

export const LAND_CLASS_BY_CODE: ReadonlyMap<string, LandClassDef> = new Map(LAND_CLASSES.map((c) => [c.code, c]));

/** 耕地 (01xx): what 占补平衡 and the farmland quota count. */
export const isCultivated = (code: string): boolean => code.startsWith('01');

/**
 * The legal category of a class code. A first-level code (2 digits, as some surveys record it) takes
 * the category of its class; the exceptions of the table are second-level codes, so a bare '10' or
 * '11' or '12' cannot be placed and gives undefined, as does an unknown code.
 */
export function legalCategoryOf(code: string): LegalCategory | undefined {
  const known = LAND_CLASS_BY_CODE.get(code);
  if (known) return known.category;
  if (/^0[1-4]$/.test(code)) return 'agricultural';
  if (/^0[5-9]$/.test(code)) return 'construction';
  return undefined;
}

/** '0101 水田' — the code and its name, as the 三调 tables print them. */
export function landClassLabel(code: string, lang: 'zh' | 'en' = 'zh'): string {
  const c = LAND_CLASS_BY_CODE.get(code);
  return c ? `${code} ${c.name[lang]}` : code;
}
