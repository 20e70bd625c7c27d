// 月度调度表 (一月一调度): one row per project of a command area for a month — targets, done this
// month, cumulative, %, unpaid, problems — with totals and the month's changes. As data, as an Excel
// workbook (exceljs) and as a printable HTML page (print stylesheet; 浏览器“打印 → 另存为 PDF”).
import ExcelJS from 'exceljs';
import type pg from 'pg';
import { TAKE_STATUS } from '../../geo/domain.ts';
import { beijingDate, beijingDateTime, fileStamp, isoUtc, lastDayOfMonth, previousMonthEnd } from '../../geo/time.ts';
import { formatMoneyFigure, yuanToWan } from '../../geo/units.ts';
import { currentStep, inOrder, PROCEDURE_STEP, procedureWarnings, runningNotices, stepState, warningText } from '../../geo/procedure.ts';
import { stepsByProject } from '../core/procedure.ts';
import { listProblems, type Problem } from './problems.ts';
import {
  addFigures, commandAreas, filterProjects, projectFiguresAsOf, transitions, type TransitionRow,
} from './sql.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export interface DispatchRow {
  projectId: number;
  code: string;
  name: string;
  areaName: string;
  landTargetMu: number;
  landMonthMu: number;
  landCumulativeMu: number;
  landPct: number | null;
  houseTargetM2: number;
  houseMonthM2: number;
  houseCumulativeM2: number;
  housePct: number | null;
  agreedYuan: number;
  paidYuan: number;
  unpaidYuan: number;
  openProblems: number;
  problems: string;
}

export interface DispatchReport {
  month: string;
  from: string;
  to: string;
  area: { id: number; name: string } | null;
  year: number | null;
  /** when the report was made, ISO UTC (machine field; shown to people in Beijing time) */
  generatedAt: string;
  rows: DispatchRow[];
  totals: Omit<DispatchRow, 'projectId' | 'code' | 'name' | 'areaName' | 'problems'>;
  changes: (TransitionRow & { projectName: string; label: string })[];
  problemChanges: { id: number; projectName: string | null; kindLabel: string; title: string; change: '新增' | '解决'; on: string }[];
  /** 程序进度: where each project stands in the legal procedure at the month's end */
  procedure: ProcedureRow[];
}

export interface ProcedureRow {
  projectId: number;
  code: string;
  name: string;
  /** 预公告 … 征收公告, or 已完成 */
  current: string;
  /** steps done or waived, of eight */
  stepsDone: number;
  /** notices still up at the month's end, with their last day */
  running: string;
  /** the law's periods and the plan's dates, in words (geo/procedure.ts) */
  warnings: string;
}

/** Each project's procedure at `asOf`, in words. */
async function procedureRows(db: Queryable, projects: { id: number; code: string; name: string }[], asOf: string): Promise<ProcedureRow[]> {
  const steps = await stepsByProject(db, projects.map((p) => p.id));
  return projects.map((p) => {
    const own = steps.get(p.id) ?? [];
    const current = currentStep(own, asOf);
    return {
      projectId: p.id, code: p.code, name: p.name,
      current: current === 'complete' ? '已完成' : PROCEDURE_STEP[current].short.zh,
      stepsDone: inOrder(own).filter((r) => ['done', 'waived'].includes(stepState(r, asOf))).length,
      running: runningNotices(own, asOf).map((n) => `${PROCEDURE_STEP[n.step].short.zh}${n.endsOn ? `（至 ${n.endsOn}）` : ''}`).join('；'),
      warnings: procedureWarnings(own, asOf).map((w) => warningText(w, 'zh')).join('；'),
    };
  });
}

const statusLabel = (s: string | null, kind: 'parcel' | 'house'): string =>
  s === null ? (kind === 'parcel' ? '新录入' : '新录入') : (TAKE_STATUS[s as keyof typeof TAKE_STATUS]?.zh ?? s);

/** What the report says in place of a problem's text the reader may not see (server/core/release.ts). */
const WITHHELD = '（涉军事用地，内容需军事用地查看权限）';

/** The month's report as `sees` may read it: problems about military land without their text unless granted. */
export async function dispatchReport(db: pg.Pool, q: { month: string; areaId?: number; year?: number }, sees: boolean, madeAt: Date = new Date()): Promise<DispatchReport> {
  const from = `${q.month}-01`;
  const to = lastDayOfMonth(q.month);
  const [now, before, areas, problemsNow, problemsAll] = await Promise.all([
    projectFiguresAsOf(db, to), projectFiguresAsOf(db, previousMonthEnd(q.month)), commandAreas(db),
    listProblems(db, { asOf: to, openOnly: true, areaId: q.areaId }, sees), listProblems(db, { asOf: to, areaId: q.areaId }, sees),
  ]);
  for (const p of [...problemsNow, ...problemsAll]) if (p.title === null) p.title = WITHHELD;
  const projects = filterProjects(now, q);
  const prev = new Map(before.map((p) => [p.id, p]));
  const areaName = new Map(areas.map((a) => [a.id, a.name]));
  const openBy = new Map<number, Problem[]>();
  for (const p of problemsNow) if (p.projectId !== null) openBy.set(p.projectId, [...(openBy.get(p.projectId) ?? []), p]);
  const rows: DispatchRow[] = projects.map((p) => {
    const b = prev.get(p.id);
    const open = openBy.get(p.id) ?? [];
    return {
      projectId: p.id, code: p.code, name: p.name, areaName: areaName.get(p.commandAreaId) ?? '',
      landTargetMu: p.land.targetMu, landMonthMu: p.land.completedMu - (b?.land.completedMu ?? 0), landCumulativeMu: p.land.completedMu, landPct: p.land.pct,
      houseTargetM2: p.house.targetM2, houseMonthM2: p.house.completedM2 - (b?.house.completedM2 ?? 0), houseCumulativeM2: p.house.completedM2, housePct: p.house.pct,
      agreedYuan: p.money.agreedYuan, paidYuan: p.money.paidYuan, unpaidYuan: p.money.unpaidYuan, openProblems: open.length, problems: open.map((x) => `【${x.kindLabel}】${x.title}`).join('；'),
    };
  });
  const sum = (k: keyof DispatchRow) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const tot = addFigures(projects);
  const totals = {
    landTargetMu: sum('landTargetMu'), landMonthMu: sum('landMonthMu'), landCumulativeMu: sum('landCumulativeMu'), landPct: tot.land.pct,
    houseTargetM2: sum('houseTargetM2'), houseMonthM2: sum('houseMonthM2'), houseCumulativeM2: sum('houseCumulativeM2'), housePct: tot.house.pct,
    agreedYuan: sum('agreedYuan'), paidYuan: sum('paidYuan'), unpaidYuan: sum('unpaidYuan'), openProblems: sum('openProblems'),
  };
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const changes = (await transitions(db, from, to, projects.map((p) => p.id))).map((t) => ({
    ...t, projectName: names.get(t.projectId) ?? String(t.projectId),
    label: `${t.kind === 'parcel' ? '宗地' : '房屋'} ${statusLabel(t.from, t.kind)} → ${t.to === null ? '删除' : statusLabel(t.to, t.kind)}`,
  }));
  const inMonth = (d: string | null) => d !== null && d >= from && d <= to;
  const ids = new Set(projects.map((p) => p.id));
  const problemChanges = problemsAll
    .filter((p) => (p.projectId === null || ids.has(p.projectId)) && (inMonth(p.openedOn) || inMonth(p.resolvedOn)))
    .flatMap((p) => [
      ...(inMonth(p.openedOn) ? [{ id: p.id, projectName: p.projectName, kindLabel: p.kindLabel, title: p.title, change: '新增' as const, on: p.openedOn }] : []),
      ...(inMonth(p.resolvedOn) ? [{ id: p.id, projectName: p.projectName, kindLabel: p.kindLabel, title: p.title, change: '解决' as const, on: p.resolvedOn! }] : []),
    ]);
  const area = q.areaId !== undefined ? { id: q.areaId, name: areaName.get(q.areaId) ?? String(q.areaId) } : null;
  const procedure = await procedureRows(db, projects, to);
  return { month: q.month, from, to, area, year: q.year ?? null, generatedAt: isoUtc(madeAt), rows, totals, changes, problemChanges, procedure };
}

/** The file name: the title and the Beijing day it was made (a report made at 07:30 on 2 December is 20261202). */
export const reportFileName = (r: DispatchReport, extension: string): string =>
  `${reportTitle(r)}-${fileStamp(beijingDate(r.generatedAt))}.${extension}`;

export const reportTitle = (r: DispatchReport): string =>
  `${r.area?.name ?? '全区'}土地房屋征收工作${r.month.replace('-', '年')}月调度表${r.year ? `（${r.year}年度任务）` : ''}`;

// ---- Excel ----

/** A money column: 万元 to two decimals; `exact` adds the 元 column beside it so accountants can sum to the 分. */
type Column = { header: string; key: keyof DispatchRow | 'no'; width: number; fmt?: string; total?: boolean; wan?: boolean };
const money = (label: string, key: keyof DispatchRow): Column[] => [
  { header: `${label}（万元）`, key, width: 16, fmt: '#,##0.00', total: true, wan: true },
  { header: `${label}（元）`, key, width: 18, fmt: '#,##0.00', total: true },
];

const COLUMNS: Column[] = [
  { header: '序号', key: 'no', width: 6 },
  { header: '项目编号', key: 'code', width: 12 },
  { header: '项目名称', key: 'name', width: 34 },
  { header: '片区', key: 'areaName', width: 12 },
  { header: '征地任务（亩）', key: 'landTargetMu', width: 14, fmt: '#,##0.00', total: true },
  { header: '本月完成征地（亩）', key: 'landMonthMu', width: 16, fmt: '#,##0.00', total: true },
  { header: '累计完成征地（亩）', key: 'landCumulativeMu', width: 16, fmt: '#,##0.00', total: true },
  { header: '征地完成率', key: 'landPct', width: 11, fmt: '0.0%' },
  { header: '房屋征收任务（m²）', key: 'houseTargetM2', width: 16, fmt: '#,##0.00', total: true },
  { header: '本月完成房屋征收（m²）', key: 'houseMonthM2', width: 18, fmt: '#,##0.00', total: true },
  { header: '累计完成房屋征收（m²）', key: 'houseCumulativeM2', width: 18, fmt: '#,##0.00', total: true },
  { header: '房屋完成率', key: 'housePct', width: 11, fmt: '0.0%' },
  ...money('已签协议金额', 'agreedYuan'),
  ...money('已付款', 'paidYuan'),
  ...money('已签协议待付款', 'unpaidYuan'),
  { header: '未解决问题（个）', key: 'openProblems', width: 12, fmt: '0', total: true },
  { header: '存在问题', key: 'problems', width: 60 },
];

const HEADER_ROW = 4;

/** The workbook: 调度表 (rows + 合计 with SUM formulas carrying their values), 本月变化, 问题变化. */
export async function dispatchWorkbook(r: DispatchReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '征收一张图';
  wb.created = new Date(r.generatedAt);
  const ws = wb.addWorksheet('调度表', { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 } });
  ws.columns = COLUMNS.map((c) => ({ width: c.width })); // no keys: a money figure has two columns (万元, 元)
  ws.mergeCells(1, 1, 1, COLUMNS.length);
  ws.getCell(1, 1).value = reportTitle(r);
  ws.getCell(1, 1).font = { bold: true, size: 16 };
  ws.getCell(1, 1).alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, COLUMNS.length);
  ws.getCell(2, 1).value = `统计期：${r.from} 至 ${r.to}（截至 ${r.to} 24:00，北京时间）　面积：征地为椭球面积（亩 = m² × 15 ÷ 10000），房屋为建筑面积　金额：万元（保留两位小数），另列元　制表时间：${beijingDateTime(r.generatedAt)}（北京时间）　演示数据，非真实数据`;
  ws.getCell(2, 1).font = { size: 10, color: { argb: 'FF666666' } };
  const header = ws.getRow(HEADER_ROW);
  COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE7F3' } };
  });
  header.height = 32;
  r.rows.forEach((row, i) => {
    const x = ws.getRow(HEADER_ROW + 1 + i);
    COLUMNS.forEach((c, j) => {
      const cell = x.getCell(j + 1);
      if (c.key === 'no') cell.value = i + 1;
      else if (c.key === 'landPct' || c.key === 'housePct') cell.value = row[c.key] === null ? '—' : (row[c.key] as number) / 100;
      else cell.value = c.wan ? yuanToWan(row[c.key] as number) : row[c.key] as string | number;
      if (c.fmt) cell.numFmt = c.fmt;
    });
  });
  const first = HEADER_ROW + 1;
  const last = HEADER_ROW + r.rows.length;
  const totalRow = ws.getRow(last + 1);
  totalRow.getCell(1).value = '合计';
  totalRow.font = { bold: true };
  COLUMNS.forEach((c, j) => {
    const cell = totalRow.getCell(j + 1);
    const col = ws.getColumn(j + 1).letter;
    if (c.total) {
      const total = r.totals[c.key as keyof DispatchReport['totals']] as number;
      const value = c.wan ? yuanToWan(total) : total;
      cell.value = r.rows.length ? { formula: `SUM(${col}${first}:${col}${last})`, result: value } : value;
    } else if (c.key === 'landPct' || c.key === 'housePct') {
      const v = r.totals[c.key];
      cell.value = v === null ? '—' : v / 100;
    }
    if (c.fmt) cell.numFmt = c.fmt;
  });
  ws.views = [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 3 }];

  const ch = wb.addWorksheet('本月变化');
  ch.columns = [
    { header: '项目名称', key: 'projectName', width: 34 }, { header: '变化', key: 'label', width: 28 },
    { header: '数量（宗/栋）', key: 'count', width: 14 }, { header: '面积', key: 'amount', width: 14 }, { header: '单位', key: 'unit', width: 8 },
  ];
  for (const c of r.changes) ch.addRow({ projectName: c.projectName, label: c.label, count: c.count, amount: c.amount, unit: c.kind === 'parcel' ? '亩' : 'm²' });
  ch.getColumn('amount').numFmt = '#,##0.00';
  ch.getRow(1).font = { bold: true };

  const pr = wb.addWorksheet('问题变化');
  pr.columns = [
    { header: '日期', key: 'on', width: 12 }, { header: '变化', key: 'change', width: 8 }, { header: '项目', key: 'projectName', width: 30 },
    { header: '类型', key: 'kindLabel', width: 20 }, { header: '问题', key: 'title', width: 50 },
  ];
  for (const p of r.problemChanges) pr.addRow(p);
  pr.getRow(1).font = { bold: true };

  const pc = wb.addWorksheet('程序进度');
  pc.columns = [
    { header: '项目编号', key: 'code', width: 14 }, { header: '项目名称', key: 'name', width: 34 }, { header: '当前程序', key: 'current', width: 12 },
    { header: '已完成（共8步）', key: 'stepsDone', width: 14 }, { header: '公告期', key: 'running', width: 24 }, { header: '逾期与提示', key: 'warnings', width: 60 },
  ];
  for (const p of r.procedure) pc.addRow(p);
  pc.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- printable HTML ----

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: number, d = 2) => v.toLocaleString('zh-CN', { minimumFractionDigits: d, maximumFractionDigits: d });
const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);

export function dispatchHtml(r: DispatchReport, xlsxHref: string): string {
  const title = reportTitle(r);
  const line = (x: DispatchReport['totals'] & Partial<DispatchRow>, lead: string) => `
    ${lead}
    <td class="n">${num(x.landTargetMu)}</td><td class="n">${num(x.landMonthMu)}</td><td class="n">${num(x.landCumulativeMu)}</td><td class="n">${pct(x.landPct)}</td>
    <td class="n">${num(x.houseTargetM2)}</td><td class="n">${num(x.houseMonthM2)}</td><td class="n">${num(x.houseCumulativeM2)}</td><td class="n">${pct(x.housePct)}</td>
    <td class="n">${formatMoneyFigure(x.unpaidYuan)}</td><td class="n">${x.openProblems}</td>`;
  const rows = r.rows.map((x, i) => `<tr>${line(x, `<td>${i + 1}</td><td>${esc(x.code)}</td><td>${esc(x.name)}</td>`)}<td class="p">${esc(x.problems)}</td></tr>`).join('');
  const changes = r.changes.map((c) => `<tr><td>${esc(c.projectName)}</td><td>${esc(c.label)}</td><td class="n">${c.count}</td><td class="n">${num(c.amount)} ${c.kind === 'parcel' ? '亩' : 'm²'}</td></tr>`).join('');
  const procedure = r.procedure.map((p) => `<tr><td>${esc(p.code)}</td><td>${esc(p.name)}</td><td>${esc(p.current)}</td><td class="n">${p.stepsDone}/8</td><td>${esc(p.running || '—')}</td><td class="p">${esc(p.warnings || '—')}</td></tr>`).join('');
  const probs = r.problemChanges.map((p) => `<tr><td>${p.on}</td><td>${p.change}</td><td>${esc(p.projectName ?? '—')}</td><td>${esc(p.kindLabel)}</td><td>${esc(p.title)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
  body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 16px; color: #222; }
  h1 { font-size: 20px; text-align: center; margin: 4px 0; }
  .meta { text-align: center; color: #666; font-size: 12px; margin-bottom: 10px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; margin-bottom: 14px; }
  th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; }
  th { background: #dde7f3; }
  td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  td.p { font-size: 11px; color: #444; }
  tr.total td { font-weight: bold; background: #f3f3f3; }
  h2 { font-size: 15px; margin: 12px 0 6px; }
  .tools { margin-bottom: 10px; }
  @page { size: A4 landscape; margin: 10mm; }
  @media print { .tools { display: none; } body { margin: 0; } thead { display: table-header-group; } tr { page-break-inside: avoid; } }
</style></head><body>
<div class="tools"><button onclick="print()">打印 / 另存为 PDF</button> <a href="${esc(xlsxHref)}">下载 Excel</a></div>
<h1>${esc(title)}</h1>
<div class="meta">统计期：${r.from} 至 ${r.to}　征地为椭球面积（亩），房屋为建筑面积（m²），金额单位：万元　演示数据，非真实数据</div>
<table><thead><tr><th rowspan="2">序号</th><th rowspan="2">项目编号</th><th rowspan="2">项目名称</th>
<th colspan="4">土地征收（亩）</th><th colspan="4">房屋征收（m²）</th><th rowspan="2">已签协议待付款（万元）</th><th rowspan="2">未解决问题</th><th rowspan="2">存在问题</th></tr>
<tr><th>任务</th><th>本月完成</th><th>累计完成</th><th>完成率</th><th>任务</th><th>本月完成</th><th>累计完成</th><th>完成率</th></tr></thead>
<tbody>${rows}<tr class="total">${line(r.totals, '<td colspan="3">合计</td>')}<td></td></tr></tbody></table>
<h2>本月变化</h2>
<table><thead><tr><th>项目</th><th>变化</th><th>数量（宗/栋）</th><th>面积</th></tr></thead><tbody>${changes || '<tr><td colspan="4">本月无状态变化</td></tr>'}</tbody></table>
<h2>问题台账变化</h2>
<table><thead><tr><th>日期</th><th>变化</th><th>项目</th><th>类型</th><th>问题</th></tr></thead><tbody>${probs || '<tr><td colspan="5">本月无新增或解决的问题</td></tr>'}</tbody></table>
<h2>程序进度</h2>
<table><thead><tr><th>项目编号</th><th>项目名称</th><th>当前程序</th><th>已完成</th><th>公告期</th><th>逾期与提示</th></tr></thead><tbody>${procedure || '<tr><td colspan="6">无项目</td></tr>'}</tbody></table>
<footer class="meta" data-field="generated">制表时间：${beijingDateTime(r.generatedAt)}（北京时间）</footer>
</body></html>`;
}
