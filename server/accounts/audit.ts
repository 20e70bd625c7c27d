// 审计: who changed what and when. Data changes come from change_log (every write records its user:
// migrations/003); account events (logins, users, roles, passwords) from account_event.
import type pg from 'pg';
import type { AccountEvent, DataChange } from '../../geo/api.ts';
import { LAYERS } from '../../geo/layers.ts';
import { DomainError } from '../core/errors.ts';

export interface AuditQuery {
  user?: string;
  /** a map layer id (red_line, parcel, …) */
  layer?: string;
  featureId?: number;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

const TABLE_OF_LAYER = new Map(LAYERS.map((l) => [l.id, l.table]));
const LAYER_OF_TABLE = new Map(LAYERS.map((l) => [l.table, l.id]));
const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Check the query string; a bad value is refused by name. */
export function auditQuery(q: Record<string, string | undefined>): AuditQuery {
  const bad = (field: string, message: string) => new DomainError('invalid_input', message, { field }, { field });
  const int = (k: string, min: number, max: number, fallback: number) => {
    if (q[k] === undefined || q[k] === '') return fallback;
    const n = Number(q[k]);
    if (!Number.isInteger(n) || n < min || n > max) throw bad(k, `${k} must be a whole number from ${min} to ${max}`);
    return n;
  };
  for (const k of ['from', 'to'] as const) if (q[k] && !DATE.test(q[k]!)) throw bad(k, `${k} must be a date (YYYY-MM-DD)`);
  if (q.layer && !TABLE_OF_LAYER.has(q.layer)) throw bad('layer', `no layer ${q.layer}`);
  return {
    user: q.user || undefined,
    layer: q.layer || undefined,
    featureId: q.featureId ? int('featureId', 1, 2 ** 31 - 1, 0) : undefined,
    from: q.from || undefined,
    to: q.to || undefined,
    limit: int('limit', 1, 1000, 100),
    offset: int('offset', 0, 10_000_000, 0),
  };
}

export type { DataChange };

/** A 'to' date without a time means the whole day. */
const toBound = (to: string) => (to.length === 10 ? `(${to}::date + 1)` : `${to}::timestamptz`);

export async function dataChanges(pool: pg.Pool, q: AuditQuery): Promise<{ items: DataChange[]; more: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.user) where.push(`changed_by = ${p(q.user)}`);
  if (q.layer) where.push(`layer = ${p(TABLE_OF_LAYER.get(q.layer))}`);
  if (q.featureId) where.push(`feature_id = ${p(q.featureId)}`);
  if (q.from) where.push(`changed_at >= ${p(q.from)}::timestamptz`);
  if (q.to) where.push(`changed_at < ${toBound(p(q.to))}`);
  const { rows } = await pool.query<Omit<DataChange, 'layer'> & { table: string }>(
    `SELECT id, changed_at AS at, changed_by AS user, layer AS table, feature_id AS "featureId", op, version, reason,
            CASE WHEN op = 'update' THEN ARRAY(
              SELECT k FROM jsonb_object_keys(after) k
               WHERE k NOT IN ('version', 'updated_at', 'updated_by') AND before -> k IS DISTINCT FROM after -> k ORDER BY k)
            ELSE '{}'::text[] END AS changed
       FROM change_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY changed_at DESC, id DESC LIMIT ${p(q.limit + 1)} OFFSET ${p(q.offset)}`,
    params,
  );
  const items = rows.slice(0, q.limit).map(({ table, ...r }) => ({
    ...r, id: Number(r.id), featureId: Number(r.featureId), layer: LAYER_OF_TABLE.get(table) ?? table,
  }));
  return { items, more: rows.length > q.limit };
}

export type { AccountEvent };

export async function accountEvents(pool: pg.Pool, q: AuditQuery): Promise<{ items: AccountEvent[]; more: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.user) where.push(`(username = ${p(q.user)} OR actor = $${params.length})`);
  if (q.from) where.push(`at >= ${p(q.from)}::timestamptz`);
  if (q.to) where.push(`at < ${toBound(p(q.to))}`);
  const { rows } = await pool.query<AccountEvent>(
    `SELECT id, at, actor, username, event, detail, ip FROM account_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT ${p(q.limit + 1)} OFFSET ${p(q.offset)}`,
    params,
  );
  return { items: rows.slice(0, q.limit).map((r) => ({ ...r, id: Number(r.id) })), more: rows.length > q.limit };
}
