// Session revocation across server processes (migrations/functions/70_session_notify.sql,
// server/accounts/sessions.ts): a second app on the same database, its session cache warm, stops
// honouring a session within a second of its end elsewhere — logout in the first app, a role change by
// the administrator, a row deleted by plain SQL — because the end is announced on LISTEN/NOTIFY.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { api, getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();
let first: FastifyInstance;
let second: FastifyInstance;
let embedded = false;

beforeAll(async () => {
  const info = (await getJson('/health')).body.database;
  embedded = info.backend === 'embedded';
  if (embedded) return;
  first = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 2, info } });
  second = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 2, info } });
  await Promise.all([first.ready(), second.ready()]);
});
afterAll(async () => {
  await first?.close();
  await second?.close();
});

const password = 'revocation-' + Math.random().toString(36).slice(2, 12);

async function account(name: string): Promise<number> {
  const res = await api('/api/admin/users', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password, roles: ['viewer', 'planner'] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function login(on: FastifyInstance, username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await on.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const token = /zs_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1];
  return { cookie: `zs_session=${token}`, csrf: res.json().csrfToken };
}

const sessionOf = async (on: FastifyInstance, cookie: string) =>
  (await on.inject({ url: '/api/auth/session', headers: { cookie } })).json() as { user: { roles: string[] } | null };

/** ms until `done` holds on the second app, polled every 10 ms, at most 3 s */
async function msUntil(done: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < 3_000) {
    if (await done()) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe('session revocation across processes (LISTEN/NOTIFY)', () => {
  it('ends a session in the other process within 1 s of a logout', async (ctx) => {
    if (embedded) return ctx.skip(); // one process holds the embedded database
    const name = `revoke-a-${Date.now()}`;
    await account(name);
    const { cookie, csrf } = await login(first, name);
    expect((await sessionOf(second, cookie)).user).not.toBeNull(); // the second app now holds it
    expect((await second.inject({ url: '/api/layers', headers: { cookie } })).statusCode).toBe(200);
    const out = await first.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    const ms = await msUntil(async () => (await second.inject({ url: '/api/layers', headers: { cookie } })).statusCode === 401);
    expect(ms).toBeLessThan(1_000);
    expect((await sessionOf(second, cookie)).user).toBeNull();
  });

  it('gives the other process a user’s new roles within 1 s of the change', async (ctx) => {
    if (embedded) return ctx.skip();
    const name = `revoke-b-${Date.now()}`;
    const id = await account(name);
    const { cookie } = await login(first, name);
    expect((await sessionOf(second, cookie)).user!.roles).toContain('planner');
    const res = await api(`/api/admin/users/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ roles: ['viewer'] }) });
    expect(res.status, await res.clone().text()).toBe(200);
    // a role change ends the user's sessions (server/accounts/users.ts): gone in the other process too
    const ms = await msUntil(async () => (await sessionOf(second, cookie)).user === null);
    expect(ms).toBeLessThan(1_000);
  });

  it('ends a session deleted by plain SQL in every process within 1 s', async (ctx) => {
    if (embedded) return ctx.skip();
    const name = `revoke-c-${Date.now()}`;
    const id = await account(name);
    const a = await login(first, name);
    expect((await sessionOf(first, a.cookie)).user).not.toBeNull();
    expect((await sessionOf(second, a.cookie)).user).not.toBeNull();
    await pool.query('DELETE FROM app_session WHERE user_id = $1', [id]);
    const ms = await msUntil(async () => (await sessionOf(first, a.cookie)).user === null && (await sessionOf(second, a.cookie)).user === null);
    expect(ms).toBeLessThan(1_000);
  });

  it('disables an account everywhere within 1 s, by plain SQL too', async (ctx) => {
    if (embedded) return ctx.skip();
    const name = `revoke-d-${Date.now()}`;
    const id = await account(name);
    const { cookie } = await login(first, name);
    expect((await sessionOf(second, cookie)).user).not.toBeNull();
    await pool.query('UPDATE app_user SET disabled = true WHERE id = $1', [id]);
    const ms = await msUntil(async () => (await sessionOf(second, cookie)).user === null);
    expect(ms).toBeLessThan(1_000);
  });
});
