// The main map as of a past date (issue #17, "Time on the main map"), in headless Chromium against the
// real server: the time control colours red lines and command areas as /api/progress/map says for the
// chosen date (feature-state and the rendered fill colour), shows the 历史视图 badge, hides the
// editor and today's colours meanwhile, keeps the date in the URL, and 回到今天 restores the live map.
// Screenshot: tests/.output/map-time-zh.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expression, latest } from '@maplibre/maplibre-gl-style-spec';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COLORS } from '../../geo/style/style.ts';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { getJson } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

/** a month of the demo's history with projects under way (its changes run 2019-09 to 2022-12) (its last day is the date shown) */
const PAST_MONTH = '2022-03';
const PAST_DATE = '2022-03-31';
const FIRST_MONTH = '2021-01';

interface MapProgress { asOf: string; projects: { id: number; pct: number | null }[]; areas: { id: number; pct: number | null }[] }
type Rgba = { r: number; g: number; b: number; a: number };

/** the colour a % complete should get: the progress ramp (geo/style), evaluated by MapLibre's own style code */
const ramp = expression.createExpression(['interpolate', ['linear'], ['get', 'pct'], ...COLORS.progress.flat()], 'paint', latest.paint_fill['fill-color'] as never);
function expectedColour(pct: number): Rgba {
  if (ramp.result !== 'success') throw new Error('bad ramp');
  return ramp.value.evaluate({ zoom: 12 }, { type: 'Polygon', properties: { pct } } as never) as unknown as Rgba;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(outDir, { recursive: true });
});
afterAll(async () => browser?.close());

const monthIndex = (m: string) => {
  const [y, mm] = m.split('-').map(Number);
  const [fy, fm] = FIRST_MONTH.split('-').map(Number);
  return (y - fy) * 12 + (mm - fm);
};

/** open the time control and move its slider to a month; resolves once the colours are in */
async function chooseMonth(page: Page, month: string): Promise<void> {
  if (await page.locator('[data-testid="map-time-open"]').count()) await page.click('[data-testid="map-time-open"]');
  await page.locator('[data-testid="time-range"]').evaluate((el, i) => {
    (el as HTMLInputElement).value = String(i);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, monthIndex(month));
  await settle(page);
}

async function settle(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="map-time"][data-loading="false"]', { timeout: 30_000 });
  await page.evaluate(() => window.__zs!.idle());
}

/** feature-state pct of every red line and command area on the main map */
async function states(page: Page, ids: { projects: number[]; areas: number[] }) {
  return page.evaluate(({ projects, areas }) => {
    const m = window.__map!;
    const pct = (source: string, id: number) => (m.getFeatureState({ source, id }) as { pct?: number | null }).pct ?? null;
    return { projects: projects.map((id) => [id, pct('zs-red_line', id)]), areas: areas.map((id) => [id, pct('zs-command_area', id)]) };
  }, ids);
}

/** the red lines as rendered by the as-of-date fill: id, state and the fill colour MapLibre evaluated */
async function renderedRedLines(page: Page) {
  return page.evaluate(() => {
    const m = window.__map!;
    if (!m.getLayer('zs-progress-red_line-fill')) return [];
    return m.queryRenderedFeatures({ layers: ['zs-progress-red_line-fill'] }).map((f) => ({
      id: Number(f.id),
      pct: (f.state as { pct?: number | null }).pct ?? null,
      colour: (f.layer.paint as Record<string, unknown>)['fill-color'] as { r: number; g: number; b: number; a: number },
    }));
  });
}

const visibility = (page: Page, layer: string) =>
  page.evaluate((l) => (window.__map!.getLayer(l) ? (window.__map!.getLayoutProperty(l, 'visibility') ?? 'visible') : 'absent'), layer);
/** today's colours are filtered out in the past (a filter no feature passes), the layer panel's switches notwithstanding */
const filteredOut = (page: Page, layer: string) =>
  page.evaluate((l) => JSON.stringify(window.__map!.getFilter(l) ?? null) === JSON.stringify(['boolean', false]), layer);

describe('the main map as of a past date', () => {
  it('colours red lines and command areas as /api/progress/map gives them for that date', async () => {
    const past = (await getJson<MapProgress>(`/api/progress/map?asOf=${PAST_DATE}`)).body;
    const now = (await getJson<MapProgress>('/api/progress/map')).body;
    // the comparison means something only if the past differs from today
    const nowPct = new Map(now.projects.map((p) => [p.id, p.pct]));
    expect(past.projects.some((p) => p.pct !== nowPct.get(p.id))).toBe(true);
    expect(past.projects.filter((p) => p.pct !== null).length).toBeGreaterThan(2);

    const page = await openMap(browser, `${baseUrl}/`);
    try {
      await chooseMonth(page, PAST_MONTH);
      await expect(page.locator('[data-testid="map-time-badge"]').textContent()).resolves.toBe(`历史视图 ${PAST_DATE}`);
      expect(new URL(page.url()).searchParams.get('asOf')).toBe(PAST_DATE);

      // every project and area of that date carries that date's % (feature-state)
      const got = await states(page, { projects: now.projects.map((p) => p.id), areas: past.areas.map((a) => a.id) });
      const pastPct = new Map(past.projects.map((p) => [p.id, p.pct]));
      expect(Object.fromEntries(got.projects)).toEqual(Object.fromEntries(now.projects.map((p) => [p.id, pastPct.get(p.id) ?? null])));
      expect(Object.fromEntries(got.areas)).toEqual(Object.fromEntries(past.areas.map((a) => [a.id, a.pct])));

      // what is drawn: the red lines' fill has the ramp's colour for that date's %, grey without a figure
      const drawn = await renderedRedLines(page);
      const withPct = drawn.filter((d) => d.pct !== null);
      expect(withPct.length).toBeGreaterThan(2);
      for (const d of drawn) {
        expect(d.pct).toBe(pastPct.get(d.id) ?? null);
        const want = d.pct === null ? { r: 0xbd / 255, g: 0xbd / 255, b: 0xbd / 255, a: 1 } : expectedColour(d.pct);
        for (const k of ['r', 'g', 'b', 'a'] as const) expect(d.colour[k]).toBeCloseTo(want[k], 3);
      }
      // today's colours are not shown meanwhile, nor the editor
      for (const l of ['red_line-fill', 'red_line-label', 'parcel-fill', 'house-fill']) expect(await filteredOut(page, l)).toBe(true);
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(0);

      // the screenshot: the district's centre, where most projects are, close enough to see the red lines' fill
      await page.evaluate(() => window.__map!.jumpTo({ center: window.__map!.getCenter(), zoom: 12.2 }));
      await page.evaluate(() => window.__zs!.idle());
      await page.screenshot({ path: path.join(outDir, 'map-time-zh.png') });
    } finally {
      await page.close();
    }
  });

  it('回到今天 restores the live colours, the editor and the plain URL', async () => {
    const page = await openMap(browser, `${baseUrl}/`);
    try {
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(1);
      await chooseMonth(page, PAST_MONTH);
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(0);
      await page.click('[data-testid="map-time-today"]');
      await settle(page);
      expect(await page.locator('[data-testid="map-time-badge"]').count()).toBe(0);
      for (const l of ['red_line-fill', 'red_line-label', 'parcel-fill', 'house-fill']) expect(await filteredOut(page, l)).toBe(false);
      expect(await visibility(page, 'zs-progress-red_line-fill')).toBe('none');
      expect(await renderedRedLines(page)).toEqual([]);
      expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(1);
    } finally {
      await page.close();
    }
  });

  it("in the past, the layer panel's red-line switch hides and shows the as-of colours, never today's", async () => {
    const page = await openMap(browser, `${baseUrl}/`);
    const redLines = page.locator('[data-testid="layer-panel"] .row[data-layer="red_line"] input[type="checkbox"]');
    try {
      await chooseMonth(page, PAST_MONTH);
      await redLines.uncheck();
      await settle(page);
      expect(await visibility(page, 'zs-progress-red_line-fill')).toBe('none');
      await redLines.check();
      await settle(page);
      expect(await visibility(page, 'zs-progress-red_line-fill')).toBe('visible');
      expect(await visibility(page, 'red_line-fill')).toBe('visible');
      expect(await filteredOut(page, 'red_line-fill')).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('opens at the date a shared URL carries (?asOf=)', async () => {
    const past = (await getJson<MapProgress>(`/api/progress/map?asOf=2021-09-15`)).body;
    const page = await openMap(browser, `${baseUrl}/?asOf=2021-09-15`);
    try {
      await settle(page);
      await expect(page.locator('[data-testid="map-time-badge"]').textContent()).resolves.toBe('历史视图 2021-09-15');
      const got = await states(page, { projects: past.projects.map((p) => p.id), areas: [] });
      expect(Object.fromEntries(got.projects)).toEqual(Object.fromEntries(past.projects.map((p) => [p.id, p.pct])));
    } finally {
      await page.close();
    }
  });

  it('a URL date that is no date says so and shows today', async () => {
    const page = await openMap(browser, `${baseUrl}/?asOf=2023-02-30`);
    try {
      await expect(page.locator('body').textContent()).resolves.toContain('asOf=2023-02-30 无效');
      expect(await page.locator('[data-testid="map-time-badge"]').count()).toBe(0);
      expect(await filteredOut(page, 'red_line-fill')).toBe(false);
      expect(await visibility(page, 'zs-progress-red_line-fill')).toBe('absent');
    } finally {
      await page.close();
    }
  });
});
