// A small seeded PRNG (mulberry32) and calendar helpers. The demo must come out byte-identical on
// every run, so nothing here reads the clock or Math.random.

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number;
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** an independent stream for one part of the district, so adding draws elsewhere changes nothing here */
  fork(label: string): Rng;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(items.length * next())],
    fork: (label) => createRng((seed ^ hashString(label)) >>> 0),
  };
  return rng;
}

// ---- dates as 'YYYY-MM-DD': the one calendar arithmetic (geo/time.ts) ----

export { addDays, dayNumber, isoDate } from '../../geo/time.ts';

export function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

export function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

/** The demo's changes happen at 09:00 Beijing time on their date. */
export function stampOf(date: string): string {
  return `${date}T09:00:00+08:00`;
}
