// The embedded database: PGlite (Postgres compiled to WASM) with PostGIS, served on a loopback port
// through PGlite's socket server, so the rest of the server speaks the ordinary Postgres wire protocol
// whichever backend it runs on.
//
// Supervised: should the engine fail (a WASM abort, running out of its heap), the socket server is
// stopped, which cuts every connection, so requests are answered 503 database_unavailable exactly as
// when a PostgreSQL server goes away; then PGlite is opened again from its data directory, on the same
// port, and the pool's next connection finds it. The socket server would otherwise crash the process
// (an exception in its queue is not caught) or stop serving for good (its queue stays marked busy).
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  /** the engine serving now (a new one after a restart) */
  readonly engine: PGlite;
  /** settles when a restart after a failure is done (at once when none is under way) */
  recovered(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedLog {
  error(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
}

const HOST = '127.0.0.1';

export async function startEmbeddedDatabase(dataDir: string, log: EmbeddedLog = { error: () => {}, info: () => {} }): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  let engine!: PGlite;
  let server!: PGLiteSocketServer;
  let port = 0;
  let closed = false;
  let restarting: Promise<void> | undefined;

  const open = async () => {
    const db = await PGlite.create({ dataDir, extensions: { postgis } });
    // maxConnections > 1: pg's pool reconnects while an old socket is closing; the multiplexer accepts
    // both. Callers still use a pool of one, because PGlite is a single session.
    const s = new PGLiteSocketServer({ db: supervised(db, failed), host: HOST, port, maxConnections: 8 });
    try {
      await s.start();
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    engine = db;
    server = s;
    port = Number(s.getServerConn().split(':').pop());
  };

  let failing = false; // set at once: stopping the socket server calls into the dead engine again
  function failed(err: unknown): void {
    if (closed || failing) return;
    failing = true;
    log.error({ err }, 'the embedded database failed; restarting it');
    restarting = (async () => {
      await Promise.resolve(); // `restarting` is set before the socket server is stopped
      await server.stop().catch(() => {});
      await engine.close().catch(() => {});
      for (let delay = 250; !closed; delay = Math.min(delay * 2, 5000)) {
        try {
          await open();
          log.info({ port }, 'the embedded database is back');
          return;
        } catch (e) {
          log.error({ err: e }, 'the embedded database could not be reopened; trying again');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    })().finally(() => { restarting = undefined; failing = false; });
  }

  await open();
  return {
    url: `postgres://postgres@${HOST}:${port}/postgres`,
    get engine() { return engine; },
    recovered: async () => { await restarting; },
    async close() {
      closed = true;
      await restarting;
      await server.stop();
      await engine.close();
    },
  };
}

/**
 * The engine as the socket server sees it: a call that throws means the engine failed (SQL errors
 * come back as protocol messages, never as exceptions). `isInTransaction` is asked outside any
 * try/catch of the socket server, so it answers false instead of throwing.
 */
const ENGINE_CALLS = new Set<string | symbol>(['isInTransaction', 'runExclusive', 'execProtocolRaw', 'execProtocolRawStream']);

function supervised(db: PGlite, failed: (err: unknown) => void): PGlite {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (!ENGINE_CALLS.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        try {
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (out instanceof Promise) return out.catch((err: unknown) => { failed(err); throw err; });
          return out;
        } catch (err) {
          failed(err);
          if (prop === 'isInTransaction') return false;
          throw err;
        }
      };
    },
  });
}
