// Legend entries per layer, drawn from the same colours and patterns as the style.
import {
  COMMAND_AREA, FARMLAND_KIND, PROBLEM_STATUS, ROAD_CLASS, TAKE_STATUS, type Label,
} from '../../../geo/domain.ts';
import { LAND_CLASS_GROUP } from '../../../geo/landclass.ts';
import { LAYER_GROUPS } from '../../../geo/layers.ts';
import { COLORS } from '../../../geo/style/style.ts';
import { UI } from '../i18n/strings.ts';

export type Swatch =
  | { kind: 'fill'; color: string; outline?: string; dashed?: boolean; width?: number }
  | { kind: 'pattern'; pattern: string; outline?: string; dashed?: boolean; width?: number }
  | { kind: 'line'; color: string; casing?: string; width?: number; dashed?: boolean }
  | { kind: 'circle'; color: string }
  | { kind: 'ramp'; stops: [number, string][] }
  | { kind: 'text'; color: string; text: string };

export interface LegendItem {
  swatch: Swatch;
  label: Label;
}

const statusItems = (colors: Record<string, string>, outline?: string): LegendItem[] =>
  Object.entries(TAKE_STATUS).map(([k, label]) => ({ swatch: { kind: 'fill', color: colors[k], outline }, label }));

export const LEGEND: Record<string, LegendItem[]> = {
  red_line: [
    { swatch: { kind: 'line', color: COLORS.redLine, casing: '#ffffff', width: 2.5 }, label: UI.redLineOutline },
    { swatch: { kind: 'ramp', stops: COLORS.progress }, label: UI.progressRamp },
  ],
  parcel: statusItems(COLORS.parcel, '#ffffff'),
  house: statusItems(COLORS.house, '#3d3d3d'),
  problem: Object.entries(PROBLEM_STATUS).map(([k, label]) => ({ swatch: { kind: 'circle', color: COLORS.problem[k] }, label })),
  resettlement_site: [
    { swatch: { kind: 'fill', color: 'rgba(63,81,181,0.22)', outline: COLORS.resettlement }, label: UI.onTimeSite },
    { swatch: { kind: 'fill', color: 'rgba(63,81,181,0.22)', outline: COLORS.overdue, width: 3 }, label: UI.overdueSite },
  ],
  farmland: [
    { swatch: { kind: 'pattern', pattern: 'pat-farmland-basic', outline: COLORS.farmlandLine }, label: FARMLAND_KIND.permanent_basic },
    { swatch: { kind: 'pattern', pattern: 'pat-farmland-cultivated', outline: COLORS.farmlandLine }, label: FARMLAND_KIND.cultivated },
  ],
  cane_base: [{ swatch: { kind: 'pattern', pattern: 'pat-cane', outline: COLORS.caneLine }, label: { zh: '双高糖料蔗基地', en: 'Cane base' } }],
  military_land: [{ swatch: { kind: 'pattern', pattern: 'pat-military', outline: COLORS.military, dashed: true, width: 2 }, label: UI.restrictedZone }],
  disputed_land: [{ swatch: { kind: 'pattern', pattern: 'pat-disputed', outline: COLORS.disputed, dashed: true, width: 2 }, label: { zh: '争议地', en: 'Disputed land' } }],
  reserved_land: [{ swatch: { kind: 'fill', color: 'rgba(128,203,196,0.4)', outline: COLORS.reserved }, label: { zh: '留用地', en: 'Reserved land' } }],
  eco_redline: [{ swatch: { kind: 'pattern', pattern: 'pat-eco', outline: COLORS.ecoRedline, width: 2 }, label: { zh: '生态保护红线', en: 'Ecological protection red line' } }],
  urban_boundary: [{ swatch: { kind: 'line', color: COLORS.urbanBoundary, width: 2.5, dashed: true }, label: { zh: '城镇开发边界', en: 'Urban development boundary' } }],
  // by first-level class (the fill's colour), named after the class (GB/T 21010-2017)
  land_use: Object.entries(COLORS.landUse).map(([first, color]) => ({ swatch: { kind: 'fill', color, outline: '#8d8373' }, label: LAND_CLASS_GROUP[first] })),
  command_area: Object.entries(COMMAND_AREA).map(([k, label]) => ({
    swatch: { kind: 'line', color: COLORS.command[k], width: 3, dashed: true },
    label,
  })),
  township: [{ swatch: { kind: 'line', color: COLORS.township, width: 1.2, dashed: true }, label: { zh: '乡镇（街道）界', en: 'Township boundary' } }],
  village: [{ swatch: { kind: 'line', color: COLORS.village, width: 1, dashed: true }, label: { zh: '行政村界', en: 'Village boundary' } }],
  park: [{ swatch: { kind: 'fill', color: COLORS.park, outline: COLORS.parkLine, dashed: true }, label: { zh: '产业园区', en: 'Industrial park' } }],
  water: [{ swatch: { kind: 'fill', color: COLORS.water, outline: COLORS.waterLine }, label: { zh: '水域（郁江等）', en: 'Water (Yu River etc.)' } }],
  built_up: [{ swatch: { kind: 'fill', color: COLORS.builtUp, outline: COLORS.builtUpLine }, label: { zh: '建成区', en: 'Built-up area' } }],
  road: [
    { swatch: { kind: 'line', color: COLORS.road.expressway, casing: COLORS.road.expresswayCasing, width: 4 }, label: ROAD_CLASS.expressway },
    { swatch: { kind: 'line', color: COLORS.road.arterial, casing: COLORS.road.arterialCasing, width: 3.5 }, label: ROAD_CLASS.arterial },
    { swatch: { kind: 'line', color: '#ffffff', casing: COLORS.road.secondaryCasing, width: 3 }, label: ROAD_CLASS.secondary },
    { swatch: { kind: 'line', color: COLORS.road.railway, width: 2.5, dashed: true }, label: ROAD_CLASS.railway },
  ],
  place: [{ swatch: { kind: 'text', color: '#1f1a14', text: '贵港' }, label: { zh: '地名', en: 'Place name' } }],
};

/**
 * The legend's layers: those shown that have entries, in the layer panel's group order (the map's
 * legend and the print layout's both list exactly these).
 */
export function legendLayers<T extends { visible: boolean; info: { id: string; group: string } }>(entries: readonly T[]): T[] {
  const order: readonly string[] = LAYER_GROUPS;
  return entries.filter((l) => l.visible && LEGEND[l.info.id]).sort((a, b) => order.indexOf(a.info.group) - order.indexOf(b.info.group));
}
