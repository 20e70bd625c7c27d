// Listens on one notification channel (the layer changes: server/core/changes.ts; session revocations:
// server/accounts), so that an edit through any server process (or any SQL client) reaches this process.
// - PostgreSQL: one dedicated connection, reconnected with backoff; after a reconnect onReset says that
//   notifications sent while it was away are lost.
// - Embedded PGlite: one database session shared through a multiplexer, which hands a notification
//   to the connection whose query caused it; every write goes through this process's pool (one
//   connection, kept open), so that connection listens.
import pg from 'pg';
import { withClient } from './connection.ts';
import type { Backend } from './database.ts';

export interface NotificationListener {
  /** begin listening (call once the app is ready) */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function listen(opts: {
  backend: Backend;
  url: string;
  pool: pg.Pool;
  /** a fixed identifier (never from a request): it is written into LISTEN as it is */
  channel: string;
  onMessage: (payload: string) => void;
  /** notifications may have been missed (the listening connection was lost and is back) */
  onReset?: () => void;
  /** LISTEN is in place (at start and after every reconnect): from now on no notification is missed */
  onListening?: () => void;
  /** the listening connection is gone: notifications are being missed until onListening */
  onLost?: () => void;
  log: { warn(obj: unknown, msg?: string): void };
}): NotificationListener {
  const CHANNEL = opts.channel;
  const handle = (msg: pg.Notification) => {
    if (msg.channel === CHANNEL && msg.payload) opts.onMessage(msg.payload);
  };

  if (opts.backend === 'embedded') {
    // The pool has one connection that is never closed when idle (database plugin); LISTEN on it
    // once the app is ready, and again on a new connection should the old one break.
    const attached = new WeakSet<pg.PoolClient>();
    const attach = (c: pg.PoolClient) => {
      if (!attached.has(c)) c.on('notification', handle);
      attached.add(c);
    };
    let ready = false;
    const onConnect = (c: pg.PoolClient) => {
      attach(c);
      if (!ready) return;
      opts.onLost?.();
      opts.onReset?.();
      // through the pool's queue, so it never runs beside another query on the same connection
      setImmediate(() => opts.pool.query(`LISTEN ${CHANNEL}`).then(() => opts.onListening?.(), (err) => opts.log.warn({ err }, 'LISTEN failed')));
    };
    opts.pool.on('connect', onConnect);
    return {
      async start() {
        await withClient(opts.pool, async (c) => {
          attach(c);
          await c.query(`LISTEN ${CHANNEL}`);
        });
        ready = true;
        opts.onListening?.();
      },
      close: async () => void opts.pool.off('connect', onConnect),
    };
  }

  let client: pg.Client | undefined;
  let closed = false;
  let delay = 500;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.url });
    c.on('notification', handle);
    let lost = false;
    c.on('error', (err) => {
      if (lost) return;
      lost = true;
      opts.onLost?.();
      opts.log.warn({ err }, `listener on ${CHANNEL} lost its connection; reconnecting`);
      c.end().catch(() => {});
      if (client === c) client = undefined;
      setTimeout(() => void connect(), delay).unref();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      if (closed) return void (await c.end());
      client = c;
      delay = 500;
      opts.onListening?.();
      opts.onReset?.(); // anything may have changed while no one listened
    } catch (err) {
      opts.log.warn({ err }, `listener on ${CHANNEL} could not connect; retrying`);
      delay = Math.min(delay * 2, 2_000); // soon back: what was cached meanwhile is dropped only once it listens again
      c.end().catch(() => {});
      setTimeout(() => void connect(), delay).unref();
    }
  };
  return {
    start: connect,
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
