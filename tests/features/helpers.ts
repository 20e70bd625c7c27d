// Shared by the feature API tests: requests with headers and bodies, a fingerprint of every editable
// table and the history (to show a refused write changed nothing), and a fresh test parcel.
import net from 'node:net';
import type pg from 'pg';
import { expect } from 'vitest';
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
/** A small square parcel inside the district (a different spot each call), on project 1. */
export function parcelFeature(properties: Record<string, unknown> = {}) {
  serial++;
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  const x = r(109.58 + (serial % 40) * 0.0015);
  const y = r(23.05 + Math.floor(serial / 40) * 0.0015);
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
