// Measure and locate in a real browser: a distance and an area measured by clicking, their displayed
// figures against PostGIS geography (and the GK plane figures against ST_Transform); Esc cancels; go to
// GK X/Y with and without the zone in front (the map's centre against cs2cs, 1 mm); a bad coordinate
// named; the cursor readout switching between degrees, 度分秒 and GK X/Y.
// Screenshots: tests/.output/measure-zh.png, measure-goto-zh.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { useTestPool } from '../helpers/db.ts';
import { cs2csToGk, cs2csToLonLat, hasProgram } from '../helpers/tools.ts';
import { gaussKrugerEpsg } from '../../geo/crs.ts';
import { geodesicDistance } from '../../geo/measure.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const hasCs2cs = hasProgram('cs2cs', [], 'web/measure.test (go-to part)', 'proj-bin');
const pool = useTestPool();

/** the numbers in a displayed figure: '1.235 km (1,234.56 m)' → [1.235, 1234.56] */
const numbers = (s: string) => (s.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((n) => Number(n.replaceAll(',', '')));

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('measure and locate', () => {
  let browser: Browser;
  let page: Page;
  let mapBox: { x: number; y: number };
  const pageErrors: string[] = [];

  /** integer page pixels of a lon/lat, and the lon/lat MapLibre gives for exactly those pixels */
  async function pixel(lon: number, lat: number): Promise<{ x: number; y: number; lngLat: [number, number] }> {
    const p = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon, lat]);
    const px = Math.round(p.x), py = Math.round(p.y);
    const ll = await page.evaluate(([x, y]) => window.__map!.unproject([x, y]).toArray(), [px, py]);
    return { x: mapBox.x + px, y: mapBox.y + py, lngLat: ll as [number, number] };
  }

  async function clickAll(pts: { x: number; y: number }[]): Promise<void> {
    for (const [i, p] of pts.entries()) {
      if (i === pts.length - 1) await page.mouse.dblclick(p.x, p.y);
      else await page.mouse.click(p.x, p.y);
      await page.waitForTimeout(120);
    }
  }

  async function postgis(wkt: string, zone: number): Promise<{ length: number; area: number; planarLength: number; planarArea: number }> {
    const { rows } = await pool.query(
      `WITH g AS (SELECT ST_GeomFromText($1, 4490) g)
       SELECT ST_Length(CASE WHEN GeometryType(g) = 'POLYGON' THEN ST_Boundary(g) ELSE g END::geography) AS length,
              ST_Area(g::geography) AS area,
              ST_Length(ST_Transform(CASE WHEN GeometryType(g) = 'POLYGON' THEN ST_Boundary(g) ELSE g END, $2::int)) AS planar_length,
              ST_Area(ST_Transform(g, $2::int)) AS planar_area FROM g`, [wkt, gaussKrugerEpsg(zone, true)]);
    return { length: Number(rows[0].length), area: Number(rows[0].area), planarLength: Number(rows[0].planar_length), planarArea: Number(rows[0].planar_area) };
  }

  /** a red line of the demo district: the map is busy there, so a stray click would identify */
  let site: [number, number];

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    const { rows } = await pool.query(`SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_PointOnSurface(red_line) c FROM project
      WHERE red_line IS NOT NULL ORDER BY ST_Area(red_line::geography) DESC LIMIT 1) s`);
    site = [Number(rows[0].x), Number(rows[0].y)];
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 15 }), site);
    await page.evaluate(() => window.__zs!.idle());
    const b = (await page.locator('[data-testid="map"]').boundingBox())!;
    mapBox = { x: b.x, y: b.y };
  });
  afterAll(async () => browser?.close());

  it('measures a distance by clicking: the figures shown are PostGIS’s, and no feature popup opens', async () => {
    await page.getByTestId('measure-distance-button').click();
    const [lon, lat] = site;
    const pts = [await pixel(lon - 0.006, lat - 0.002), await pixel(lon + 0.001, lat + 0.003), await pixel(lon + 0.007, lat - 0.001)];
    await clickAll(pts);
    const result = page.getByTestId('measure-result');
    await expect.poll(() => result.getAttribute('data-active')).toBe('false');
    expect(await page.locator('.maplibregl-popup').count()).toBe(0);
    expect(await page.evaluate(() => window.__zs!.app.drawing)).toBe(false);

    const zone = Number(/（(\d+)带）/.exec(await result.innerText())![1]);
    const pg = await postgis(`LINESTRING(${pts.map((p) => p.lngLat.join(' ')).join(',')})`, zone);
    const shown = numbers(await page.getByTestId('measure-ellipsoidal').innerText());
    const shownPlanar = numbers(await page.getByTestId('measure-planar').innerText());
    // '1.234 km (1,234.56 m)': the metres, to the centimetre
    expect(Math.abs(shown.at(-1)! - pg.length)).toBeLessThanOrEqual(Math.max(0.005 + 1e-9, pg.length * 1e-4));
    expect(rel(shown.at(-1)!, pg.length)).toBeLessThan(1e-4);
    expect(Math.abs(shownPlanar.at(-1)! - pg.planarLength)).toBeLessThanOrEqual(0.005 + 1e-6);
    expect(pg.length).toBeGreaterThan(1000); // the km form was shown
    expect(shown[0]).toBeCloseTo(pg.length / 1000, 3);
  });

  it('measures an area by clicking: 亩, m² and 公顷 as PostGIS has them, ellipsoidal and planar', async () => {
    await page.getByTestId('measure-area-button').click();
    const [lon, lat] = site;
    const pts = [await pixel(lon - 0.004, lat - 0.003), await pixel(lon + 0.004, lat - 0.0035), await pixel(lon + 0.003, lat + 0.003), await pixel(lon - 0.0035, lat + 0.002)];
    await clickAll(pts);
    const result = page.getByTestId('measure-result');
    await expect.poll(() => result.getAttribute('data-active')).toBe('false');
    expect(await page.locator('.maplibregl-popup').count()).toBe(0);
    const text = await result.innerText();
    expect(text).toMatch(/椭球面积（CGCS2000）/);
    expect(text).toMatch(/高斯平面面积（\d+带）/);
    const zone = Number(/（(\d+)带）/.exec(text)![1]);
    const ring = [...pts, pts[0]].map((p) => p.lngLat.join(' ')).join(',');
    const pg = await postgis(`POLYGON((${ring}))`, zone);
    // '12.35 亩 (8,233.33 m² · 0.8233 公顷)'
    const [mu, m2, ha] = numbers(await page.getByTestId('measure-ellipsoidal').innerText());
    expect(rel(m2, pg.area)).toBeLessThan(1e-4);
    expect(Math.abs(m2 - pg.area)).toBeLessThanOrEqual(0.005 + 1e-6);
    expect(Math.abs(mu - (pg.area * 15) / 10000)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(ha - pg.area / 10000)).toBeLessThanOrEqual(0.00005 + 1e-9);
    const [, pm2] = numbers(await page.getByTestId('measure-planar').innerText());
    expect(Math.abs(pm2 - pg.planarArea)).toBeLessThanOrEqual(0.005 + 1e-6);
    const perimeter = numbers(await page.getByTestId('measure-perimeter').innerText()).at(-1)!;
    expect(Math.abs(perimeter - pg.length)).toBeLessThanOrEqual(0.005 + 1e-6);
    await page.screenshot({ path: path.join(outDir, 'measure-zh.png') });
  });

  it('Esc cancels a measurement being drawn, and clicks identify again', async () => {
    await page.getByTestId('measure-distance-button').click();
    const [lon, lat] = site;
    const a = await pixel(lon - 0.002, lat), b = await pixel(lon + 0.002, lat);
    await page.mouse.click(a.x, a.y);
    await page.waitForTimeout(120);
    await page.mouse.click(b.x, b.y);
    await expect.poll(() => page.getByTestId('measure-ellipsoidal').count()).toBe(1);
    expect(await page.evaluate(() => window.__zs!.app.drawing)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('measure-result').count()).toBe(0);
    expect(await page.evaluate(() => window.__zs!.app.drawing)).toBe(false);
    // the emptied source is drawn on the map's next frames
    await expect.poll(() => page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['zs-measure-line', 'zs-measure-vertex'] }).length)).toBe(0);
    // the red line under the site identifies again
    const s = await pixel(site[0], site[1]);
    await page.mouse.click(s.x, s.y);
    await expect.poll(() => page.locator('.maplibregl-popup').count(), { timeout: 10_000 }).toBe(1);
    await page.locator('.maplibregl-popup-close-button').click();
  });

  it.skipIf(!hasCs2cs)('goes to GK X/Y with the zone in front of Y: the map’s centre within 1 mm of cs2cs', async () => {
    await page.getByTestId('goto-button').click();
    await page.getByTestId('goto-input').fill('X=2555321.4772 Y=37 356913.7684');
    await page.getByTestId('goto-submit').click();
    await page.evaluate(() => new Promise<void>((r) => (window.__map!.isMoving() ? window.__map!.once('moveend', () => r()) : r())));
    const centre = await page.evaluate(() => window.__map!.getCenter().toArray());
    const expected = cs2csToLonLat(gaussKrugerEpsg(37, true), 2555321.4772, 37356913.7684);
    expect(geodesicDistance(centre, expected)).toBeLessThan(0.001);
    await expect(page.getByTestId('goto-found').innerText()).resolves.toMatch(/X=2555321\.477 Y=37356913\.768（37带，取自Y坐标带号）/);
    expect(await page.locator('.maplibregl-marker').count()).toBe(1);
  });

  it.skipIf(!hasCs2cs)('goes to GK X/Y without the zone: zone 36 found from the district, the centre within 1 mm of cs2cs', async () => {
    await page.getByTestId('goto-input').fill('2555539.3356, 664299.1879');
    await page.getByTestId('goto-submit').click();
    await page.evaluate(() => new Promise<void>((r) => (window.__map!.isMoving() ? window.__map!.once('moveend', () => r()) : r())));
    const centre = await page.evaluate(() => window.__map!.getCenter().toArray());
    const expected = cs2csToLonLat(gaussKrugerEpsg(36, false), 2555539.3356, 664299.1879);
    expect(geodesicDistance(centre, expected)).toBeLessThan(0.001);
    await expect(page.getByTestId('goto-found').innerText()).resolves.toMatch(/（36带，按辖区范围判定）/);
    await page.evaluate(() => window.__zs!.idle());
    await page.screenshot({ path: path.join(outDir, 'measure-goto-zh.png') });
  });

  it('names the wrong part of a bad coordinate, and does not move the map', async () => {
    const before = await page.evaluate(() => window.__map!.getCenter().toArray());
    await page.getByTestId('goto-input').fill(`109°75'12"E 23°06'05"N`);
    await page.getByTestId('goto-submit').click();
    const error = page.getByTestId('goto-error');
    await expect(error.innerText()).resolves.toBe(`“109°75'12"E”中的分或秒应小于 60`);
    expect(await error.getAttribute('data-code')).toBe('dms_range');
    expect(await page.evaluate(() => window.__map!.getCenter().toArray())).toEqual(before);
    await page.getByTestId('goto-zone').selectOption('36');
    await page.getByTestId('goto-input').fill('X=2555321.4772 Y=37356913.7684');
    await page.getByTestId('goto-submit').click();
    await expect(error.innerText()).resolves.toBe('Y“37356913.7684”带号为 37，与所选 36 带不符');
    await page.getByTestId('goto-button').click(); // closes it, and the marker goes
    expect(await page.locator('.maplibregl-marker').count()).toBe(0);
  });

  it.skipIf(!hasCs2cs)('reads out the cursor’s position in degrees, 度分秒 and GK X/Y', async () => {
    const readout = page.getByTestId('readout');
    const value = page.getByTestId('readout-value');
    const b = (await page.locator('[data-testid="map"]').boundingBox())!;
    const px = Math.round(b.width / 2) + 37, py = Math.round(b.height / 2) - 23;
    await page.mouse.move(b.x + px, b.y + py);
    const [lon, lat] = await page.evaluate(([x, y]) => window.__map!.unproject([x, y]).toArray(), [px, py]);
    while ((await readout.getAttribute('data-mode')) !== 'decimal') await page.getByTestId('readout-switch').click();
    await page.mouse.move(b.x + px, b.y + py);
    const dec = numbers(await value.innerText());
    expect(Math.abs(dec[0] - lon)).toBeLessThanOrEqual(5e-7);
    expect(Math.abs(dec[1] - lat)).toBeLessThanOrEqual(5e-7);

    // (the switch is off the map: the cursor comes back to the same pixel after each click)
    await page.getByTestId('readout-switch').click();
    await page.mouse.move(b.x + px, b.y + py);
    expect(await readout.getAttribute('data-mode')).toBe('dms');
    await expect(page.getByTestId('readout-switch').innerText()).resolves.toBe('度分秒');
    const [d1, m1, s1, d2, m2, s2] = numbers(await value.innerText());
    expect(Math.abs(d1 + m1 / 60 + s1 / 3600 - lon) * 3600).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(d2 + m2 / 60 + s2 / 3600 - lat) * 3600).toBeLessThanOrEqual(0.005 + 1e-9);

    await page.getByTestId('readout-switch').click();
    await page.mouse.move(b.x + px, b.y + py);
    expect(await readout.getAttribute('data-mode')).toBe('gk');
    const text = await value.innerText();
    const m = /^X=(\d{7}\.\d{3}) Y=(\d{2})(\d{6}\.\d{3})$/.exec(text);
    expect(m, text).not.toBeNull();
    const zone = Number(m![2]);
    expect(zone).toBe(Math.round(lon / 3));
    const [x, y] = cs2csToGk(gaussKrugerEpsg(zone, false), lon, lat);
    expect(Math.abs(Number(m![1]) - x)).toBeLessThanOrEqual(0.0005 + 1e-6);
    expect(Math.abs(Number(m![3]) - y)).toBeLessThanOrEqual(0.0005 + 1e-6);
    // back to degrees: the switch goes round
    await page.getByTestId('readout-switch').click();
    expect(await readout.getAttribute('data-mode')).toBe('decimal');
  });

  it('speaks English when the interface does, the figures the same', async () => {
    const [lon, lat] = site;
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 15 }), site);
    await page.evaluate(() => window.__zs!.idle());
    await page.getByTestId('measure-area-button').click();
    const pts = [await pixel(lon - 0.003, lat - 0.002), await pixel(lon + 0.003, lat - 0.002), await pixel(lon, lat + 0.003)];
    await clickAll(pts);
    const zh = await page.getByTestId('measure-ellipsoidal').getAttribute('data-m2');
    await page.locator('.lang button', { hasText: 'EN' }).click();
    await expect(page.getByTestId('measure-distance-button').innerText()).resolves.toBe('Distance');
    await expect(page.getByTestId('goto-button').innerText()).resolves.toBe('Go to');
    const text = await page.getByTestId('measure-result').innerText();
    expect(text).toMatch(/Ellipsoidal area \(CGCS2000\)/);
    expect(text).toMatch(/Gauss–Krüger plane area \(zone \d+\)/);
    expect(await page.getByTestId('measure-ellipsoidal').innerText()).toMatch(/^[\d,]+\.\d{2} mu \([\d,]+\.\d{2} m² · [\d.]+ ha\)$/);
    expect(await page.getByTestId('measure-ellipsoidal').getAttribute('data-m2')).toBe(zh);
    await page.screenshot({ path: path.join(outDir, 'measure-en.png') });
    await page.keyboard.press('Escape');
    await page.locator('.lang button', { hasText: '中文' }).click();
  });

  it('raised no script error on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
