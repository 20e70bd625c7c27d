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

export async function getJson<T = any>(pathAndQuery: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(appUrl() + pathAndQuery);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}
