// The release rule's contract (server/core/release.ts): every read goes through it. Every sensitive
// value stored (geo/layers.ts `sensitive` columns of every row, `sensitiveWhere` fields of the rows the
// rule names) is looked for in the answer to every GET route of the route table (server/accounts/
// policy.ts POLICY, walked by its keys, so a route added later is walked too, or fails here for want of
// sample requests): bodies decoded the way a client reads them (tiles decoded, zips opened entry by
// entry, GeoPackages cell by cell, workbooks cell by cell, PDFs as text, GBK as GBK). A reader without
// the military grant must find none; the same request by one with the grant must find some wherever
// the sample says it carries sensitive rows, so the search cannot pass by looking at nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import { POLICY } from '../../server/accounts/policy.ts';
import { EXPORTERS } from '../../server/exchange/registry.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';
import { hasProgram } from '../helpers/tools.ts';

const pool = useTestPool();
const hasPdfToText = hasProgram('pdftotext', ['-v'], 'contract/release.test', 'poppler-utils');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-release-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The layers with anything withheld. */
const GUARDED = LAYERS.filter((l) => l.sensitive?.length || l.sensitiveWhere);
const GET_ROUTES = Object.keys(POLICY).filter((k) => k.startsWith('GET ')).map((k) => k.slice(4));

// ---- what must not leak ----------------------------------------------------------------------

/** every stored sensitive value worth searching for */
let secrets: string[] = [];
/**
 * sensitive values that are also ordinary values (a landmark named like an army unit), and the layers
 * they are ordinary in: searched only in answers that read none of those layers
 */
let generic = new Map<string, Set<string>>();

/** Every sensitive value of a layer: its `sensitive` columns on every row, its `sensitiveWhere` fields on the rows named. */
async function sensitiveValues(layer: LayerDef): Promise<string[]> {
  const t = `"${layer.table}"`;
  const out: string[] = [];
  for (const c of layer.sensitive ?? []) {
    out.push(...(await pool.query(`SELECT DISTINCT "${c}"::text AS v FROM ${t} WHERE "${c}" IS NOT NULL`)).rows.map((r) => r.v as string));
  }
  const w = layer.sensitiveWhere;
  if (w) {
    for (const c of w.fields) {
      out.push(...(await pool.query(`SELECT DISTINCT "${c}"::text AS v FROM ${t} WHERE "${w.column}" = $1 AND "${c}" IS NOT NULL`, [w.value])).rows.map((r) => r.v as string));
    }
  }
  return out;
}

/** Every text value of every layer that is not a sensitive one (what anybody may read), with its layer. */
async function ordinaryValues(): Promise<{ layer: string; value: string }[]> {
  const out: { layer: string; value: string }[] = [];
  for (const layer of LAYERS) {
    const { rows: cols } = await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
          AND data_type IN ('text', 'character varying', 'character')`, [layer.table]);
    for (const { column_name: c } of cols) {
      if (layer.sensitive?.includes(c)) continue;
      const w = layer.sensitiveWhere;
      const cond = w?.fields.includes(c) ? `AND "${w.column}" IS DISTINCT FROM '${w.value}'` : '';
      const { rows } = await pool.query(`SELECT DISTINCT "${c}" AS v FROM "${layer.table}" WHERE "${c}" IS NOT NULL ${cond}`);
      out.push(...rows.map((r) => ({ layer: layer.id, value: r.v as string })));
    }
  }
  return out;
}

/** The layers an answer reads, when its URL says (tiles, a collection, map data, an export), else undefined. */
function layersRead(url: string): string[] | undefined {
  const tile = /^\/tiles\/([^/]+)\/\d+\/\d+\/\d+\.mvt/.exec(url);
  if (tile) return tile[1].split(',');
  const one = /^\/(?:ogc\/collections|api\/layers)\/([a-z_]+)\//.exec(url);
  if (one) return [one[1]];
  const exported = /^\/api\/export\?(?:.*&)?layer=([a-z_]+)/.exec(url);
  if (exported) return [exported[1], 'red_line']; // the ledger names projects
  return undefined;
}

/** The sensitive values in a text: every searched one, and the generic ones where the answer reads none of their ordinary layers. */
function leaksIn(text: string, url?: string): string[] {
  const read = url === undefined ? undefined : layersRead(url);
  const also = read ? [...generic].filter(([, ls]) => !read.some((l) => ls.has(l))).map(([v]) => v) : [];
  return [...secrets, ...also].filter((s) => text.includes(s));
}

// ---- decoding what a client gets ---------------------------------------------------------------

const gbk = (b: Buffer) => iconv.decode(b, 'gbk');
/** raw bytes as text both ways: UTF-8 and GBK (the ministry TXT, DXF and GBK CSV/Shapefile tables) */
const asText = (b: Buffer) => `${b.toString('utf8')}\n${gbk(b)}`;

function unzip(body: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(body, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries: { name: string; data: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { entries.push({ name: entry.fileName, data: Buffer.concat(chunks) }); zip.readEntry(); });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function xlsxText(body: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((ws) => {
    cells.push(ws.name);
    ws.eachRow({ includeEmpty: false }, (row) => row.eachCell({ includeEmpty: false }, (cell) => {
      cells.push(typeof cell.value === 'object' && cell.value !== null ? JSON.stringify(cell.value) : String(cell.value), cell.text);
    }));
  });
  return cells.join('\n');
}

function gpkgText(body: Buffer): string {
  const file = path.join(tmp, `g${Math.random().toString(36).slice(2)}.gpkg`);
  writeFileSync(file, body);
  const db = new Database(file, { readonly: true });
  try {
    const cells: string[] = [];
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).raw().iterate() as Iterable<unknown[]>) {
        for (const v of row) cells.push(Buffer.isBuffer(v) ? asText(v) : String(v));
      }
    }
    return cells.join('\n');
  } finally {
    db.close();
  }
}

function pdfText(body: Buffer): string {
  const file = path.join(tmp, `p${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, body);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8');
}

/** A response body as the text a client would read out of it (the raw bytes too). */
async function readable(res: Response, url: string): Promise<string> {
  const body = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const parts = [asText(body)];
  const tile = /\/tiles\/([^/]+)\/(\d+)\/(\d+)\/(\d+)\.mvt/.exec(url);
  if (tile) {
    const decoded = decodeTile(body, Number(tile[2]), Number(tile[3]), Number(tile[4]));
    parts.push(JSON.stringify(Object.fromEntries(Object.entries(decoded).map(([k, fs]) => [k, fs.map((f) => f.properties)]))));
  }
  if (body.subarray(0, 2).toString('latin1') === 'PK') {
    for (const e of await unzip(body)) parts.push(e.name, asText(e.data));
  }
  if (type.includes('spreadsheetml')) parts.push(await xlsxText(body));
  if (body.subarray(0, 15).toString('latin1') === 'SQLite format 3') parts.push(gpkgText(body));
  if (type.includes('application/pdf') && hasPdfToText) parts.push(pdfText(body));
  return parts.join('\n');
}

// ---- the sample requests --------------------------------------------------------------------

/** Real ids and places the samples need, read from the database in beforeAll. */
interface Ctx {
  military: number;
  armyParcel: number;
  armyHouse: number;
  militaryProblem: number;
  projectOverMilitary: number;
  armyParcelProject: number;
  openMonth: string;
  /** the command area of the military problem's project */
  problemArea: number;
  today: string;
  tiles: { layers: string; z: number; x: number; y: number }[];
  bboxMilitary: string;
  bboxArmyParcel: string;
  /** an import preview of the army parcel's code, per account */
  importPreview: Record<string, number>;
}
let ctx: Ctx;

interface Sample {
  url: string | ((who: string) => string);
  /** the reader without the grant (default viewer) */
  as?: string;
  /** does the answer carry sensitive rows, so that a reader with the grant sees some of them? */
  carries: boolean;
  /** the status both readers get (default 200) */
  status?: number;
}

const EXPORT_LAYERS = ['military_land', 'parcel'];
const IMPORT_AS = 'editor'; // writes parcels, no grant

/** Sample requests per GET route. Every GET route of POLICY must have an entry. */
const SAMPLES: Record<string, (c: Ctx) => Sample[]> = {
  '/health': () => [{ url: '/health', carries: false }],
  '/*': () => ['/', '/dashboard.html', '/admin.html'].map((url) => ({ url, carries: false })),
  '/api/auth/session': () => [{ url: '/api/auth/session', carries: false }],
  '/api/district': () => [{ url: '/api/district', carries: false }],
  '/api/layers': () => [{ url: '/api/layers', carries: false }],
  '/api/layers/:id/features': (c) => [
    ...GUARDED.map((l) => ({ url: `/api/layers/${l.id}/features?limit=50000`, carries: true })),
    { url: `/api/layers/military_land/features?bbox=${c.bboxMilitary}`, carries: true },
    { url: `/api/layers/parcel/features?bbox=${c.bboxArmyParcel}`, carries: true },
  ],
  '/api/layers/:id/labels': () => GUARDED.filter((l) => l.labelPoints)
    .map((l) => ({ url: `/api/layers/${l.id}/labels`, carries: l.id === 'military_land' })),
  '/tiles/:layers/:z/:x/:y.mvt': (c) => c.tiles.map((t) => ({ url: `/tiles/${t.layers}/${t.z}/${t.x}/${t.y}.mvt`, carries: true })),
  '/tiles/style.json': () => [{ url: '/tiles/style.json', carries: false }, { url: '/tiles/style.json?lang=en', carries: false }],
  '/tiles/:layer.json': () => GUARDED.map((l) => ({ url: `/tiles/${l.id}.json`, carries: false })),
  // basemaps hold no data of the district; the suite's server has none configured (tests/server/basemaps.test.ts has some)
  '/api/basemaps': () => [{ url: '/api/basemaps', carries: false }],
  '/basemaps/:layer/:z/:x/:y': () => [{ url: '/basemaps/tianditu_vec/14/13189/7150', carries: false, status: 404 }],
  '/ogc': () => [{ url: '/ogc', carries: false }, { url: '/ogc?f=html', carries: false }],
  '/ogc/': () => [{ url: '/ogc/', carries: false }],
  '/ogc/api': () => [{ url: '/ogc/api', carries: false }],
  '/ogc/conformance': () => [{ url: '/ogc/conformance', carries: false }],
  '/ogc/collections': () => [{ url: '/ogc/collections', carries: false }, { url: '/ogc/collections?f=html', carries: false }],
  '/ogc/collections/:id': () => GUARDED.flatMap((l) => [
    { url: `/ogc/collections/${l.id}`, carries: false }, { url: `/ogc/collections/${l.id}?f=html`, carries: false }]),
  '/ogc/collections/:id/queryables': () => GUARDED.map((l) => ({ url: `/ogc/collections/${l.id}/queryables`, carries: false })),
  '/ogc/collections/:id/schema': () => GUARDED.map((l) => ({ url: `/ogc/collections/${l.id}/schema`, carries: false })),
  '/ogc/collections/:id/items': (c) => [
    ...GUARDED.flatMap((l) => [
      { url: `/ogc/collections/${l.id}/items?limit=10000`, carries: true },
      { url: `/ogc/collections/${l.id}/items?limit=10000&f=html`, carries: l.id === 'military_land' },
    ]),
    { url: '/ogc/collections/parcel/items?owner_type=military&limit=1000', carries: true },
    { url: '/ogc/collections/parcel/items?owner_type=military&limit=1000&f=html', carries: true },
    { url: '/ogc/collections/house/items?limit=1000&f=html', carries: false },
    { url: '/ogc/collections/problem/items?kind=military_land', carries: true },
    { url: '/ogc/collections/problem/items?kind=military_land&f=html', carries: true },
    { url: `/ogc/collections/military_land/items?bbox=${c.bboxMilitary}`, carries: true },
    { url: `/ogc/collections/military_land/items?bbox=${c.bboxMilitary}&crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/4490')}`, carries: true },
    { url: `/ogc/collections/parcel/items?project_id=${c.armyParcelProject}&limit=10000`, carries: true },
    // sorting by a withheld value orders by what the reader sees (NULL), so the order tells nothing either
    { url: `/ogc/collections/parcel/items?project_id=${c.armyParcelProject}&limit=10000&sortby=-owner_name`, carries: true },
  ],
  // numbers only: a count and sums, never a name
  '/ogc/collections/:id/summary': (c) => [
    ...GUARDED.map((l) => ({ url: `/ogc/collections/${l.id}/summary`, carries: false })),
    { url: `/ogc/collections/parcel/summary?project_id=${c.armyParcelProject}`, carries: false },
  ],
  // ids only: no attribute leaves; a filter on a withheld field matches nothing for a reader without the grant
  '/ogc/collections/:id/ids': (c) => [
    ...GUARDED.map((l) => ({ url: `/ogc/collections/${l.id}/ids`, carries: false })),
    { url: `/ogc/collections/parcel/ids?owner_type=military&ids=${c.armyParcel}`, carries: false },
    { url: `/ogc/collections/military_land/ids?bbox=${c.bboxMilitary}`, carries: false },
  ],
  '/ogc/collections/:id/items/:fid': (c) => ([['military_land', c.military], ['parcel', c.armyParcel], ['house', c.armyHouse], ['problem', c.militaryProblem]] as const)
    .flatMap(([l, id]) => [{ url: `/ogc/collections/${l}/items/${id}`, carries: true }, { url: `/ogc/collections/${l}/items/${id}?f=html`, carries: true }]),
  '/ogc/collections/:id/items/:fid/history': (c) => ([['military_land', c.military], ['parcel', c.armyParcel], ['problem', c.militaryProblem]] as const)
    .map(([l, id]) => ({ url: `/ogc/collections/${l}/items/${id}/history`, carries: true })),
  '/api/progress': () => ['district', 'area', 'project'].map((g) => ({ url: `/api/progress?groupBy=${g}`, carries: false })),
  '/api/progress/map': () => [{ url: '/api/progress/map', carries: false }],
  // ids and statuses only (status is no sensitive column): nothing of an army unit, today or in the past
  '/api/progress/features': (c) => ['parcel', 'house'].flatMap((l) => [c.today, '2022-03-31'].map((d) => (
    { url: `/api/progress/features?layer=${l}&asOf=${d}&bbox=${c.bboxArmyParcel}`, carries: false }))),
  '/api/progress/series': () => [{ url: '/api/progress/series', carries: false }],
  '/api/progress/resettlement': () => [{ url: '/api/progress/resettlement', carries: false }],
  '/api/progress/reserved-land': () => [{ url: '/api/progress/reserved-land', carries: false }],
  '/api/progress/dispatch': (c) => [c.openMonth, c.today.slice(0, 7)].flatMap((m) => [
    { url: `/api/progress/dispatch?month=${m}`, carries: true }, { url: `/api/progress/dispatch?month=${m}&areaId=${c.problemArea}`, carries: true }]),
  '/api/progress/dispatch.xlsx': (c) => [c.openMonth, c.today.slice(0, 7)].map((m) => ({ url: `/api/progress/dispatch.xlsx?month=${m}`, carries: true })),
  '/api/progress/dispatch.html': (c) => [c.openMonth, c.today.slice(0, 7)].map((m) => ({ url: `/api/progress/dispatch.html?month=${m}`, carries: true })),
  '/api/problems': (c) => [
    { url: '/api/problems', carries: true },
    { url: '/api/problems?kind=military_land', carries: true },
    { url: '/api/problems?open=true', carries: true },
    { url: `/api/problems?asOf=${c.today}`, carries: true },
    { url: `/api/problems?asOf=${c.openMonth}-28`, carries: true },
  ],
  '/api/conflicts/report': (c) => [
    { url: `/api/conflicts/report?projectId=${c.projectOverMilitary}`, carries: true },
    { url: `/api/conflicts/report?projectId=${c.projectOverMilitary}&format=html&analyst=contract`, carries: true },
    ...(hasPdfToText ? [{ url: `/api/conflicts/report?projectId=${c.projectOverMilitary}&format=pdf`, carries: true }] : []),
  ],
  // the procedure names projects, steps, dates and document numbers, never an attribute of military land
  '/api/projects/:id/procedure': (c) => [{ url: `/api/projects/${c.projectOverMilitary}/procedure`, carries: false }, { url: `/api/projects/${c.armyParcelProject}/procedure?asOf=${c.today}`, carries: false }],
  '/api/procedure/board': (c) => [{ url: '/api/procedure/board', carries: false }, { url: `/api/procedure/board?areaId=${c.problemArea}&asOf=${c.openMonth}-28`, carries: false }],
  // documents are served to readers of their project only (tests/procedure/procedure.test.ts)
  '/api/attachments/:id': () => [{ url: '/api/attachments/999999', carries: false, status: 404 }],
  '/api/conflicts/package': (c) => [
    { url: `/api/conflicts/package?projectId=${c.projectOverMilitary}`, carries: true },
    ...(hasPdfToText ? [{ url: `/api/conflicts/package?projectId=${c.projectOverMilitary}&format=pdf`, carries: true }] : []),
  ],
  '/api/export': (c) => [
    ...EXPORT_LAYERS.flatMap((l) => [...EXPORTERS.keys()].map((f) => ({
      url: `/api/export?layer=${l}&format=${f}${l === 'parcel' ? `&project=${c.armyParcelProject}` : ''}`, as: 'bureau', carries: true }))),
    { url: '/api/export?layer=parcel&format=geojson', as: 'bureau', carries: true },
    { url: '/api/export?layer=military_land&format=csv&encoding=gbk', as: 'bureau', carries: true },
    { url: '/api/export?layer=military_land&format=shp&encoding=gbk', as: 'bureau', carries: true },
    { url: '/api/export?layer=house&format=csv', as: 'bureau', carries: true },
    { url: '/api/export?layer=problem&format=geojson', as: 'bureau', carries: true },
  ],
  '/api/export/formats': () => [{ url: '/api/export/formats', as: 'bureau', carries: false }],
  '/api/import/:id': (c) => [{ url: (who) => `/api/import/${c.importPreview[who]}`, as: IMPORT_AS, carries: false }],
  '/api/import/:id/features': (c) => [{ url: (who) => `/api/import/${c.importPreview[who]}/features`, as: IMPORT_AS, carries: false }],
  '/api/admin/users': () => [{ url: '/api/admin/users', as: 'admin2', carries: false }],
  '/api/audit': (c) => [
    { url: '/api/audit?limit=1000', as: 'admin2', carries: false },
    { url: '/api/audit?layer=military_land', as: 'admin2', carries: false },
    { url: `/api/audit?layer=parcel&featureId=${c.armyParcel}`, as: 'admin2', carries: false },
    { url: `/api/audit?layer=problem&featureId=${c.militaryProblem}`, as: 'admin2', carries: false },
  ],
  '/api/audit/accounts': () => [{ url: '/api/audit/accounts?limit=1000', as: 'admin2', carries: false }],
  '/metrics': () => [{ url: '/metrics', as: 'admin2', carries: false }],
  // events name a layer, a feature and a place, never an attribute (tests/server/changes.test.ts
  // writes a military land while a viewer listens)
  '/api/changes': () => [{ url: '/api/changes?maxSeconds=1', carries: false }],
};

// ---- setting up: writes for history, ids, then the values --------------------------------------

async function patchFeature(layer: string, id: number, properties: Record<string, unknown>): Promise<void> {
  const { rows } = await pool.query(`SELECT version FROM "${layer}" WHERE id = $1`, [id]);
  const res = await api(`/ogc/collections/${layer}/items/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${rows[0].version}"` },
    body: JSON.stringify({ properties }),
  });
  expect(res.status, `PATCH ${layer} ${id}: ${await res.clone().text()}`).toBe(200);
}

async function patchProblem(id: number, change: Record<string, unknown>): Promise<void> {
  const { rows } = await pool.query(`SELECT version FROM problem WHERE id = $1`, [id]);
  const res = await api(`/api/problems/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...change, version: rows[0].version }) });
  expect(res.status, `PATCH problem ${id}: ${await res.clone().text()}`).toBe(200);
}

async function importPreview(who: string, code: string, geometry: unknown): Promise<number> {
  const form = new FormData();
  form.set('layer', 'parcel');
  const file = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry, properties: { code, land_class: '0101' } }] });
  form.set('file', new Blob([file], { type: 'application/geo+json' }), 'parcel.geojson');
  const res = await api('/api/import', { who, method: 'POST', body: form });
  expect(res.status, `import preview as ${who}: ${await res.clone().text()}`).toBe(201);
  return (await res.json()).id;
}

const one = async <T = any>(sql: string, params: unknown[] = []): Promise<T> => {
  const { rows } = await pool.query(sql, params);
  if (!rows.length) throw new Error(`the demo data has no row for: ${sql}`);
  return rows[0] as T;
};

const bboxOf = async (table: string, id: number) => {
  const r = await one(`SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Envelope(geom) e FROM "${table}" WHERE id = $1) s`, [id]);
  return [r.x0, r.y0, r.x1, r.y1].map((v: number) => v.toFixed(6)).join(',');
};

beforeAll(async () => {
  const military = (await one(`SELECT id, code FROM military_land ORDER BY id LIMIT 1`));
  const parcel = await one(`SELECT id, code, land_class, project_id, ST_AsGeoJSON(geom)::json AS g FROM parcel WHERE owner_type = 'military' ORDER BY id LIMIT 1`);
  const house = await one(`SELECT id FROM house WHERE owner_type = 'military' ORDER BY id LIMIT 1`);
  const problem = await one(`SELECT p.id, p.description, to_char(p.opened_on, 'YYYY-MM') AS month, j.command_area_id AS area
    FROM problem p JOIN project j ON j.id = p.project_id WHERE p.kind = 'military_land' AND p.resolved_on IS NULL ORDER BY p.id LIMIT 1`);
  const project = await one(`SELECT p.id FROM project p JOIN military_land m ON ST_Intersects(p.red_line, m.geom) ORDER BY p.id LIMIT 1`);

  // writes, so the history of the military feature, the army parcel and the military problem has entries
  // (each changed and changed back: the data stays as the other suites expect it)
  await patchFeature('military_land', military.id, { code: `${military.code}-R` });
  await patchFeature('military_land', military.id, { code: military.code });
  const otherClass = parcel.land_class === '0101' ? '0103' : '0101';
  await patchFeature('parcel', parcel.id, { land_class: otherClass });
  await patchFeature('parcel', parcel.id, { land_class: parcel.land_class });
  await patchProblem(problem.id, { description: `${problem.description ?? ''}（复核）` });
  await patchProblem(problem.id, { description: problem.description });

  const tiles: Ctx['tiles'] = [];
  for (const z of [8, 10, 12, 14, 16]) tiles.push({ layers: 'military_land', ...(await tileOver(pool, 'military_land', z)) });
  for (const z of [14, 15, 16]) tiles.push({ layers: 'military_land,parcel,house,problem', ...(await tileOver(pool, 'parcel', z, `owner_type = 'military'`)) });
  tiles.push({ layers: 'red_line,military_land,parcel', ...(await tileOver(pool, 'military_land', 13)) });
  tiles.push({ layers: 'parcel', ...(await tileOver(pool, 'parcel', 15, `owner_type = 'military'`)) });
  for (const z of [15, 16]) tiles.push({ layers: 'house', ...(await tileOver(pool, 'house', z, `owner_type = 'military'`)) });
  const withPoint = (await pool.query(`SELECT 1 FROM problem WHERE kind = 'military_land' AND geom IS NOT NULL`)).rowCount;
  if (withPoint) for (const z of [12, 14]) tiles.push({ layers: 'problem', ...(await tileOver(pool, 'problem', z, `kind = 'military_land'`)) });

  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  ctx = {
    military: military.id, armyParcel: parcel.id, armyHouse: house.id, militaryProblem: problem.id, projectOverMilitary: project.id,
    armyParcelProject: parcel.project_id, openMonth: problem.month, problemArea: problem.area, today, tiles,
    bboxMilitary: await bboxOf('military_land', military.id), bboxArmyParcel: await bboxOf('parcel', parcel.id),
    importPreview: {
      [IMPORT_AS]: await importPreview(IMPORT_AS, parcel.code, parcel.g),
      tester: await importPreview('tester', parcel.code, parcel.g),
    },
  };

  const stored = [...new Set((await Promise.all(GUARDED.map(sensitiveValues))).flat())];
  const ordinary = await ordinaryValues();
  const short = stored.filter((s) => s.length < 3);
  generic = new Map();
  for (const s of stored.filter((v) => v.length >= 3)) {
    const where = ordinary.filter((o) => o.value.includes(s)).map((o) => o.layer);
    if (where.length) generic.set(s, new Set(where));
  }
  secrets = stored.filter((s) => s.length >= 3 && !generic.has(s));
  process.stdout.write(`release contract: ${stored.length} sensitive values stored, ${secrets.length} searched everywhere ` +
    `(${short.length} shorter than 3 left out; ${generic.size} also ordinary values, searched only in answers reading none of their layers: ` +
    `${JSON.stringify(Object.fromEntries([...generic].map(([v, ls]) => [v, [...ls]])))})\n`);
}, 300_000);

// ---- the walk -------------------------------------------------------------------------------

async function fetchAs(who: string, url: string, status: number): Promise<string> {
  const res = await api(url, { who });
  if (res.status !== status) expect(res.status, `${who} GET ${url}: ${(await res.text()).slice(0, 300)}`).toBe(status);
  return readable(res, url);
}

describe('the release rule: every GET route of POLICY, searched for every stored sensitive value', () => {
  it('there are sensitive values to search for', () => {
    expect(secrets.length).toBeGreaterThan(0);
  });

  it('every GET route has sample requests', () => {
    const missing = GET_ROUTES.filter((r) => !SAMPLES[r]);
    expect(missing, `GET routes without sample requests in tests/contract/release.test.ts: ${missing.join(', ')}`).toEqual([]);
    const stale = Object.keys(SAMPLES).filter((r) => !GET_ROUTES.includes(r));
    expect(stale, 'samples for routes POLICY no longer has').toEqual([]);
  });

  for (const route of GET_ROUTES) {
    it(`GET ${route}`, async () => {
      const make = SAMPLES[route];
      expect(make, `GET ${route} has no sample requests: add them to SAMPLES in tests/contract/release.test.ts`).toBeDefined();
      const samples = make(ctx);
      expect(samples.length, `GET ${route}: no samples`).toBeGreaterThan(0);
      const found: string[] = [];
      for (const s of samples) {
        const reader = s.as ?? 'viewer';
        const urlOf = (who: string) => (typeof s.url === 'function' ? s.url(who) : s.url);
        // the reader with the grant first: whatever it fills (the tile cache) must not serve the other
        const granted = await fetchAs('tester', urlOf('tester'), s.status ?? 200);
        const plain = await fetchAs(reader, urlOf(reader), s.status ?? 200);
        const leaked = leaksIn(plain, urlOf(reader));
        if (leaked.length) found.push(`${reader} GET ${urlOf(reader)} shows ${JSON.stringify(leaked)}`);
        if (s.carries) expect(leaksIn(granted, urlOf('tester')).length, `tester GET ${urlOf('tester')} carries sensitive rows but shows none of them`).toBeGreaterThan(0);
      }
      expect(found, `GET ${route} leaks to a reader without the grant`).toEqual([]);
    }, 600_000);
  }
});

// Reads that are POSTs (the planners' analysis of a red line, the map print): the same search, as a planner without the grant.
describe('the release rule: conflict analysis posted by a planner', () => {
  const posts = (c: Ctx) => [
    { url: '/api/conflicts', body: { projectId: c.projectOverMilitary } },
    { url: '/api/conflicts/replacement', body: { projectId: c.projectOverMilitary } },
    { url: '/api/conflicts/report', body: { projectId: c.projectOverMilitary } },
    ...(hasPdfToText ? [{ url: '/api/conflicts/report', body: { projectId: c.projectOverMilitary, format: 'pdf' } }] : []),
    { url: '/api/conflicts/package', body: { projectId: c.projectOverMilitary, format: 'xlsx' } },
    ...(hasPdfToText ? [{ url: '/api/conflicts/package', body: { projectId: c.projectOverMilitary, format: 'pdf' } }] : []),
    ...['geojson', 'shp', 'dxf', 'gpkg'].map((f) => ({ url: `/api/conflicts/overlaps?format=${f}`, body: { projectId: c.projectOverMilitary } })),
    // the map print: its text (legend, notes) read back; the map is a raster, drawn from the same
    // tiles and features under the requester's own session (tests/web/print.test.ts)
    ...(hasPdfToText ? [{ url: '/api/print', body: { center: [109.6, 23.1], scale: 25000, paper: 'A4', orientation: 'landscape', title: 'release', layers: LAYERS.map((l) => l.id) } }] : []),
  ];
  it('POST /api/conflicts, /replacement, /report, /package, /overlaps and /api/print', async () => {
    const found: string[] = [];
    let carried = 0;
    for (const p of posts(ctx)) {
      const read = async (who: string) => {
        const res = await api(p.url, { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p.body) });
        if (res.status !== 200) expect(res.status, `${who} POST ${p.url}: ${(await res.text()).slice(0, 300)}`).toBe(200);
        return readable(res, p.url);
      };
      if (leaksIn(await read('tester')).length) carried++;
      const leaked = leaksIn(await read('planner'));
      if (leaked.length) found.push(`planner POST ${p.url} ${JSON.stringify(p.body)} shows ${JSON.stringify(leaked)}`);
    }
    expect(carried, 'the analysis with the grant shows the military land it takes').toBeGreaterThan(0);
    expect(found).toEqual([]);
  }, 600_000);
});
