// The main map as of a past date, parcels and houses (issue #17), and the two-date swipe compare, in
// headless Chromium against the real server. At a past date each parcel's and house's fill has the
// status GET /api/progress/features gives for the view (feature-state and the colour MapLibre
// evaluated, the live palette of geo/style), today's status fills are filtered out, features not on
// record then are not drawn, and identify says the status then. 对比 puts a second map over the right
// of a divider: each side coloured as /api/progress/map gives its date, the divider moved by keys and
// by dragging, moves synced, editing off while a side is past, and the second map gone after.
// Screenshots: tests/.output/map-time-parcels-zh.png, map-compare-zh.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COLORS } from '../../geo/style/style.ts';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { getJson, useTestPool } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const pool = useTestPool();

const FIRST_MONTH = '2021-01';
const PAST_MONTH = '2022-03';
const PAST_DATE = '2022-03-31';
const OTHER_MONTH = '2021-06';
const OTHER_DATE = '2021-06-30';

interface Statuses { layer: string; asOf: string; truncated: boolean; features: [number, string | null][] }
interface MapProgress { asOf: string; projects: { id: number; pct: number | null }[] }
type Rgba = { r: number; g: number; b: number; a: number };

const rgba = (hex: string): Rgba => ({ r: parseInt(hex.slice(1, 3), 16) / 255, g: parseInt(hex.slice(3, 5), 16) / 255, b: parseInt(hex.slice(5, 7), 16) / 255, a: 1 });

let browser: Browser;
/** where many parcels changed status between PAST_DATE and today (lon/lat) */
let centre: [number, number];
/** a parcel there whose status on PAST_DATE differs from today's, and a point on it */
let probe: { id: number; then: string; now: string; at: [number, number] };

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(outDir, { recursive: true });
  const statusThen = `(SELECT c.after->>'status' FROM change_log c WHERE c.layer = 'parcel' AND c.feature_id = f.id
     AND c.changed_at < timezone('UTC', ('${PAST_DATE}'::date + 1)::timestamp - interval '8 hours') ORDER BY c.changed_at DESC, c.id DESC LIMIT 1)`;
  const { rows } = await pool.query(
    `WITH s AS (SELECT f.id, f.project_id, f.status AS now, ${statusThen} AS past, f.geom FROM parcel f),
          p AS (SELECT project_id FROM s WHERE past IS DISTINCT FROM now GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)
     SELECT s.id, s.past, s.now, ST_X(ST_PointOnSurface(s.geom)) x, ST_Y(ST_PointOnSurface(s.geom)) y
       FROM s JOIN p USING (project_id) WHERE s.past IS NOT NULL AND s.past <> s.now ORDER BY ST_Area(s.geom) DESC LIMIT 1`,
  );
  if (!rows.length) throw new Error('the demo data has no parcel whose status changed after ' + PAST_DATE);
  const r = rows[0];
  probe = { id: r.id, then: r.past, now: r.now, at: [r.x, r.y] };
  centre = [r.x, r.y];
});
afterAll(async () => browser?.close());

const monthIndex = (m: string) => {
  const [y, mm] = m.split('-').map(Number);
  const [fy, fm] = FIRST_MONTH.split('-').map(Number);
  return (y - fy) * 12 + (mm - fm);
};

async function setRange(page: Page, scope: string, month: string): Promise<void> {
  await page.locator(`${scope} [data-testid="time-range"]`).first().evaluate((el, i) => {
    (el as HTMLInputElement).value = String(i);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, monthIndex(month));
}

async function settle(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="map-time"][data-loading="false"]', { timeout: 30_000 });
  if (await page.locator('[data-testid="map-compare"]').count()) {
    await page.waitForSelector('[data-testid="map-compare"][data-loading="false"]', { timeout: 30_000 });
    await page.waitForFunction(() => window.__compare!.loaded() && window.__compare!.areTilesLoaded(), undefined, { timeout: 30_000 });
  }
  await page.evaluate(() => window.__zs!.idle());
  // the view moved: its statuses are fetched after the move ends
  await page.waitForSelector('[data-testid="map-time"][data-loading="false"]', { timeout: 30_000 });
}

async function jump(page: Page, zoom: number): Promise<void> {
  await page.evaluate(({ c, z }) => window.__map!.jumpTo({ center: c, zoom: z }), { c: centre, z: zoom });
  await settle(page);
}

/** the view's bbox as the client asks for it */
const viewBox = (page: Page) => page.evaluate(() => {
  const b = window.__map!.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',');
});

/** the features drawn by an as-of layer: id, state, the tile's (today's) status and the evaluated paint */
const drawn = (page: Page, layer: string, kind: 'fill' | 'line' = 'fill') => page.evaluate(({ l, k }) => {
  const m = window.__map!;
  return m.queryRenderedFeatures({ layers: [l] }).map((f) => ({
    id: Number(f.id),
    state: (f.state as { status?: string | null }).status ?? null,
    today: f.properties.status as string,
    colour: (f.layer.paint as Record<string, unknown>)[`${k}-color`] as Rgba,
    opacity: (f.layer.paint as Record<string, unknown>)[`${k}-opacity`] as number,
  }));
}, { l: layer, k: kind });

describe('parcels and houses as of a past date on the main map', () => {
  it('fills each parcel and house with its status then, as /api/progress/features gives it; identify says the status then', async () => {
    const page = await openMap(browser, `${baseUrl}/?asOf=${PAST_DATE}`);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await settle(page);
      await jump(page, 15.5);
      const box = await viewBox(page);
      for (const [layer, colours, opacity] of [['parcel', COLORS.parcel, 0.85], ['house', COLORS.house, 0.95]] as const) {
        const route = (await getJson<Statuses>(`/api/progress/features?layer=${layer}&asOf=${PAST_DATE}&bbox=${box}`)).body;
        expect(route.truncated).toBe(false);
        const then = new Map(route.features);
        const got = await drawn(page, `zs-asof-${layer}-fill`);
        expect(got.length, `${layer}s drawn`).toBeGreaterThan(layer === 'parcel' ? 20 : 0);
        let differ = 0;
        for (const d of got) {
          // every drawn feature carries the route's status for it (null: not on record, not drawn)
          expect(d.state, `${layer} ${d.id}`).toBe(then.get(d.id) ?? null);
          if (d.state === null) {
            expect(d.opacity).toBe(0);
            continue;
          }
          expect(d.opacity).toBeCloseTo(opacity, 5);
          const want = rgba(colours[d.state as keyof typeof colours]);
          for (const k of ['r', 'g', 'b', 'a'] as const) expect(d.colour[k], `${layer} ${d.id} ${k}`).toBeCloseTo(want[k], 3);
          if (d.state !== d.today) differ++;
        }
        // the past differs from today here: the colours are not today's
        if (layer === 'parcel') expect(differ).toBeGreaterThan(0);
      }
      // today's status fills and outlines are filtered out meanwhile
      for (const l of ['parcel-fill', 'house-fill', 'parcel-line', 'house-line']) {
        expect(await page.evaluate((id) => JSON.stringify(window.__map!.getFilter(id)), l)).toBe(JSON.stringify(['boolean', false]));
      }

      // identify a parcel whose status changed since: the popup gives the status then
      await page.evaluate((at) => window.__map!.jumpTo({ center: at, zoom: 17 }), probe.at);
      await settle(page);
      const px = await page.evaluate((at) => {
        const p = window.__map!.project(at);
        const r = window.__map!.getContainer().getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      }, probe.at);
      await page.mouse.click(px.x, px.y);
      const popup = page.locator(`[data-testid="identify"][data-layer="parcel"][data-feature="${probe.id}"]`);
      await popup.waitFor({ timeout: 10_000 });
      await expect(popup.locator('[data-testid="identify-asof"]').getAttribute('data-status')).resolves.toBe(probe.then);
      await expect(popup.locator('[data-testid="identify-asof"]').textContent()).resolves.toContain(`${PAST_DATE} 时状态`);
      await page.screenshot({ path: path.join(outDir, 'map-time-parcel-popup-zh.png') });

      await page.keyboard.press('Escape');
      await page.evaluate(() => document.querySelector<HTMLButtonElement>('.maplibregl-popup-close-button')?.click());
      await jump(page, 15.5);
      await page.screenshot({ path: path.join(outDir, 'map-time-parcels-zh.png') });

      // back to today: the as-of copies go, today's fills come back
      await page.click('[data-testid="map-time-today"]');
      await settle(page);
      expect(await page.evaluate(() => window.__map!.getLayoutProperty('zs-asof-parcel-fill', 'visibility'))).toBe('none');
      expect(await page.evaluate(() => window.__map!.getFilter('parcel-fill') ?? null)).toBeNull();
      // the editor comes back whole (a link with ?asOf= hid it before the map loaded)
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});

describe('two-date compare (对比) on the main map', () => {
  const pctOf = (page: Page, map: '__map' | '__compare', ids: number[]) => page.evaluate(({ m, ids }) => {
    const mm = (window as unknown as Record<string, import('maplibre-gl').Map>)[m];
    return ids.map((id) => [id, (mm.getFeatureState({ source: 'zs-red_line', id }) as { pct?: number | null }).pct ?? null]);
  }, { m: map, ids });

  it('shows date A left and date B right of a divider the user drags or moves by keys; moves are synced; leaving removes the second map', async () => {
    const a = (await getJson<MapProgress>(`/api/progress/map?asOf=${OTHER_DATE}`)).body;
    const b = (await getJson<MapProgress>(`/api/progress/map?asOf=${PAST_DATE}`)).body;
    const ids = b.projects.map((p) => p.id);
    const page = await openMap(browser, `${baseUrl}/`);
    try {
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(1);
      await page.click('[data-testid="map-time-open"]');
      await page.click('[data-testid="map-compare-open"]');
      await page.waitForSelector('[data-testid="map-compare"]');
      await settle(page);
      // A a year back, B today: a side in the past, so no editing
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(0);

      await setRange(page, '[data-testid="map-time-a"]', OTHER_MONTH);
      await setRange(page, '[data-testid="map-compare-b"]', PAST_MONTH);
      await settle(page);
      await expect(page.locator('[data-testid="map-compare-badge"]').textContent()).resolves.toBe(`对比 ${OTHER_DATE} ⇄ ${PAST_DATE}`);
      await expect(page.locator('[data-testid="map-compare-a-label"]').textContent()).resolves.toBe(`A · ${OTHER_DATE}`);
      await expect(page.locator('[data-testid="map-compare-b-label"]').textContent()).resolves.toBe(`B · ${PAST_DATE}`);
      const want = (p: MapProgress) => Object.fromEntries(ids.map((id) => [id, p.projects.find((x) => x.id === id)?.pct ?? null]));
      expect(Object.fromEntries(await pctOf(page, '__map', ids))).toEqual(want(a));
      expect(Object.fromEntries(await pctOf(page, '__compare', ids))).toEqual(want(b));
      expect(want(a)).not.toEqual(want(b));

      // the second map shows the right of the divider only
      const clip = () => page.locator('[data-testid="map-compare"] .second').evaluate((el) => (el as HTMLElement).style.clipPath);
      await expect(clip()).resolves.toBe('inset(0px 0px 0px 50%)');
      // keys: five steps left, then End / Home
      await page.focus('[data-testid="map-compare-divider"]');
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
      await expect(page.locator('[data-testid="map-compare"]').getAttribute('data-split')).resolves.toBe('40.0');
      await expect(page.locator('[data-testid="map-compare-divider"]').getAttribute('aria-valuenow')).resolves.toBe('40');
      await expect(clip()).resolves.toBe('inset(0px 0px 0px 40%)');
      // dragging: the divider follows the pointer to 70 % of the map's width
      const host = (await page.locator('[data-testid="map-compare"]').boundingBox())!;
      const grip = (await page.locator('[data-testid="map-compare-divider"]').boundingBox())!;
      await page.mouse.move(grip.x + grip.width / 2, host.y + host.height / 2);
      await page.mouse.down();
      await page.mouse.move(host.x + host.width * 0.6, host.y + host.height / 2, { steps: 4 });
      await page.mouse.move(host.x + host.width * 0.7, host.y + host.height / 2, { steps: 4 });
      await page.mouse.up();
      expect(Number(await page.locator('[data-testid="map-compare"]').getAttribute('data-split'))).toBeCloseTo(70, 0);

      // moves are synced both ways
      await page.evaluate((c) => window.__map!.jumpTo({ center: c, zoom: 15 }), centre);
      const sameView = () => page.evaluate(() => {
        const [m, c] = [window.__map!, window.__compare!];
        return Math.abs(m.getZoom() - c.getZoom()) < 1e-9 && m.getCenter().distanceTo(c.getCenter()) < 0.01;
      });
      expect(await sameView()).toBe(true);
      await page.evaluate(() => window.__compare!.panBy([120, 40], { animate: false }));
      expect(await sameView()).toBe(true);
      await page.evaluate((c) => window.__map!.jumpTo({ center: c, zoom: 15.5 }), centre);
      await settle(page);
      // parcels on both sides: each map's own statuses for its date
      const statusesOn = (m: '__map' | '__compare') => page.evaluate((mm) => {
        const map = (window as unknown as Record<string, import('maplibre-gl').Map>)[mm];
        return map.queryRenderedFeatures({ layers: ['zs-asof-parcel-fill'] }).length;
      }, m);
      expect(await statusesOn('__map')).toBeGreaterThan(0);
      expect(await statusesOn('__compare')).toBeGreaterThan(0);
      const box = await viewBox(page);
      const bRoute = new Map((await getJson<Statuses>(`/api/progress/features?layer=parcel&asOf=${PAST_DATE}&bbox=${box}`)).body.features);
      const bDrawn = await page.evaluate(() => window.__compare!.queryRenderedFeatures({ layers: ['zs-asof-parcel-fill'] })
        .map((f) => [Number(f.id), (f.state as { status?: string | null }).status ?? null] as [number, string | null]));
      for (const [id, s] of bDrawn) expect(s, `parcel ${id} on B`).toBe(bRoute.get(id) ?? null);
      await page.screenshot({ path: path.join(outDir, 'map-compare-zh.png') });

      // A today, B past: still no editing; leaving compare removes the second map and brings editing back
      const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      await setRange(page, '[data-testid="map-time-a"]', thisMonth);
      await settle(page);
      await expect(page.locator('[data-testid="map-compare-badge"]').textContent()).resolves.toBe(`对比 今天 ⇄ ${PAST_DATE}`);
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(0);
      await page.click('[data-testid="map-compare-end"]');
      await page.waitForSelector('[data-testid="map-compare"]', { state: 'detached' });
      expect(await page.evaluate(() => window.__compare === undefined)).toBe(true);
      expect(await page.locator('[data-testid="map-compare-badge"]').count()).toBe(0);
      await settle(page);
      expect(await page.locator('[data-testid="draw-red-line"]').count()).toBe(1);
    } catch (e) {
      await page.screenshot({ path: path.join(outDir, 'map-compare-failed.png') });
      throw e;
    } finally {
      await page.close();
    }
  }, 180_000);

  it('opens comparing the dates a shared URL carries (?asOf=&compare=), and says so when the compare date is no date', async () => {
    const page = await openMap(browser, `${baseUrl}/?asOf=${OTHER_DATE}&compare=${PAST_DATE}`);
    try {
      await settle(page);
      await expect(page.locator('[data-testid="map-compare-badge"]').textContent()).resolves.toBe(`对比 ${OTHER_DATE} ⇄ ${PAST_DATE}`);
      await expect(page.locator('[data-testid="map-compare-b"] [data-testid="time-label"]').textContent()).resolves.toContain(PAST_DATE);
      const b = (await getJson<MapProgress>(`/api/progress/map?asOf=${PAST_DATE}`)).body;
      const ids = b.projects.map((p) => p.id);
      expect(Object.fromEntries(await pctOf(page, '__compare', ids))).toEqual(Object.fromEntries(b.projects.map((p) => [p.id, p.pct])));
      // the second map has the red lines the main map fetched after it was made
      expect(await page.evaluate(() => window.__compare!.querySourceFeatures('zs-red_line').length)).toBeGreaterThan(0);
      await page.click('[data-testid="map-compare-end"]');
      await page.waitForFunction(() => !new URL(location.href).searchParams.has('compare'));
    } finally {
      await page.close();
    }
    const bad = await openMap(browser, `${baseUrl}/?compare=2022-02-30`);
    try {
      await expect(bad.locator('body').textContent()).resolves.toContain('compare=2022-02-30 无效');
      expect(await bad.locator('[data-testid="map-compare"]').count()).toBe(0);
    } finally {
      await bad.close();
    }
  }, 180_000);
});
