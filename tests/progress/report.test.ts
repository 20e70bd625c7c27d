// The monthly dispatch report (一月一调度): JSON, the Excel workbook read back with exceljs, the printable page.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
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

describe('GET /api/progress/dispatch.xlsx', () => {
  it('opens with exceljs, with a row per project and the right totals', async () => {
    const { body } = await getJson(`/api/progress/dispatch?month=${MONTH}&areaId=1`);
    const { wb, res } = await workbook(`month=${MONTH}&areaId=1`);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['调度表', '本月变化', '问题变化']);
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
