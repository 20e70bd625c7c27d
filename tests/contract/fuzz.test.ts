// Schema-driven fuzzing of every route (issue "one error contract"): the routes and their declared
// schemas come from the app itself (buildApp's route table); each route gets a base request that can
// never write (a stale If-Match, a reference to nothing, a username that is taken, an id that names
// nothing), and then one malformed part at a time: wrong types, NUL bytes, huge numbers, deep nesting,
// bad dates, empty and very long strings, unknown and missing properties, bad path parameters, bodies
// that are not objects. No answer may be a 5xx, and the database must be as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../server/accounts/policy.ts';
import { buildApp, type RouteEntry } from '../../server/app.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { fingerprint } from './helpers.ts';

const pool = useTestPool();

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20260101);
const pick = <T>(xs: T[], n: number): T[] => {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
};

/** A value written into the JSON text as it is (numbers JSON.stringify cannot keep, nesting it cannot build). */
class Raw {
  constructor(readonly text: string, readonly label: string) {}
}
const DEEP = 50_000;
const deepText = (n: number) => `${'['.repeat(n)}0${']'.repeat(n)}`;

/** What a property may be sent as, by what is wrong with it. */
const VALUES: { label: string; value: unknown }[] = [
  { label: 'true', value: true },
  { label: '{}', value: {} },
  { label: '[]', value: [] },
  { label: '"abc"', value: 'abc' },
  { label: '12.5', value: 12.5 },
  { label: 'null', value: null },
  { label: 'NUL', value: 'a\u0000b' },
  { label: 'only NUL', value: '\u0000' },
  { label: '1e308', value: new Raw('1e308', '1e308') },
  { label: '2**53', value: 2 ** 53 },
  { label: '-1', value: -1 },
  { label: '2**31', value: 2 ** 31 },
  { label: '99999999999999999999', value: new Raw('99999999999999999999', '99999999999999999999') },
  { label: 'deep array', value: new Raw(deepText(DEEP), `[…${DEEP} deep…]`) },
  { label: '0000-01-01', value: '0000-01-01' },
  { label: '2021-02-30', value: '2021-02-30' },
  { label: '9999-99-99', value: '9999-99-99' },
  { label: '""', value: '' },
  { label: '100k string', value: 'x'.repeat(100_000) },
  { label: '[NUL]', value: ['a\u0000'] },
  { label: '[1e20]', value: new Raw('[1e20]', '[1e20]') },
];
const PATH_VALUES = ['abc', '99999999999999999999', '-1', '%00', '0', '1e308', 'a%00b', 'x'.repeat(300), '2147483648', '%E4%B8%AD'];
const BODIES = ['', '[]', '"text"', '1e308', 'null', '{', '{"a":1', deepText(DEEP), `{"a":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}`, '\u0000'];

interface Base {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  who?: string | null;
  multipart?: boolean;
}

interface Case {
  route: string;
  who: string | null;
  method: string;
  path: string;
  input: string;
  headers: Record<string, string>;
  body?: string | FormData;
}

const NOTHING = 2_147_483_000; // an id no row has
let parcel: { id: number; feature: Record<string, any> };
let problemId: number;

function bases(): Record<string, Base> {
  const fid = String(parcel.id);
  const feature = { type: 'Feature', geometry: parcel.feature.geometry, properties: { ...parcel.feature.properties } };
  // a create that cannot succeed: two references to nothing (a variation can change one of them only)
  const create = { ...feature, properties: { ...feature.properties, project_id: NOTHING, village_id: NOTHING, code: 'FUZZ-1' } };
  const stale = { 'if-match': '"999999"' };
  return {
    'GET /health': {},
    'GET /api/auth/session': {},
    'POST /api/auth/login': { who: null, body: { username: 'fuzz-nobody', password: 'not-a-password' } },
    // as an account whose current password is never sent right: nothing can change
    'POST /api/auth/password': { who: 'norole', body: { currentPassword: 'not-the-password', newPassword: 'short' } },
    'GET /api/district': {},
    'GET /api/layers': {},
    'GET /api/layers/:id/features': { params: { id: 'parcel' }, query: { bbox: '109.5,23.0,109.51,23.01', limit: 5 } },
    'GET /api/layers/:id/labels': { params: { id: 'village' } },
    'GET /tiles/:layers/:z/:x/:y.mvt': { params: { layers: 'parcel', z: '14', x: '13189', y: '7150' } },
    'GET /tiles/style.json': { query: { lang: 'en' } },
    'GET /tiles/:layer.json': { params: { layer: 'parcel' } },
    'GET /api/basemaps': {},
    'GET /basemaps/:layer/:z/:x/:y': { params: { layer: 'tianditu_vec', z: '14', x: '13189', y: '7150' } },
    'GET /ogc': { query: { f: 'json' } },
    'GET /ogc/': { query: { f: 'json' } },
    'GET /ogc/api': {},
    'GET /ogc/conformance': { query: { f: 'json' } },
    'GET /ogc/collections': { query: { f: 'json' } },
    'GET /ogc/collections/:id': { params: { id: 'parcel' } },
    'GET /ogc/collections/:id/queryables': { params: { id: 'parcel' } },
    'GET /ogc/collections/:id/schema': { params: { id: 'parcel' } },
    'GET /ogc/collections/:id/items': { params: { id: 'parcel' }, query: { limit: '2', status: 'signed', datetime: '2021-01-01/2021-06-30', sortby: '-area_mu,code' } },
    'GET /ogc/collections/:id/summary': { params: { id: 'parcel' }, query: { filter: "status = 'unsigned' AND area_mu > 5" } },
    'GET /ogc/collections/:id/ids': { params: { id: 'parcel' }, query: { bbox: '109.5,23.0,109.51,23.01', status: 'signed', ids: `${fid},1,2` } },
    'GET /ogc/collections/:id/items/:fid': { params: { id: 'parcel', fid } },
    'GET /ogc/collections/:id/items/:fid/history': { params: { id: 'parcel', fid } },
    'POST /ogc/collections/:id/items': { params: { id: 'parcel' }, body: create, headers: { 'content-type': 'application/geo+json' } },
    'PUT /ogc/collections/:id/items/:fid': { params: { id: 'parcel', fid }, body: feature, headers: { 'content-type': 'application/geo+json', ...stale } },
    'PATCH /ogc/collections/:id/items/:fid': { params: { id: 'parcel', fid }, body: { properties: { owner_name: 'fuzz' } }, headers: { 'content-type': 'application/merge-patch+json', ...stale } },
    'DELETE /ogc/collections/:id/items/:fid': { params: { id: 'parcel', fid }, headers: stale },
    'POST /ogc/collections/:id/items/:fid/history/:version/restore': { params: { id: 'parcel', fid, version: '1' }, body: { reason: 'fuzz' }, headers: stale },
    'GET /api/progress': { query: { asOf: '2021-06-30', groupBy: 'area' } },
    'GET /api/progress/map': { query: { asOf: '2021-06-30' } },
    'GET /api/progress/features': { query: { layer: 'parcel', asOf: '2021-06-30', bbox: '109.5,23.0,109.51,23.01', limit: '5' } },
    'GET /api/progress/series': { query: { from: '2021-01', to: '2021-06-30' } },
    'GET /api/progress/resettlement': { query: { asOf: '2021-06-30' } },
    'GET /api/progress/reserved-land': { query: { asOf: '2021-06-30' } },
    'GET /api/progress/dispatch': { query: { month: '2021-06' } },
    'GET /api/progress/dispatch.xlsx': { query: { month: '2021-06', areaId: 1 } },
    'GET /api/progress/dispatch.html': { query: { month: '2021-06' } },
    'GET /api/problems': { query: { open: 'true', asOf: '2021-06-30' } },
    'POST /api/problems': { body: { kind: 'funding', title: 'fuzz', projectId: NOTHING, resettlementSiteId: NOTHING } },
    'PATCH /api/problems/:id': { params: { id: String(problemId) }, body: { version: 999999, title: 'fuzz', projectId: NOTHING } },
    // a centre far outside the district: refused after the schema, so no variation prints (a print takes seconds)
    'POST /api/print': { body: { center: [100, 10], scale: 10000, paper: 'A4', orientation: 'landscape', layers: ['red_line'], title: 'fuzz', lang: 'zh', asOf: null } },
    'POST /api/conflicts': { body: {} },
    'POST /api/conflicts/replacement': { body: { maxCandidates: 5 } },
    'POST /api/conflicts/report': { body: { format: 'html' } },
    'GET /api/conflicts/report': { query: { projectId: NOTHING, format: 'html' } },
    'POST /api/conflicts/package': { body: { format: 'xlsx' } },
    'GET /api/conflicts/package': { query: { projectId: NOTHING, format: 'xlsx' } },
    'POST /api/conflicts/overlaps': { query: { format: 'geojson', crs: '4490' }, body: {} },
    'GET /api/export': { query: { layer: 'parcel', format: 'geojson', bbox: '0,0,0.001,0.001' } },
    'GET /api/export/formats': {},
    'POST /api/import': { multipart: true, body: { layer: 'parcel', crs: 'EPSG:4490', encoding: 'utf-8', mapping: '{}', defaults: '{}', project: '1' } },
    'GET /api/import/:id': { params: { id: String(NOTHING) } },
    'GET /api/import/:id/features': { params: { id: String(NOTHING) } },
    'POST /api/import/:id/commit': { params: { id: String(NOTHING) }, body: { reason: 'fuzz' } },
    // a project that does not exist: every variation is refused one way or another
    'GET /api/projects/:id/procedure': { params: { id: '1' }, query: { asOf: '2021-06-30' } },
    'PUT /api/projects/:id/procedure/:step': { params: { id: String(NOTHING), step: 'pre_notice' }, body: { version: 0, startedOn: '2021-03-01', docNo: 'fuzz' } },
    'POST /api/projects/:id/procedure/:step/attachments': { params: { id: String(NOTHING), step: 'pre_notice' }, query: { name: 'fuzz.pdf' }, body: {} },
    'GET /api/attachments/:id': { params: { id: String(NOTHING) } },
    'DELETE /api/attachments/:id': { params: { id: String(NOTHING) }, query: { version: '1' } },
    'POST /api/projects/:id/quotas': { params: { id: String(NOTHING) }, body: { kind: 'cultivated', source: 'balance', mu: 1 } },
    'DELETE /api/projects/:id/quotas/:quotaId': { params: { id: String(NOTHING), quotaId: String(NOTHING) }, query: { version: '1' } },
    'GET /api/procedure/board': { query: { asOf: '2021-06-30', areaId: '1' } },
    'GET /api/admin/users': {},
    // a username that is taken and an area that does not exist: refused whichever one is changed
    'POST /api/admin/users': { body: { username: 'tester', password: 'fuzz-password-long', displayName: 'x', roles: ['viewer'], areaIds: [NOTHING], disabled: false } },
    'PATCH /api/admin/users/:id': { params: { id: String(NOTHING) }, body: { displayName: 'x', roles: ['viewer'] } },
    'POST /api/admin/users/:id/password': { params: { id: String(NOTHING) }, body: { password: 'fuzz-password-long' } },
    'GET /api/audit': { query: { user: 'tester', layer: 'parcel', from: '2021-01-01', limit: '5' } },
    'GET /api/audit/accounts': { query: { user: 'tester', limit: '5' } },
    'GET /metrics': {},
    // a stream: one second open at most, so that every case ends
    'GET /api/changes': { query: { maxSeconds: '1' } },
  };
}

/** JSON text of a value holding Raw pieces. */
function jsonText(value: unknown): string {
  const raws: Raw[] = [];
  const text = JSON.stringify(value, (_k, v) => (v instanceof Raw ? `@@RAW${raws.push(v) - 1}@@` : v));
  return text.replace(/"@@RAW(\d+)@@"/g, (_m, i) => raws[Number(i)].text);
}
const label = (v: unknown): string => (v instanceof Raw ? v.label : typeof v === 'string' && v.length > 60 ? `"${v.slice(0, 20)}…" (${v.length} chars)` : JSON.stringify(v));

/** A query value as text: arrays repeat the key; Raw sends its text (deep nesting shortened: a URL has limits). */
function queryPairs(query: Record<string, unknown>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) pairs.push([k, String(x)]);
    else if (v instanceof Raw) pairs.push([k, v.text.length > 2000 ? deepText(500) : v.text]);
    else if (v === null) pairs.push([k, '']);
    else if (typeof v === 'object') pairs.push([k, JSON.stringify(v)]);
    else pairs.push([k, String(v)]);
  }
  return pairs;
}

function buildPath(url: string, params: Record<string, string>, rawParams: Set<string>, query: Record<string, unknown>): string {
  const path = url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => (rawParams.has(name) ? params[name] : encodeURIComponent(params[name] ?? '')));
  const qs = queryPairs(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return qs ? `${path}?${qs}` : path;
}

const props = (schema: unknown): string[] => Object.keys((schema as { properties?: object } | undefined)?.properties ?? {});
const required = (schema: unknown): string[] => (schema as { required?: string[] } | undefined)?.required ?? [];

function setPath(obj: Record<string, any>, path: string[], value: unknown): Record<string, any> {
  const copy = structuredClone(obj);
  let at = copy;
  for (const p of path.slice(0, -1)) {
    at[p] = at[p] && typeof at[p] === 'object' ? at[p] : {};
    at = at[p];
  }
  at[path[path.length - 1]] = value;
  return copy;
}

function multipartBody(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v instanceof Raw ? (v.text.length > 2000 ? deepText(500) : v.text) : typeof v === 'string' ? v : JSON.stringify(v));
  form.append('file', new Blob(['not a file any format reads\u0000\u0001']), 'fuzz.geojson');
  return form;
}

/** Every malformed request of one route, from its schema and its base. */
function casesOf(route: RouteEntry, base: Base): Case[] {
  const key = `${route.method} ${route.url}`;
  const who = base.who === undefined ? 'tester' : base.who;
  const params = base.params ?? {};
  const query = base.query ?? {};
  const body = base.body;
  const out: Case[] = [];
  const make = (input: string, o: { params?: Record<string, string>; raw?: Set<string>; query?: Record<string, unknown>; body?: unknown; bodyText?: string; who?: string | null }) => {
    const headers: Record<string, string> = { ...(base.headers ?? {}) };
    let payload: string | FormData | undefined;
    const b = 'body' in o ? o.body : body;
    if (base.multipart) {
      payload = multipartBody((b ?? {}) as Record<string, unknown>);
    } else if (o.bodyText !== undefined) {
      payload = o.bodyText;
      headers['content-type'] ??= 'application/json';
    } else if (b !== undefined) {
      payload = jsonText(b);
      headers['content-type'] ??= 'application/json';
    }
    out.push({
      route: key, who: o.who === undefined ? who : o.who, method: route.method, input, headers, body: payload,
      path: buildPath(route.url, o.params ?? params, o.raw ?? new Set(), o.query ?? query),
    });
  };

  // path parameters
  const paramNames = [...new Set([...props(route.schema?.params), ...[...route.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1])])];
  for (const name of paramNames) {
    for (const v of pick(PATH_VALUES, 5)) make(`path ${name}=${v.length > 40 ? `${v.slice(0, 10)}… (${v.length})` : v}`, { params: { ...params, [name]: v }, raw: new Set(v.includes('%') ? [name] : []) });
  }
  // query parameters: each declared one (or the base's), an unknown one, each required one missing
  const qSchema = route.schema?.querystring;
  const qNames = [...new Set([...props(qSchema), ...Object.keys(query)])];
  for (const name of qNames) {
    for (const { label: l, value } of pick(VALUES, 6)) make(`query ${name}=${l}`, { query: { ...query, [name]: value } });
  }
  make('query unknown parameter', { query: { ...query, zz_fuzz: 'a\u0000' } });
  for (const name of required(qSchema)) {
    const { [name]: _gone, ...rest } = query;
    make(`query without ${name}`, { query: rest });
  }
  // body: each declared property (and the base's, and a few of a feature's properties), unknown, missing, not an object
  if (route.schema?.body !== undefined || body !== undefined) {
    const bSchema = route.schema?.body;
    const b = (body ?? {}) as Record<string, unknown>;
    const names = [...new Set([...props(bSchema), ...Object.keys(b)])].map((n) => [n]);
    const featureProps = b.properties && typeof b.properties === 'object' ? Object.keys(b.properties) : [];
    for (const n of pick(featureProps, 5)) names.push(['properties', n]);
    for (const path of names) {
      for (const { label: l, value } of pick(VALUES, path.length > 1 ? 5 : 7)) make(`body ${path.join('.')}=${l}`, { body: setPath(b, path, value) });
    }
    make('body with an unknown property', { body: { ...b, zz_fuzz: 1 } });
    for (const name of required(bSchema)) {
      const { [name]: _gone, ...rest } = b;
      make(`body without ${name}`, { body: rest });
    }
    if (!base.multipart) for (const text of pick(BODIES, 5)) make(`body ${label(text.length > 60 ? new Raw(text, `${text.slice(0, 12)}… (${text.length} chars)`) : text)}`, { bodyText: text });
  }
  // the base itself, anonymously and as a viewer
  make('anonymous', { who: null });
  make('as viewer', { who: 'viewer' });
  return out;
}

let routes: RouteEntry[] = [];
let before: Record<string, string>;

beforeAll(async () => {
  // the route table of an app of our own (no database needed to list routes and schemas)
  const app = await buildApp({
    database: { url: 'postgres://postgres@127.0.0.1:9/none', poolMax: 1, info: { backend: 'postgres', postgres: '?', postgis: '?', geos: '?', proj: '?' } },
  });
  try {
    await app.ready();
    routes = app.routeTable.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  } finally {
    await app.close();
  }
  const list = await (await api('/ogc/collections/parcel/items?limit=1')).json();
  const id = list.features[0].id as number;
  parcel = { id, feature: await (await api(`/ogc/collections/parcel/items/${id}`)).json() };
  problemId = (await (await api('/api/problems')).json()).problems[0]?.id ?? 1;
  before = await fingerprint(pool);
});

afterAll(async () => {
  // nothing the fuzzer sent may have written anything
  expect(await fingerprint(pool)).toEqual(before);
  // a strong new password with a wrong current one counts as a failed login of norole: forget them
  await pool.query(`UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE username = 'norole'`);
});

describe('fuzzing every route from its schema', () => {
  it('declares a schema for every route in POLICY (static files aside) and every route is in POLICY', () => {
    const keys = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const k of Object.keys(POLICY)) if (k !== 'GET /*') expect(keys, k).toContain(k);
    for (const r of routes) {
      const k = `${r.method} ${r.url}`;
      if (k === 'GET /*') continue;
      expect(r.schema, `${k} declares no schema`).toBeDefined();
      expect(r.schema!.querystring ?? r.schema!.params, `${k} declares neither params nor querystring`).toBeDefined();
      // an import is multipart, an attachment its own bytes (told apart by them: server/core/procedure.ts)
      if (['POST', 'PUT', 'PATCH'].includes(r.method) && !['POST /api/import', 'POST /api/auth/logout', 'POST /api/projects/:id/procedure/:step/attachments'].includes(k)) expect(r.schema!.body, `${k} declares no body`).toBeDefined();
    }
  });

  it('answers every malformed request with a 4xx of the error contract, never a 5xx, and writes nothing', async () => {
    const table = bases();
    const cases: Case[] = [];
    const fuzzed = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (key === 'GET /*' || key === 'POST /api/auth/logout') continue;
      const base = table[key];
      expect(base, `no base request for ${key}`).toBeDefined();
      fuzzed.add(key);
      cases.push(...casesOf(r, base));
    }
    const offenders: string[] = [];
    const shapeless: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        let status: number;
        let text: string;
        try {
          const res = await api(c.path, { method: c.method, headers: c.headers, body: c.body, who: c.who });
          status = res.status;
          text = await res.text();
        } catch (err) {
          status = 599;
          text = String(err);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const where = `${c.route} as ${c.who ?? 'anonymous'} — ${c.input}: ${c.method} ${c.path.length > 200 ? `${c.path.slice(0, 200)}…` : c.path}`;
        if (status >= 500) offenders.push(`${where} → ${status} ${text.slice(0, 300)}`);
        else if (status >= 400 && status !== 431) {
          // the error contract: { error, message, params }
          let body: any;
          try { body = JSON.parse(text); } catch { body = undefined; }
          if (!body || typeof body.error !== 'string' || typeof body.message !== 'string' || typeof body.params !== 'object') shapeless.push(`${where} → ${status} ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const summary = `${cases.length} requests over ${fuzzed.size} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`;
    console.log(`fuzz: ${summary}`);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(offenders, `${offenders.length} answers ≥ 500 (${summary}):\n${offenders.join('\n')}`).toEqual([]);
    expect(shapeless, `${shapeless.length} refusals outside the error contract:\n${shapeless.join('\n')}`).toEqual([]);
  }, 600_000);
});
