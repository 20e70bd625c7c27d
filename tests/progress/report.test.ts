// The monthly dispatch report (一月一调度): JSON, the Excel workbook read back with exceljs, the printable page.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { beijingDate, fileStamp } from '../../geo/time.ts';
import { type DispatchReport, dispatchHtml, reportFileName } from '../../server/progress/report.ts';
import { api, appUrl, getJson } from '../helpers/db.ts';

const MONTH = '2021-09';

async function workbook(query: string): Promise<{ wb: ExcelJS.Workbook; res: Response }> {
  const res = await api(`${appUrl()}/api/progress/dispatch.xlsx?${query}`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.clone().arrayBuffer());
  return { wb, res };
}

const cellNumber = (v: ExcelJS.CellValue): number => (typeof v === 'number' ? v : (v as ExcelJS.CellFormulaValue).result as number);

describe('GET /api/progress/dispatch', () => {
  it('has one row per project of the area, done this month = cumulative now − cumulative a month ago', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=2`);
    const now = (await getJson('/api/progress?asOf=2021-09-30&groupBy=project&areaId=2')).body.groups;
    const before = (await getJson('/api/progress?asOf=2021-08-31&groupBy=project&areaId=2')).body.groups;
    expect(body.area.name).toBe('港城片区');
    expect(body.rows.map((r: { projectId: number }) => r.projectId)).toEqual(now.map((g: { id: number }) => g.id));
    for (const r of body.rows) {
      const n = now.find((g: { id: number }) => g.id === r.projectId);
      const b = before.find((g: { id: number }) => g.id === r.projectId);
      expect(r.landCumulativeMu).toBeCloseTo(n.land.completedMu, 9);
      expect(r.landMonthMu).toBeCloseTo(n.land.completedMu - (b?.land.completedMu ?? 0), 9);
      expect(r.houseMonthM2).toBeCloseTo(n.house.completedM2 - (b?.house.completedM2 ?? 0), 9);
      expect(r.unpaidYuan).toBeCloseTo(n.money.unpaidYuan, 2);
    }
  });

  it('totals are the sums of the rows', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}`);
    const sum = (k: string) => body.rows.reduce((s: number, r: Record<string, number>) => s + r[k], 0);
    for (const k of ['landTargetMu', 'landMonthMu', 'landCumulativeMu', 'houseTargetM2', 'houseMonthM2', 'unpaidYuan', 'openProblems']) {
      expect(body.totals[k], k).toBeCloseTo(sum(k), 6);
    }
    expect(body.totals.landMonthMu).toBeGreaterThan(0);
  });

  it('lists the month’s status changes', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}`);
    expect(body.changes.length).toBeGreaterThan(0);
    for (const c of body.changes) expect(c.label).toMatch(/^(宗地|房屋) \S+ → \S+$/);
  });

  it('refuses a month that is not one', async () => {
    expect((await getJson('/api/progress/dispatch?month=2021-13')).status).toBe(400);
    expect((await getJson('/api/progress/dispatch')).status).toBe(400);
  });
});

describe('程序进度 in the dispatch report', () => {
  it('gives each project its step at the month\'s end, as the procedure board does, in the sheet and the page', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=1`);
    const board = (await getJson('/api/procedure/board?asOf=2021-09-30&areaId=1')).body;
    expect(body.procedure.map((p: { projectId: number }) => p.projectId).sort()).toEqual(body.rows.map((r: { projectId: number }) => r.projectId).sort());
    const stepName: Record<string, string> = { pre_notice: '预公告', survey: '现状调查', risk_assessment: '风险评估', plan_notice: '方案公告', hearing: '听证', agreement: '签订协议', application: '报批', expropriation_notice: '征收公告', complete: '已完成' };
    for (const p of body.procedure) {
      const b = board.projects.find((x: { id: number }) => x.id === p.projectId);
      expect(p.current, p.code).toBe(stepName[b.current]);
    }
    const { wb } = await workbook(`month=${MONTH}&areaId=1`);
    const sheet = wb.getWorksheet('程序进度')!;
    expect(sheet.getRow(1).values).toEqual([undefined, '项目编号', '项目名称', '当前程序', '已完成（共8步）', '公告期', '逾期与提示']);
    expect(sheet.rowCount).toBe(body.procedure.length + 1);
    const html = await (await api(`${appUrl()}/api/progress/dispatch.html?month=${MONTH}&areaId=1`)).text();
    expect(html).toContain('<h2>程序进度</h2>');
    expect(html).toContain(`<td>${body.procedure[0].current}</td>`);
  });
});

describe('GET /api/progress/dispatch.xlsx', () => {
  it('opens with exceljs, with a row per project and the right totals', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=1`);
    const { wb, res } = await workbook(`month=${MONTH}&areaId=1`);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['调度表', '本月变化', '问题变化', '程序进度']);
    const ws = wb.getWorksheet('调度表')!;
    expect(String(ws.getCell('A1').value)).toBe('贵城片区土地房屋征收工作2021年09月调度表');
    const header = (ws.getRow(4).values as ExcelJS.CellValue[]).slice(1).map(String);
    const col = (name: string) => header.indexOf(name) + 1;
    const first = 5;
    const totalRow = ws.getRow(first + body.rows.length);
    expect(totalRow.getCell(1).value).toBe('合计');
    for (const [name, key] of [['征地任务（亩）', 'landTargetMu'], ['本月完成征地（亩）', 'landMonthMu'], ['累计完成征地（亩）', 'landCumulativeMu'],
      ['本月完成房屋征收（m²）', 'houseMonthM2'], ['已签协议待付款（元）', 'unpaidYuan']] as const) {
      let rowsSum = 0;
      for (let i = 0; i < body.rows.length; i++) rowsSum += cellNumber(ws.getRow(first + i).getCell(col(name)).value);
      const total = totalRow.getCell(col(name)).value as ExcelJS.CellFormulaValue;
      expect(total.formula, name).toMatch(/^SUM\(/);
      expect(total.result as number, name).toBeCloseTo(rowsSum, 6);
      expect(total.result as number, name).toBeCloseTo(body.totals[key], 6);
    }
  });

  it('has the month’s changes on their own sheet', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=1`);
    const { wb } = await workbook(`month=${MONTH}&areaId=1`);
    expect(wb.getWorksheet('本月变化')!.rowCount).toBe(body.changes.length + 1);
  });
});

describe('money in the dispatch workbook', () => {
  it('is in 万元 to two decimals, the unit in the header, with the exact 元 beside it', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=1`);
    const { wb } = await workbook(`month=${MONTH}&areaId=1`);
    const ws = wb.getWorksheet('调度表')!;
    const header = (ws.getRow(4).values as ExcelJS.CellValue[]).slice(1).map(String);
    const first = 5;
    for (const [label, key] of [['已签协议金额', 'agreedYuan'], ['已付款', 'paidYuan'], ['已签协议待付款', 'unpaidYuan']] as const) {
      const wan = header.indexOf(`${label}（万元）`) + 1;
      const yuan = header.indexOf(`${label}（元）`) + 1;
      expect(wan, label).toBeGreaterThan(0);
      expect(yuan, label).toBe(wan + 1); // side by side
      for (let i = 0; i < body.rows.length; i++) {
        const row = ws.getRow(first + i);
        expect(row.getCell(wan).numFmt, label).toBe('#,##0.00');
        expect(cellNumber(row.getCell(wan).value), label).toBeCloseTo(body.rows[i][key] / 10_000, 9);
        expect(cellNumber(row.getCell(yuan).value), label).toBeCloseTo(body.rows[i][key], 6);
      }
      const total = ws.getRow(first + body.rows.length);
      expect(cellNumber(total.getCell(wan).value), label).toBeCloseTo(body.totals[key] / 10_000, 9);
      expect(total.getCell(wan).numFmt, label).toBe('#,##0.00');
    }
    expect(body.totals.unpaidYuan).toBeGreaterThan(0);
    // no money column without its unit
    expect(header.filter((h) => /款|金额/.test(h) && !/（(万元|元)）$/.test(h))).toEqual([]);
  });

  it('is named for the Beijing day it was made', async () => {
    const day = beijingDate();
    const { res } = await workbook(`month=${MONTH}&areaId=1`);
    const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition')!)![1]);
    // (a run across midnight Beijing time may see the next day)
    expect([fileStamp(day), fileStamp(beijingDate())]).toContain(/-(\d{8})\.xlsx$/.exec(name)![1]);
    expect(name).toBe(`贵城片区土地房屋征收工作2021年09月调度表-${/-(\d{8})\.xlsx$/.exec(name)![1]}.xlsx`);
  });
});

describe('the dispatch report made at 04:04 Beijing time (20:04 UTC the day before)', () => {
  const madeAt = '2026-12-01T20:04:00.000Z';
  const at = async (): Promise<DispatchReport> => ({ ...(await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=2`)).body, generatedAt: madeAt });

  it('keeps the moment in ISO UTC in its JSON', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=2`);
    expect(body.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('says so in Beijing time in the page footer, never in UTC', async () => {
    const html = dispatchHtml(await at(), '/x.xlsx');
    expect(html).toContain('制表时间：2026-12-02 04:04（北京时间）');
    expect(html).not.toContain('2026-12-01');
    expect(html).not.toMatch(/T\d{2}:\d{2}/);
  });

  it('is named for 2 December, the Beijing day', async () => {
    expect(reportFileName(await at(), 'xlsx')).toBe('港城片区土地房屋征收工作2021年09月调度表-20261202.xlsx');
  });

  it('prints its money in 万元 with two decimals, the unit in the header', async () => {
    const r = await at();
    const html = dispatchHtml(r, '/x.xlsx');
    expect(html).toContain('已签协议待付款（万元）');
    const total = /<tr class="total">(.*?)<\/tr>/s.exec(html)![1];
    expect(total).toContain(`>${(r.totals.unpaidYuan / 10_000).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}<`);
  });
});

describe('GET /api/progress/dispatch.html', () => {
  it('is a printable page in Chinese with the totals row and a link to the workbook', async () => {
    const res = await api(`${appUrl()}/api/progress/dispatch.html?month=${MONTH}&areaId=3`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('城区外围片区土地房屋征收工作2021年09月调度表');
    expect(html).toContain('合计');
    expect(html).toContain('@media print');
    expect(html).toContain('/api/progress/dispatch.xlsx?month=2021-09&amp;areaId=3');
  });
});
