// What the dashboard reads from the progress API (server/progress). Types mirror the JSON.
import type { Figures, StatusCounts } from '../../../geo/api.ts';
import { lastDayOfMonth } from '../../../geo/time.ts';
import { api, apiError } from '../http.ts';
export type { Figures, StatusCounts };
export interface ProgressGroup extends Figures { key: string; id: number | null; name: string; code?: string; commandAreaId?: number; year?: number; projects: number }
export interface ProgressResult { asOf: string; groupBy: string; year: number | null; areaId: number | null; groups: ProgressGroup[]; total: ProgressGroup }
export interface MapProgress {
  asOf: string;
  projects: { id: number; pct: number | null; landPct: number | null; housePct: number | null }[];
  areas: { id: number; pct: number | null; landPct: number | null; housePct: number | null }[];
}
export interface SeriesPoint { month: string; asOf: string; landCompletedMu: number; landSignedMu: number; houseCompletedM2: number; unpaidYuan: number }
export interface Series { from: string; to: string; targets: { landMu: number; houseM2: number }; points: SeriesPoint[] }
export interface Site {
  id: number; name: string; commandAreaId: number; householdsWaiting: number; plannedDeliveryOn: string; actualDeliveryOn: string | null;
  delivered: boolean; overdueMonths: number; overThreeYears: boolean; monthsWaiting: number; allowanceAccruedYuan: number; allowanceOverdueYuan: number;
}
export interface Resettlement { asOf: string; rate: { yuanPerHouseholdMonth: number; source: string }; sites: Site[] }
export interface Problem {
  id: number; projectId: number | null; projectName: string | null; resettlementSiteName: string | null; commandAreaId: number | null;
  kind: string; kindLabel: string; /** null: about military land, text withheld without the grant */ title: string | null; status: string; statusLabel: string; owner: string | null; openedOn: string;
}

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await api(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

const qs = (o: Record<string, string | number | boolean | undefined | null>) =>
  new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, String(v)])).toString();

export interface Filter { areaId?: number; year?: number }

export const fetchProgress = (asOf: string, groupBy: 'district' | 'area' | 'project', f: Filter, signal?: AbortSignal) =>
  get<ProgressResult>(`/api/progress?${qs({ asOf, groupBy, year: f.year, areaId: f.areaId })}`, signal);
export const fetchMapProgress = (asOf: string, signal?: AbortSignal) => get<MapProgress>(`/api/progress/map?${qs({ asOf })}`, signal);
export const fetchSeries = (to: string, f: Filter, signal?: AbortSignal) =>
  get<Series>(`/api/progress/series?${qs({ from: '2021-01', to, year: f.year, areaId: f.areaId })}`, signal);
export const fetchResettlement = (asOf: string, signal?: AbortSignal) => get<Resettlement>(`/api/progress/resettlement?${qs({ asOf })}`, signal);
export const fetchOpenProblems = (asOf: string, f: Filter, signal?: AbortSignal) =>
  get<{ count: number; problems: Problem[] }>(`/api/problems?${qs({ asOf, open: true, areaId: f.areaId })}`, signal);
export const dispatchLinks = (month: string, f: Filter) => {
  const q = qs({ month, areaId: f.areaId, year: f.year });
  return { html: `/api/progress/dispatch.html?${q}`, xlsx: `/api/progress/dispatch.xlsx?${q}` };
};


/** Months from `from` (YYYY-MM) through `to` (YYYY-MM). */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) { m = 1; y++; }
  }
  return out;
}

/** The month's last day, or `today` if the month is the current one. */
export function monthEnd(month: string, today: string): string {
  const end = lastDayOfMonth(month);
  return end < today ? end : today;
}
