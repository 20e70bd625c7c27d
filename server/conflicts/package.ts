// The approval package (报批材料, 勘测定界): what a red line's approval file needs, from the conflict
// analysis of that red line (analysis.ts) and nothing recomputed:
//   界址点  every boundary point J1…Jn per ring in the CGCS2000 3° Gauss–Krüger zone of the analysis
//           (X northing, Y easting with the zone prefix, 0.001 m), numbered as the ministry TXT numbers
//           them (geo/formats/ministry-txt.ts boundaryRings), and the edge to the next point;
//   地类    the land taken by 三调 second-level class and by legal category, m² / 亩 / 公顷, both measures,
//           summing to the red line (analysis landUse, 未调查 included);
//   三区三线 ecological red line, 永久基本农田, inside / outside the urban development boundary, the
//           approval authority and the consequences in words (analysis planning), and the constraint
//           features taken (attributes as the release rule gave them to this reader).
// As one Excel workbook (three sheets, numbers as numbers with formats) or as a PDF (the same three
// sections as a page printed by headless Chromium, pdf.ts).
import type ExcelJSModule from 'exceljs';
import { APPROVAL_LEVEL, type PlanningResult } from '../../geo/approval.ts';
import type { DualArea } from '../../geo/area.ts';
import { gaussKrugerEpsg } from '../../geo/crs.ts';
import { LEGAL_CATEGORY } from '../../geo/landclass.ts';
import { PLANNING_ROWS } from '../../geo/landuse.ts';
import { printStyle } from './print-style.ts';
import { COORD_DIGITS, EDGE_DIGITS, type PackagePoint, packagePoints, round } from './points.ts';
export type { PackagePoint } from './points.ts';
import { beijingDate, beijingDateTime } from '../../geo/time.ts';
import type { ConflictResult } from './analysis.ts';
import { describe, esc, fmt, type ReportMeta } from './report.ts';

export interface ApprovalPackage {
  result: ConflictResult;
  title: string;
  /** 项目名称 as printed */
  projectName: string;
  projectCode: string | null;
  /** YYYY-MM-DD, Beijing */
  date: string;
  analyst: string | null;
  crs: { zone: number; centralMeridian: number; epsg: number; text: string };
  points: PackagePoint[];
  rings: number;
  perimeterM: number;
}

export const PACKAGE_TITLE = '建设项目用地报批材料（勘测定界）';

export function approvalPackage(result: ConflictResult, meta: ReportMeta = {}): ApprovalPackage {
  const zone = result.convention.zone;
  const epsg = gaussKrugerEpsg(zone, true);
  const { points, rings } = packagePoints(result);
  const project = result.redLine.project;
  return {
    result,
    title: PACKAGE_TITLE,
    projectName: meta.projectName || project?.name || '未命名红线',
    projectCode: project?.code ?? null,
    date: meta.date || beijingDate(result.computedAt),
    analyst: meta.analyst ?? null,
    crs: {
      zone, centralMeridian: zone * 3, epsg,
      text: `2000国家大地坐标系（CGCS2000），3度带高斯-克吕格投影第 ${zone} 带，中央经线 ${zone * 3}°E（EPSG:${epsg}）；X 为北坐标，Y 为东坐标（含带号 ${zone}）；单位：米`,
    },
    points,
    rings,
    perimeterM: round(points.reduce((a, p) => a + p.edgeM, 0), EDGE_DIGITS),
  };
}

// ---- the rows both outputs print -----------------------------------------------------------

interface AreaRow {
  cells: string[];
  area: DualArea;
  key?: string;
}

/** By second-level class, then 未调查 when there is any: the rows sum to the red line. */
function classRows(r: ConflictResult): AreaRow[] {
  const lu = r.landUse;
  const rows: AreaRow[] = lu.classes.map((c) => ({ key: c.code, cells: [c.code, c.name.zh, c.category ? LEGAL_CATEGORY[c.category].zh : '—'], area: c.area }));
  if (lu.unsurveyed.ellipsoidal.m2 > 0) rows.push({ key: 'unsurveyed', cells: ['—', '未调查', '未调查'], area: lu.unsurveyed });
  return rows;
}

function categoryRows(r: ConflictResult): AreaRow[] {
  return r.landUse.categories.map((c) => ({ key: c.category, cells: [c.title.zh], area: c.area }));
}

function planningRows(p: PlanningResult): AreaRow[] {
  return PLANNING_ROWS.map((row) => ({ key: row.key, cells: [row.title.zh], area: row.area(p) }));
}

interface TakenRow {
  layer: string;
  code: string;
  name: string;
  note: string;
  area: DualArea;
  withheld: boolean;
}

/** The constraint features taken, per layer, as the release rule gave them to this reader. */
function takenRows(r: ConflictResult): TakenRow[] {
  return r.layers.flatMap((l) => l.features.map((f) => ({
    layer: l.title.zh,
    code: String(f.properties.code ?? f.id),
    name: String(f.properties.name ?? ''),
    note: describe(l.id, f.properties),
    area: f.area,
    withheld: !!f.withheld?.length,
  })));
}

const AREA_HEADERS = ['椭球面积（m²）', '椭球面积（亩）', '椭球面积（公顷）', '平面面积（m²）', '平面面积（亩）', '平面面积（公顷）'];
const areaValues = (a: DualArea): number[] => [a.ellipsoidal.m2, a.ellipsoidal.mu, a.ellipsoidal.hectare, a.planar.m2, a.planar.mu, a.planar.hectare];
const AREA_FORMATS = ['#,##0.00', '#,##0.00', '#,##0.0000', '#,##0.00', '#,##0.00', '#,##0.0000'];
const AREA_DIGITS = [2, 2, 4, 2, 2, 4];

function conventionNotes(p: ApprovalPackage): string[] {
  const c = p.result.convention;
  return [
    c.ellipsoidal,
    `${c.planar}${c.zoneSource === 'override' ? '（带号由编制人指定）' : '（带号取红线中心点所在 3 度带）'}`,
    `${c.mu}；亩保留两位小数，公顷保留四位小数（表格中为全精度数值）。`,
    '地类按 GB/T 21010-2017《土地利用现状分类》二级类（第三次全国国土调查），三大类按《土地管理法》；无三调图斑的部分列为“未调查”。',
    `分析时间：${beijingDateTime(p.result.computedAt)}（北京时间；服务器 PostGIS 计算结果）。`,
  ];
}

function landUseWarnings(r: ConflictResult): string[] {
  const lu = r.landUse;
  const out: string[] = [];
  if (lu.unsurveyed.ellipsoidal.m2 > 0) out.push(`红线内 ${fmt(lu.unsurveyed.ellipsoidal.mu, 2)} 亩无三调地类图斑，列为“未调查”，须现场核实。`);
  if (lu.overlapM2 > 0) out.push(`三调图斑相互重叠 ${fmt(lu.overlapM2, 2)} m²，地类合计大于红线面积，须核查数据。`);
  return out;
}

const SYNTHETIC = '演示数据，非真实数据';

/** The file name people see: 报批材料-<project code>-<YYYYMMDD>.<ext>. */
export function packageFileName(p: ApprovalPackage, ext: 'xlsx' | 'pdf'): string {
  return `报批材料-${p.projectCode ?? 'redline'}-${p.date.replace(/-/g, '')}.${ext}`;
}

// ---- Excel ----------------------------------------------------------------------------------

/** ExcelJS is large: loaded when a workbook is written, not with the server. */
const loadExcel = async (): Promise<typeof ExcelJSModule> => (await import('exceljs')).default;

type Sheet = ExcelJSModule.Worksheet;
const HEAD_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE7F3' } } as const;

/** Title, project, CRS, date lines on top of a sheet, spanning `width` columns; returns the next row. */
function sheetHeader(ws: Sheet, p: ApprovalPackage, heading: string, width: number): number {
  const line = (row: number, text: string, font: Partial<ExcelJSModule.Font>) => {
    ws.mergeCells(row, 1, row, width);
    const c = ws.getCell(row, 1);
    c.value = text;
    c.font = font;
    c.alignment = { horizontal: row === 1 ? 'center' : 'left', vertical: 'middle', wrapText: row > 1 };
  };
  line(1, `${p.title} · ${heading}`, { bold: true, size: 14 });
  line(2, `项目名称：${p.projectName}　项目编号：${p.projectCode ?? '—'}`, { size: 10 });
  line(3, `坐标系：${p.crs.text}`, { size: 10 });
  line(4, `编制日期：${p.date}（北京时间）　编制人：${p.analyst ?? '—'}　${SYNTHETIC}`, { size: 10, color: { argb: 'FFB00000' } });
  ws.getRow(3).height = 28;
  return 6;
}

function headerRow(ws: Sheet, row: number, headers: string[]): void {
  const r = ws.getRow(row);
  headers.forEach((h, i) => {
    const c = r.getCell(i + 1);
    c.value = h;
    c.font = { bold: true };
    c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    c.fill = HEAD_FILL;
  });
  r.height = 30;
}

/**
 * A table of label columns and the six area figures, then a 合计 row with SUM formulas (their values
 * cached) and, when given, one more row of a figure to compare with (红线总面积). `merge`: the label
 * columns are one cell per row. Returns the row after the table.
 */
function areaTable(ws: Sheet, row: number, labels: string[], rows: AreaRow[], opts: { merge?: boolean; compare?: { label: string; area: DualArea } } = {}): number {
  const n = labels.length;
  const labelRow = (at: number, cells: string[]) => {
    const r = ws.getRow(at);
    cells.forEach((v, j) => { r.getCell(j + 1).value = v; });
    if (opts.merge && n > 1) ws.mergeCells(at, 1, at, n);
    return r;
  };
  const figures = (r: ExcelJSModule.Row, values: (number | ExcelJSModule.CellFormulaValue)[]) => values.forEach((v, j) => {
    const c = r.getCell(n + j + 1);
    c.value = v;
    c.numFmt = AREA_FORMATS[j];
  });
  headerRow(ws, row, [...labels, ...AREA_HEADERS]);
  if (opts.merge && n > 1) ws.mergeCells(row, 1, row, n);
  const first = row + 1;
  rows.forEach((x, i) => figures(labelRow(first + i, x.cells), areaValues(x.area)));
  const last = first + rows.length - 1;
  const sums = rows.reduce((acc, x) => areaValues(x.area).map((v, j) => acc[j] + v), AREA_HEADERS.map(() => 0));
  const total = labelRow(last + 1, ['合计']);
  total.font = { bold: true };
  figures(total, sums.map((v, j) => {
    const col = ws.getColumn(n + j + 1).letter;
    return rows.length ? { formula: `SUM(${col}${first}:${col}${last})`, result: v } : v;
  }));
  if (!opts.compare) return last + 2;
  const cmp = labelRow(last + 2, [opts.compare.label]);
  cmp.font = { bold: true };
  figures(cmp, areaValues(opts.compare.area));
  return last + 3;
}

function notes(ws: Sheet, row: number, lines: string[], width: number): number {
  for (const text of lines) {
    ws.mergeCells(row, 1, row, width);
    const c = ws.getCell(row, 1);
    c.value = text;
    c.font = { size: 10, color: { argb: 'FF555555' } };
    c.alignment = { wrapText: true, vertical: 'top' };
    ws.getRow(row).height = Math.max(15, Math.ceil(text.length / 70) * 14);
    row++;
  }
  return row;
}

/** The workbook: 界址点, 地类, 三区三线. */
export async function packageWorkbook(p: ApprovalPackage): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '征收一张图';
  wb.created = new Date(p.result.computedAt);
  wb.title = `${p.title} ${p.projectName}`;
  const page = { orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 } as const;
  const r = p.result;

  // 界址点
  const pts = wb.addWorksheet('界址点', { pageSetup: page });
  pts.columns = [{ width: 7 }, { width: 9 }, { width: 16 }, { width: 16 }, { width: 12 }, { width: 9 }];
  let row = sheetHeader(pts, p, '界址点坐标表', 6);
  headerRow(pts, row, ['圈号', '点号', 'X（北坐标，m）', 'Y（东坐标，m）', '边长（m）', '至点号']);
  const head = row;
  for (const pt of p.points) {
    row++;
    const x = pts.getRow(row);
    x.values = [pt.ring, pt.name, pt.x, pt.y, pt.edgeM, pt.next];
    x.getCell(3).numFmt = '0.000';
    x.getCell(4).numFmt = '0.000';
    x.getCell(5).numFmt = '0.00';
  }
  row++;
  const total = pts.getRow(row);
  total.getCell(1).value = '合计';
  total.getCell(2).value = `${p.points.length} 点`;
  total.getCell(5).value = p.points.length ? { formula: `SUM(E${head + 1}:E${row - 1})`, result: p.perimeterM } : 0;
  total.getCell(5).numFmt = '0.00';
  total.font = { bold: true };
  notes(pts, row + 2, [
    `界址点 ${p.points.length} 个，${p.rings} 圈（外圈顺时针、内圈逆时针，点号连续编排；闭合点即首点，不重复列出），周长 ${fmt(p.perimeterM, 2)} m。`,
    `红线面积：椭球面积 ${fmt(r.redLine.area.ellipsoidal.m2, 2)} m²（${fmt(r.redLine.area.ellipsoidal.mu, 2)} 亩），平面面积 ${fmt(r.redLine.area.planar.m2, 2)} m²（${fmt(r.redLine.area.planar.mu, 2)} 亩）。`,
    '坐标保留三位小数（0.001 m），边长由所列坐标计算，保留两位小数。',
  ], 6);
  pts.views = [{ state: 'frozen', ySplit: head }];

  // 地类
  const lu = wb.addWorksheet('地类', { pageSetup: { ...page, orientation: 'landscape' } });
  lu.columns = [{ width: 10 }, { width: 22 }, { width: 11 }, ...AREA_HEADERS.map(() => ({ width: 15 }))];
  row = sheetHeader(lu, p, '地类面积表', 9);
  const redLine = { label: '红线总面积', area: r.redLine.area };
  lu.getCell(row, 1).value = '（一）按二级地类';
  lu.getCell(row, 1).font = { bold: true };
  row = areaTable(lu, row + 1, ['地类编码', '地类名称', '三大类'], classRows(r), { compare: redLine }) + 1;
  lu.getCell(row, 1).value = '（二）按三大类';
  lu.getCell(row, 1).font = { bold: true };
  row = areaTable(lu, row + 1, ['三大类', '', ''], categoryRows(r).map((x) => ({ ...x, cells: [x.cells[0], '', ''] })), { merge: true, compare: redLine });
  notes(lu, row + 1, [...landUseWarnings(r), ...conventionNotes(p)], 9);

  // 三区三线
  const pl = wb.addWorksheet('三区三线', { pageSetup: { ...page, orientation: 'landscape' } });
  pl.columns = [{ width: 18 }, { width: 16 }, { width: 22 }, { width: 30 }, ...AREA_HEADERS.map(() => ({ width: 15 }))];
  row = sheetHeader(pl, p, '“三区三线”与报批', 10);
  headerRow(pl, row, ['控制线', '', '', '', ...AREA_HEADERS]);
  pl.mergeCells(row, 1, row, 4);
  for (const x of planningRows(r.planning)) {
    row++;
    const xr = pl.getRow(row);
    xr.getCell(1).value = x.cells[0];
    pl.mergeCells(row, 1, row, 4);
    areaValues(x.area).forEach((v, j) => { xr.getCell(5 + j).value = v; xr.getCell(5 + j).numFmt = AREA_FORMATS[j]; });
  }
  row += 2;
  pl.getCell(row, 1).value = '征收审批机关';
  pl.getCell(row, 1).font = { bold: true };
  pl.getCell(row, 2).value = APPROVAL_LEVEL[r.planning.approvalLevel].zh;
  pl.mergeCells(row, 2, row, 10);
  row += 2;
  pl.getCell(row, 1).value = '审查意见';
  pl.getCell(row, 1).font = { bold: true };
  r.planning.consequences.forEach((k, i) => {
    row++;
    pl.getCell(row, 1).value = i + 1;
    pl.mergeCells(row, 2, row, 10);
    const c = pl.getCell(row, 2);
    c.value = k.text.zh;
    c.alignment = { wrapText: true, vertical: 'top' };
    if (k.severity === 'block') c.font = { bold: true, color: { argb: 'FFB00000' } };
    pl.getRow(row).height = Math.max(15, Math.ceil(k.text.zh.length / 90) * 15);
  });
  row += 2;
  pl.getCell(row, 1).value = '受限地类压占明细';
  pl.getCell(row, 1).font = { bold: true };
  row++;
  headerRow(pl, row, ['图层', '编号', '名称', '说明', ...AREA_HEADERS]);
  const taken = takenRows(r);
  for (const t of taken) {
    row++;
    const xr = pl.getRow(row);
    xr.values = [t.layer, t.code, t.name, t.note, ...areaValues(t.area)];
    AREA_FORMATS.forEach((f, j) => { xr.getCell(5 + j).numFmt = f; });
  }
  if (!taken.length) pl.getCell(++row, 1).value = '无。';
  if (taken.some((t) => t.withheld)) notes(pl, row + 2, ['涉密属性已隐去。'], 10);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- PDF (the page Chromium prints) -----------------------------------------------------------

const areaCells = (a: DualArea): string => areaValues(a).map((v, j) => `<td class="n">${fmt(v, AREA_DIGITS[j])}</td>`).join('');
const areaHead = AREA_HEADERS.map((h) => `<th>${esc(h).replace('（', '<br>（')}</th>`).join('');

export function packageHtml(p: ApprovalPackage): string {
  const r = p.result;
  const pointRows = p.points.map((pt) => `<tr data-point="${pt.name}"><td class="n">${pt.ring}</td><td>${pt.name}</td><td class="n">${pt.x.toFixed(COORD_DIGITS)}</td><td class="n">${pt.y.toFixed(COORD_DIGITS)}</td><td class="n">${pt.edgeM.toFixed(EDGE_DIGITS)}</td><td>${pt.next}</td></tr>`).join('');
  const classes = classRows(r).map((x) => `<tr data-class="${esc(x.key)}">${x.cells.map((c, i) => `<td${i === 0 ? ' class="code"' : ''}>${esc(c)}</td>`).join('')}${areaCells(x.area)}</tr>`).join('');
  const categories = categoryRows(r).map((x) => `<tr data-category="${esc(x.key)}"><td>${esc(x.cells[0])}</td>${areaCells(x.area)}</tr>`).join('');
  const planning = planningRows(r.planning).map((x) => `<tr data-line="${x.key}"><td>${esc(x.cells[0])}</td>${areaCells(x.area)}</tr>`).join('');
  const consequences = r.planning.consequences.map((k) => `<li class="${k.severity}" data-rule="${k.rule}">${esc(k.text.zh)}</li>`).join('');
  const taken = takenRows(r);
  const takenTable = taken.length
    ? `<table class="taken"><thead><tr><th>图层</th><th>编号</th><th>名称</th><th>说明</th><th>椭球面积<br>（m²）</th><th>椭球面积<br>（亩）</th><th>平面面积<br>（m²）</th></tr></thead><tbody>${taken.map((t) =>
      `<tr><td>${esc(t.layer)}</td><td class="code">${esc(t.code)}</td><td>${esc(t.name)}</td><td>${esc(t.note)}</td><td class="n">${fmt(t.area.ellipsoidal.m2, 2)}</td><td class="n">${fmt(t.area.ellipsoidal.mu, 2)}</td><td class="n">${fmt(t.area.planar.m2, 2)}</td></tr>`).join('')}</tbody></table>${taken.some((t) => t.withheld) ? '<p class="note">涉密属性已隐去。</p>' : ''}`
    : '<p>无。</p>';
  const rlA = r.redLine.area;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(p.title)} · ${esc(p.projectName)}</title>
${printStyle(12, `  table.points { width: auto; min-width: 60%; }
  section { break-before: page; page-break-before: always; } section:first-of-type { break-before: auto; page-break-before: auto; }`)}</head>
<body>
<h1>${esc(p.title)}</h1>
<p class="synthetic">${SYNTHETIC}</p>
<dl class="meta">
  <dt>项目名称</dt><dd data-field="project">${esc(p.projectName)}</dd>
  <dt>项目编号</dt><dd data-field="code">${esc(p.projectCode ?? '—')}</dd>
  <dt>编制日期</dt><dd data-field="date">${esc(p.date)}</dd>
  <dt>编制人</dt><dd data-field="analyst">${esc(p.analyst ?? '—')}</dd>
  <dt>坐标系</dt><dd class="wide" data-field="crs">${esc(p.crs.text)}</dd>
  <dt>红线面积</dt><dd class="wide">椭球面积 ${fmt(rlA.ellipsoidal.m2, 2)} m²（${fmt(rlA.ellipsoidal.mu, 2)} 亩，${fmt(rlA.ellipsoidal.hectare, 4)} 公顷）；平面面积 ${fmt(rlA.planar.m2, 2)} m²（${fmt(rlA.planar.mu, 2)} 亩）</dd>
</dl>
<section class="points">
<h2>一、界址点坐标表（勘测定界表）</h2>
<table class="points"><thead><tr><th>圈号</th><th>点号</th><th>X（北坐标，m）</th><th>Y（东坐标，m）</th><th>边长（m）</th><th>至点号</th></tr></thead>
<tbody>${pointRows}</tbody>
<tfoot><tr><td colspan="4">合计：界址点 ${p.points.length} 个，${p.rings} 圈</td><td class="n">${fmt(p.perimeterM, 2)}</td><td></td></tr></tfoot></table>
<p class="note">外圈顺时针、内圈逆时针，点号连续编排；闭合点即首点，不重复列出。坐标保留三位小数，边长由所列坐标计算。</p>
</section>
<section class="landuse">
<h2>二、地类面积表（第三次全国国土调查）</h2>
<h3>（一）按二级地类</h3>
<table class="classes"><thead><tr><th>地类编码</th><th>地类名称</th><th>三大类</th>${areaHead}</tr></thead>
<tbody>${classes}</tbody>
<tfoot><tr><td colspan="3">合计（红线总面积）</td>${areaCells(rlA)}</tr></tfoot></table>
<h3>（二）按三大类</h3>
<table class="categories"><thead><tr><th>三大类</th>${areaHead}</tr></thead>
<tbody>${categories}</tbody>
<tfoot><tr><td>合计（红线总面积）</td>${areaCells(rlA)}</tr></tfoot></table>
${landUseWarnings(r).map((w) => `<p class="note">${esc(w)}</p>`).join('')}
</section>
<section class="planning">
<h2>三、“三区三线”与报批</h2>
<table class="planning"><thead><tr><th>控制线</th>${areaHead}</tr></thead><tbody>${planning}</tbody></table>
<p data-field="approval-level"><strong>征收审批机关：</strong>${esc(APPROVAL_LEVEL[r.planning.approvalLevel].zh)}</p>
<h3>审查意见</h3>
<ul class="consequences">${consequences}</ul>
<h3>受限地类压占明细</h3>
${takenTable}
<h3>说明</h3>
<ul class="convention">${conventionNotes(p).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</section>
</body></html>`;
}
