// How the server holds database connections, so that losing one never takes the process down.
//
// node-postgres emits 'error' on a client whose connection dies (a restart, a failover, an
// administrator's pg_terminate_backend). The pool listens on idle clients only; a checked-out client
// without a listener turns that event into an uncaught exception, which ends Node. So every client
// the pool opens gets a listener for its whole life (guardPool), whoever checks it out (Kysely,
// @fastify/postgres, our own code), and code that checks a client out itself does it through
// withClient, which hands a broken client back with its error so the pool drops it.
import type pg from 'pg';
import { isDatabaseUnavailable } from '../core/errors.ts';

export interface ConnectionLog {
  warn(obj: unknown, msg?: string): void;
}

const guarded = new WeakSet<pg.Pool>();

/** Every client of `pool`, idle or checked out, has an error listener from birth; idle failures are logged. */
export function guardPool(pool: pg.Pool, log: ConnectionLog): pg.Pool {
  if (guarded.has(pool)) return pool;
  guarded.add(pool);
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      // the query that was running (if any) fails with its own error and its caller answers 503;
      // this only records that the connection went
      log.warn({ err }, 'database connection lost');
    });
  });
  // an idle client's failure: the pool has already dropped it
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  return pool;
}

/** Whether a client can go back to the pool after `err` (a broken or half-used connection cannot). */
function reusableAfter(err: unknown): boolean {
  return !isDatabaseUnavailable(err);
}

/**
 * One pooled client for `fn`, released when it settles: given back for reuse, or with the error that
 * broke it, so the pool closes it instead of handing a dead connection to the next request.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => { broken ??= err; };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    if (!reusableAfter(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
