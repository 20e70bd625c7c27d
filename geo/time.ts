// The one date and time rule (日期时间规则). People read Beijing time (北京时间, UTC+8, no daylight
// saving since 1991): calendar days, report headers and footers, file names. Machines read ISO 8601
// in UTC (JSON fields such as computedAt, changedAt). Every function takes the moment explicitly
// (default: now), so a test can ask what 07:30 Beijing time on 2 December is called without faking clocks.

/** Beijing is UTC+8 all year. */
export const BEIJING_OFFSET_MS = 8 * 3600_000;

const asDate = (at: Date | number | string): Date => (at instanceof Date ? at : new Date(at));

/** The moment shifted so its UTC fields read as Beijing wall-clock time. */
const wallClock = (at: Date | number | string): Date => new Date(asDate(at).getTime() + BEIJING_OFFSET_MS);

/** The Beijing calendar day of a moment, YYYY-MM-DD (2026-12-01T20:04Z → 2026-12-02). */
export function beijingDate(at: Date | number | string = Date.now()): string {
  return wallClock(at).toISOString().slice(0, 10);
}

/** A moment as people read it: Beijing date and time to the minute, '2026-12-02 04:04' (seconds on request). */
export function beijingDateTime(at: Date | number | string = Date.now(), withSeconds = false): string {
  const iso = wallClock(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

/** The date in a file name: the Beijing calendar day without dashes (导出_20261202.xlsx). */
export function fileStamp(day: string = beijingDate()): string {
  return day.replace(/-/g, '');
}

/** A moment for machines: ISO 8601 in UTC ('2026-12-01T20:04:00.000Z'). */
export function isoUtc(at: Date | number | string = Date.now()): string {
  return asDate(at).toISOString();
}

/** A real calendar day written YYYY-MM-DD ('2021-02-30' is not). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m || Number(m[1]) < 1) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The last day of a month given as YYYY-MM ('2024-02' → '2024-02-29'). */
export function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The last day of the month before a YYYY-MM month ('2026-01' → '2025-12-31'). */
export function previousMonthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
}

// ---- calendar arithmetic on YYYY-MM-DD days (UTC day numbers, so no time zone can shift them) ----

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD day. */
export function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** The YYYY-MM-DD day of a day number. */
export function isoDate(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return isoDate(dayNumber(day) + Math.round(days));
}

/** Monday to Friday. The State Council's holiday calendar (调休) is not modelled: a long holiday counts as working days here. */
export function isWorkingDay(day: string): boolean {
  const weekday = (dayNumber(day) + 4) % 7; // 1970-01-01 was a Thursday (4)
  return weekday !== 0 && weekday !== 6;
}

/** The working days from `from` to `to`, both counted (0 when `to` is before `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = dayNumber(from), end = dayNumber(to); d <= end; d++) if (isWorkingDay(isoDate(d))) n++;
  return n;
}

/** The `n`th working day after `day` (`day` itself not counted). */
export function addWorkingDays(day: string, n: number): string {
  let d = dayNumber(day);
  for (let left = n; left > 0;) if (isWorkingDay(isoDate(++d))) left--;
  return isoDate(d);
}
