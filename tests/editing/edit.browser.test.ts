// The editor in headless Chromium against the real server: draw a red line, fill the form, save it,
// move a vertex, see the history entry, restore the first version.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { useTestPool } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const hasChromium = existsSync('/usr/bin/chromium');
if (!hasChromium) console.log('editing/edit.browser.test: skipped, /usr/bin/chromium is not installed');

describe.skipIf(!hasChromium)('editing in the browser', () => {
  let browser: Browser;
  let page: Page;
  const pool = useTestPool();

  beforeAll(async () => {
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}/?lang=zh`);
    await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
    await page.evaluate(() => window.__map!.jumpTo({ center: [109.62, 23.16], zoom: 16 }));
    await page.evaluate(() => window.__zs!.idle());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws a red line, saves it, edits a vertex, sees the history, restores the first version', async () => {
    await page.click('[data-testid="draw-red-line"]');
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const corners: [number, number][] = [[-120, -80], [120, -80], [120, 80], [-120, 80]];
    for (const [dx, dy] of corners) {
      await page.mouse.click(cx + dx, cy + dy);
      await page.waitForTimeout(150);
    }
    await page.mouse.click(cx + corners[0][0], cy + corners[0][1]); // close on the first point
    await page.fill('input[name="code"]', `UI-${Date.now()}`);
    await page.fill('input[name="name"]', '浏览器测试红线');
    await page.selectOption('select[name="kind"]', 'road');
    await page.selectOption('select[name="source"]', 'key');
    await page.fill('input[name="year"]', '2026');
    await page.selectOption('select[name="command_area_id"]', '1');
    await page.click('[data-testid="save"]');
    await expect.poll(() => page.locator('.notice').innerText()).toContain('已保存（版本 1）');

    // move a vertex: drag the first corner 40 px right
    await page.mouse.move(cx + corners[0][0], cy + corners[0][1]);
    await page.mouse.down();
    await page.mouse.move(cx + corners[0][0] + 40, cy + corners[0][1], { steps: 8 });
    await page.mouse.up();
    await page.click('[data-testid="save"]');
    await expect.poll(() => page.locator('.notice').innerText()).toContain('已保存（版本 2）');
    await expect.poll(() => page.locator('[data-testid="history"] li').count()).toBe(2);

    await page.click('[data-testid="restore-1"]');
    await expect.poll(() => page.locator('.notice').innerText()).toContain('已恢复到版本 1');
    await expect.poll(() => page.locator('[data-testid="history"] li').count()).toBe(3);
    await mkdir(path.join(root, 'tests/.output'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'tests/.output/editing-zh.png') });
  });

  it('names what a field refers to (projects, command areas) and offers a parcel only the workflow’s next statuses', async () => {
    // the red line saved above: its command area by name
    expect(await page.locator('select[name="command_area_id"] option:checked').innerText()).toMatch(/片区/);
    await page.click('[data-testid="draw-parcel"]');
    const project = page.locator('select[name="project_id"]');
    await expect.poll(() => project.locator('option').count()).toBeGreaterThan(2);
    // every demo project with a red line (a parcel lies in one; other test files add and delete their own meanwhile)
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM project WHERE code LIKE 'XM%' AND red_line IS NOT NULL`);
    const offered = await project.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(rows.length).toBeGreaterThan(20);
    expect(offered).toEqual(expect.arrayContaining(rows.map((r) => String(r.id))));
    expect(await project.locator('option').nth(1).innerText()).toMatch(/.+ · .+/); // name · code
    // a new parcel starts 未签约: the other statuses are there, disabled, with the reason
    const status = page.locator('select[name="status"]');
    expect(await status.locator('option:checked').innerText()).toBe('未签约');
    const disabled = await status.locator('option[disabled]').evaluateAll((os) => os.map((o) => [o.textContent, o.getAttribute('title')]));
    expect(disabled.map(([label]) => label)).toEqual(expect.arrayContaining(['已签约', '已付款', '已交地']));
    expect(disabled.every(([, why]) => why === '新宗地从“未签约”开始')).toBe(true);
    await page.screenshot({ path: path.join(root, 'tests/.output/editing-pickers-zh.png') });
    await page.getByTestId('editor').getByRole('button', { name: '取消' }).click();
  });
});
