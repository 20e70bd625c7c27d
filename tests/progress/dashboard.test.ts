// The dashboard in headless Chromium against the real server: move the time slider, the figures and
// the map colours follow. The dashboard page is built here (Vite, into a temporary folder) and served
// to the browser by request interception, API calls go to the real server.
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { appUrl, getJson } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shots = path.join(root, 'tests/.output/progress');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let outDir = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'zs-dashboard-'));
  await build({
    configFile: false, root: path.join(root, 'web'), base: '/', logLevel: 'warn', plugins: [svelte()],
    publicDir: path.join(root, 'web/public'),
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, rollupOptions: { input: path.join(root, 'web/dashboard.html') } },
  });
  await mkdir(shots, { recursive: true });
  browser = await launchChromium();
  page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  const base = appUrl().replace(/\/$/, '');
  await page.route(`${base}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.startsWith('/api/')) return route.continue();
    const file = path.join(outDir, url.pathname === '/' ? 'dashboard.html' : url.pathname);
    try {
      return route.fulfill({ status: 200, body: await readFile(file), contentType: TYPES[path.extname(file)] ?? 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

async function settle(p: Page): Promise<void> {
  await p.waitForFunction(() => (window as any).__dash && (window as any).__dashMap);
  await p.evaluate(() => (window as any).__dash.idle());
  await p.waitForFunction(() => (window as any).__dash.state().mapProgress?.asOf === (window as any).__dash.state().asOf);
  await p.evaluate(() => new Promise<void>((resolve) => {
    const m = (window as any).__dashMap;
    const check = () => (m.loaded() && !m.isMoving() ? resolve() : setTimeout(check, 50));
    m.once('idle', check);
    m.triggerRepaint();
  }));
}

const text = (p: Page, id: string) => p.locator(`[data-testid="${id}"]`).innerText();

describe('the dashboard', () => {
  it('follows the time slider: figures and map colours change, and match the API', async () => {
    await page.goto(`${appUrl().replace(/\/$/, '')}/dashboard.html?month=2021-03`);
    await settle(page);
    const before = { land: await text(page, 'land-completed'), unpaid: await text(page, 'unpaid'), label: await text(page, 'time-label') };
    expect(before.label).toBe('截至 2021-03-31');
    const api1 = (await getJson('/api/progress?asOf=2021-03-31')).body.total;
    expect(before.land).toBe(`${api1.land.completedMu.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 亩`);
    const map1 = await page.locator('[data-testid="dashboard-map"] canvas').screenshot();
    await page.screenshot({ path: path.join(shots, 'dashboard-2021-03.png'), fullPage: false });
    const state1 = await page.evaluate(() => {
      const m = (window as any).__dashMap;
      const ids = (window as any).__dash.state().mapProgress.projects.map((p: { id: number }) => p.id);
      return ids.map((id: number) => [id, m.getFeatureState({ source: 'dash-red_line', id }).pct]);
    });

    // twelve months on, with the keyboard on the slider
    await page.locator('[data-testid="time-range"]').focus();
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    await settle(page);
    const after = { land: await text(page, 'land-completed'), label: await text(page, 'time-label') };
    expect(after.label).toBe('截至 2022-03-31');
    const api2 = (await getJson('/api/progress?asOf=2022-03-31')).body.total;
    expect(after.land).toBe(`${api2.land.completedMu.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 亩`);
    expect(after.land).not.toBe(before.land);

    const state2 = new Map<number, number>(await page.evaluate(() => {
      const m = (window as any).__dashMap;
      const ids = (window as any).__dash.state().mapProgress.projects.map((p: { id: number }) => p.id);
      return ids.map((id: number) => [id, m.getFeatureState({ source: 'dash-red_line', id }).pct]);
    }));
    const mapApi = (await getJson('/api/progress/map?asOf=2022-03-31')).body;
    for (const p of mapApi.projects) expect(state2.get(p.id)).toBe(p.pct);
    expect(state1.some(([id, pct]: [number, number]) => state2.get(id) !== pct)).toBe(true);

    const map2 = await page.locator('[data-testid="dashboard-map"] canvas').screenshot();
    expect(Buffer.compare(map1, map2)).not.toBe(0);
    await page.screenshot({ path: path.join(shots, 'dashboard-2022-03.png'), fullPage: false });
  });

  it('draws every chart', async () => {
    for (const id of ['chart-areas', 'chart-series', 'chart-projects', 'chart-gap', 'chart-sites']) {
      expect(await page.locator(`[data-testid="${id}"] canvas`).count(), id).toBeGreaterThan(0);
    }
    await page.locator('[data-testid="chart-sites"]').screenshot({ path: path.join(shots, 'dashboard-sites.png') });
    await page.locator('[data-testid="problems"]').screenshot({ path: path.join(shots, 'dashboard-problems.png') });
    await page.locator('[data-testid="dispatch"]').screenshot({ path: path.join(shots, 'dashboard-dispatch.png') });
  });

  it('has a 大屏 mode', async () => {
    await page.locator('[data-testid="screen-toggle"]').click();
    await settle(page);
    await expect(page.locator('h1').innerText()).resolves.toContain('大屏');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, 'dashboard-screen.png') });
  });
});

describe('the dispatch report page', () => {
  it('prints to a PDF in headless Chromium', async () => {
    const print = await newPage(browser, { viewport: { width: 1400, height: 900 } });
    try {
      await print.goto(`${appUrl().replace(/\/$/, '')}/api/progress/dispatch.html?month=2021-09&areaId=2`);
      await print.screenshot({ path: path.join(shots, 'dispatch-2021-09.png') });
      const pdf = await print.pdf({ format: 'A4', landscape: true, printBackground: true, path: path.join(shots, 'dispatch-2021-09.pdf') });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
    } finally {
      await print.close();
    }
  });
});

