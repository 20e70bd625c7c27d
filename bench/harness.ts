// What every benchmark gets: a pool and a running server on the large data set, and a timer that
// reports medians and p95 (never a pass/fail on time: these machines are noisy).
import { readFileSync } from 'node:fs';
import type pg from 'pg';

export interface BenchContext {
  pool: pg.Pool;
  /** the server started by the runner, cache on */
  baseUrl: string;
  /** the benchmark database, for benchmarks that start servers of their own */
  databaseUrl: string;
  scale: number;
  /** headers that make a request a logged-in one (session cookie) with every role incl. military */
  authHeaders: Record<string, string>;
}

export interface BenchRow {
  name: string;
  n: number;
  medianMs: number;
  p95Ms: number;
  note?: string;
}

export function summarize(name: string, timesMs: number[], note?: string): BenchRow {
  const sorted = [...timesMs].sort((a, b) => a - b);
  return { name, n: sorted.length, medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), note };
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Time `fn` `iterations` times after `warmup` untimed runs; `fn` gets the iteration number. */
export async function measure(name: string, fn: (i: number) => Promise<unknown>, opts: { iterations?: number; warmup?: number; note?: string } = {}): Promise<BenchRow> {
  const iterations = opts.iterations ?? 50;
  for (let i = 0; i < (opts.warmup ?? 3); i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return summarize(name, times, opts.note);
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'n', 'median ms', 'p95 ms', 'note'];
  const body = rows.map((r) => [r.name, String(r.n), r.medianMs.toFixed(2), r.p95Ms.toFixed(2), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc; 0 once it is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ = 100
  } catch {
    return 0;
  }
}
