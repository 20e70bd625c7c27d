// Logging in and staying safe: cookie flags, no session fixation, CSRF tokens on every change, login
// throttling, security headers, logout, and what anonymous visitors get with public read off and on.
import { describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { api, getJson, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

async function login(username: string, password: string, cookie?: string) {
  const res = await api('/api/auth/login', {
    who: null, method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const token = /zs_session=([^;]+)/.exec(setCookie)?.[1];
  return { res, setCookie, token, cookie: token ? `zs_session=${token}` : undefined, body: await res.json() };
}

/** A throwaway account made by the admin, so throttling it does not lock anyone the suites use. */
async function throwaway(name: string): Promise<string> {
  const password = 'throwaway-' + Math.random().toString(36).slice(2, 12);
  const res = await api('/api/admin/users', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password, roles: ['viewer'] }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return password;
}

describe('sessions', () => {
  it('sets an httpOnly, SameSite=Lax session cookie for the whole site, with an expiry', async () => {
    const { res, setCookie } = await login('viewer', inject('testPassword'));
    expect(res.status).toBe(200);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Expires=/);
    expect(setCookie).not.toMatch(/Secure/); // plain http here; COOKIE_SECURE=true adds it
  });

  it('marks the cookie Secure when configured for HTTPS', async () => {
    const info = (await getJson('/health')).body.database;
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, auth: { cookieSecure: true } });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'viewer', password: inject('testPassword') } });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it('gives a new token at login and ends the one the browser brought (no session fixation)', async () => {
    const first = await login('viewer', inject('testPassword'));
    const second = await login('viewer', inject('testPassword'), first.cookie);
    expect(second.token).toBeDefined();
    expect(second.token).not.toBe(first.token);
    expect((await api('/api/layers', { who: null, headers: { cookie: first.cookie! } })).status).toBe(401);
    expect((await api('/api/layers', { who: null, headers: { cookie: second.cookie! } })).status).toBe(200);
  });

  it('keeps only a hash of the token in the database', async () => {
    const { token } = await login('viewer', inject('testPassword'));
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM app_session WHERE token_hash = $1', [token]);
    expect(rows[0].n).toBe(0);
  });

  it('ends the session at logout', async () => {
    const s = await login('viewer', inject('testPassword'));
    const out = await api('/api/auth/logout', { who: null, method: 'POST', headers: { cookie: s.cookie!, 'x-csrf-token': s.body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/zs_session=;/);
    expect((await api('/api/layers', { who: null, headers: { cookie: s.cookie! } })).status).toBe(401);
  });

  it('says who is logged in, with the CSRF token, and nothing for anonymous', async () => {
    const mine = (await getJson('/api/auth/session', 'editor')).body;
    expect(mine.user).toMatchObject({ username: 'editor', roles: ['editor'], areaIds: [1] });
    expect(mine.csrfToken).toEqual(expect.any(String));
    expect((await getJson('/api/auth/session', null)).body).toMatchObject({ user: null, csrfToken: null, publicRead: false });
  });
});

describe('CSRF', () => {
  const write = (headers: Record<string, string>) => api('/api/problems', {
    who: null, method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ kind: 'funding', title: 'CSRF 测试' }),
  });

  it('refuses a change without the token, or with a wrong one, and writes nothing', async () => {
    const s = inject('sessions').tester;
    const before = (await pool.query('SELECT count(*)::int AS n FROM problem')).rows[0].n;
    for (const headers of [{ cookie: s.cookie } as Record<string, string>, { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(32) }, { cookie: s.cookie, 'x-csrf-token': inject('sessions').viewer.csrf }]) {
      const res = await write(headers);
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('csrf');
    }
    expect((await pool.query('SELECT count(*)::int AS n FROM problem')).rows[0].n).toBe(before);
    const ok = await write({ cookie: s.cookie, 'x-csrf-token': s.csrf });
    expect(ok.status).toBe(201);
  });

  it('does not need the token to read', async () => {
    expect((await api('/api/layers', { who: null, headers: { cookie: inject('sessions').tester.cookie } })).status).toBe(200);
  });
});

describe('login throttling', () => {
  it('locks an account after five wrong passwords, even against the right one, and says for how long', async () => {
    const password = await throwaway('throttled');
    for (let i = 0; i < 4; i++) expect((await login('throttled', 'wrong-password-1')).res.status).toBe(401);
    const fifth = await login('throttled', 'wrong-password-1');
    expect(fifth.res.status).toBe(429);
    expect(Number(fifth.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(60);
    const right = await login('throttled', password);
    expect(right.res.status).toBe(429);
    expect(right.token).toBeUndefined();
    const { rows } = await pool.query(`SELECT event FROM account_event WHERE username = 'throttled' ORDER BY id`);
    expect(rows.map((r) => r.event)).toEqual(['user_created', ...Array(5).fill('login_failed'), 'login_locked']);
  });

  it('limits logins per client address', async () => {
    const info = (await getJson('/health')).body.database;
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, auth: { loginsPerMinute: 3 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody-here', password: 'x' } })).statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });

  it('answers the same for an unknown user as for a wrong password', async () => {
    const a = await login('no-such-user', 'whatever-123');
    const b = await login('viewer', 'whatever-123');
    expect([a.res.status, b.res.status]).toEqual([401, 401]);
    expect(a.body).toEqual(b.body);
  });
});

describe('the edge of the app', () => {
  it('sends security headers', async () => {
    const res = await api('/', { who: null });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses a login body over 4 KiB', async () => {
    const res = await api('/api/auth/login', {
      who: null, method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer', password: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
  });

  it('lets anonymous visitors reach only the login page, the session and /health', async () => {
    for (const p of ['/', '/health', '/api/auth/session']) expect((await api(p, { who: null })).status, p).toBe(200);
    for (const p of ['/api/layers', '/tiles/style.json', '/ogc/collections', '/api/progress', '/api/problems']) {
      const res = await api(p, { who: null });
      expect(res.status, p).toBe(401);
      expect((await res.json()).error).toBe('unauthenticated');
    }
  });

  it('refuses an account without any role to read', async () => {
    expect((await api('/api/layers', { who: 'norole' })).status).toBe(403);
  });

  it('with public read on, anonymous visitors read but never write, and see no military attributes', async () => {
    const info = (await getJson('/health')).body.database;
    const app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 1, info }, auth: { publicRead: true } });
    try {
      expect((await app.inject('/api/layers')).statusCode).toBe(200);
      const military = (await app.inject('/api/layers/military_land/features')).json() as { features: { properties: Record<string, unknown> }[] };
      expect(military.features.length).toBeGreaterThan(0);
      for (const f of military.features) expect(f.properties).not.toHaveProperty('name');
      const write = await app.inject({ method: 'POST', url: '/api/problems', payload: { kind: 'funding', title: 'x' } });
      expect(write.statusCode).toBe(401);
      expect((await app.inject('/api/admin/users')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('administration', () => {
  it('ends a user\'s sessions when their roles change, and records who changed what', async () => {
    const password = await throwaway('rolechange');
    const s = await login('rolechange', password);
    expect((await api('/api/layers', { who: null, headers: { cookie: s.cookie! } })).status).toBe(200);
    const id = s.body.user.id;
    const res = await api(`/api/admin/users/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ roles: ['viewer', 'planner'] }) });
    expect(res.status).toBe(200);
    expect((await api('/api/layers', { who: null, headers: { cookie: s.cookie! } })).status).toBe(401);
    const audit = (await getJson('/api/audit/accounts?user=rolechange')).body.items;
    expect(audit[0]).toMatchObject({ actor: 'tester', username: 'rolechange', event: 'user_updated', detail: { roles: { from: ['viewer'], to: ['viewer', 'planner'] } } });
  });

  it('refuses a weak password and names the field', async () => {
    const res = await api('/api/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'weak', password: 'short', roles: [] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'password' });
  });

  it('never shows a password hash', async () => {
    const text = await (await api('/api/admin/users')).text();
    expect(text).not.toMatch(/scrypt\$/);
  });

  it('lists data changes by user, layer and feature in the audit, with what changed', async () => {
    const created = await api('/api/problems', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'funding', title: '审计测试' }) });
    const problem = await created.json();
    const patched = await api(`/api/problems/${problem.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: problem.version, owner: '财政局' }) });
    expect(patched.status).toBe(200);
    const res = (await getJson(`/api/audit?user=tester&layer=problem&featureId=${problem.id}`)).body;
    expect(res.items.map((i: { op: string }) => i.op)).toEqual(['update', 'insert']);
    expect(res.items[0]).toMatchObject({ user: 'tester', layer: 'problem', featureId: problem.id, version: 2, changed: ['owner'] });
    expect((await getJson(`/api/audit?user=viewer&layer=problem&featureId=${problem.id}`)).body.items).toEqual([]);
    expect((await api('/api/audit', { who: 'viewer' })).status).toBe(403);
    expect((await api('/api/audit?from=yesterday')).status).toBe(400);
  });
});
