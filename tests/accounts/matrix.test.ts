// Every state-changing endpoint × every kind of account → allowed, or 401/403, as the issue specifies;
// the database is unchanged after every refusal. The expectations are written out here, not derived
// from server/accounts/policy.ts, so a wrong policy entry fails; the policy is only used to check that
// no state-changing route is missing from this table.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { POLICY } from '../../server/accounts/policy.ts';
import { api, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

type Account = 'anonymous' | 'norole' | 'viewer' | 'planner' | 'editor' | 'bureau' | 'admin2' | 'military' | 'tester';
const ACCOUNTS: Account[] = ['anonymous', 'norole', 'viewer', 'planner', 'editor', 'bureau', 'admin2', 'military', 'tester'];
const SIGNED_IN = ACCOUNTS.filter((a) => a !== 'anonymous');

interface Case {
  /** the policy route this exercises */
  route: string;
  method: string;
  path: () => string;
  /** who gets past the gate (any status but 401/403) */
  allowed: Account[];
}

let ids: { parcel: number; parcelVersion: number; redLine: number; project: number; farmland: number; military: number; problem: number; user: number };

// bodies are left empty or invalid on purpose: an allowed call then stops at validation (4xx other
// than 401/403) and nothing is written either way
const CASES: Case[] = [
  { route: 'POST /api/auth/logout', method: 'POST', path: () => '/api/auth/logout', allowed: SIGNED_IN },
  { route: 'POST /api/auth/password', method: 'POST', path: () => '/api/auth/password', allowed: SIGNED_IN },
  // a map print reads: any account with a role (an empty body stops at validation, nothing is printed)
  { route: 'POST /api/print', method: 'POST', path: () => '/api/print', allowed: SIGNED_IN.filter((a) => a !== 'norole') },
  { route: 'POST /api/conflicts', method: 'POST', path: () => '/api/conflicts', allowed: ['planner', 'tester'] },
  { route: 'POST /api/conflicts/replacement', method: 'POST', path: () => '/api/conflicts/replacement', allowed: ['planner', 'tester'] },
  { route: 'POST /api/conflicts/report', method: 'POST', path: () => '/api/conflicts/report', allowed: ['planner', 'tester'] },
  { route: 'POST /api/conflicts/package', method: 'POST', path: () => '/api/conflicts/package', allowed: ['planner', 'tester'] },
  { route: 'POST /api/conflicts/overlaps', method: 'POST', path: () => '/api/conflicts/overlaps', allowed: ['planner', 'tester'] },
  // an import writes a layer: any role that writes one passes the gate; which layer, the core decides
  // (tests/accounts/import-matrix.test.ts walks every layer × account)
  { route: 'POST /api/import', method: 'POST', path: () => '/api/import', allowed: ['planner', 'editor', 'bureau', 'tester'] },
  { route: 'POST /api/import/:id/commit', method: 'POST', path: () => '/api/import/999999/commit', allowed: ['planner', 'editor', 'bureau', 'tester'] },
  { route: 'POST /api/problems', method: 'POST', path: () => '/api/problems', allowed: ['editor', 'tester'] },
  { route: 'PATCH /api/problems/:id', method: 'PATCH', path: () => `/api/problems/${ids.problem}`, allowed: ['editor', 'tester'] },
  { route: 'POST /ogc/collections/:id/items', method: 'POST', path: () => '/ogc/collections/red_line/items', allowed: ['planner', 'tester'] },
  { route: 'POST /ogc/collections/:id/items', method: 'POST', path: () => '/ogc/collections/parcel/items', allowed: ['editor', 'tester'] },
  { route: 'POST /ogc/collections/:id/items', method: 'POST', path: () => '/ogc/collections/farmland/items', allowed: ['bureau', 'tester'] },
  // military land: the land bureau's layer, but only with the military grant
  { route: 'POST /ogc/collections/:id/items', method: 'POST', path: () => '/ogc/collections/military_land/items', allowed: ['tester'] },
  { route: 'PUT /ogc/collections/:id/items/:fid', method: 'PUT', path: () => `/ogc/collections/parcel/items/${ids.parcel}`, allowed: ['editor', 'tester'] },
  { route: 'PATCH /ogc/collections/:id/items/:fid', method: 'PATCH', path: () => `/ogc/collections/parcel/items/${ids.parcel}`, allowed: ['editor', 'tester'] },
  { route: 'PATCH /ogc/collections/:id/items/:fid', method: 'PATCH', path: () => `/ogc/collections/red_line/items/${ids.redLine}`, allowed: ['planner', 'tester'] },
  { route: 'DELETE /ogc/collections/:id/items/:fid', method: 'DELETE', path: () => `/ogc/collections/farmland/items/${ids.farmland}`, allowed: ['bureau', 'tester'] },
  { route: 'DELETE /ogc/collections/:id/items/:fid', method: 'DELETE', path: () => `/ogc/collections/military_land/items/${ids.military}`, allowed: ['tester'] },
  { route: 'POST /ogc/collections/:id/items/:fid/history/:version/restore', method: 'POST', path: () => `/ogc/collections/parcel/items/${ids.parcel}/history/999/restore`, allowed: ['editor', 'tester'] },
  // the procedure: command posts in their areas (editor: area 1, the project's), the land bureau district-wide
  { route: 'PUT /api/projects/:id/procedure/:step', method: 'PUT', path: () => `/api/projects/${ids.project}/procedure/pre_notice`, allowed: ['editor', 'bureau', 'tester'] },
  { route: 'POST /api/projects/:id/procedure/:step/attachments', method: 'POST', path: () => `/api/projects/${ids.project}/procedure/pre_notice/attachments?name=a.pdf`, allowed: ['editor', 'bureau', 'tester'] },
  { route: 'DELETE /api/attachments/:id', method: 'DELETE', path: () => '/api/attachments/999999?version=1', allowed: ['editor', 'bureau', 'tester'] },
  { route: 'POST /api/projects/:id/quotas', method: 'POST', path: () => `/api/projects/${ids.project}/quotas`, allowed: ['editor', 'bureau', 'tester'] },
  { route: 'DELETE /api/projects/:id/quotas/:quotaId', method: 'DELETE', path: () => `/api/projects/${ids.project}/quotas/999999?version=1`, allowed: ['editor', 'bureau', 'tester'] },
  { route: 'POST /api/admin/users', method: 'POST', path: () => '/api/admin/users', allowed: ['admin2', 'tester'] },
  { route: 'PATCH /api/admin/users/:id', method: 'PATCH', path: () => `/api/admin/users/${ids.user}`, allowed: ['admin2', 'tester'] },
  { route: 'POST /api/admin/users/:id/password', method: 'POST', path: () => `/api/admin/users/${ids.user}/password`, allowed: ['admin2', 'tester'] },
];

/** Everything a write could touch, in one row. */
async function fingerprint(): Promise<string> {
  const { rows } = await pool.query(`SELECT
    (SELECT count(*) || ':' || coalesce(max(id), 0) FROM change_log) AS history,
    (SELECT count(*) FROM import_batch) AS imports,
    (SELECT string_agg(id || '/' || roles::text || '/' || area_ids::text || '/' || disabled || '/' || md5(password_hash), ',' ORDER BY id) FROM app_user) AS users,
    (SELECT sum(version) FROM parcel) AS parcels, (SELECT sum(version) FROM project) AS projects,
    (SELECT sum(version) FROM farmland) AS farmland, (SELECT sum(version) FROM military_land) AS military,
    (SELECT sum(version) FROM problem) AS problems,
    (SELECT count(*) || ':' || coalesce(sum(version), 0) FROM procedure_step) AS procedure,
    (SELECT count(*) FROM project_quota) AS quotas, (SELECT count(*) FROM procedure_attachment) AS attachments`);
  return JSON.stringify(rows[0]);
}

// fresh sessions of our own: logging out must not end the sessions the other suites share
const sessions = new Map<Account, { cookie: string; csrf: string }>();
async function login(username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await api('/api/auth/login', {
    who: null, method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: inject('testPassword') }),
  });
  expect(res.status, `login ${username}`).toBe(200);
  const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie')!)![1];
  return { cookie: `zs_session=${token}`, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

beforeAll(async () => {
  for (const a of SIGNED_IN) sessions.set(a, await login(a));
  const one = async (sql: string) => Number((await pool.query(sql)).rows[0].id);
  ids = {
    parcel: await one(`SELECT p.id FROM parcel p JOIN command_area a ON a.id = 1 AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom)) ORDER BY p.id LIMIT 1`),
    parcelVersion: 0,
    redLine: await one('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1'),
    project: await one('SELECT id FROM project WHERE command_area_id = 1 ORDER BY id LIMIT 1'),
    farmland: await one('SELECT id FROM farmland ORDER BY id LIMIT 1'),
    military: await one('SELECT id FROM military_land ORDER BY id LIMIT 1'),
    problem: await one('SELECT id FROM problem ORDER BY id LIMIT 1'),
    user: await one(`SELECT id FROM app_user WHERE username = 'norole'`),
  };
});

afterAll(async () => {
  // the logout cases ended these sessions already; end any left
  for (const s of sessions.values()) await api('/api/auth/logout', { who: null, method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
});

describe('who may change what', () => {
  it('covers every state-changing route of the policy', () => {
    const unsafe = Object.keys(POLICY).filter((k) => /^(POST|PUT|PATCH|DELETE) /.test(k) && k !== 'POST /api/auth/login');
    expect([...new Set(CASES.map((c) => c.route))].sort()).toEqual(unsafe.sort());
  });

  // logout last: it ends the session the other cases use
  const ordered = [...CASES.filter((c) => !c.route.includes('logout')), ...CASES.filter((c) => c.route.includes('logout'))];
  for (const c of ordered) {
    it(`${c.method} ${c.path.toString().replace(/^\(\) => /, '')}`, async () => {
      for (const who of ACCOUNTS) {
        const before = await fingerprint();
        const s = sessions.get(who);
        const res = await api(c.path(), {
          who: null, method: c.method,
          headers: { 'content-type': 'application/json', ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}) },
          body: c.method === 'DELETE' ? undefined : '{}',
        });
        const body = await res.text();
        if (c.allowed.includes(who)) {
          expect([401, 403], `${who} may ${c.method} ${c.path()}: ${body}`).not.toContain(res.status);
        } else {
          expect(res.status, `${who} may not ${c.method} ${c.path()}: ${body}`).toBe(who === 'anonymous' ? 401 : 403);
          expect(await fingerprint(), `${who}: database unchanged after the refusal`).toBe(before);
        }
      }
    });
  }
});
