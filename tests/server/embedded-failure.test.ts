// The embedded backend's engine failing under a running app: requests are answered 503
// database_unavailable, as when a PostgreSQL server goes away, and the app serves again once the
// engine has been reopened from its data directory, without a restart of the app.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { createPool, describeDatabase } from '../../server/db/database.ts';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';

// the embedded backend's own behaviour: run once, in the embedded suite (two engine starts take a minute)
describe.runIf(inject('backend') === 'embedded')('a failure of the embedded PGlite engine', () => {
  let dir: string;
  let embedded: EmbeddedDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zs-pglite-failure-'));
    embedded = await startEmbeddedDatabase(dir);
    const setup = createPool({ url: embedded.url, poolMax: 1 });
    await migrate(setup);
    const info = await describeDatabase(setup, 'embedded');
    await setup.end();
    app = await buildApp({ database: { url: embedded.url, poolMax: 1, info }, auth: { publicRead: true } });
    await app.ready();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await embedded?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is answered 503 database_unavailable, then served again once the engine is back', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/layers' })).statusCode).toBe(200);
    // the engine dies under the socket server, as after a WASM abort
    await embedded.engine.close();
    const during = await app.inject({ method: 'GET', url: '/api/layers' });
    expect(during.statusCode).toBe(503);
    expect(during.json().error).toBe('database_unavailable');
    expect(during.headers['retry-after']).toBe('2');
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
    await embedded.recovered();
    const after = await app.inject({ method: 'GET', url: '/api/layers' });
    expect(after.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  }, 120_000);
});
