// The approval package from the panel, in a real browser: draw a red line over a cane base, wait for the
// server's result, and download 报批材料 as Excel (read with ExcelJS) and as PDF (read with pdftotext):
// the land classes the panel shows are the workbook's and the PDF's, and so are its consequences.
// Screenshot: tests/.output/approval-package-zh.png.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { api } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const hasPdfToText = hasProgram('pdftotext', ['-v'], 'web/approval-package.test (PDF)', 'poppler-utils');
const squash = (s: string) => s.replace(/\s+/g, '');

describe('报批材料 from the conflict panel', () => {
  let browser: Browser;
  let page: Page;
  /** the panel's land classes: code → 亩 as shown */
  let shown: Map<string, string>;
  let consequences: string[];

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`, { acceptDownloads: true });
    const base = (await (await api(`${baseUrl}/api/layers/cane_base/features?limit=1`)).json()).features[0];
    const ring: number[][] = base.geometry.coordinates[0][0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 15 }), [lon, lat]);
    await page.evaluate(() => window.__zs!.idle());
    const panel = page.locator('[data-testid="conflict-panel"]');
    await panel.locator('button.toggle').click();
    await panel.getByRole('button', { name: '绘制红线' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    for (const [dx, dy] of [[-0.0015, -0.0012], [0.0015, -0.0012], [0.0015, 0.0012], [-0.0015, 0.0012]]) {
      const p = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon + dx, lat + dy]);
      await page.mouse.click(box.x + p.x, box.y + p.y);
      await page.waitForTimeout(150);
    }
    await panel.getByRole('button', { name: '完成' }).click();
    await page.locator('[data-testid="conflict-status"]', { hasText: '服务器结果（正式）' }).waitFor({ timeout: 60_000 });
    await panel.getByPlaceholder('项目名称').fill('面板报批测试');
    // the class rows are in the page whether their <details> is open or not
    const rows = await panel.locator('details.classes tr[data-class]').evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-class')!, tr.querySelector('td.n')!.textContent!.trim()]));
    shown = new Map(rows as [string, string][]);
    consequences = await panel.locator('[data-testid="conflict-consequences"] li').allInnerTexts();
  }, 180_000);
  afterAll(async () => browser?.close());

  const download = async (name: string): Promise<Buffer> => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), panel.getByRole('button', { name }).click()]);
    return readFile((await file.path())!);
  };

  it('has the package buttons beside the report’s, enabled once the server’s result is in', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    await expect.poll(() => panel.getByRole('button', { name: '报批材料 (Excel)' }).isEnabled()).toBe(true);
    await expect.poll(() => panel.getByRole('button', { name: '报批材料 (PDF)' }).isEnabled()).toBe(true);
    expect(shown.size).toBeGreaterThan(0);
    await panel.getByRole('button', { name: '报批材料 (PDF)' }).scrollIntoViewIfNeeded();
    await panel.screenshot({ path: path.join(outDir, 'approval-package-zh.png') });
  });

  it('downloads the workbook: the drawn corners as J1…J4, the panel’s land classes and consequences', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await download('报批材料 (Excel)') as unknown as ArrayBuffer);
    expect(String(wb.getWorksheet('界址点')!.getCell(2, 1).value)).toContain('面板报批测试');
    const names: string[] = [];
    wb.getWorksheet('界址点')!.eachRow((r) => { if (/^J\d+$/.test(String(r.getCell(2).value))) names.push(String(r.getCell(2).value)); });
    expect(names).toEqual(['J1', 'J2', 'J3', 'J4']);
    const classes = new Map<string, string>();
    wb.getWorksheet('地类')!.eachRow((r) => {
      const code = String(r.getCell(1).value ?? '');
      if (shown.has(code)) classes.set(code, (r.getCell(5).value as number).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    });
    expect(classes).toEqual(shown);
    const said: string[] = [];
    wb.getWorksheet('三区三线')!.eachRow((r) => { if (typeof r.getCell(1).value === 'number') said.push(String(r.getCell(2).value)); });
    expect(said).toEqual(consequences);
  });

  it.skipIf(!hasPdfToText)('downloads the PDF: its text holds the panel’s land classes and consequences', async () => {
    const file = path.join(outDir, 'approval-package.pdf');
    await writeFile(file, await download('报批材料 (PDF)'));
    const text = squash(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8'));
    expect(text).toContain('面板报批测试');
    for (const [code, mu] of shown) {
      expect(text, code).toContain(code);
      expect(text, `${code} ${mu} 亩`).toContain(mu);
    }
    for (const c of consequences) expect(text).toContain(squash(c));
  });
});
