// Shared by the error-contract tests: a fingerprint of the database (to show that a refused request
// wrote nothing), and requests that may carry any body, including ones no client would send.
import type pg from 'pg';
import { LAYERS } from '../../geo/layers.ts';
import { api } from '../helpers/db.ts';

const TABLES = [...new Set([...LAYERS.map((l) => l.table), 'app_user'])];

/** Row count, highest id and sum(version) of the main tables, and the size of the history. */
export async function fingerprint(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows: versioned } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'version' AND table_name = ANY($1)`, [TABLES]);
  const hasVersion = new Set(versioned.map((r) => r.table_name));
  const parts = TABLES.map((t) =>
    `SELECT '${t}' AS t, count(*)::text || '/' || coalesce(max(id), 0)::text || '/' || ${hasVersion.has(t) ? 'coalesce(sum(version), 0)::text' : `'-'`} AS v FROM "${t}"`);
  parts.push(`SELECT 'change_log', count(*)::text FROM change_log`);
  const { rows } = await pool.query<{ t: string; v: string }>(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.v]));
}

export interface Answer { status: number; body: any; text: string }

/** A request as `who` (default tester; null = anonymous) with a JSON (or raw) body. */
export async function send(method: string, path: string, opts: { body?: unknown; raw?: string; who?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let payload = opts.raw;
  if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  } else if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await api(path, { method, headers, body: payload, who: opts.who === undefined ? 'tester' : opts.who });
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, body, text };
}

/** '[[[…[0,0]…]]]' nested `depth` arrays deep, built as text (a JS value that deep cannot be stringified). */
export const deepArray = (depth: number): string => `${'['.repeat(depth)}0${']'.repeat(depth)}`;
