// Progress figures as of any date, rebuilt from the change history (see migrations/008_progress.sql:
// progress_delta holds, per project and Beijing day, how each summed figure changed; the state at the
// end of day D is the sum of the deltas up to D). Plain functions over a pool: no HTTP here.
import type pg from 'pg';
import type { Figures, StatusCounts } from '../../geo/api.ts';
import { lastDayOfMonth } from '../../geo/time.ts';
import { m2ToMu } from '../../geo/units.ts';
import type { Db } from '../db/kysely.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** 'YYYY-MM-DD' → the SQL for the first instant after that Beijing day ($n is the date). */
export const endOfDaySql = (param: string): string => `((${param}::date + 1)::text || ' 00:00:00+08')::timestamptz`;

export const STATUSES = ['unsigned', 'signed', 'paid', 'handed_over', 'court'] as const;
export type TakeStatus = (typeof STATUSES)[number];
export type { Figures, StatusCounts };

export interface ProjectAsOf {
  id: number;
  code: string;
  name: string;
  year: number;
  commandAreaId: number;
  landTargetMu: number;
  houseTargetM2: number;
}

interface TakeSums {
  n: number; n_unsigned: number; n_signed: number; n_paid: number; n_handed_over: number; n_court: number;
  area_mm2: number; area_signed_mm2: number; area_done_mm2: number; agreed_fen: number; paid_fen: number; unpaid_fen: number;
}

export interface ProjectFigures extends ProjectAsOf, Figures {}

const SUM_COLUMNS = ['n', 'n_unsigned', 'n_signed', 'n_paid', 'n_handed_over', 'n_court', 'area_mm2', 'area_signed_mm2',
  'area_done_mm2', 'agreed_fen', 'paid_fen', 'unpaid_fen'] as const;

/**
 * The progress_delta rows whose sum is the state at the end of day `param`: whole years before its
 * year, whole months of its year before its month, and the days of its month up to it.
 */
export const deltasUpTo = (param: string): string => `(
  (grain = 'y' AND period < date_trunc('year', ${param}::date)::date)
  OR (grain = 'm' AND period >= date_trunc('year', ${param}::date)::date AND period < date_trunc('month', ${param}::date)::date)
  OR (grain = 'd' AND period >= date_trunc('month', ${param}::date)::date AND period <= ${param}::date))`;

const zeroSums = (): TakeSums => Object.fromEntries(SUM_COLUMNS.map((c) => [c, 0])) as unknown as TakeSums;
const pctOf = (done: number, target: number): number | null => (target > 0 ? (done / target) * 100 : null);

function meanPct(a: number | null, b: number | null): number | null {
  const xs = [a, b].filter((x): x is number => x !== null);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

function counts(s: TakeSums): StatusCounts {
  return { unsigned: s.n_unsigned, signed: s.n_signed, paid: s.n_paid, handed_over: s.n_handed_over, court: s.n_court, total: s.n };
}

function figuresOf(landTargetMu: number, houseTargetM2: number, p: TakeSums, h: TakeSums): Figures {
  const completedMu = m2ToMu(p.area_done_mm2 / 1e6);
  const completedM2 = h.area_done_mm2 / 1e6;
  const landPct = pctOf(completedMu, landTargetMu);
  const housePct = pctOf(completedM2, houseTargetM2);
  return {
    land: { targetMu: landTargetMu, totalMu: m2ToMu(p.area_mm2 / 1e6), signedMu: m2ToMu(p.area_signed_mm2 / 1e6), completedMu, pct: landPct },
    house: { targetM2: houseTargetM2, totalM2: h.area_mm2 / 1e6, signedM2: h.area_signed_mm2 / 1e6, completedM2, pct: housePct },
    parcels: counts(p),
    houses: counts(h),
    money: {
      agreedYuan: (p.agreed_fen + h.agreed_fen) / 100,
      paidYuan: (p.paid_fen + h.paid_fen) / 100,
      unpaidYuan: (p.unpaid_fen + h.unpaid_fen) / 100,
    },
    pct: meanPct(landPct, housePct),
  };
}

/** Sum figures (targets and amounts add up; percentages are recomputed from the sums). */
export function addFigures(list: Figures[]): Figures {
  const z = zeroSums();
  const landTarget = list.reduce((s, f) => s + f.land.targetMu, 0);
  const houseTarget = list.reduce((s, f) => s + f.house.targetM2, 0);
  const sum = (get: (f: Figures) => number) => list.reduce((s, f) => s + get(f), 0);
  const c = (k: 'parcels' | 'houses'): StatusCounts => ({
    unsigned: sum((f) => f[k].unsigned), signed: sum((f) => f[k].signed), paid: sum((f) => f[k].paid),
    handed_over: sum((f) => f[k].handed_over), court: sum((f) => f[k].court), total: sum((f) => f[k].total),
  });
  const f = figuresOf(landTarget, houseTarget, z, z);
  f.land.totalMu = sum((x) => x.land.totalMu);
  f.land.signedMu = sum((x) => x.land.signedMu);
  f.land.completedMu = sum((x) => x.land.completedMu);
  f.land.pct = pctOf(f.land.completedMu, landTarget);
  f.house.totalM2 = sum((x) => x.house.totalM2);
  f.house.signedM2 = sum((x) => x.house.signedM2);
  f.house.completedM2 = sum((x) => x.house.completedM2);
  f.house.pct = pctOf(f.house.completedM2, houseTarget);
  f.parcels = c('parcels');
  f.houses = c('houses');
  f.money = { agreedYuan: sum((x) => x.money.agreedYuan), paidYuan: sum((x) => x.money.paidYuan), unpaidYuan: sum((x) => x.money.unpaidYuan) };
  f.pct = meanPct(f.land.pct, f.house.pct);
  return f;
}

/**
 * Every project that existed at the end of `asOf` (its attributes as they were then) with its
 * parcels' and houses' figures then. One round trip.
 */
export async function projectFiguresAsOf(db: Queryable, asOf: string): Promise<ProjectFigures[]> {
  const sums = SUM_COLUMNS.map((c) => `sum(${c})::float8 AS ${c}`).join(', ');
  const { rows } = await db.query<{
    id: number; code: string; name: string; year: number; command_area_id: number; land_target_mu: number; house_target_m2: number;
    kind: 'parcel' | 'house' | null;
  } & TakeSums>(
    `WITH proj AS (
       SELECT DISTINCT ON (project_id) project_id AS id, present, code, name, year, command_area_id,
              land_target_mu::float8 AS land_target_mu, house_target_m2::float8 AS house_target_m2
         FROM progress_project_history WHERE changed_at < ${endOfDaySql('$1')}
        ORDER BY project_id, changed_at DESC, change_id DESC
     ), sums AS (
       SELECT project_id, kind, ${sums} FROM progress_delta WHERE ${deltasUpTo('$1')} GROUP BY project_id, kind
     )
     SELECT p.id, p.code, p.name, p.year, p.command_area_id, p.land_target_mu, p.house_target_m2, s.kind,
            ${SUM_COLUMNS.map((c) => `s.${c}`).join(', ')}
       FROM proj p LEFT JOIN sums s ON s.project_id = p.id
      WHERE p.present
      ORDER BY p.id, s.kind`,
    [asOf],
  );
  const byId = new Map<number, { p: ProjectAsOf; parcel: TakeSums; house: TakeSums }>();
  for (const r of rows) {
    let e = byId.get(r.id);
    if (!e) {
      e = {
        p: { id: r.id, code: r.code, name: r.name, year: r.year, commandAreaId: r.command_area_id, landTargetMu: r.land_target_mu ?? 0, houseTargetM2: r.house_target_m2 ?? 0 },
        parcel: zeroSums(), house: zeroSums(),
      };
      byId.set(r.id, e);
    }
    if (r.kind) {
      const t = e[r.kind];
      for (const c of SUM_COLUMNS) t[c] = r[c] ?? 0;
    }
  }
  return [...byId.values()].map(({ p, parcel, house }) => ({ ...p, ...figuresOf(p.landTargetMu, p.houseTargetM2, parcel, house) }));
}

export interface CommandAreaRow { id: number; code: string; name: string }

export async function commandAreas(db: Queryable): Promise<CommandAreaRow[]> {
  const { rows } = await db.query<CommandAreaRow>('SELECT id, code, name FROM command_area ORDER BY id');
  return rows;
}

export type GroupBy = 'district' | 'area' | 'project';

export interface ProgressGroup extends Figures {
  key: string;
  id: number | null;
  name: string;
  code?: string;
  commandAreaId?: number;
  year?: number;
  projects: number;
}

export interface ProgressQuery { asOf: string; groupBy: GroupBy; year?: number; areaId?: number }

export interface ProgressResult {
  asOf: string;
  groupBy: GroupBy;
  year: number | null;
  areaId: number | null;
  groups: ProgressGroup[];
  total: ProgressGroup;
}

export function filterProjects(projects: ProjectFigures[], q: { year?: number; areaId?: number }): ProjectFigures[] {
  return projects.filter((p) => (q.year === undefined || p.year === q.year) && (q.areaId === undefined || p.commandAreaId === q.areaId));
}

export async function progress(db: Queryable, q: ProgressQuery): Promise<ProgressResult> {
  const [all, areas] = await Promise.all([projectFiguresAsOf(db, q.asOf), commandAreas(db)]);
  return groupProgress(all, areas, q);
}

export function groupProgress(all: ProjectFigures[], areas: CommandAreaRow[], q: ProgressQuery): ProgressResult {
  const projects = filterProjects(all, q);
  const total: ProgressGroup = { key: 'district', id: null, name: '全区', projects: projects.length, ...addFigures(projects) };
  let groups: ProgressGroup[];
  if (q.groupBy === 'project') {
    groups = projects.map((p) => {
      const { id, code, name, year, commandAreaId, landTargetMu: _l, houseTargetM2: _h, ...fig } = p;
      return { key: `project:${id}`, id, code, name, year, commandAreaId, projects: 1, ...fig };
    });
  } else if (q.groupBy === 'area') {
    groups = areas.filter((a) => q.areaId === undefined || a.id === q.areaId).map((a) => {
      const mine = projects.filter((p) => p.commandAreaId === a.id);
      return { key: `area:${a.id}`, id: a.id, code: a.code, name: a.name, projects: mine.length, ...addFigures(mine) };
    });
  } else {
    groups = [total];
  }
  return { asOf: q.asOf, groupBy: q.groupBy, year: q.year ?? null, areaId: q.areaId ?? null, groups, total };
}

export interface MapProgress {
  asOf: string;
  /** join on the red_line layer's feature id (= project id) with feature-state */
  projects: { id: number; pct: number | null; landPct: number | null; housePct: number | null }[];
  /** join on the command_area layer's feature id */
  areas: { id: number; pct: number | null; landPct: number | null; housePct: number | null }[];
}

export async function mapProgress(db: Queryable, asOf: string): Promise<MapProgress> {
  const [all, areas] = await Promise.all([projectFiguresAsOf(db, asOf), commandAreas(db)]);
  const pick = (f: Figures) => ({ pct: f.pct, landPct: f.land.pct, housePct: f.house.pct });
  return {
    asOf,
    projects: all.map((p) => ({ id: p.id, ...pick(p) })),
    areas: areas.map((a) => ({ id: a.id, ...pick(addFigures(all.filter((p) => p.commandAreaId === a.id))) })),
  };
}

// ---- monthly series ----

export interface SeriesPoint {
  month: string; // YYYY-MM
  asOf: string; // its last day (or the `to` date)
  landCompletedMu: number;
  landSignedMu: number;
  houseCompletedM2: number;
  unpaidYuan: number;
}

export interface Series {
  from: string;
  to: string;
  targets: { landMu: number; houseM2: number };
  points: SeriesPoint[];
}

const monthKey = (d: string) => d.slice(0, 7);


export function monthsBetween(fromMonth: string, toMonth: string): string[] {
  const out: string[] = [];
  let [y, m] = fromMonth.split('-').map(Number);
  const [ty, tm] = toMonth.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

/** Month-end figures from `from` (YYYY-MM) to `to` (YYYY-MM-DD) for the projects of a year/area. */
export async function monthlySeries(db: Queryable, q: { from: string; to: string; year?: number; areaId?: number }): Promise<Series> {
  const projects = filterProjects(await projectFiguresAsOf(db, q.to), q);
  const ids = projects.map((p) => p.id);
  const { rows } = await db.query<{ month: string; kind: 'parcel' | 'house'; done: number; signed: number; unpaid: number }>(
    `SELECT to_char(period, 'YYYY-MM') AS month, kind,
            sum(area_done_mm2)::float8 AS done, sum(area_signed_mm2)::float8 AS signed, sum(unpaid_fen)::float8 AS unpaid
       FROM progress_delta
      WHERE project_id IN (SELECT unnest($1::int[])) -- a hash semi-join: "= ANY" walks the index once per id
        AND ((grain = 'm' AND period < date_trunc('month', $2::date)::date)
          OR (grain = 'd' AND period >= date_trunc('month', $2::date)::date AND period <= $2::date))
      GROUP BY 1, 2 ORDER BY 1`,
    [ids, q.to],
  );
  const months = monthsBetween(q.from, monthKey(q.to));
  const acc = { landDone: 0, landSigned: 0, houseDone: 0, unpaid: 0 };
  const points: SeriesPoint[] = [];
  let i = 0;
  const take = (upto: string) => {
    while (i < rows.length && rows[i].month <= upto) {
      const r = rows[i++];
      if (r.kind === 'parcel') { acc.landDone += r.done; acc.landSigned += r.signed; } else acc.houseDone += r.done;
      acc.unpaid += r.unpaid;
    }
  };
  for (const month of months) {
    take(month);
    const end = lastDayOfMonth(month);
    points.push({
      month, asOf: end < q.to ? end : q.to,
      landCompletedMu: m2ToMu(acc.landDone / 1e6), landSignedMu: m2ToMu(acc.landSigned / 1e6), houseCompletedM2: acc.houseDone / 1e6, unpaidYuan: acc.unpaid / 100,
    });
  }
  return {
    from: q.from, to: q.to,
    targets: { landMu: projects.reduce((s, p) => s + p.landTargetMu, 0), houseM2: projects.reduce((s, p) => s + p.houseTargetM2, 0) },
    points,
  };
}

// ---- small tables as of a date (straight from change_log: a few hundred rows at most) ----

/**
 * Rows of a small table as they were at the end of `asOf` (geometry left out). With `firstKnown`, a
 * feature first recorded after `asOf` comes back as first recorded (the caller masks the facts dated
 * after asOf): the demo records resettlement sites and reserved land when they were last updated,
 * long after the sites existed.
 */
export async function rowsAsOf<T = Record<string, unknown>>(db: Queryable, layer: string, asOf: string, firstKnown = false): Promise<(T & { id: number })[]> {
  const bound = endOfDaySql('$2');
  const where = firstKnown ? 'layer = $1' : `layer = $1 AND changed_at < ${bound}`;
  const { rows } = await db.query<{ row: T & { id: number } }>(
    `SELECT row FROM (
       SELECT DISTINCT ON (feature_id) feature_id, op, after - 'geom' AS row
         FROM change_log WHERE ${where}
        ORDER BY feature_id, (changed_at < ${bound}) DESC, CASE WHEN changed_at < ${bound} THEN changed_at END DESC NULLS LAST,
                 changed_at, id DESC) s
      WHERE op <> 'delete' ORDER BY feature_id`,
    [layer, asOf],
  );
  return rows.map((r) => r.row);
}

/** Whole months from `a` to `b` (dates), 0 if b is not after a. */
export function wholeMonths(a: string, b: string): number {
  if (b <= a) return 0;
  const [ay, am, ad] = a.split('-').map(Number);
  const [by, bm, bd] = b.split('-').map(Number);
  let months = (by - ay) * 12 + (bm - am);
  if (bd < ad) months -= 1;
  return Math.max(0, months);
}

export const ALLOWANCE_SETTING = 'transitional_allowance_yuan_per_household_month';
/** 过渡安置费 default (元/户/月) when app_setting has none: a placeholder for the demo, not an official rate. */
export const DEFAULT_ALLOWANCE_RATE = 600;

export async function allowanceRate(db: Db): Promise<{ rate: number; source: string }> {
  const row = await db.selectFrom('app_setting').select('value').where('key', '=', ALLOWANCE_SETTING).executeTakeFirst();
  const v = Number(row?.value);
  if (row && Number.isFinite(v) && v >= 0) return { rate: v, source: `app_setting.${ALLOWANCE_SETTING}` };
  return { rate: DEFAULT_ALLOWANCE_RATE, source: 'default (no app_setting row)' };
}

export interface ResettlementFigures {
  id: number;
  name: string;
  commandAreaId: number;
  isShantytown: boolean;
  unitsPlanned: number;
  unitsDelivered: number;
  householdsWaiting: number;
  constructionStartOn: string | null;
  plannedDeliveryOn: string;
  actualDeliveryOn: string | null;
  delivered: boolean;
  overdueMonths: number;
  /** over 3 years late (the seed: 大多超过3年以上未能交付) */
  overThreeYears: boolean;
  /** months the waiting households have been out of their homes: construction start → delivery or asOf */
  monthsWaiting: number;
  /** households × months waiting × rate */
  allowanceAccruedYuan: number;
  /** households × months overdue × rate: the part the delay costs */
  allowanceOverdueYuan: number;
}

interface SiteRow {
  id: number; name: string; command_area_id: number; is_shantytown: boolean; units_planned: number; units_delivered: number;
  households_waiting: number; construction_start_on: string | null; planned_delivery_on: string; actual_delivery_on: string | null;
}

/** `db` runs the history SQL, `kdb` (Kysely on the same pool) reads the allowance rate. */
export async function resettlement(db: Queryable, asOf: string, kdb: Db): Promise<{ asOf: string; rate: { yuanPerHouseholdMonth: number; source: string }; sites: ResettlementFigures[] }> {
  const [all, { rate, source }] = await Promise.all([rowsAsOf<SiteRow>(db, 'resettlement_site', asOf, true), allowanceRate(kdb)]);
  // a site exists from its construction start (households move out then); without one, from its first record
  const rows = all.filter((r) => !r.construction_start_on || r.construction_start_on <= asOf);
  const sites = rows.map((r) => {
    // a delivery date after asOf had not happened yet
    const actual = r.actual_delivery_on && r.actual_delivery_on <= asOf ? r.actual_delivery_on : null;
    const until = actual ?? asOf;
    const overdueMonths = wholeMonths(r.planned_delivery_on, until);
    const monthsWaiting = r.construction_start_on ? wholeMonths(r.construction_start_on, until) : overdueMonths;
    const households = r.households_waiting;
    return {
      id: r.id, name: r.name, commandAreaId: r.command_area_id, isShantytown: r.is_shantytown,
      unitsPlanned: r.units_planned, unitsDelivered: actual ? r.units_delivered : 0, householdsWaiting: households,
      constructionStartOn: r.construction_start_on, plannedDeliveryOn: r.planned_delivery_on, actualDeliveryOn: actual,
      delivered: actual !== null, overdueMonths, overThreeYears: overdueMonths > 36, monthsWaiting,
      allowanceAccruedYuan: households * monthsWaiting * rate,
      allowanceOverdueYuan: households * overdueMonths * rate,
    };
  });
  sites.sort((a, b) => b.overdueMonths - a.overdueMonths || a.id - b.id);
  return { asOf, rate: { yuanPerHouseholdMonth: rate, source }, sites };
}

export interface ReservedLandGroup {
  villageId: number;
  villageName: string;
  townshipName: string;
  year: number;
  owedMu: number;
  deliveredMu: number;
  outstandingMu: number;
  overdue: boolean;
  items: number;
}

interface ReservedRow { id: number; village_id: number; year: number; owed_mu: number; delivered_mu: number; due_on: string | null; delivered_on: string | null }

export async function reservedLand(db: Queryable, asOf: string): Promise<{ asOf: string; groups: ReservedLandGroup[]; total: { owedMu: number; deliveredMu: number; outstandingMu: number } }> {
  // owed from the year of the take that owes it
  const rows = (await rowsAsOf<ReservedRow>(db, 'reserved_land', asOf, true)).filter((r) => r.year <= Number(asOf.slice(0, 4)));
  const { rows: villages } = await db.query<{ id: number; name: string; township: string }>(
    'SELECT v.id, v.name, t.name AS township FROM village v JOIN township t ON t.id = v.township_id WHERE v.id = ANY($1::int[])',
    [[...new Set(rows.map((r) => r.village_id))]],
  );
  const vById = new Map(villages.map((v) => [v.id, v]));
  const byKey = new Map<string, ReservedLandGroup>();
  for (const r of rows) {
    const key = `${r.village_id}:${r.year}`;
    const delivered = r.delivered_on && r.delivered_on > asOf ? 0 : Number(r.delivered_mu);
    let g = byKey.get(key);
    if (!g) {
      const v = vById.get(r.village_id);
      g = { villageId: r.village_id, villageName: v?.name ?? String(r.village_id), townshipName: v?.township ?? '', year: r.year, owedMu: 0, deliveredMu: 0, outstandingMu: 0, overdue: false, items: 0 };
      byKey.set(key, g);
    }
    g.owedMu += Number(r.owed_mu);
    g.deliveredMu += delivered;
    g.outstandingMu = Math.max(0, g.owedMu - g.deliveredMu);
    g.items += 1;
    if (r.due_on && r.due_on < asOf && delivered < Number(r.owed_mu)) g.overdue = true;
  }
  const groups = [...byKey.values()].sort((a, b) => a.year - b.year || a.villageId - b.villageId);
  const sum = (k: 'owedMu' | 'deliveredMu' | 'outstandingMu') => groups.reduce((s, g) => s + g[k], 0);
  return { asOf, groups, total: { owedMu: sum('owedMu'), deliveredMu: sum('deliveredMu'), outstandingMu: sum('outstandingMu') } };
}

// ---- the month's changes (for the dispatch report) ----

export interface TransitionRow {
  projectId: number;
  kind: 'parcel' | 'house';
  from: string | null; // null: newly entered
  to: string | null; // null: deleted
  count: number;
  /** 亩 for parcels, m² for houses */
  amount: number;
}

/** Status changes whose changed_at falls in [from, to] (Beijing days), counted per project and transition. */
export async function transitions(db: Queryable, from: string, to: string, projectIds: number[]): Promise<TransitionRow[]> {
  const { rows } = await db.query<{ project_id: number; kind: 'parcel' | 'house'; from_status: string | null; to_status: string | null; n: number; area_mm2: number }>(
    // each entry of the month with its predecessor (by changed_at) looked up through the feature index
    `SELECT t.project_id, t.kind, CASE WHEN prev.present THEN prev.status END AS from_status,
            CASE WHEN t.present THEN t.status END AS to_status, count(*)::int AS n, coalesce(sum(t.area_mm2), 0)::float8 AS area_mm2
       FROM progress_take_history t
       LEFT JOIN LATERAL (
         SELECT p.status, p.present FROM progress_take_history p
          WHERE p.kind = t.kind AND p.feature_id = t.feature_id AND (p.changed_at, p.change_id) < (t.changed_at, t.change_id)
          ORDER BY p.changed_at DESC, p.change_id DESC LIMIT 1) prev ON true
      WHERE t.changed_at >= ($1::date::text || ' 00:00:00+08')::timestamptz AND t.changed_at < ${endOfDaySql('$2')}
        AND t.project_id IN (SELECT unnest($3::int[]))
        AND (prev.present IS DISTINCT FROM t.present OR prev.status IS DISTINCT FROM t.status)
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    [from, to, projectIds],
  );
  return rows.map((r) => ({
    projectId: r.project_id, kind: r.kind, from: r.from_status, to: r.to_status, count: r.n,
    amount: r.kind === 'parcel' ? m2ToMu(r.area_mm2 / 1e6) : r.area_mm2 / 1e6,
  }));
}

// ---- parcels' and houses' status as of a date (the main map in the past, issue #17) ----

export interface TakeStatusesAsOf {
  layer: 'parcel' | 'house';
  asOf: string;
  /** more features meet the bbox than `limit`: the first `limit` by id are given */
  truncated: boolean;
  /** [feature id, status then] of each feature that meets the bbox and was on record at the end of asOf */
  features: [number, TakeStatus | null][];
}

/**
 * Each parcel or house of today's table that meets `bbox` (CGCS2000 lon/lat) with its status at the
 * end of `asOf`: its latest progress_take_history entry before then, in the (changed_at, change_id)
 * order the figures use (zs_progress_apply), the same entries progress_delta sums; a feature whose
 * latest entry then is a delete, or that has none yet, was not on record and is left out. Today's
 * table, because the map draws today's tiles: a feature deleted since has no shape there to colour.
 * `statusSql` is the status as the reader may read it (the release rule), over the entry aliased `h`.
 */
export async function takeStatusesAsOf(
  db: Queryable, q: { layer: 'parcel' | 'house'; table: string; geometryColumn: string; asOf: string; bbox: [number, number, number, number]; limit: number; statusSql: string },
): Promise<TakeStatusesAsOf> {
  const { rows } = await db.query<{ id: number; status: TakeStatus | null }>(
    `SELECT t.id::int AS id, ${q.statusSql} AS status
       FROM ${q.table} t
       CROSS JOIN LATERAL (
         SELECT p.present, p.status FROM progress_take_history p
          WHERE p.kind = $1 AND p.feature_id = t.id AND p.changed_at < ${endOfDaySql('$2')}
          ORDER BY p.changed_at DESC, p.change_id DESC LIMIT 1) h
      WHERE t.${q.geometryColumn} && ST_MakeEnvelope($3, $4, $5, $6, 4490) AND h.present
      ORDER BY t.id LIMIT $7`,
    [q.layer, q.asOf, ...q.bbox, q.limit + 1],
  );
  const truncated = rows.length > q.limit;
  return { layer: q.layer, asOf: q.asOf, truncated, features: rows.slice(0, q.limit).map((r) => [r.id, r.status]) };
}
