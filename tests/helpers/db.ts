// Direct SQL access for tests, to check what the API says against the database itself.
// One connection: the embedded PGlite is a single session shared with the running app.
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import '../../server/db/database.ts'; // registers the date parser the server uses

export function useTestPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
  afterAll(() => pool.end());
  return pool;
}

export const appUrl = (): string => inject('appUrl');

/** The headers that make a request one of a test account's (tests/setup/global.ts TEST_ACCOUNTS):
 *  the session cookie, and the CSRF token every change needs. */
export function authHeaders(who = 'tester'): Record<string, string> {
  const s = inject('sessions')[who];
  if (!s) throw new Error(`no test account ${who}`);
  return { cookie: s.cookie, 'x-csrf-token': s.csrf };
}

/** fetch() on the app as a test account (default: tester, who holds every role); `who: null` = anonymous. */
export function api(pathAndQuery: string, init: RequestInit & { who?: string | null } = {}): Promise<Response> {
  const { who = 'tester', headers, ...rest } = init;
  const url = /^https?:/.test(pathAndQuery) ? pathAndQuery : appUrl().replace(/\/$/, '') + (pathAndQuery.startsWith('/') ? '' : '/') + pathAndQuery;
  return fetch(url, { ...rest, headers: { ...(who === null ? {} : authHeaders(who)), ...(headers as Record<string, string> | undefined) } });
}

export async function getJson<T = any>(pathAndQuery: string, who: string | null = 'tester'): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await api(pathAndQuery, { who });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}
