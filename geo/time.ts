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
