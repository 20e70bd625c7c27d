// The basemap switcher in the browser: an app of its own whose BASEMAPS names a local XYZ server
// (tests/fixtures/basemaps/xyz-server.ts, standing in for a remote service) and a 天地图 key of the
// right shape. The offline map is the default; picking the local source draws its tiles (relayed by
// the server) under the data with its attribution; the offline map comes back. Every request the page
// makes is watched: none leaves the machine, and none names an upstream or the key.
// Screenshots: tests/.output/basemap-local.png, basemap-tianditu-vec.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig, projectRoot } from '../../server/config.ts';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { getJson } from '../helpers/db.ts';
import { startXyzServer, type XyzServer } from '../fixtures/basemaps/xyz-server.ts';

const outDir = path.join(projectRoot, 'tests/.output');
const DUMMY_KEY = 'fedcba9876543210fedcba9876543210';
const ATTRIBUTION = '© 本地测试瓦片 Local test tiles';

let xyz: XyzServer;
let app: FastifyInstance;
let origin: string;
let browser: Browser;
let page: Page;
/** every URL the page asked for */
const asked: string[] = [];
/** requests that would have left the machine (aborted) */
const outside: string[] = [];

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  xyz = await startXyzServer();
  const { TIANDITU_KEY: _k, BASEMAPS: _b, ...rest } = process.env;
  const { basemaps: configured } = loadConfig({
    ...rest,
    TIANDITU_KEY: DUMMY_KEY,
    BASEMAPS: JSON.stringify([{ id: 'local', title: { zh: '本地瓦片', en: 'Local tiles' }, url: `${xyz.origin}/xyz/{z}/{x}/{y}.png`, attribution: ATTRIBUTION, datum: 'WGS84', maxzoom: 18 }]),
  });
  // 天地图's basemaps as configured, their upstreams moved to the local server (map tiles and
  // annotation tiles apart): nothing asks 天地图 itself
  const basemaps = configured.map((b) => (b.id.startsWith('tianditu')
    ? { ...b, layers: b.layers.map((l, i) => ({ ...l, url: `${xyz.origin}/${i === 0 ? 'xyz' : 'anno'}/{z}/{x}/{y}.png` })) }
    : b));
  const info = (await getJson('/health')).body.database;
  app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 2, info }, basemaps, webRoot: path.join(projectRoot, 'dist/web') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await launchChromium();
  // the suite's session cookie is the host's (cookies do not name a port): the tester is logged in here too
  page = await newPage(browser);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    asked.push(url);
    if (new URL(url).hostname !== '127.0.0.1') {
      outside.push(url);
      return route.abort();
    }
    return route.continue();
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
  await page.evaluate(() => window.__zs!.idle());
}, 180_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await app?.close();
  await xyz?.close();
});

/**
 * Pixels of the map's canvas tinted by the tile's magenta: the data's translucent fills and the
 * district mask draw over it, so near it rather than equal (no colour of the offline map is near it).
 */
const tilePixels = (p: Page) => p.evaluate(() => {
  const gl = window.__map!.getCanvas();
  const c = document.createElement('canvas');
  c.width = gl.width;
  c.height = gl.height;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(gl, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let tinted = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 110 && d[i + 2] > 150) tinted++;
  return { tinted, all: d.length / 4 };
});

const baseVisible = (p: Page) => p.evaluate(() => window.__zs!.app.layers.filter((l) => l.info.group === 'base').map((l) => [l.info.id, l.visible]));

describe('the basemap switcher', () => {
  it('starts on the offline map, offering 天地图 and the configured source', async () => {
    const switcher = page.getByTestId('basemap-switcher');
    await expect.poll(() => switcher.isVisible()).toBe(true);
    expect(await switcher.locator('label').allInnerTexts()).toEqual(['离线底图（演示）', '天地图 矢量', '天地图 影像', '天地图 地形', '本地瓦片']);
    expect(await switcher.locator('input:checked').getAttribute('value')).toBe('offline');
    expect(await page.locator('.maplibregl-ctrl-attrib').count()).toBe(0);
    expect(xyz.requests).toEqual([]);
    expect((await tilePixels(page)).tinted).toBe(0);
  });

  it('draws the local source\'s tiles, relayed by the server, with its attribution', async () => {
    await page.getByTestId('basemap-switcher').getByText('本地瓦片').click();
    await page.evaluate(() => window.__zs!.idle());
    expect(xyz.requests.length).toBeGreaterThan(0);
    const zoom = Math.round(await page.evaluate(() => window.__map!.getZoom()));
    for (const r of xyz.requests) expect(r).toMatch(new RegExp(`^/xyz/(${zoom - 1}|${zoom}|${zoom + 1})/\\d+/\\d+\\.png$`));
    await expect.poll(() => page.locator('.maplibregl-ctrl-attrib').innerText()).toContain(ATTRIBUTION);
    await page.screenshot({ path: path.join(outDir, 'basemap-local.png') });
    // the tiles show through where no data layer covers them (the synthetic base layers are off)
    const { tinted, all } = await tilePixels(page);
    expect(tinted / all).toBeGreaterThan(0.5);
    expect((await baseVisible(page)).filter(([, v]) => v)).toEqual([]);
    // the raster is under every data layer
    const order = await page.evaluate(() => window.__map!.getStyle().layers.map((l) => l.id));
    expect(order.slice(0, 2)).toEqual(['background', 'zs-basemap-local-0']);
  });

  it('goes back to the offline map: tiles, attribution gone, synthetic base layers back', async () => {
    await page.getByTestId('basemap-switcher').getByText('离线底图（演示）').click();
    await page.evaluate(() => window.__zs!.idle());
    expect((await tilePixels(page)).tinted).toBe(0);
    expect(await page.locator('.maplibregl-ctrl-attrib').count()).toBe(0);
    expect((await baseVisible(page)).every(([, v]) => v)).toBe(true);
  });

  it('draws 天地图 矢量 as its map with the annotation layer above it, credited to 天地图', async () => {
    const before = xyz.requests.length;
    await page.getByTestId('basemap-switcher').getByText('天地图 矢量').click();
    await page.evaluate(() => window.__zs!.idle());
    const asked = xyz.requests.slice(before);
    expect(asked.some((r) => r.startsWith('/xyz/'))).toBe(true);
    expect(asked.some((r) => r.startsWith('/anno/'))).toBe(true);
    const order = await page.evaluate(() => window.__map!.getStyle().layers.map((l) => l.id));
    expect(order.slice(0, 3)).toEqual(['background', 'zs-basemap-tianditu_vec-0', 'zs-basemap-tianditu_vec-1']);
    expect(order.filter((l) => l.startsWith('zs-basemap-'))).toHaveLength(2);
    await expect.poll(() => page.locator('.maplibregl-ctrl-attrib').innerText()).toContain('天地图');
    expect(await page.locator('.maplibregl-ctrl-attrib').innerText()).not.toContain(ATTRIBUTION);
    expect((await tilePixels(page)).tinted / (await tilePixels(page)).all).toBeGreaterThan(0.5);
    await page.screenshot({ path: path.join(outDir, 'basemap-tianditu-vec.png') });
    await page.getByTestId('basemap-switcher').getByText('离线底图（演示）').click();
    await page.evaluate(() => window.__zs!.idle());
    expect((await baseVisible(page)).every(([, v]) => v)).toBe(true);
  });

  it('asks only this machine, and never names an upstream or the key', () => {
    expect(outside).toEqual([]);
    expect(asked.some((u) => u.includes('/basemaps/local/'))).toBe(true);
    expect(asked.filter((u) => u.includes(DUMMY_KEY) || u.includes('tianditu.gov.cn') || u.startsWith(xyz.origin))).toEqual([]);
  });
});
