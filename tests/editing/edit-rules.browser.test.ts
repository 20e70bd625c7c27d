// The editor's rules in the browser, as a 贵城 command-post editor: their own parcel's history in
// people's words (display name, field titles, 恢复到第 1 版); a vertex dragged into the neighbouring
// parcel warns before save and the save is refused naming it; selecting a 港城 parcel clears the last
// "已保存" and shows its form read-only with the reason, 编辑所选 and 恢复此版本 disabled.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { createAccount, parcelFeature } from '../features/helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const baseUrl = inject('appUrl').replace(/\/$/, '');
const shots = path.join(root, 'tests/web/screenshots');
/** the map and the editor answer slowly on a loaded machine */
const WAIT = { timeout: 30_000 };
const hasChromium = existsSync('/usr/bin/chromium');
if (!hasChromium) console.log('editing/edit-rules.browser.test: skipped, /usr/bin/chromium is not installed');

/** A 0.001° square parcel of project 1 with its south-west corner at (x, y). */
function square(x: number, y: number, properties: Record<string, unknown>) {
  const f = parcelFeature(properties);
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  f.geometry = { type: 'Polygon', coordinates: [[[x, y], [r(x + 0.001), y], [r(x + 0.001), r(y + 0.001)], [x, r(y + 0.001)], [x, y]]] };
  return f;
}

describe.skipIf(!hasChromium)('the editor\'s rules, for a 贵城 editor', () => {
  let browser: Browser;
  let page: Page;
  const pool = useTestPool();
  let own: { id: number; code: string };
  let neighbour: { id: number; code: string };
  let foreign: { id: number; lon: number; lat: number };
  const X = 109.55, Y = 23.08; // in 贵城, where no parcel, house, problem or red line lies

  beforeAll(async () => {
    const username = `guicheng-${process.pid}-${Date.now()}`;
    const s = await createAccount(username, '李贵城', ['editor'], ['guicheng']);
    const as = (method: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
      api(url, { who: null, method, body: body === undefined ? undefined : JSON.stringify(body),
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body === undefined ? {} : { 'content-type': 'application/merge-patch+json' }), ...headers } });
    // the editor's own parcel, written three times (an attribute changed, then the first version restored), and its neighbour to the east
    const made = await as('POST', '/ogc/collections/parcel/items', square(X, Y, { owner_name: '原权利人' }), { 'content-type': 'application/geo+json' });
    expect(made.status, await made.clone().text()).toBe(201);
    const body = await made.json();
    own = { id: body.id, code: body.properties.code };
    const changed = await as('PATCH', `/ogc/collections/parcel/items/${own.id}`, { properties: { owner_name: '改后权利人' } }, { 'If-Match': made.headers.get('etag')! });
    expect(changed.status).toBe(200);
    const restored = await as('POST', `/ogc/collections/parcel/items/${own.id}/history/1/restore`, undefined, { 'If-Match': changed.headers.get('etag')! });
    expect(restored.status).toBe(200);
    const next = await as('POST', '/ogc/collections/parcel/items', square(X + 0.001, Y, {}), { 'content-type': 'application/geo+json' });
    expect(next.status).toBe(201);
    const nb = await next.json();
    neighbour = { id: nb.id, code: nb.properties.code };
    // a 港城 demo parcel with a history (signed), and a spot on it clear of houses and problems
    const { rows } = await pool.query(`
      SELECT p.id, ST_X(s.pt) AS lon, ST_Y(s.pt) AS lat FROM parcel p
        CROSS JOIN LATERAL (SELECT ST_PointOnSurface(ST_Difference(p.geom, coalesce((SELECT ST_Union(ST_Buffer(h.geom, 0.0001)) FROM house h WHERE ST_Intersects(h.geom, p.geom)), ST_SetSRID('POLYGON EMPTY'::geometry, 4490)))) AS pt) s
       WHERE p.status = 'signed' AND p.area_m2 > 3000 AND p.code LIKE 'XM%'
         AND EXISTS (SELECT 1 FROM command_area a WHERE a.code = 'gangcheng' AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom)))
         AND NOT EXISTS (SELECT 1 FROM problem q WHERE q.geom IS NOT NULL AND ST_DWithin(q.geom, s.pt, 0.0003))
         AND NOT ST_IsEmpty(s.pt)
       ORDER BY p.id LIMIT 1`);
    foreign = rows[0];

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await context.addCookies([{ name: 'zs_session', value: s.token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    page = await context.newPage();
    await page.goto(`${baseUrl}/?lang=zh&layer=parcel&feature=${own.id}`);
    await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 17 }), [X + 0.001, Y + 0.0005]);
    await page.evaluate(() => window.__zs!.idle());
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const pixel = (lon: number, lat: number) => page.evaluate(([x, y]) => {
    const p = window.__map!.project([x, y]);
    const box = window.__map!.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, [lon, lat]);

  it('shows its own parcel\'s history in people\'s words', async () => {
    const c = await pixel(X + 0.0005, Y + 0.0005);
    await page.mouse.click(c.x, c.y);
    const edit = page.getByTestId('edit-selected');
    await expect.poll(() => edit.isEnabled(), WAIT).toBe(true);
    await edit.click();
    const history = page.getByTestId('history');
    await expect.poll(() => history.locator('li').count(), WAIT).toBe(3);
    expect(await history.getByTestId('author').allInnerTexts()).toEqual(['李贵城', '李贵城', '李贵城']);
    expect(await history.getByTestId('reason').allInnerTexts()).toEqual(['说明：恢复到第 1 版']);
    const changed = await history.getByTestId('changed').allInnerTexts();
    expect(changed[0]).toBe('变更：权利人');
    expect(changed.join(' ')).not.toMatch(/[a-z]_[a-z]/); // no column names
    await page.getByTestId('editor').screenshot({ path: path.join(shots, 'edit-history-zh.png') });
  });

  it('warns while a vertex is dragged into the neighbour, and the save is refused naming it', async () => {
    // the identify popup of the parcel being edited is out of the way (it would cover the vertex)
    expect(await page.locator('.maplibregl-popup').evaluate((e) => getComputedStyle(e).visibility)).toBe('hidden');
    const corner = await pixel(X + 0.001, Y + 0.001); // the shared edge's north end
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.down();
    await page.mouse.move(corner.x + 30, corner.y, { steps: 8 });
    await page.mouse.up();
    const warning = page.getByTestId('overlap-warning');
    await expect.poll(() => warning.count(), WAIT).toBe(1);
    expect(await warning.innerText()).toMatch(new RegExp(`与宗地“${neighbour.code}”（要素编号 ${neighbour.id}）重叠约 [\\d,.]+ 平方米，保存时将被拒绝`));
    await page.screenshot({ path: path.join(shots, 'edit-overlap-zh.png') });
    await page.getByTestId('save').click();
    const refused = page.getByTestId('general-error');
    await expect.poll(() => refused.count(), WAIT).toBe(1);
    expect(await refused.innerText()).toContain(`与同一项目红线内的宗地“${neighbour.code}”（要素编号 ${neighbour.id}）重叠`);
    // undone (撤销 takes back the drag's steps one by one), the warning goes and the save goes through
    const undo = page.getByTestId('undo');
    for (let i = 0; i < 50 && (await undo.isEnabled()); i++) await undo.click();
    await expect.poll(() => warning.count(), WAIT).toBe(0);
    await page.getByTestId('save').click();
    await expect.poll(() => page.locator('.notice').innerText(), WAIT).toContain('已保存（版本 4）');
  });

  it('a 港城 parcel: the last 已保存 is gone, the form is read-only with the reason, 编辑所选 and 恢复此版本 disabled', async () => {
    await page.getByTestId('editor').getByRole('button', { name: '取消' }).click();
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 18 }), [foreign.lon, foreign.lat]);
    await page.evaluate(() => window.__zs!.idle());
    const c = await pixel(foreign.lon, foreign.lat);
    await page.mouse.click(c.x, c.y);
    const refusal = page.getByTestId('form-refusal');
    await expect.poll(() => refusal.count(), WAIT).toBe(1);
    expect(await page.locator('.notice').count()).toBe(0);
    expect(await refusal.innerText()).toBe('只能查看：此要素属于港城片区，不在您负责的片区指挥部范围内（您负责：贵城片区），不能修改');
    expect(await page.getByTestId('edit-selected').isDisabled()).toBe(true);
    expect(await page.locator('input[name="owner_name"]').isDisabled()).toBe(true);
    expect(await page.locator('select[name="status"]').isDisabled()).toBe(true);
    expect(await page.getByTestId('save').isDisabled()).toBe(true);
    const restores = page.locator('[data-testid^="restore-"]');
    expect(await restores.count()).toBeGreaterThan(0);
    expect(await restores.evaluateAll((bs) => bs.every((b) => (b as HTMLButtonElement).disabled))).toBe(true);
    expect(await page.getByTestId('history').getByTestId('author').first().innerText()).toBe('演示数据');
    await page.screenshot({ path: path.join(shots, 'edit-out-of-scope-zh.png') });
    // another click on the map still selects (a read-only form does not hold the map's clicks)
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 17 }), [X + 0.001, Y + 0.0005]);
    await page.evaluate(() => window.__zs!.idle());
    const back = await pixel(X + 0.0005, Y + 0.0005);
    await page.mouse.click(back.x, back.y);
    await expect.poll(() => refusal.count(), WAIT).toBe(0);
    await expect.poll(() => page.getByTestId('edit-selected').isEnabled(), WAIT).toBe(true);
  });
});
