// One transaction on one pooled connection: committed when `fn` returns, rolled back when it throws.
// A connection lost during COMMIT leaves the outcome unknown to the client that sent it; the
// transaction's id, read just before, lets another connection ask PostgreSQL (txid_status) whether it
// committed, so a write that was stored is answered as stored and one that was not as failed.
import type pg from 'pg';
import { DomainError, isDatabaseUnavailable } from '../core/errors.ts';
import { withClient } from './connection.ts';

export interface TransactionOptions {
  /** this transaction's own statement_timeout (imports, long reports), instead of the connection's */
  statementTimeoutMs?: number;
}

/** A deadlock or serialization failure: PostgreSQL rolled the transaction back for a concurrent one; running it again is how it is meant to be answered. */
const retryable = (err: unknown): boolean => ['40P01', '40001'].includes((err as { code?: string })?.code ?? '');
const ATTEMPTS = 3;

/**
 * `fn` in one transaction; run again (up to three times in all, after a short random pause) when
 * PostgreSQL breaks a deadlock by aborting it — concurrent writers of one project's parcels meet in
 * the progress tables — so `fn` must do nothing outside the transaction that cannot be done twice.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionOnce(pool, fn, opts);
    } catch (err) {
      if (attempt >= ATTEMPTS || !retryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

async function transactionOnce<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions): Promise<T> {
  return withClient(pool, async (client) => {
    let out: T;
    let xid: string | null;
    try {
      await client.query('BEGIN');
      if (opts.statementTimeoutMs !== undefined) await client.query(`SET LOCAL statement_timeout = ${Math.max(0, Math.round(opts.statementTimeoutMs))}`);
      out = await fn(client);
      // null when the transaction wrote nothing: then there is nothing to lose at COMMIT
      xid = (await client.query<{ xid: string | null }>('SELECT txid_current_if_assigned()::text AS xid')).rows[0].xid;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
    try {
      await client.query('COMMIT');
    } catch (err) {
      if (xid !== null && isDatabaseUnavailable(err) && (await outcomeOf(pool, xid)) === 'committed') return out;
      throw err;
    }
    return out;
  });
}

/** How long to keep asking whether a transaction whose COMMIT was cut off committed. */
const OUTCOME_WAIT_MS = 10_000;

/** 'committed' or 'aborted', asked on other connections until the database answers (or the wait ends). */
async function outcomeOf(pool: pg.Pool, xid: string): Promise<'committed' | 'aborted'> {
  const deadline = Date.now() + OUTCOME_WAIT_MS;
  for (;;) {
    try {
      const { rows } = await pool.query<{ status: string | null }>('SELECT txid_status($1::bigint) AS status', [xid]);
      const status = rows[0].status;
      if (status === 'committed' || status === 'aborted') return status;
      // 'in progress': the backend that ran it has not finished dying yet
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
    }
    if (Date.now() > deadline) {
      throw new DomainError('commit_unknown', `the database connection was lost while committing; whether transaction ${xid} was stored is not known yet: read the feature again before retrying`, { transaction: xid });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
