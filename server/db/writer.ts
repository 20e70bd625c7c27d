// Who is writing, said to the database at the start of every writing transaction: the history
// trigger records the actor and reason (migrations/functions/20_history.sql), the scope trigger
// keeps a command-post editor inside their command areas (migrations/functions/50_scope.sql).
import type pg from 'pg';

export interface Writer {
  /** the username recorded in change_log.changed_by */
  actor: string;
  /** command areas the write is limited to; null = not limited (planners, land bureau, local tools) */
  scopeAreaIds: readonly number[] | null;
}

export async function declareWriter(client: pg.PoolClient, writer: Writer, reason?: string): Promise<void> {
  const scope = writer.scopeAreaIds === null ? '' : writer.scopeAreaIds.length ? writer.scopeAreaIds.join(',') : 'none';
  await client.query(
    `SELECT set_config('zs.changed_by', $1, true), set_config('zs.reason', $2, true), set_config('zs.scope_areas', $3, true)`,
    [writer.actor, reason ?? '', scope],
  );
}

/**
 * A batch of writes (an import) takes its history into the progress tables once at its end rather
 * than statement by statement (migrations/functions/40_progress.sql): deferProgress at its start,
 * then ingestDeferredProgress with what it returned, in the same transaction.
 */
export async function deferProgress(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ last: string }>(
    `SELECT set_config('zs.progress_deferred', 'on', true), (SELECT coalesce(max(id), 0) FROM change_log)::text AS last`);
  return Number(rows[0].last);
}

/** Ingest every history entry after `since` (the batch's; any other transaction's seen again is harmless). */
export async function ingestDeferredProgress(client: pg.PoolClient, since: number): Promise<void> {
  await client.query(`SELECT set_config('zs.progress_deferred', 'off', true)`);
  await client.query(`SELECT zs_progress_ingest_entries(ARRAY(SELECT id FROM change_log WHERE id > $1))`, [since]);
}
