// 审计: who changed what and when. Data changes come from change_log (every write records its user:
// migrations/functions/20_history.sql); account events (logins, users, roles, passwords) from account_event.
import { sql } from 'kysely';
import type { AccountEvent, DataChange } from '../../geo/api.ts';
import { LAYERS } from '../../geo/layers.ts';
import type { Db } from '../db/kysely.ts';
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
const toBound = (to: string) => (to.length === 10 ? sql<Date>`(${to}::date + 1)` : sql<Date>`${to}::timestamptz`);

export async function dataChanges(db: Db, q: AuditQuery): Promise<{ items: DataChange[]; more: boolean }> {
  let query = db.selectFrom('change_log').select([
    'id', 'changed_at as at', 'changed_by as user', 'layer as table', 'feature_id as featureId', 'op', 'version', 'reason',
    sql<string[]>`CASE WHEN op = 'update' THEN ARRAY(
      SELECT k FROM jsonb_object_keys(after) k
       WHERE k NOT IN ('version', 'updated_at', 'updated_by') AND before -> k IS DISTINCT FROM after -> k ORDER BY k)
    ELSE '{}'::text[] END`.as('changed'),
  ]);
  if (q.user) query = query.where('changed_by', '=', q.user);
  if (q.layer) query = query.where('layer', '=', TABLE_OF_LAYER.get(q.layer)!);
  if (q.featureId) query = query.where('feature_id', '=', String(q.featureId)); // bigint: pg sends it as text either way
  if (q.from) query = query.where('changed_at', '>=', sql<Date>`${q.from}::timestamptz`);
  if (q.to) query = query.where('changed_at', '<', toBound(q.to));
  const rows = await query.orderBy('changed_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).offset(q.offset).execute();
  const items = rows.slice(0, q.limit).map(({ table, ...r }) => ({
    ...r, id: Number(r.id), at: r.at.toISOString(), featureId: Number(r.featureId), op: r.op as DataChange['op'],
    layer: LAYER_OF_TABLE.get(table) ?? table,
  }));
  return { items, more: rows.length > q.limit };
}

export type { AccountEvent };

export async function accountEvents(db: Db, q: AuditQuery): Promise<{ items: AccountEvent[]; more: boolean }> {
  let query = db.selectFrom('account_event').select(['id', 'at', 'actor', 'username', 'event', 'detail', 'ip']);
  const user = q.user;
  if (user) query = query.where((eb) => eb.or([eb('username', '=', user), eb('actor', '=', user)]));
  if (q.from) query = query.where('at', '>=', sql<Date>`${q.from}::timestamptz`);
  if (q.to) query = query.where('at', '<', toBound(q.to));
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).offset(q.offset).execute();
  return { items: rows.slice(0, q.limit).map((r) => ({ ...r, id: Number(r.id), at: r.at.toISOString() })), more: rows.length > q.limit };
}
