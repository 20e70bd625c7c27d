// Shared by the feature API tests: requests with headers and bodies, a fingerprint of every editable
// table and the history (to show a refused write changed nothing), and a fresh test parcel.
import net from 'node:net';
import pg from 'pg';
import { beforeAll, expect, inject } from 'vitest';
import { api, appUrl, authHeaders } from '../helpers/db.ts';

export const OGC = '/ogc';

export interface Res<T = any> { status: number; body: T; headers: Headers; text: string }

export async function request<T = any>(method: string, path: string, opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let payload: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/geo+json';
  }
  const res = await api(appUrl() + path, { method, headers, body: payload });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers, text };
}

const EDITABLE_TABLES = ['project', 'parcel', 'farmland', 'cane_base', 'military_land', 'disputed_land', 'reserved_land', 'resettlement_site'];

/** Rows, versions and a digest of every editable table, and the size of the history. */
export async function fingerprint(pool: pg.Pool): Promise<Record<string, string>> {
  const parts = EDITABLE_TABLES.map((t) =>
    `SELECT '${t}' AS t, count(*)::text || '/' || coalesce(sum(version), 0)::text || '/' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY id)), '') AS v FROM ${t} x`);
  parts.push(`SELECT 'change_log', count(*)::text || '/' || coalesce(max(id), 0)::text FROM change_log`);
  const { rows } = await pool.query<{ t: string; v: string }>(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.v]));
}

/** Run a write that must be refused and check nothing in the database changed. */
export async function expectRefusedUnchanged(pool: pg.Pool, write: () => Promise<Res>): Promise<Res> {
  const before = await fingerprint(pool);
  const res = await write();
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text).toBeLessThan(500);
  expect(res.body?.error, res.text).toBeTypeOf('string');
  expect(res.body?.message, res.text).toBeTypeOf('string');
  expect(await fingerprint(pool)).toEqual(before);
  return res;
}

let serial = 0;
/**
 * This test file's band of spots: parcels of one project may not overlap (server/core/write.ts), and
 * test files run at once on one database, so each takes its own band from a sequence there.
 */
let band: number | undefined;
beforeAll(async () => {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query('CREATE SEQUENCE IF NOT EXISTS test_parcel_band');
    band = Number((await client.query<{ n: string }>(`SELECT nextval('test_parcel_band') AS n`)).rows[0].n) % 20;
  } finally {
    await client.end();
  }
});

/** A small square parcel inside the district (a different spot each call, this file's band: no two overlap), on project 1. */
export function parcelFeature(properties: Record<string, unknown> = {}) {
  if (band === undefined) throw new Error('parcelFeature: call it inside a test (its band is taken before the file\'s tests run)');
  serial++;
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  // 40 spots a row, 4 rows a band, 20 bands between 23.00° and 23.12° N (project 1's own parcels lie north of 23.12°)
  const x = r(109.58 + (serial % 40) * 0.0015);
  const y = r(23.0 + (band * 4 + (Math.floor(serial / 40) % 4)) * 0.0015);
  const x1 = r(x + 0.001);
  const y1 = r(y + 0.001);
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]] },
    properties: { project_id: 1, code: `TEST-${process.pid}-${Date.now()}-${serial}`, owner_type: 'household', owner_name: '测试农户', land_class: '0101', ...properties },
  };
}

export async function createParcel(properties: Record<string, unknown> = {}): Promise<{ id: number; etag: string; body: any }> {
  const res = await request('POST', `${OGC}/collections/parcel/items`, { body: parcelFeature(properties) });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, etag: res.headers.get('etag')!, body: res.body };
}

/**
 * POST over a bare socket: the server answers an oversized body as soon as it sees its length, and an
 * HTTP client still busy sending may miss that answer; a socket reads it whatever the write side does.
 */
export function postLarge(path: string, payload: string | Buffer, contentType = 'application/geo+json'): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const url = new URL(appUrl() + path);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; received so far: ${received.slice(0, 200)}`));
    }, 30_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? NaN);
      const text = received.slice(end + 4);
      if (Buffer.byteLength(text) < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(received.slice(9, 12)), body: JSON.parse(text), headers: new Headers(), text });
    });
    socket.on('error', () => {}); // writes after the answer may fail: the answer is what counts
    const auth = authHeaders();
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${contentType}\r\n` +
      `Cookie: ${auth.cookie}\r\nX-CSRF-Token: ${auth['x-csrf-token']}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n`);
    // the declared length is the whole body; the server must answer on seeing it, before the body
    // arrives (a client still sending megabytes would otherwise race the answer)
    socket.write(payload.slice(0, 64 * 1024));
  });
}

/**
 * A new account of its own for a test (the shared test accounts stay as they are): created by the
 * administrator with a display name, command areas by code, and logged in.
 */
export async function createAccount(username: string, displayName: string, roles: string[], areaCodes: string[] = []): Promise<{ cookie: string; token: string; csrf: string }> {
  const areas = (await (await api('/api/layers/command_area/features')).json()) as { features: { id: number; properties: { id?: number; code: string } }[] };
  const areaIds = areas.features.filter((f) => areaCodes.includes(f.properties.code)).map((f) => Number(f.properties.id ?? f.id));
  const password = `pw-${username}-0123456789`;
  const made = await api('/api/admin/users', { who: 'admin', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, displayName, roles, areaIds }) });
  expect([200, 201], await made.clone().text()).toContain(made.status);
  const res = await fetch(`${appUrl().replace(/\/$/, '')}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  const token = /zs_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
  return { cookie: `zs_session=${token}`, token, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}
