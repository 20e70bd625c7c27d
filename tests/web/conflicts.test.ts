// The planner's flow in a real browser: draw a red line over a cane base, see the live Turf figures,
// then the server's authoritative result. Screenshot: tests/.output/conflicts-zh.png.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { m2ToMu } from '../../geo/units.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

describe('conflict panel', () => {
  let browser: Browser;
  let page: Page;
  const pool = useTestPool();
  /** the red line's layers' features as the map renders them */
  const rendered = (layers: string[]) => page.evaluate((ls) => window.__map!.queryRenderedFeatures({ layers: ls }).length, layers);

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`, { acceptDownloads: true });
  });
  afterAll(async () => browser?.close());

  it('draws a red line over a cane base and shows the live, then the server’s, cane-base 亩', async () => {
    const res = await api(`${baseUrl}/api/layers/cane_base/features?limit=1`);
    const base = (await res.json()).features[0];
    const ring: number[][] = base.geometry.coordinates[0][0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 15 }), [lon, lat]);
    await page.evaluate(() => window.__zs!.idle());

    const panel = page.locator('[data-testid="conflict-panel"]');
    await panel.locator('button.toggle').click();
    await panel.getByRole('button', { name: '绘制红线' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    const at = async (dx: number, dy: number) => {
      const p = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon + dx, lat + dy]);
      return { x: box.x + p.x, y: box.y + p.y };
    };
    const corners = [await at(-0.0015, -0.0012), await at(0.0015, -0.0012), await at(0.0015, 0.0012), await at(-0.0015, 0.0012)];
    for (const c of corners) {
      await page.mouse.click(c.x, c.y);
      await page.waitForTimeout(150);
    }
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toMatch(/实时估算/);
    await panel.getByRole('button', { name: '完成' }).click();
    await expect.poll(() => page.locator('[data-testid="conflict-status"]').innerText(), { timeout: 30_000 }).toMatch(/服务器结果（正式）/);
    const text = await panel.innerText();
    expect(text).toMatch(/椭球面积\(亩\)/);
    expect(text).toMatch(/双高糖料蔗基地\s+[1-9]\d*\.\d{2}\s+[1-9]\d*\.\d{2}/); // ellipsoidal and planar 亩, both > 0
    expect(await page.locator('.maplibregl-popup').count()).toBe(0); // drawing clicks do not identify
    await page.screenshot({ path: path.join(outDir, 'conflicts-zh.png') });
  });

  it('exports one layer’s overlaps as a file: only that layer, its 亩 those of the panel', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    await panel.getByTestId('overlap-layer').selectOption('cane_base');
    await panel.getByTestId('overlap-format').selectOption('geojson');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('overlap-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^压占图斑-双高糖料蔗基地-\d{8}-EPSG45\d\d\.geojson$/);
    const fc = JSON.parse(await readFile((await download.path())!, 'utf8')) as GeoJSON.FeatureCollection;
    expect(fc.features.length).toBeGreaterThan(0);
    expect(new Set(fc.features.map((f) => f.properties!.layer))).toEqual(new Set(['cane_base']));
    const mu = fc.features.reduce((a, f) => a + Number(f.properties!.ellip_mu), 0);
    const shown = Number((await panel.locator('tr[data-layer="cane_base"] td.n').first().innerText()).replace(/,/g, ''));
    expect(Math.abs(mu - shown)).toBeLessThanOrEqual(0.01);
  });

  it('shows what the red line takes by land class, and what that means for the approval', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    const landUse = panel.locator('[data-testid="conflict-landuse"]');
    // the cane base is 0103 旱地: agricultural land, and its legal category row is there in 亩
    await expect.poll(() => landUse.locator('tr[data-category="agricultural"]').innerText()).toMatch(/农用地\s+[1-9]\d*\.\d{2}/);
    const cells = await landUse.locator('tbody tr td:nth-child(2)').allInnerTexts();
    const sum = cells.reduce((a, c) => a + Number(c.replace(/,/g, '')), 0);
    const redLine = Number((await panel.locator('tr.rl td:nth-child(2)').innerText()).replace(/,/g, ''));
    expect(Math.abs(sum - redLine)).toBeLessThanOrEqual(0.02 * cells.length); // each rounded to the hundredth
    await panel.locator('details.classes summary').click();
    expect(await panel.locator('details.classes tr[data-class="0103"]').innerText()).toMatch(/0103\s+旱地/);
    const rules = await panel.locator('[data-testid="conflict-consequences"] li').evaluateAll((li) => li.map((x) => x.getAttribute('data-rule')));
    expect(rules).toEqual(expect.arrayContaining(['cultivated_quota', 'conversion', 'approval_level']));
    await panel.screenshot({ path: path.join(outDir, 'conflicts-landuse-zh.png') });
  });

  it('shows the land classes and 三区三线 live while drawing, then the server’s figures agree', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    const landUse = panel.locator('[data-testid="conflict-landuse"]');
    const categories = async (): Promise<Record<string, number>> => Object.fromEntries(await landUse.locator('tr[data-category]').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-category'), Number(r.children[1].textContent!.replace(/,/g, ''))])));
    // hold the server's answer so the live figures can be read first
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/conflicts', async (route) => {
      await held;
      await route.continue();
    });
    await panel.getByRole('button', { name: '清除' }).click();
    await panel.getByRole('button', { name: '绘制红线' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.32], [0.68, 0.7], [0.32, 0.66]]) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      await page.waitForTimeout(150);
    }
    await panel.getByRole('button', { name: '完成' }).click();
    await expect.poll(() => landUse.getAttribute('data-source'), { timeout: 10_000 }).toBe('live');
    expect(await landUse.locator('thead').innerText()).toMatch(/实时估算\(亩\)/);
    const live = await categories();
    const liveSum = Object.values(live).reduce((a, v) => a + v, 0);
    const liveRedLine = Number((await panel.locator('tr.rl td:nth-child(2)').innerText()).replace(/,/g, ''));
    expect(liveRedLine).toBeGreaterThan(0);
    expect(Math.abs(liveSum - liveRedLine)).toBeLessThanOrEqual(0.01 * Object.keys(live).length); // sums to the red line
    expect(await panel.locator('[data-testid="conflict-planning"] tr[data-line="urban_outside"]').innerText()).toMatch(/城镇开发边界外\s+\d/);
    expect(await panel.locator('[data-testid="conflict-consequences"] li').count()).toBeGreaterThan(0);
    await panel.screenshot({ path: path.join(outDir, 'conflicts-landuse-live-zh.png') });

    release();
    await expect.poll(() => landUse.getAttribute('data-source'), { timeout: 30_000 }).toBe('server');
    await page.unroute('**/api/conflicts');
    const server = await categories();
    // Turf's ellipsoid-scaled live areas against PostGIS's: the same classes, within 1 %
    for (const [category, mu] of Object.entries(server)) {
      if (mu < 0.05) continue;
      expect(Math.abs(live[category] - mu), category).toBeLessThanOrEqual(Math.max(0.02, mu * 0.01));
    }
  });

  it('marks where a drawn red line crosses itself, greys its figures, asks nothing, and repairs it with the server’s ST_MakeValid', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    let asked = 0;
    const count = (r: { url(): string; method(): string }) => { if (r.method() === 'POST' && r.url().endsWith('/api/conflicts')) asked++; };
    page.on('request', count);
    await panel.getByRole('button', { name: '清除' }).click();
    await panel.getByRole('button', { name: '绘制红线' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    // a bow-tie: the first and third edges cross in the middle of the map
    for (const [fx, fy] of [[0.35, 0.3], [0.65, 0.7], [0.65, 0.3], [0.35, 0.7]]) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      await page.waitForTimeout(150);
    }
    await panel.getByRole('button', { name: '完成' }).click();
    const note = panel.getByTestId('conflict-crossed');
    await expect.poll(() => note.count()).toBe(1);
    expect(await note.innerText()).toMatch(/自相交：1 处交叉（如第 1 与第 3 条边/);
    expect(await panel.locator('.figures.crossed').count()).toBe(1);
    await expect.poll(() => rendered(['zs-conflict-draw-crossing'])).toBe(1);
    expect(await rendered(['zs-conflict-draw-line'])).toBeGreaterThan(0); // the crossed ring stays drawn (grey)
    // the marker is where the edges cross: the middle of the map
    const marker = await page.evaluate(() => {
      const f = window.__map!.queryRenderedFeatures({ layers: ['zs-conflict-draw-crossing'] })[0];
      const p = window.__map!.project((f.geometry as GeoJSON.Point).coordinates as [number, number]);
      return [p.x, p.y];
    });
    expect(Math.abs(marker[0] - box.width / 2)).toBeLessThan(3);
    expect(Math.abs(marker[1] - box.height / 2)).toBeLessThan(3);
    expect(asked).toBe(0); // the server would refuse it: not asked
    await page.screenshot({ path: path.join(outDir, 'conflicts-crossed-zh.png') });

    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/conflicts'));
    await panel.getByTestId('conflict-repair').click();
    const body = (await sent).postDataJSON() as { geometry: GeoJSON.Polygon; makeValid: boolean };
    expect(body.makeValid).toBe(true);
    await expect.poll(() => page.locator('[data-testid="conflict-status"]').innerText(), { timeout: 30_000 }).toMatch(/服务器结果（正式）/);
    expect(await note.count()).toBe(0);
    expect(await panel.locator('.figures.crossed').count()).toBe(0);
    expect(await panel.locator('.notes').innerText()).toMatch(/ST_MakeValid 修复为 2 个部分/);
    // the red line's area is PostGIS's area of the repaired bow-tie
    const { rows } = await pool.query<{ m2: number; parts: number }>(
      `SELECT ST_Area(g::geography) m2, ST_NumGeometries(g) parts
         FROM (SELECT ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)), 3) g) s`, [JSON.stringify(body.geometry)]);
    expect(rows[0].parts).toBe(2);
    const shown = Number((await panel.locator('tr.rl td:nth-child(2)').innerText()).replace(/,/g, ''));
    expect(Math.abs(shown - m2ToMu(rows[0].m2))).toBeLessThanOrEqual(0.01);
    await expect.poll(() => rendered(['zs-conflict-draw-crossing'])).toBe(0);
    page.off('request', count);
  });

  it('Esc drops a red line being drawn, and 清除 leaves nothing of the analysis on the map', async () => {
    const panel = page.locator('[data-testid="conflict-panel"]');
    // the first test's red line over the cane base again: overlaps on the map
    await panel.getByRole('button', { name: '清除' }).click();
    await panel.getByRole('button', { name: '绘制红线' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.32], [0.68, 0.7]]) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      await page.waitForTimeout(150);
    }
    expect(await page.evaluate(() => window.__zs!.app.drawing)).toBe(true);
    await expect.poll(() => rendered(['zs-conflict-draw-line', 'zs-conflict-draw-vertex'])).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => window.__zs!.app.drawing)).toBe(false);
    await expect.poll(() => rendered(['zs-conflict-draw-fill', 'zs-conflict-draw-line', 'zs-conflict-draw-vertex'])).toBe(0);
    expect(await panel.locator('table').count()).toBe(0);

    // a finished red line with overlaps, then 清除
    await panel.getByRole('button', { name: '分析已有项目' }).click();
    const pick = panel.getByTestId('conflict-project');
    await expect.poll(() => pick.locator('option:not([disabled])').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await pick.selectOption({ index: 1 });
    await panel.getByRole('button', { name: '分析', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="conflict-status"]').innerText(), { timeout: 30_000 }).toMatch(/服务器结果（正式）/);
    await page.evaluate(() => window.__zs!.idle());
    await panel.getByRole('button', { name: '绘制红线' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => rendered(['zs-conflict-overlaps', 'zs-conflict-candidates', 'zs-conflict-draw-fill', 'zs-conflict-draw-line'])).toBe(0);
  });
});
