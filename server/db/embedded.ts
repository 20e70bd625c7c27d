// The embedded database: PGlite (Postgres compiled to WASM) with PostGIS, served on a loopback port
// through PGlite's socket server, so the rest of the server speaks the ordinary Postgres wire protocol
// whichever backend it runs on.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { postgis } });
  // maxConnections > 1: pg's pool reconnects while an old socket is closing; the multiplexer accepts
  // both. Callers still use a pool of one, because PGlite is a single session.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
