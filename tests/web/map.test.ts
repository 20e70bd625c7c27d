// The web client in a real browser against the real server: the map draws every visible layer
// from the app's own data (nothing from the internet), a red line can be identified with its
// attributes in Chinese, and the interface switches to English. Screenshots go to tests/.output/.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { api as appFetch } from '../helpers/db.ts';
import { polylabel } from '../../web/src/map/labelpoints.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

const VIEW_LAYERS = ['parcel', 'farmland', 'cane_base', 'house'];

interface LayerSummary {
  id: string;
  visible: boolean;
  count: number;
  bbox: [number, number, number, number] | null;
}

type Poly = number[][][];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The server serves dist/web as it was when it started (`npm test` builds first). Say so plainly
 * when it is missing, and warn when web/ has changed since.
 */
function checkBuilt(): void {
  const index = path.join(root, 'dist/web/index.html');
  if (!existsSync(index)) throw new Error('dist/web is missing: run `npm run build` before the web test (`npm test` does)');
  if (statSync(index).mtimeMs < newestMtime(path.join(root, 'web'))) {
    process.stderr.write('warning: dist/web is older than web/ — the browser test runs the last build\n');
  }
}

async function api<T>(p: string): Promise<T> {
  const res = await appFetch(`${baseUrl}${p}`);
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

/** A point well inside a (multi)polygon: the pole of inaccessibility of its largest part. */
function insidePoint(g: GeoJSON.Geometry): [number, number] {
  if (g.type === 'Point') return g.coordinates as [number, number];
  const polys: Poly[] = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  if (g.type === 'LineString') return g.coordinates[Math.floor(g.coordinates.length / 2)] as [number, number];
  if (g.type === 'MultiLineString') return g.coordinates[0][Math.floor(g.coordinates[0].length / 2)] as [number, number];
  const span = (p: Poly) => {
    const xs = p[0].map((c) => c[0]);
    const ys = p[0].map((c) => c[1]);
    return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
  };
  const biggest = polys.reduce((a, b) => (span(b) > span(a) ? b : a));
  return polylabel(biggest, 1e-6);
}

async function idle(page: Page): Promise<void> {
  await page.evaluate(() => window.__zs!.idle());
}

async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  // (braces: returning the map object would make Playwright serialise all of it)
  await page.evaluate(([c, z]) => {
    window.__map!.jumpTo({ center: c as [number, number], zoom: z as number });
  }, [center, zoom]);
  await idle(page);
}

async function fitTo(page: Page, bbox: [number, number, number, number], maxZoom = 16): Promise<void> {
  await page.evaluate(([b, z]) => {
    window.__map!.fitBounds(b as [number, number, number, number], { animate: false, maxZoom: z as number, padding: 40 });
  }, [bbox, maxZoom]);
  await idle(page);
}

/** How many features of one data layer MapLibre has drawn in the current view. */
async function rendered(page: Page, layerId: string): Promise<number> {
  return page.evaluate((id) => {
    const map = window.__map!;
    const ids = map.getStyle().layers
      .filter((l) => (l.metadata as Record<string, unknown> | undefined)?.['zs:layer'] === id)
      .map((l) => l.id);
    return map.queryRenderedFeatures({ layers: ids }).length;
  }, layerId);
}

async function setLayerVisible(page: Page, id: string, visible: boolean): Promise<void> {
  const box = page.locator(`[data-testid="layer-panel"] .row[data-layer="${id}"] input[type="checkbox"]`);
  if ((await box.isChecked()) !== visible) await box.click();
}

describe('web client', () => {
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    checkBuilt();
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const origin = new URL(baseUrl).origin;
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith(origin) && !/^(data|blob):/.test(url)) offsite.push(url);
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${baseUrl}/?lang=zh`);
    await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
    await idle(page);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens on the district with the synthetic-data badge, in Chinese, with nothing from the internet', async () => {
    await expect(page.locator('[data-testid="synthetic-badge"]').innerText()).resolves.toContain('演示数据，非真实数据');
    await expect(page.locator('[data-testid="layer-panel"] h2').innerText()).resolves.toBe('图层');
    const district = await api<{ bbox: [number, number, number, number] }>('/api/district');
    const center = await page.evaluate(() => window.__map!.getCenter().toArray());
    expect(center[0]).toBeGreaterThan(district.bbox[0]);
    expect(center[0]).toBeLessThan(district.bbox[2]);
    expect(center[1]).toBeGreaterThan(district.bbox[1]);
    expect(center[1]).toBeLessThan(district.bbox[3]);
    // the overview draws the base map and the project red lines
    for (const id of ['water', 'road', 'place', 'command_area', 'red_line']) expect(await rendered(page, id), id).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(outDir, 'map-zh-overview.png') });
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('renders features of every visible layer', async () => {
    const layers = await page.evaluate(() => window.__zs!.app.layers.map((l) => ({
      id: l.info.id, visible: l.visible, count: l.info.count, bbox: l.info.bbox,
    }))) as LayerSummary[];
    const visible = layers.filter((l) => l.visible && l.count > 0);
    expect(visible.length).toBeGreaterThanOrEqual(15);
    const missing: string[] = [];
    // most layers show on the district overview; the rest are looked for where they are
    await fitTo(page, (await api<{ bbox: [number, number, number, number] }>('/api/district')).bbox);
    const seen = new Set<string>();
    for (const layer of visible) if (!VIEW_LAYERS.includes(layer.id) && (await rendered(page, layer.id)) > 0) seen.add(layer.id);
    for (const layer of visible.filter((l) => !seen.has(l.id))) {
      if (VIEW_LAYERS.includes(layer.id)) {
        // large layers load for the view from zoom 12: go to one of their features
        const fc = await api<GeoJSON.FeatureCollection>(`/api/layers/${layer.id}/features?limit=1`);
        await jumpTo(page, insidePoint(fc.features[0].geometry), 15);
      } else if (layer.bbox) {
        await fitTo(page, layer.bbox);
      }
      const n = await rendered(page, layer.id);
      if (n === 0) missing.push(layer.id);
    }
    expect(missing, 'layers with nothing drawn').toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('identifies a red line with its attributes labelled in Chinese', async () => {
    const fc = await api<GeoJSON.FeatureCollection>('/api/layers/red_line/features?limit=500');
    const withProgress = fc.features.filter((f) => Number(f.properties?.progress_pct) > 0);
    const target = (withProgress.length ? withProgress : fc.features)
      .reduce((a, b) => (Number(b.properties?.area_mu) > Number(a.properties?.area_mu) ? b : a));
    const point = insidePoint(target.geometry);
    // parcels, houses and problems sit on top of red lines: hide them from the panel first
    for (const id of ['problem', 'house', 'parcel', 'resettlement_site']) await setLayerVisible(page, id, false);
    await jumpTo(page, point, 14);
    const xy = await page.evaluate((p) => window.__map!.project(p as [number, number]), point);
    const canvas = await page.locator('.maplibregl-canvas').boundingBox();
    await page.mouse.click(canvas!.x + xy.x, canvas!.y + xy.y);
    const popup = page.locator('[data-testid="identify"]').first();
    await popup.waitFor({ timeout: 10_000 });
    expect(await popup.getAttribute('data-layer')).toBe('red_line');
    const text = await popup.innerText();
    expect(text).toContain('项目红线');
    expect(text).toContain(String(target.properties?.name));
    for (const label of ['编号', '名称', '类型', '项目来源', '年度', '片区指挥部', '土地征收目标', '房屋征收目标', '报批阶段', '征收进度', '面积']) {
      expect(text, label).toContain(label);
    }
    expect(text).toMatch(/亩/);
    expect(text).toMatch(/公顷/);
    // values translated from the vocabulary, not raw keys
    expect(text).not.toMatch(/\b(pre_expropriation|submitted|approved|city_assigned|district_coordinated)\b/);
    // show the parcels again for the screenshot
    for (const id of ['parcel', 'house', 'problem', 'resettlement_site']) await setLayerVisible(page, id, true);
    // put the clicked point in the upper middle so the popup below it fits the screenshot
    await page.evaluate((p) => {
      window.__map!.easeTo({ center: p as [number, number], zoom: 14, offset: [80, -220], duration: 0 });
    }, point);
    await idle(page);
    await page.screenshot({ path: path.join(outDir, 'map-zh.png') });
  });

  it('switches everything visible to English', async () => {
    await page.locator('button[data-lang="en"]').click();
    await expect(page.locator('[data-testid="layer-panel"] h2').innerText()).resolves.toBe('Layers');
    await expect(page.locator('[data-testid="synthetic-badge"]').innerText()).resolves.toContain('Synthetic demo data');
    await expect(page.locator('[data-testid="legend"] h2').innerText()).resolves.toBe('Legend');
    const popup = await page.locator('[data-testid="identify"]').first().innerText();
    expect(popup).toContain('Project red lines');
    expect(popup).toContain('Progress');
    expect(popup).not.toContain('征收进度');
    expect(await page.locator('[data-testid="layer-panel"]').innerText()).toContain('Parcels');
    // the map's own labels follow (red-line progress text)
    const field = await page.evaluate(() => JSON.stringify(window.__map!.getLayoutProperty('red_line-label', 'text-field')));
    expect(field).toContain('done');
    await idle(page);
    await page.screenshot({ path: path.join(outDir, 'map-en.png') });
    await page.locator('button[data-lang="zh"]').click();
    await expect(page.locator('[data-testid="layer-panel"] h2').innerText()).resolves.toBe('图层');
  });

  it('changes a layer’s opacity from the panel', async () => {
    const row = page.locator('[data-testid="layer-panel"] .row[data-layer="red_line"]');
    await row.getByTitle('透明度', { exact: true }).click(); // the row also has the 属性表 button
    const slider = page.locator('[data-testid="layer-panel"] input[type="range"]').first();
    await slider.fill('0.5');
    const o = await page.evaluate(() => window.__map!.getPaintProperty('red_line-line', 'line-opacity'));
    expect(o).toBe(0.5);
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('names each town once: the township boundary’s label gives way to 地名 while it is shown', async () => {
    const places = await api<GeoJSON.FeatureCollection>('/api/layers/place/features?limit=1000');
    const town = places.features.find((f) => f.properties!.kind === 'town')!;
    await jumpTo(page, town.geometry.type === 'Point' ? (town.geometry.coordinates as [number, number]) : [109.6, 23.1], 10.5);
    const labels = () => page.evaluate(() => {
      const map = window.__map!;
      const layers = ['place-label', 'township-label', 'village-label'].filter((l) => map.getLayer(l));
      return map.queryRenderedFeatures({ layers }).map((f) => ({ layer: f.layer.id, name: String(f.properties.name) }));
    });
    const shown = await labels();
    const names = shown.map((l) => l.name);
    expect(names.length, 'labels at zoom 10.5').toBeGreaterThan(2);
    expect(names.filter((n, i) => names.indexOf(n) !== i), 'names drawn twice').toEqual([]);
    expect(shown.filter((l) => l.layer === 'place-label').map((l) => l.name)).toContain(town.properties!.name);
    await page.screenshot({ path: path.join(outDir, 'map-zh-town-names-once.png') });
    // without 地名, the boundaries name their towns themselves
    await setLayerVisible(page, 'place', false);
    await idle(page);
    const byBoundary = await labels();
    expect(byBoundary.filter((l) => l.layer === 'township-label').map((l) => l.name)).toContain(town.properties!.name);
    expect(byBoundary.filter((l) => l.layer === 'place-label')).toEqual([]);
    await setLayerVisible(page, 'place', true);
    await idle(page);
    expect((await labels()).filter((l) => l.layer === 'township-label')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('finds a project by name and flies to its red line, selected', async () => {
    await page.evaluate(() => window.__map!.jumpTo({ center: [109.3, 22.8], zoom: 9 }));
    const { features } = await api<GeoJSON.FeatureCollection>('/api/layers/red_line/features');
    const target = features.find((f) => String(f.properties?.name).includes('港区大道'))!;
    const search = page.locator('[data-testid="project-search"]');
    await search.fill('港区大道');
    await page.locator('li[role="option"] button', { hasText: String(target.properties!.name) }).first().dispatchEvent('mousedown');
    await page.waitForFunction((id) => window.__map!.getFeatureState({ source: 'zs-red_line', id }).selected === true, target.id, { timeout: 15_000 });
    await idle(page);
    const [lon, lat] = insidePoint(target.geometry);
    const bounds = await page.evaluate(() => window.__map!.getBounds().toArray());
    expect(lon).toBeGreaterThan(bounds[0][0]);
    expect(lon).toBeLessThan(bounds[1][0]);
    expect(lat).toBeGreaterThan(bounds[0][1]);
    expect(lat).toBeLessThan(bounds[1][1]);
    await page.screenshot({ path: path.join(outDir, 'map-zh-search.png') });
  });

  it('highlights the feature under the pointer (feature-state hover)', async () => {
    const { features } = await api<GeoJSON.FeatureCollection>('/api/layers/red_line/features');
    const target = features.find((f) => String(f.properties?.name).includes('港区大道'))!;
    const [lon, lat] = insidePoint(target.geometry);
    const pt = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon, lat]);
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    await page.mouse.move(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction(() => {
      const m = window.__map!;
      return m.queryRenderedFeatures().some((f) => m.getFeatureState({ source: f.source, sourceLayer: f.sourceLayer, id: f.id! }).hover === true);
    }, undefined, { timeout: 10_000 });
    await page.mouse.move(box.x + 5, box.y + box.height - 5);
  });
});
