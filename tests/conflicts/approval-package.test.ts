// The approval package (报批材料: 界址点, 地类, 三区三线), POST /api/conflicts/package and GET …?projectId=,
// read back the way its readers read it: the workbook with ExcelJS, the PDF with pdftotext (poppler-utils).
// Boundary points are held against PROJ's own cs2cs (EPSG:4490 → the CGCS2000 3° GK zone with its prefix),
// the areas against the conflict analysis of the same red line (POST /api/conflicts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();
const hasCs2cs = hasProgram('cs2cs', [], 'conflicts/approval-package.test (points)', 'proj-bin');
const hasPdfToText = hasProgram('pdftotext', ['-v'], 'conflicts/approval-package.test (PDF)', 'poppler-utils');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-package-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface PackageFixture {
  description: string;
  request: { geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon };
  expected: { zone: number; epsg: number; urbanRule: string; rings: number; points: { name: string; ring: number; lonLat: [number, number] }[] };
}
const fixture = (name: string): PackageFixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/package/${name}.json`, import.meta.url), 'utf8'));

/** PROJ's answer: lon/lat (EPSG:4490) → [northing, easting with the zone prefix] in EPSG:`epsg`. */
function cs2cs(points: [number, number][], epsg: number): [number, number][] {
  const input = points.map(([lon, lat]) => `${lat} ${lon}`).join('\n') + '\n';
  const out = execFileSync('cs2cs', ['-f', '%.6f', 'EPSG:4490', `EPSG:${epsg}`], { input }).toString();
  return out.trim().split('\n').map((l) => {
    const [n, e] = l.trim().split(/\s+/).map(Number);
    return [n, e];
  });
}

async function post(body: object, format: 'xlsx' | 'pdf', who = 'tester'): Promise<Response> {
  return api('/api/conflicts/package', { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, format }) });
}

async function workbook(res: Response): Promise<ExcelJS.Workbook> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}

async function pdfText(res: Response): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(tmp, `p${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8');
}

/** A cell's number (a formula's cached result too). */
function num(cell: ExcelJS.Cell): number {
  const v = cell.value as unknown;
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'result' in v) return Number((v as { result: unknown }).result);
  return NaN;
}

const text = (cell: ExcelJS.Cell): string => (cell.value === null || cell.value === undefined ? '' : String(cell.value));

/** The rows of a sheet from the row whose first cell is `header` down to (not including) the next row whose first cell is `until`. */
function rowsUnder(ws: ExcelJS.Worksheet, header: string, until: string): ExcelJS.Row[] {
  const out: ExcelJS.Row[] = [];
  let on = false;
  for (let i = 1; i <= ws.rowCount; i++) {
    const row = ws.getRow(i);
    const first = text(row.getCell(1));
    if (!on && first === header) { on = true; continue; }
    if (on && first === until) return out;
    if (on) out.push(row);
  }
  throw new Error(`no "${header}" … "${until}" in sheet ${ws.name}`);
}

/** The row whose first cell is `label`, after row `from`. */
function rowAfter(ws: ExcelJS.Worksheet, from: number, label: string): ExcelJS.Row {
  for (let i = from + 1; i <= ws.rowCount; i++) if (text(ws.getRow(i).getCell(1)) === label) return ws.getRow(i);
  throw new Error(`no "${label}" after row ${from} in sheet ${ws.name}`);
}

const squash = (s: string) => s.replace(/\s+/g, '');

describe.each(['across-town-boundary', 'inside-town'])('the approval package of %s', (name) => {
  const fx = fixture(name);
  let wb: ExcelJS.Workbook;
  let analysis: any;
  beforeAll(async () => {
    analysis = (await postJson('/api/conflicts', fx.request)).body;
    wb = await workbook(await post({ ...fx.request, projectName: `报批测试 ${name}`, analyst: '李勘测', date: '2022-05-20' }, 'xlsx'));
  });

  it('has the three sheets 界址点, 地类, 三区三线', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['界址点', '地类', '三区三线']);
  });

  it('names the project, the zone and its central meridian, the date and the demo-data note', () => {
    const head = [1, 2, 3, 4].map((r) => text(wb.getWorksheet('界址点')!.getRow(r).getCell(1))).join('\n');
    expect(head).toContain(`报批测试 ${name}`);
    expect(head).toContain(`第 ${fx.expected.zone} 带`);
    expect(head).toContain(`中央经线 ${fx.expected.zone * 3}°E`);
    expect(head).toContain(`EPSG:${fx.expected.epsg}`);
    expect(head).toContain('2022-05-20');
    expect(head).toContain('演示数据，非真实数据');
  });

  it('lists every boundary point J1…Jn by ring, the closing point not repeated', () => {
    const rows = rowsUnder(wb.getWorksheet('界址点')!, '圈号', '合计');
    expect(rows.map((r) => [num(r.getCell(1)), text(r.getCell(2))])).toEqual(fx.expected.points.map((p) => [p.ring, p.name]));
    expect(rows.length).toBe(analysis.redLine.vertices);
  });

  it.skipIf(!hasCs2cs)('gives X (northing) and Y (easting with the zone prefix) as PROJ’s cs2cs does, to the millimetre', () => {
    const rows = rowsUnder(wb.getWorksheet('界址点')!, '圈号', '合计');
    const proj = cs2cs(fx.expected.points.map((p) => p.lonLat), fx.expected.epsg);
    rows.forEach((r, i) => {
      expect(Math.floor(num(r.getCell(4)) / 1e6), 'zone prefix').toBe(fx.expected.zone);
      expect(Math.abs(num(r.getCell(3)) - proj[i][0]), `${fx.expected.points[i].name} X`).toBeLessThanOrEqual(0.0015);
      expect(Math.abs(num(r.getCell(4)) - proj[i][1]), `${fx.expected.points[i].name} Y`).toBeLessThanOrEqual(0.0015);
      expect(r.getCell(3).numFmt).toBe('0.000');
    });
  });

  it.skipIf(!hasCs2cs)('gives each edge to the next point of its ring, the last back to the ring’s first', () => {
    const rows = rowsUnder(wb.getWorksheet('界址点')!, '圈号', '合计');
    const proj = cs2cs(fx.expected.points.map((p) => p.lonLat), fx.expected.epsg);
    const pts = fx.expected.points;
    pts.forEach((p, i) => {
      const ring = pts.filter((q) => q.ring === p.ring);
      const k = ring.indexOf(p);
      const next = ring[(k + 1) % ring.length];
      const j = pts.indexOf(next);
      expect(text(rows[i].getCell(6))).toBe(next.name);
      expect(Math.abs(num(rows[i].getCell(5)) - Math.hypot(proj[j][0] - proj[i][0], proj[j][1] - proj[i][1])), `${p.name}–${next.name}`).toBeLessThanOrEqual(0.006);
    });
  });

  it('has the analysis’ land classes, as numbers, summing to the red line’s area within 0.01 m²', () => {
    const ws = wb.getWorksheet('地类')!;
    const rows = rowsUnder(ws, '地类编码', '合计');
    const want = [...analysis.landUse.classes.map((c: any) => ({ code: c.code, name: c.name.zh, area: c.area }))];
    if (analysis.landUse.unsurveyed.ellipsoidal.m2 > 0) want.push({ code: '—', name: '未调查', area: analysis.landUse.unsurveyed });
    expect(rows.map((r) => [text(r.getCell(1)), text(r.getCell(2))])).toEqual(want.map((c) => [c.code, c.name]));
    rows.forEach((r, i) => {
      const a = want[i].area;
      expect([4, 5, 6, 7, 8, 9].map((c) => num(r.getCell(c)))).toEqual([a.ellipsoidal.m2, a.ellipsoidal.mu, a.ellipsoidal.hectare, a.planar.m2, a.planar.mu, a.planar.hectare]);
    });
    expect(rows[0].getCell(4).numFmt).toBe('#,##0.00');
    const sum = rows.reduce((s, r) => s + num(r.getCell(4)), 0);
    expect(Math.abs(sum - analysis.redLine.area.ellipsoidal.m2)).toBeLessThan(0.01);
    const total = rowAfter(ws, rows[rows.length - 1].number, '合计');
    expect((total.getCell(4).value as ExcelJS.CellFormulaValue).formula).toMatch(/^SUM\(D\d+:D\d+\)$/);
    expect(Math.abs(num(total.getCell(4)) - sum)).toBeLessThan(1e-6);
    expect(num(rowAfter(ws, total.number, '红线总面积').getCell(4))).toBe(analysis.redLine.area.ellipsoidal.m2);
  });

  it('has the legal categories and 未调查, summing to the red line within 0.01 m²', () => {
    const ws = wb.getWorksheet('地类')!;
    const rows = rowsUnder(ws, '三大类', '合计');
    expect(rows.map((r) => text(r.getCell(1)))).toEqual(analysis.landUse.categories.map((c: any) => c.title.zh));
    rows.forEach((r, i) => expect(num(r.getCell(4))).toBe(analysis.landUse.categories[i].area.ellipsoidal.m2));
    expect(Math.abs(rows.reduce((s, r) => s + num(r.getCell(4)), 0) - analysis.redLine.area.ellipsoidal.m2)).toBeLessThan(0.01);
  });

  it('has the 三区三线 areas, the approval authority and the consequences of the analysis', () => {
    const ws = wb.getWorksheet('三区三线')!;
    const rows = rowsUnder(ws, '控制线', '征收审批机关').filter((r) => text(r.getCell(1)));
    const pl = analysis.planning;
    expect(rows.map((r) => [text(r.getCell(1)), num(r.getCell(5)), num(r.getCell(8))])).toEqual([
      ['生态保护红线内', pl.ecoRedline.ellipsoidal.m2, pl.ecoRedline.planar.m2],
      ['占用永久基本农田', pl.permanentBasicFarmland.ellipsoidal.m2, pl.permanentBasicFarmland.planar.m2],
      ['城镇开发边界内', pl.insideUrbanBoundary.ellipsoidal.m2, pl.insideUrbanBoundary.planar.m2],
      ['城镇开发边界外', pl.outsideUrbanBoundary.ellipsoidal.m2, pl.outsideUrbanBoundary.planar.m2],
    ]);
    const level = rowAfter(ws, 0, '征收审批机关');
    expect(text(level.getCell(2))).toBe(pl.approvalLevel === 'state_council' ? '国务院' : '自治区人民政府（省级）');
    const said = rowsUnder(ws, '审查意见', '受限地类压占明细').map((r) => text(r.getCell(2))).filter(Boolean);
    expect(said).toEqual(pl.consequences.map((k: any) => k.text.zh));
    expect(pl.consequences.map((k: any) => k.rule)).toContain(fx.expected.urbanRule);
  });

  it.skipIf(!hasPdfToText)('prints as a PDF with the points, the class names and the 三区三线 consequence in words', async () => {
    const t = await pdfText(await post({ ...fx.request, projectName: `报批测试 ${name}` }, 'pdf'));
    const flat = squash(t);
    expect(flat).toContain(squash('建设项目用地报批材料（勘测定界）'));
    expect(flat).toContain('演示数据，非真实数据');
    expect(flat).toContain(`第${fx.expected.zone}带`);
    for (const p of fx.expected.points) expect(t).toMatch(new RegExp(`\\b${p.name}\\b`));
    for (const c of analysis.landUse.classes) expect(flat, c.code).toContain(squash(c.name.zh));
    const urban = analysis.planning.consequences.find((k: any) => k.rule === fx.expected.urbanRule);
    expect(flat).toContain(squash(urban.text.zh));
    const level = analysis.planning.consequences.find((k: any) => k.rule === 'approval_level');
    expect(flat).toContain(squash(level.text.zh));
  });
});

describe('the approval package of a stored project', () => {
  let projectId: number;
  let corners: number;
  beforeAll(async () => {
    const { rows } = await pool.query<{ id: number; corners: number }>(
      `SELECT id, (ST_NPoints(red_line) - ST_NRings(red_line))::int corners FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1`);
    ({ id: projectId, corners } = rows[0]);
  });

  it('downloads by GET with the project’s code in the file name, every corner once', async () => {
    const res = await api(`/api/conflicts/package?projectId=${projectId}&format=xlsx`);
    const { rows: [p] } = await pool.query('SELECT code FROM project WHERE id = $1', [projectId]);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain(`报批材料-${p.code}-`);
    const wb = await workbook(res);
    expect(rowsUnder(wb.getWorksheet('界址点')!, '圈号', '合计').length).toBe(corners);
  });

  it('answers 400 for a format it does not write', async () => {
    const res = await api(`/api/conflicts/package?projectId=${projectId}&format=docx`);
    expect(res.status).toBe(400);
  });

  it('answers 404 not_found for a project that does not exist', async () => {
    const res = await api('/api/conflicts/package?projectId=99999999');
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_found');
  });
});

describe('the PDF’s size limit', () => {
  it('refuses a PDF of more boundary points than it lists, with too_many_boundary_points (the Excel has them all)', async () => {
    const n = 5001;
    const ring = Array.from({ length: n }, (_, i) => [109.6 + 0.004 * Math.cos((2 * Math.PI * i) / n), 23.1 + 0.004 * Math.sin((2 * Math.PI * i) / n)]);
    const body = { geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } };
    const res = await post(body, 'pdf');
    expect(res.status).toBe(413);
    const err = await res.json();
    expect(err.error).toBe('too_many_boundary_points');
    expect(err.params).toMatchObject({ points: n, max: 5000 });
    const wb = await workbook(await post(body, 'xlsx'));
    expect(rowsUnder(wb.getWorksheet('界址点')!, '圈号', '合计').length).toBe(n);
  });
});

describe('the release rule', () => {
  let projectId: number;
  let secrets: string[];
  beforeAll(async () => {
    const { rows } = await pool.query<{ id: number }>(`SELECT p.id FROM project p JOIN military_land m ON ST_Intersects(p.red_line, m.geom) ORDER BY p.id LIMIT 1`);
    projectId = rows[0].id;
    // what a reader without the military grant must not see: the military land's names, units and notes,
    // and army owners' names of parcels (length ≥ 3: shorter values occur in ordinary text)
    const { rows: s } = await pool.query<{ v: string }>(`
      SELECT DISTINCT v FROM (SELECT unnest(ARRAY[name, unit, notes]) v FROM military_land
                              UNION SELECT owner_name FROM parcel WHERE owner_type = 'military') x
       WHERE v IS NOT NULL AND length(v) >= 3`);
    secrets = s.map((r) => r.v);
    expect(secrets.length).toBeGreaterThan(0);
  });

  const cellsOf = (wb: ExcelJS.Workbook): string => {
    const out: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => { out.push(text(c)); })));
    return out.join('\n');
  };
  const leaks = (s: string) => secrets.filter((v) => s.includes(v));

  it('gives a reader with the grant the military land taken, and one without none of its names or units (Excel)', async () => {
    const granted = cellsOf(await workbook(await api(`/api/conflicts/package?projectId=${projectId}&format=xlsx`, { who: 'tester' })));
    expect(leaks(granted).length).toBeGreaterThan(0);
    const plain = cellsOf(await workbook(await api(`/api/conflicts/package?projectId=${projectId}&format=xlsx`, { who: 'viewer' })));
    expect(plain).toContain('军事用地');
    expect(plain).toContain('涉密属性已隐去');
    expect(leaks(plain)).toEqual([]);
  });

  it.skipIf(!hasPdfToText)('and none in the PDF either', async () => {
    const plain = await pdfText(await api(`/api/conflicts/package?projectId=${projectId}&format=pdf`, { who: 'viewer' }));
    expect(plain).toContain('涉密属性已隐去');
    expect(leaks(plain)).toEqual([]);
  });
});
