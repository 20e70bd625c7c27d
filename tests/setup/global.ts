// Starts the real server once for the whole run, the way `npm start` does: on a fresh embedded
// PGlite by default, or on DATABASE_URL when set (a database whose name says "test": it is wiped).
// Tests reach it through inject('appUrl') and, for direct SQL, inject('databaseUrl').
import { randomBytes } from 'node:crypto';
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
    /** a logged-in session per test account (see TEST_ACCOUNTS) */
    sessions: Record<string, TestSession>;
    adminPassword: string;
    /** the password of every TEST_ACCOUNTS account */
    testPassword: string;
  }
}

export interface TestSession {
  /** the Cookie header value */
  cookie: string;
  /** the session's token (the cookie's value) for browser contexts */
  token: string;
  csrf: string;
}

/**
 * The accounts the tests act as. `tester` holds every role and every command area (the suites that
 * test a capability, not its access rules); the others have one role each, for the access tests.
 */
export const TEST_ACCOUNTS: Record<string, { roles: string[]; areas?: 'all' | number[] }> = {
  tester: { roles: ['viewer', 'planner', 'editor', 'land_bureau', 'admin', 'military'], areas: 'all' },
  viewer: { roles: ['viewer'] },
  planner: { roles: ['planner'] },
  editor: { roles: ['editor'], areas: [1] },
  bureau: { roles: ['land_bureau'] },
  admin2: { roles: ['admin'] },
  military: { roles: ['viewer', 'military'] },
  norole: { roles: [] },
};
export const TEST_PASSWORD = 'test-password-' + randomBytes(6).toString('hex');

async function login(url: string, username: string, password: string): Promise<TestSession> {
  const res = await fetch(`${url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`test login as ${username} failed: ${res.status} ${await res.text()}`);
  const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: `zs_session=${token}`, token, csrf: body.csrfToken };
}

async function createAccounts(url: string, adminPassword: string): Promise<Record<string, TestSession>> {
  const admin = await login(url, 'admin', adminPassword);
  const areas = ((await (await fetch(`${url}api/layers/command_area/features`, { headers: { cookie: admin.cookie } })).json()) as { features: { id: number }[] })
    .features.map((f) => f.id);
  const sessions: Record<string, TestSession> = {};
  await Promise.all(Object.entries(TEST_ACCOUNTS).map(async ([username, a]) => {
    const res = await fetch(`${url}api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ username, password: TEST_PASSWORD, roles: a.roles, areaIds: a.areas === 'all' ? areas : a.areas ?? [] }),
    });
    if (res.status !== 201) throw new Error(`creating test account ${username} failed: ${res.status} ${await res.text()}`);
    sessions[username] = await login(url, username, TEST_PASSWORD);
  }));
  sessions.admin = admin;
  return sessions;
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
  const adminPassword = 'admin-' + randomBytes(12).toString('hex');
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PGLITE_DATA_DIR: dataDir, ADMIN_PASSWORD: adminPassword, PUBLIC_READ: 'false',
    // every suite logs in from 127.0.0.1; the per-address limit itself is tested on an app of its own
    LOGINS_PER_MINUTE: '10000' });
  const server = await startServer(config, pino({ level: process.env.TEST_LOG_LEVEL || 'warn' }));
  project.provide('appUrl', server.url);
  project.provide('databaseUrl', server.database.url);
  project.provide('backend', server.info.backend);
  project.provide('sessions', await createAccounts(server.url.replace(/\/$/, '') + '/', adminPassword));
  project.provide('adminPassword', adminPassword);
  project.provide('testPassword', TEST_PASSWORD);
  process.stdout.write(`tests run against ${server.info.backend === 'embedded' ? 'the embedded PGlite' : 'PostgreSQL'} ` +
    `${server.info.postgres} with PostGIS ${server.info.postgis}\n`);
  return async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
