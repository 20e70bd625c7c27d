// Interface text of the web client. Domain vocabulary (statuses, kinds, layer titles) lives in
// geo/ and is not repeated here.
import type { Label } from '../../../geo/domain.ts';

export const UI = {
  appTitle: { zh: '征收一张图', en: 'Expropriation on One Map' },
  appSubtitle: { zh: '土地和房屋征收', en: 'Land & house expropriation' },
  synthetic: { zh: '演示数据，非真实数据', en: 'Synthetic demo data' },
  dashboard: { zh: '进度看板', en: 'Progress dashboard' },
  searchProject: { zh: '搜索项目名称或编号', en: 'Search project name or code' },
  noRedLine: { zh: '未出红线', en: 'No red line yet' },
  noMatch: { zh: '无匹配项目', en: 'No matching project' },
  syntheticTip: {
    zh: '本系统中的宗地、红线、耕地等全部为按真实位置生成的虚构数据，仅供演示。',
    en: 'Parcels, red lines, farmland etc. are fictitious data placed at the real location, for demonstration only.',
  },
  language: { zh: '语言', en: 'Language' },
  layers: { zh: '图层', en: 'Layers' },
  legend: { zh: '图例', en: 'Legend' },
  opacity: { zh: '透明度', en: 'Opacity' },
  showAll: { zh: '全部显示', en: 'Show all' },
  hideAll: { zh: '全部隐藏', en: 'Hide all' },
  zoomToLayer: { zh: '缩放至图层', en: 'Zoom to layer' },
  zoomToDistrict: { zh: '全区', en: 'Whole district' },
  loading: { zh: '加载中…', en: 'Loading…' },
  loadFailed: { zh: '加载失败', en: 'Failed to load' },
  zoomIn: { zh: '≥{z}级显示', en: 'zoom ≥ {z}' },
  zoomInTip: { zh: '数据量大，放大至 {z} 级及以上时以矢量瓦片显示', en: 'Large layer: drawn as vector tiles from zoom level {z}' },
  truncated: { zh: '仅显示前 {n} 个', en: 'Showing first {n}' },
  features: { zh: '{n} 个', en: '{n}' },
  collapse: { zh: '收起', en: 'Collapse' },
  expand: { zh: '展开', en: 'Expand' },
  identify: { zh: '要素信息', en: 'Feature info' },
  moreHits: { zh: '此处还有', en: 'Also here' },
  noValue: { zh: '—', en: '—' },
  area: { zh: '面积', en: 'Area' },
  areaMeasured: { zh: '面积（图上量算）', en: 'Area (measured on map)' },
  areaMeasuredTip: {
    zh: '球面近似，仅供参考；权属面积以测量成果为准',
    en: 'Spherical approximation for reference; surveyed figures are authoritative',
  },
  onTime: { zh: '按期', en: 'On time' },
  overdueMonths: { zh: '逾期 {n} 个月', en: '{n} months overdue' },
  overdueShort: { zh: '逾期{n}个月', en: '{n} mo overdue' },
  progressLabel: { zh: '进度 {p}%', en: '{p}% done' },
  yuan: { zh: '元', en: 'yuan' },
  units: { zh: '套', en: 'units' },
  households: { zh: '户', en: 'households' },
  coords: { zh: '经纬度', en: 'Lon/Lat' },
  zoomLevel: { zh: '级别', en: 'Zoom' },
  crsNote: { zh: 'CGCS2000', en: 'CGCS2000' },
  serverDown: { zh: '无法连接服务器', en: 'Cannot reach the server' },
  retry: { zh: '重试', en: 'Retry' },
  // legend
  progressRamp: { zh: '征收进度（已交地 ÷ 目标）', en: 'Progress (handed over ÷ target)' },
  redLineOutline: { zh: '红线范围', en: 'Red line' },
  overdueSite: { zh: '逾期未交付', en: 'Delivery overdue' },
  onTimeSite: { zh: '按期', en: 'On schedule' },
  restrictedZone: { zh: '管控区（需市级协调）', en: 'Restricted zone (city-level coordination)' },
} as const satisfies Record<string, Label>;

export type UiKey = keyof typeof UI;

export const GROUP_TITLE: Record<string, Label> = {
  project: { zh: '项目征收', en: 'Projects' },
  resettlement: { zh: '安置', en: 'Resettlement' },
  constraint: { zh: '管控要素', en: 'Constraints' },
  admin: { zh: '行政与片区', en: 'Admin & command areas' },
  base: { zh: '基础底图', en: 'Base map' },
};
