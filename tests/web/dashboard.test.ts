// The dashboard (web/src/dashboard) in headless Chromium: choosing a command area zooms the map to it
// and outlines it, a command post's account starts on its own area, 大屏 fits 1920×1080 without
// scrolling on a dark map, and cards and charts never overlap down to 1280×720.
// Screenshots: tests/.output/dashboard-*.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newPage } from '../helpers/browser.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(outDir, { recursive: true });
});
afterAll(async () => browser?.close());

/** The dashboard at a viewport size, once its figures, charts and map are in. */
async function openDashboard(width: number, height: number, query = '', who = 'tester'): Promise<Page> {
  const page = await newPage(browser, { viewport: { width, height }, deviceScaleFactor: 1, who });
  await page.goto(`${baseUrl}/dashboard.html?${query}`);
  await page.waitForFunction(() => (window as any).__dash && (window as any).__dashMap, undefined, { timeout: 30_000 });
  await page.evaluate(() => (window as any).__dash.idle());
  await page.waitForFunction(() => (window as any).__dashMap.loaded() && (window as any).__dashMap.getSource('dash-command_area'), undefined, { timeout: 30_000 });
  await page.waitForTimeout(500);
  return page;
}

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

/** The boxes of the board's panels and of what is drawn in them (figure cards, chart canvases, the map). */
async function boardBoxes(page: Page): Promise<{ panels: { cls: string; box: Box; parts: Box[] }[] }> {
  return page.evaluate(() => {
    const box = (e: Element) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    const panels = [...document.querySelectorAll('[data-testid="dashboard"] .panel:not(.dispatch)')].map((p) => ({
      cls: p.className,
      box: box(p),
      // what a reader sees: figure cards, chart canvases, the map's canvas (scrolled-away rows of a table are not drawn)
      parts: [...p.querySelectorAll('.card, .chart canvas, .maplibregl-canvas')].map(box),
    }));
    return { panels };
  });
}

/** The map's view and the chosen area's extent, in lon/lat. */
async function mapView(page: Page, code?: string) {
  return page.evaluate(async (code) => {
    const m = (window as any).__dashMap;
    const b = m.getBounds();
    const src = m.getSource('dash-command_area');
    const fc = await src.getData();
    const f = code ? fc.features.find((x: any) => x.properties.code === code) : null;
    let area: number[] | null = null;
    if (f) {
      area = [Infinity, Infinity, -Infinity, -Infinity];
      const visit = (c: any): void => { if (typeof c[0] === 'number') { area![0] = Math.min(area![0], c[0]); area![1] = Math.min(area![1], c[1]); area![2] = Math.max(area![2], c[0]); area![3] = Math.max(area![3], c[1]); } else c.forEach(visit); };
      visit(f.geometry.coordinates);
    }
    return {
      view: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], area, id: f?.id ?? null,
      filter: m.getFilter('dash-area-selected'), outline: !!m.getLayer('dash-area-selected'),
      labels: ['dash-area-label', 'dash-red-line-label'].filter((l) => m.getLayer(l)),
      rendered: m.queryRenderedFeatures({ layers: ['dash-area-label'] }).map((x: any) => x.properties.code),
    };
  }, code);
}

describe('choosing a command area', () => {
  it('zooms the map to the area with room around it and outlines it', async () => {
    const page = await openDashboard(1600, 1000, 'month=2022-03');
    const before = await mapView(page, 'guicheng');
    expect(before.filter).toEqual(['==', ['id'], -1]); // nothing outlined on the whole district
    await page.locator('[data-testid="area-select"]').selectOption({ label: '贵城片区' });
    await page.evaluate(() => (window as any).__dash.idle());
    await page.waitForTimeout(300);
    const after = await mapView(page, 'guicheng');
    const [w, s, e, n] = after.view;
    const [aw, as, ae, an] = after.area!;
    // the area is all in view ...
    expect(w).toBeLessThanOrEqual(aw); expect(s).toBeLessThanOrEqual(as); expect(e).toBeGreaterThanOrEqual(ae); expect(n).toBeGreaterThanOrEqual(an);
    // ... and fills it (padding only): the view is at most twice the area's extent in each direction
    expect(Math.min((e - w) / (ae - aw), (n - s) / (an - as))).toBeLessThan(2);
    // zoomed in from the district view
    expect(e - w).toBeLessThan(before.view[2] - before.view[0]);
    expect(after.outline).toBe(true);
    expect(after.filter).toEqual(['==', ['id'], after.id]);
    await page.screenshot({ path: path.join(outDir, 'dashboard-guicheng.png') });
    await page.close();
  });

  it('labels the map: command areas and red lines by name', async () => {
    const page = await openDashboard(1600, 1000, 'month=2022-03');
    const v = await mapView(page);
    expect(v.labels).toEqual(['dash-area-label', 'dash-red-line-label']);
    expect(new Set(v.rendered)).toEqual(new Set(['guicheng', 'gangcheng', 'outer']));
    await page.close();
  });
});

describe('a command post', () => {
  it('starts on its own command area (an account scoped to 贵城 sees 贵城, zoomed and outlined)', async () => {
    // the test account `editor` is scoped to command area 1 (tests/setup/global.ts), 贵城片区 in the demo data
    const page = await openDashboard(1600, 1000, 'month=2022-03', 'editor');
    const select = page.locator('[data-testid="area-select"]');
    expect(await select.locator('option:checked').innerText()).toBe('贵城片区');
    expect(await page.locator('[data-testid="figures"] h3').innerText()).toMatch(/^贵城片区/);
    const v = await mapView(page, 'guicheng');
    expect(v.filter).toEqual(['==', ['id'], v.id]);
    expect(v.view[0]).toBeLessThanOrEqual(v.area![0]);
    expect(v.view[2]).toBeGreaterThanOrEqual(v.area![2]);
    await page.close();
  });

  it('a user of every area starts on the whole district', async () => {
    const page = await openDashboard(1600, 1000, 'month=2022-03');
    expect(await page.locator('[data-testid="area-select"] option:checked').innerText()).toBe('全区');
    await page.close();
  });
});

describe('the heading', () => {
  it('gives the chosen date, not a month end: 截至 2022-03-31 / As of 2022-03-31', async () => {
    const page = await openDashboard(1600, 1000, 'month=2022-03');
    expect(await page.locator('[data-testid="time-label"]').innerText()).toBe('截至 2022-03-31');
    await page.locator('header button[data-lang="en"]').click();
    await expect.poll(() => page.locator('[data-testid="time-label"]').innerText()).toBe('As of 2022-03-31');
    await page.close();
  });
});

describe('大屏 (big screen)', () => {
  it('fits 1920×1080 without scrolling, on a dark map', async () => {
    const page = await openDashboard(1920, 1080, 'month=2022-03&screen=1');
    const fit = await page.evaluate(() => {
      const doc = document.scrollingElement!;
      const dash = document.querySelector('[data-testid="dashboard"]')!;
      return { docH: doc.scrollHeight, docW: doc.scrollWidth, dashH: dash.scrollHeight, dashCH: dash.clientHeight, dashW: dash.scrollWidth, dashCW: dash.clientWidth, h: innerHeight, w: innerWidth };
    });
    expect(fit.docH).toBeLessThanOrEqual(fit.h);
    expect(fit.docW).toBeLessThanOrEqual(fit.w);
    expect(fit.dashH).toBeLessThanOrEqual(fit.dashCH);
    expect(fit.dashW).toBeLessThanOrEqual(fit.dashCW);
    // every panel on the screen, none over another
    const { panels } = await boardBoxes(page);
    for (const p of panels) {
      expect(p.box.y + p.box.height, p.cls).toBeLessThanOrEqual(1080);
      expect(p.box.height, p.cls).toBeGreaterThan(150);
    }
    for (let i = 0; i < panels.length; i++) for (let j = i + 1; j < panels.length; j++) expect(overlaps(panels[i].box, panels[j].box), `${panels[i].cls} / ${panels[j].cls}`).toBe(false);
    // the map's background is dark (its luminance from the style, and a pixel of the canvas)
    const bg = await page.evaluate(() => (window as any).__dashMap.getPaintProperty('background', 'background-color'));
    expect(bg).toBe('#0b1626');
    await page.screenshot({ path: path.join(outDir, 'dashboard-screen-1920x1080.png') });
    await page.close();
  });
});

/** No two panels overlap, and what each draws stays inside it. */
async function expectTidy(page: Page): Promise<void> {
  const { panels } = await boardBoxes(page);
  expect(panels.length).toBe(9); // figures, map, five charts, problems, the procedure board
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) expect(overlaps(panels[i].box, panels[j].box), `${panels[i].cls} / ${panels[j].cls}`).toBe(false);
    for (const part of panels[i].parts) {
      expect(inside(part, panels[i].box), `${panels[i].cls}: ${JSON.stringify(part)} in ${JSON.stringify(panels[i].box)}`).toBe(true);
    }
  }
}

describe('responsive layout', () => {
  // both languages: the English words are longer and wrap differently
  for (const [w, h, lang] of [[1280, 720, 'zh'], [1280, 720, 'en'], [1366, 768, 'zh'], [1440, 900, 'en'], [1536, 864, 'zh'], [1600, 1000, 'zh'], [1920, 1080, 'zh']] as const) {
    it(`at ${w}×${h} (${lang}) cards, map and charts never overlap and stay in their panels`, async () => {
      const page = await openDashboard(w, h, `month=2022-03&lang=${lang}`);
      await expectTidy(page);
      const docW = await page.evaluate(() => document.scrollingElement!.scrollWidth);
      expect(docW).toBeLessThanOrEqual(w);
      await page.screenshot({ path: path.join(outDir, `dashboard-${w}x${h}-${lang}.png`) });
      await page.close();
    });
  }

  it('stays tidy when the window shrinks from 1920 to 1280 wide', async () => {
    const page = await openDashboard(1920, 1080, 'month=2022-03');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForTimeout(600); // the charts follow their boxes (ResizeObserver)
    await expectTidy(page);
    await page.close();
  });
});
