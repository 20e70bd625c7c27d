// Starts the real server once for the whole run, the way `npm start` does: on a fresh embedded
// PGlite by default, or on DATABASE_URL when set (a database whose name says "test": it is wiped).
// Tests reach it through inject('appUrl') and, for direct SQL, inject('databaseUrl').
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/start.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    databaseUrl: string;
    backend: 'embedded' | 'postgres';
  }
}

async function wipeTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/test/i.test(name)) {
    throw new Error(`DATABASE_URL names the database "${name}": the tests wipe their database, so its name must contain "test"`);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zs-test-pglite-'));
  if (process.env.DATABASE_URL) await wipeTestDatabase(process.env.DATABASE_URL);
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PGLITE_DATA_DIR: dataDir });
  const server = await startServer(config, pino({ level: process.env.TEST_LOG_LEVEL || 'warn' }));
  project.provide('appUrl', server.url);
  project.provide('databaseUrl', server.database.url);
  project.provide('backend', server.info.backend);
  process.stdout.write(`tests run against ${server.info.backend === 'embedded' ? 'the embedded PGlite' : 'PostgreSQL'} ` +
    `${server.info.postgres} with PostGIS ${server.info.postgis}\n`);
  return async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
