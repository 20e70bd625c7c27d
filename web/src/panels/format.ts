// How a feature's attributes read in a popup: Chinese (or English) names, values translated with
// the vocabulary of geo/domain.ts, areas in 亩 with m² and 公顷 alongside (geo/units.ts).
import { area } from '@turf/turf';
import { ATTRIBUTE, LAND_CLASS, VALUE_LISTS } from '../../../geo/domain.ts';
import { LAYER_BY_ID } from '../../../geo/layers.ts';
import { formatArea, muToM2 } from '../../../geo/units.ts';
import { L, i18n, locale, t } from '../i18n/i18n.svelte.ts';

export interface Row {
  key: string;
  label: string;
  value: string;
  tone?: 'good' | 'bad' | 'muted';
  /** 0–100, drawn as a bar */
  bar?: number;
  note?: string;
}

/** Name of a referenced feature (command area, township, village, project) if it is loaded. */
export type Resolver = (layerId: string, id: number) => string | undefined;
let resolver: Resolver = () => undefined;
export function setResolver(r: Resolver): void {
  resolver = r;
}

const REFERENCES: Record<string, string> = {
  command_area_id: 'command_area',
  township_id: 'township',
  village_id: 'village',
  project_id: 'red_line',
};

/** Attributes the API adds beyond geo/layers.ts, per layer. */
const EXTRA: Record<string, string[]> = {
  red_line: ['progress_pct', 'area_mu'],
  parcel: ['area_mu'],
  resettlement_site: ['overdue_months'],
};

const num = (v: number, digits = 2) =>
  v.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function formatValue(layerId: string, key: string, value: unknown): Omit<Row, 'key' | 'label'> {
  if (value === null || value === undefined || value === '') return { value: t('noValue'), tone: 'muted' };
  const list = VALUE_LISTS[layerId]?.[key] ?? VALUE_LISTS['*'][key];
  if (list && typeof value === 'string') return { value: L(list[value], value) };

  const ref = REFERENCES[key];
  if (ref) {
    const n = toNumber(value);
    const name = n === null ? undefined : resolver(ref, n);
    return { value: name ?? `#${String(value)}` };
  }

  const n = toNumber(value);
  if (key === 'land_class' && typeof value === 'string') {
    const lc = LAND_CLASS[value];
    return { value: lc ? `${L(lc)}（${value}）` : value };
  }
  if (n !== null) {
    if (key.endsWith('_mu')) return { value: formatArea(muToM2(n), i18n.lang) };
    if (key.endsWith('_m2')) return { value: `${num(n)} m²` };
    if (key.endsWith('_yuan')) return { value: `${num(n)} ${t('yuan')}` };
    if (key === 'progress_pct') {
      const p = Math.max(0, Math.min(100, n));
      return { value: `${num(n, 1)}%`, bar: p, tone: p >= 100 ? 'good' : undefined };
    }
    if (key === 'overdue_months') {
      return n > 0 ? { value: t('overdueMonths', { n: num(n, 0) }), tone: 'bad' } : { value: t('onTime'), tone: 'good' };
    }
    if (key === 'units_planned' || key === 'units_delivered') return { value: `${num(n, 0)} ${t('units')}` };
    if (key === 'households_waiting') return { value: `${num(n, 0)} ${t('households')}` };
    if (key === 'year' || key === 'rank' || key === 'id') return { value: String(n) };
    if (typeof value === 'number') return { value: num(n, Number.isInteger(n) ? 0 : 2) };
  }
  if (typeof value === 'boolean') return { value: value ? (i18n.lang === 'zh' ? '是' : 'Yes') : i18n.lang === 'zh' ? '否' : 'No' };
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return { value: value.slice(0, 10) };
  return { value: String(value) };
}

/** The popup's title: a feature's name (or title, or code). */
export function featureTitle(f: GeoJSON.Feature, layerId?: string): string {
  const p = f.properties ?? {};
  // military land's names are withheld without the military grant: say so instead of a bare code
  if (layerId === 'military_land' && (p.name === undefined || p.name === null || p.name === '')) return t('militaryRestricted');
  return String(p.name ?? p.title ?? p.code ?? `#${String(f.id ?? p.id ?? '')}`);
}

export function featureRows(layerId: string, f: GeoJSON.Feature): Row[] {
  const def = LAYER_BY_ID.get(layerId);
  const p = f.properties ?? {};
  const keys = [...(def?.attributes ?? Object.keys(p).filter((k) => k !== 'id')), ...(EXTRA[layerId] ?? [])];
  const rows: Row[] = [];
  for (const key of keys) {
    if (!(key in p) && !(EXTRA[layerId] ?? []).includes(key)) continue;
    rows.push({ key, label: L(ATTRIBUTE[key], key), ...formatValue(layerId, key, p[key]) });
  }
  const g = f.geometry;
  if (g && (g.type === 'Polygon' || g.type === 'MultiPolygon') && !('area_mu' in p)) {
    rows.push({
      key: '_measured_area',
      label: t('areaMeasured'),
      value: formatArea(area(f as GeoJSON.Feature<GeoJSON.Polygon>), i18n.lang),
      note: t('areaMeasuredTip'),
    });
  }
  return rows;
}
