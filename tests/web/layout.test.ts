// The workbench layout (web/src/layout/) in headless Chromium: with every tool open (the tester holds
// every role: 征地程序, 压占分析, 数据交换, the editor), no two panels overlap, nor a panel the identify
// popup, the scale bar or the search, at 1920×1080, 1600×1000 and 1280×720, and nothing scrolls; a
// project search lands the whole red line in the map the docks leave visible; folding the docks
// gives the map back. On a phone (390×844): log in, search, locate, identify and the area's progress
// in the bottom sheet, one top-bar row, nothing wider than the screen, no editing.
// Screenshots: tests/web/screenshots/layout-*.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { api } from '../helpers/db.ts';
import { polylabel } from '../../web/src/map/labelpoints.ts';
import { beijingDate } from '../../geo/time.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shots = path.join(root, 'tests/web/screenshots');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

/** the project every test searches for, and a point well inside its red line */
async function target(): Promise<{ id: number; name: string; bbox: [number, number, number, number]; inside: [number, number] }> {
  const res = await api(`${baseUrl}/api/layers/red_line/features`);
  const fc = (await res.json()) as GeoJSON.FeatureCollection<GeoJSON.MultiPolygon>;
  const f = fc.features.find((x) => String(x.properties?.name).includes('港区大道'))!;
  const pts = f.geometry.coordinates.flat(2);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const biggest = f.geometry.coordinates.reduce((a, b) => (b[0].length > a[0].length ? b : a));
  return {
    id: Number(f.id), name: String(f.properties!.name),
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    inside: polylabel(biggest, 1e-6) as [number, number],
  };
}

/** the map has rendered what it has; a map that never settles fails here, saying so, rather than at the test's timeout */
async function idle(page: Page): Promise<void> {
  const settled = await page.evaluate(() => Promise.race([
    window.__zs!.idle().then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000)),
  ]));
  expect(settled, 'the map settles within 90 s').toBe(true);
}

/**
 * What a reader sees of each part of the layout: its box cut by the boxes of the ancestors that clip
 * it (a tool scrolled half out of the right dock is seen only inside the dock). Absent parts are left out.
 */
async function seen(page: Page, selectors: Record<string, string>): Promise<Record<string, Box>> {
  return page.evaluate((sel) => {
    const out: Record<string, Box> = {};
    for (const [name, s] of Object.entries(sel)) {
      const el = document.querySelector(s);
      if (!el) continue;
      let r = el.getBoundingClientRect();
      let [x0, y0, x1, y1] = [r.left, r.top, r.right, r.bottom];
      for (let a = el.parentElement; a; a = a.parentElement) {
        const st = getComputedStyle(a);
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        r = a.getBoundingClientRect();
        [x0, y0, x1, y1] = [Math.max(x0, r.left), Math.max(y0, r.top), Math.min(x1, r.right), Math.min(y1, r.bottom)];
      }
      if (x1 - x0 > 0 && y1 - y0 > 0 && getComputedStyle(el).visibility !== 'hidden') out[name] = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    }
    return out;
  }, selectors);
}

/** The map as the docks leave it visible: its container minus the left dock, the right dock and the bottom tools. */
async function visibleMap(page: Page): Promise<Box> {
  return page.evaluate(() => {
    const r = (s: string) => document.querySelector(s)?.getBoundingClientRect() ?? null;
    const map = r('[data-testid="map"]')!;
    const left = r('[data-testid="dock-left"]');
    const right = r('[data-testid="dock-right"]');
    const tray = r('.bottom .tray');
    const x0 = Math.max(map.left, left?.right ?? 0);
    const x1 = Math.min(map.right, right?.left ?? Infinity);
    const y1 = Math.min(map.bottom, tray?.top ?? Infinity);
    return { x: x0, y: map.top, width: x1 - x0, height: y1 - map.top };
  });
}

/** The red line's box on the screen (its lon/lat box's corners through map.project). */
async function screenBox(page: Page, bbox: [number, number, number, number]): Promise<Box> {
  return page.evaluate((b) => {
    const m = window.__map!;
    const c = m.getContainer().getBoundingClientRect();
    const sw = m.project([b[0], b[1]]);
    const ne = m.project([b[2], b[3]]);
    return { x: c.left + sw.x, y: c.top + ne.y, width: ne.x - sw.x, height: sw.y - ne.y };
  }, bbox);
}

/** Search a project in the top bar and pick it; resolves when the map has flown there and selected it. */
async function searchAndPick(page: Page, name: string, id: number): Promise<void> {
  const search = page.locator('[data-testid="project-search"]');
  await search.fill(name.slice(0, 4));
  await page.locator('li[role="option"] button', { hasText: name }).first().dispatchEvent('mousedown');
  await page.waitForFunction((i) => window.__map!.getFeatureState({ source: 'zs-red_line', id: i }).selected === true, id, { timeout: 30_000 });
  await idle(page);
}

let browser: Browser;
beforeAll(async () => {
  await mkdir(shots, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

describe('the workbench: docks beside the map', () => {
  for (const [width, height] of [[1600, 1000], [1280, 720], [1920, 1080]] as const) {
    it(`at ${width}×${height} with every tool open: nothing overlaps, the searched red line is in sight, nothing scrolls`, async () => {
      const page = await newPage(browser, { viewport: { width, height }, deviceScaleFactor: 1 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${baseUrl}/?lang=zh`);
        await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 60_000 });
        await idle(page);
        const t = await target();
        // the planner's tools open: 压占分析 and 数据交换 (the editor's tools are always out)
        await page.locator('[data-testid="conflict-panel"] button.toggle').click();
        await page.locator('.exchange').getByRole('button', { name: '数据交换' }).click();
        // the search opens the project's 征地程序 in the right dock and flies to its red line
        await searchAndPick(page, t.name, t.id);
        await page.locator('[data-testid="procedure-panel"]').waitFor({ timeout: 20_000 });

        const visible = await visibleMap(page);
        expect(visible.width, 'the map keeps room between the docks').toBeGreaterThan(300);
        const red = await screenBox(page, t.bbox);
        expect(inside(red, visible), `red line ${JSON.stringify(red)} inside the visible map ${JSON.stringify(visible)}`).toBe(true);

        // identify the red line where it is (inside it, in the visible map): the popup stays clear of every panel
        for (const id of ['problem', 'house', 'parcel', 'resettlement_site']) {
          await page.evaluate((l) => {
            const e = window.__zs!.app.layers.find((x: { info: { id: string } }) => x.info.id === l)!;
            e.visible = false;
            window.__zs!.controller.setVisible(l, false);
          }, id);
        }
        await idle(page);
        const at = await page.evaluate((p) => window.__map!.project(p), t.inside);
        const map = (await page.locator('[data-testid="map"]').boundingBox())!;
        await page.mouse.click(map.x + at.x, map.y + at.y);
        await page.locator('.maplibregl-popup [data-testid="identify"]').waitFor({ timeout: 15_000 });
        await page.waitForTimeout(300);

        const parts = {
          layers: '[data-testid="layer-panel"]',
          legend: '[data-testid="legend"]',
          procedure: '[data-testid="procedure-panel"]',
          conflicts: '[data-testid="conflict-panel"]',
          exchange: '.exchange',
          editor: '[data-testid="editor"]',
          bottomTools: '.bottom .tray',
          search: '[data-testid="project-search"]',
          popup: '.maplibregl-popup-content',
          scale: '.maplibregl-ctrl-scale',
          zoom: '.maplibregl-ctrl-top-right',
        };
        await page.screenshot({ path: path.join(shots, `layout-${width}x${height}.png`) });
        /** no two parts overlap, as far as each is seen */
        const noClash = async (when: string) => {
          const boxes = await seen(page, parts);
          const names = Object.keys(boxes);
          const clashes: string[] = [];
          for (let i = 0; i < names.length; i++) {
            for (let j = i + 1; j < names.length; j++) if (overlaps(boxes[names[i]], boxes[names[j]])) clashes.push(`${names[i]} × ${names[j]}`);
          }
          expect(clashes, `${when}: ${JSON.stringify(boxes)}`).toEqual([]);
          return boxes;
        };
        const boxes = await noClash('as opened');
        for (const part of ['layers', 'legend', 'procedure', 'popup', 'scale', 'bottomTools', 'search']) expect(boxes[part], `${part} shown`).toBeDefined();
        // the popup is whole, in the visible map
        expect(inside(boxes.popup, visible), 'popup in the visible map').toBe(true);
        // the right dock is one column: tools that do not fit below the others are scrolled to, and still overlap nothing
        for (const tool of ['conflicts', 'exchange', 'editor'] as const) {
          await page.locator(parts[tool]).evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
          const now = await noClash(`${tool} scrolled to`);
          expect(now[tool], `${tool} shown once scrolled to`).toBeDefined();
        }

        const scroll = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
        expect(scroll).toEqual({ w: width, h: height });

        // folding the docks away gives the map its width, and a fit uses it
        await page.getByTestId('dock-left-handle').click();
        await page.getByTestId('dock-right-handle').click();
        const wide = await visibleMap(page);
        expect(wide.width).toBeGreaterThan(width - 120);
        expect(await page.locator('[data-testid="layer-panel"]').isVisible()).toBe(false);
        await page.screenshot({ path: path.join(shots, `layout-${width}x${height}-folded.png`) });
        await page.getByTestId('dock-left-handle').click();
        await page.getByTestId('dock-right-handle').click();
        expect(await page.locator('[data-testid="conflict-panel"] button.toggle').isVisible()).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});

describe('the phone view (390×844)', () => {
  it('logs in, searches, locates, identifies in the sheet and shows the area’s progress; one row on top, nothing overflows', async () => {
    const t = await target();
    const [lon, lat] = t.inside;
    const page = await newPage(browser, {
      who: null, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      geolocation: { longitude: lon, latitude: lat, accuracy: 20 }, permissions: ['geolocation'],
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const noOverflow = () => page.evaluate(() => document.documentElement.scrollWidth);
    try {
      await page.goto(`${baseUrl}/?lang=zh`);
      await page.locator('[data-testid="login"]').waitFor({ timeout: 30_000 });
      expect(await noOverflow()).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shots, 'layout-phone-login.png') });
      // the command post's account (editor, 指挥部 1): viewing only on a phone
      await page.locator('[data-testid="login"] input[name="username"]').fill('editor');
      await page.locator('[data-testid="login"] input[name="password"]').fill(inject('testPassword'));
      await page.locator('[data-testid="login-submit"]').click();
      await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 60_000 });
      await idle(page);

      // the top bar: one row of 48 px, its parts side by side
      const bar = await page.evaluate(() => {
        const top = document.querySelector('.topbar')!;
        const kids = [...top.children].filter((k) => k.getBoundingClientRect().width > 0).map((k) => k.getBoundingClientRect());
        return { height: top.getBoundingClientRect().height, tops: kids.map((k) => Math.round(k.top + k.height / 2)), right: Math.max(...kids.map((k) => k.right)) };
      });
      expect(bar.height).toBe(48);
      for (const mid of bar.tops) expect(Math.abs(mid - 24)).toBeLessThanOrEqual(4);
      expect(bar.right).toBeLessThanOrEqual(390);
      expect(await page.locator('[data-testid="editor"]').count(), 'no editing on a phone').toBe(0);
      expect(await page.locator('[data-testid="conflict-panel"]').count()).toBe(0);
      expect(await page.locator('[data-testid="dock-left"]').count()).toBe(0);
      expect(await noOverflow()).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shots, 'layout-phone-map.png') });

      // the layers in the sheet, the map above it
      await page.getByTestId('sheet-tab-layers').click();
      await page.locator('[data-testid="phone-sheet"] [data-testid="layer-panel"]').waitFor();
      expect(await noOverflow()).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shots, 'layout-phone-layers.png') });
      await page.getByTestId('sheet-tab-layers').click(); // let the sheet down again

      // search: the red line lands in the map above the sheet
      await searchAndPick(page, t.name, t.id);
      const sheetTop = await page.evaluate(() => document.querySelector('[data-testid="phone-sheet"]')!.getBoundingClientRect().top);
      const red = await screenBox(page, t.bbox);
      const mapBox = (await page.locator('[data-testid="map"]').boundingBox())!;
      expect(inside(red, { x: 0, y: mapBox.y, width: 390, height: sheetTop - mapBox.y }), JSON.stringify(red)).toBe(true);
      expect(await page.locator('[data-testid="procedure-panel"]').count()).toBe(0);
      await page.screenshot({ path: path.join(shots, 'layout-phone-search.png') });

      // 定位: the browser's position, flown to
      await page.evaluate(() => window.__map!.jumpTo({ center: [109.3, 22.8], zoom: 10 }));
      await page.locator('.maplibregl-ctrl-geolocate').click();
      await page.waitForFunction(([x, y]) => {
        const c = window.__map!.getBounds();
        return !window.__map!.isMoving() && window.__map!.getZoom() > 13 && c.contains([x, y]);
      }, [lon, lat], { timeout: 30_000 });
      await idle(page);

      // identify: tap the red line; its attributes in the sheet, not in a popup
      for (const id of ['problem', 'house', 'parcel', 'resettlement_site']) {
        await page.evaluate((l) => window.__zs!.controller.setVisible(l, false), id);
      }
      await page.evaluate((p) => window.__map!.jumpTo({ center: p as [number, number], zoom: 15 }), t.inside);
      await idle(page);
      const at = await page.evaluate((p) => window.__map!.project(p), t.inside);
      await page.mouse.click(mapBox.x + at.x, mapBox.y + at.y);
      const identify = page.locator('[data-testid="sheet-identify"] [data-testid="identify"]');
      await identify.waitFor({ timeout: 15_000 });
      expect(await identify.getAttribute('data-layer')).toBe('red_line');
      expect(await identify.innerText()).toContain(t.name);
      expect(await page.locator('.maplibregl-popup').count()).toBe(0);
      expect(await identify.getByTestId('open-procedure').count(), 'no panel to open on a phone').toBe(0);
      expect(await noOverflow()).toBeLessThanOrEqual(390);
      // the sheet came up over the map: the map moved the tapped place above it
      await page.waitForFunction(() => !window.__map!.isMoving());
      const tapped = await page.evaluate((p) => window.__map!.project(p), t.inside);
      const sheetUp = await page.evaluate(() => document.querySelector('[data-testid="phone-sheet"]')!.getBoundingClientRect().top);
      expect(mapBox.y + tapped.y).toBeLessThan(sheetUp);
      expect(mapBox.y + tapped.y).toBeGreaterThan(mapBox.y);
      await page.screenshot({ path: path.join(shots, 'layout-phone-identify.png') });

      // the progress of the account's own 指挥部, from the progress API
      await page.getByTestId('sheet-tab-progress').click();
      const card = page.getByTestId('area-progress');
      await card.getByTestId('area-land-pct').waitFor({ timeout: 20_000 });
      const res = await api(`${baseUrl}/api/progress?asOf=${beijingDate()}&groupBy=area&areaId=1`, { who: 'editor' });
      const body = (await res.json()) as { groups: { id: number; land: { pct: number | null } }[] };
      const mine = body.groups.find((g) => g.id === 1)!;
      const shown = await card.getByTestId('area-land-pct').innerText();
      expect(shown).toBe(mine.land.pct === null ? '—' : `${mine.land.pct.toFixed(1)}%`);
      expect(await card.innerText()).toMatch(/征收进度/);
      expect(await noOverflow()).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shots, 'layout-phone-progress.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
