// Accounts in a real browser against the real server: the login form (and its error), tools shown by
// role, the admin page adding a user who then logs in, the audit page listing a change made here and
// its link opening the feature's history on the map, and military land labelled as restricted for
// those without the grant. Screenshots go to tests/.output/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { polylabel } from '../../web/src/map/labelpoints.ts';
import { launchChromium, newPage, openMap } from '../helpers/browser.ts';
import { api } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const password = inject('testPassword');

let browser: Browser;

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

/** Log in through the form on the page that shows it. */
async function logIn(page: Page, username: string, pw: string): Promise<void> {
  await page.locator('[data-testid="login"] input[name="username"]').fill(username);
  await page.locator('[data-testid="login"] input[name="password"]').fill(pw);
  await page.locator('[data-testid="login-submit"]').click();
}

const waitForMap = (page: Page) => page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });

/** The tools on the map page: which are there. */
const tools = (page: Page) => page.evaluate(() => ({
  editor: document.querySelector('[data-testid="editor"]') !== null,
  drawRedLine: document.querySelector('[data-testid="draw-red-line"]') !== null,
  drawParcel: document.querySelector('[data-testid="draw-parcel"]') !== null,
  conflicts: document.querySelector('[data-testid="conflict-panel"]') !== null,
  exchange: document.querySelector('.exchange') !== null,
}));

describe('the login screen', () => {
  it('is all a logged-out visitor sees; a wrong password says so; the right one opens the map', async () => {
    const page = await newPage(browser, { who: null });
    try {
      await page.goto(`${baseUrl}/?lang=zh`);
      await page.locator('[data-testid="login"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="map"]').count()).toBe(0);

      await logIn(page, 'viewer', 'not-the-password');
      await expect.poll(() => page.locator('[data-testid="login-error"]').innerText()).toBe('用户名或密码错误');
      await page.screenshot({ path: path.join(outDir, 'login-error-zh.png') });

      await logIn(page, 'viewer', password);
      await waitForMap(page);
      expect(await page.locator('[data-testid="login"]').count()).toBe(0);
      expect(await page.locator('[data-testid="user-name"]').innerText()).toBe('viewer');
      expect(await page.locator('[data-testid="user-roles"]').innerText()).toBe('查看');
    } finally {
      await page.close();
    }
  });

  it('speaks English too, and guards the dashboard the same way', async () => {
    const page = await newPage(browser, { who: null });
    try {
      await page.goto(`${baseUrl}/dashboard.html?lang=en`);
      await page.locator('[data-testid="login"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="login-submit"]').innerText()).toBe('Log in');
      await logIn(page, 'viewer', 'still-not-the-password');
      await expect.poll(() => page.locator('[data-testid="login-error"]').innerText()).toBe('Wrong username or password');
      await logIn(page, 'viewer', password);
      await page.locator('[data-testid="dashboard"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="user-name"]').innerText()).toBe('viewer');
    } finally {
      await page.close();
    }
  });
});

describe('an account without a role', () => {
  it('is told so instead of the map, and can log out', async () => {
    const page = await newPage(browser, { who: null });
    try {
      await page.goto(`${baseUrl}/?lang=zh`);
      await logIn(page, 'norole', password);
      const box = page.locator('[data-testid="no-role"]');
      await box.waitFor({ timeout: 30_000 });
      expect(await box.innerText()).toContain('norole');
      await page.screenshot({ path: path.join(outDir, 'no-role-zh.png') });
      await box.locator('button').click();
      await page.locator('[data-testid="login"]').waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
    }
  });
});

describe('tools by role', () => {
  it('a viewer has no edit, import or conflict tools; a planner edits red lines; tester has them all', async () => {
    const viewer = await openMap(browser, `${baseUrl}/?lang=zh`, { who: 'viewer' });
    try {
      expect(await tools(viewer)).toEqual({ editor: false, drawRedLine: false, drawParcel: false, conflicts: false, exchange: false });
      await viewer.locator('[data-testid="user-menu"] button.who').click();
      expect(await viewer.locator('[data-testid="admin-link"]').count()).toBe(0);
      expect(await viewer.locator('[data-testid="change-password"]').count()).toBe(1);
      await viewer.screenshot({ path: path.join(outDir, 'viewer-zh.png') });
    } finally {
      await viewer.close();
    }
    const planner = await openMap(browser, `${baseUrl}/?lang=zh`, { who: 'planner' });
    try {
      expect(await tools(planner)).toEqual({ editor: true, drawRedLine: true, drawParcel: false, conflicts: true, exchange: false });
    } finally {
      await planner.close();
    }
    const editor = await openMap(browser, `${baseUrl}/?lang=zh`, { who: 'editor' });
    try {
      expect(await tools(editor)).toEqual({ editor: true, drawRedLine: false, drawParcel: true, conflicts: false, exchange: false });
    } finally {
      await editor.close();
    }
    const tester = await openMap(browser, `${baseUrl}/?lang=zh`, { who: 'tester' });
    try {
      expect(await tools(tester)).toEqual({ editor: true, drawRedLine: true, drawParcel: true, conflicts: true, exchange: true });
    } finally {
      await tester.close();
    }
  });
});

describe('the admin page', () => {
  it('adds a user (refusals next to the field), who can then log in with the roles given', async () => {
    const page = await newPage(browser, { who: 'admin2' });
    const username = `ui-${Date.now().toString(36)}`;
    const initial = `initial-${Date.now()}`;
    try {
      await page.goto(`${baseUrl}/admin.html?lang=zh`);
      await page.locator('[data-testid="users"] tr[data-username="viewer"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="add-user"]').click();
      const form = page.locator('[data-testid="user-form"]');
      await form.locator('input[name="username"]').fill(username);
      await form.locator('input[name="displayName"]').fill('界面测试员');
      await form.locator('input[name="password"]').fill('short');
      await form.locator('input[name="role"][value="editor"]').check();
      await form.locator('input[name="area"]').first().check();
      await form.locator('[data-testid="save-user"]').click();
      // the server's refusal, next to the password field
      await expect.poll(() => form.locator('[data-testid="error-password"]').count()).toBe(1);
      expect(await form.locator('[data-testid="error-password"]').innerText()).toMatch(/10/);
      await page.screenshot({ path: path.join(outDir, 'admin-user-form-zh.png') });

      await form.locator('input[name="password"]').fill(initial);
      await form.locator('[data-testid="save-user"]').click();
      await expect.poll(() => page.locator('[data-testid="admin-notice"]').innerText()).toContain(username);
      const row = page.locator(`tr[data-username="${username}"]`);
      await row.waitFor();
      expect(await row.innerText()).toMatch(/界面测试员[\s\S]*查看[\s\S]*指挥部录入/);
      await page.screenshot({ path: path.join(outDir, 'admin-users-zh.png'), fullPage: true });
    } finally {
      await page.close();
    }

    const login = await newPage(browser, { who: null });
    try {
      await login.goto(`${baseUrl}/?lang=zh`);
      await login.locator('[data-testid="login"]').waitFor({ timeout: 15_000 });
      await logIn(login, username, initial);
      await waitForMap(login);
      expect(await login.locator('[data-testid="user-name"]').innerText()).toBe('界面测试员');
      expect(await login.locator('[data-testid="user-roles"]').innerText()).toBe('查看、指挥部录入');
      expect((await tools(login)).drawParcel).toBe(true);
    } finally {
      await login.close();
    }
  });

  it('refuses the page to an account without the admin role', async () => {
    const page = await newPage(browser, { who: 'viewer' });
    try {
      await page.goto(`${baseUrl}/admin.html?lang=zh`);
      await page.locator('[data-testid="admin-page"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="admin-page"]').innerText()).toContain('此页面需要管理员角色');
    } finally {
      await page.close();
    }
  });
});

describe('the audit page', () => {
  it('lists a change made here, and its link opens the feature’s history on the map', async () => {
    // a change by tester: a parcel's owner name
    const parcel = (await (await api(`${baseUrl}/api/layers/parcel/features?limit=1`)).json()).features[0];
    const item = await api(`${baseUrl}/ogc/collections/parcel/items/${parcel.id}`);
    const owner = `审计测试-${Date.now()}`;
    const patched = await api(`${baseUrl}/ogc/collections/parcel/items/${parcel.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', 'If-Match': item.headers.get('etag')! },
      body: JSON.stringify({ properties: { owner_name: owner } }),
    });
    expect(patched.status).toBe(200);
    const version = (await patched.json()).properties.version;

    const page = await newPage(browser, { who: 'admin2' });
    try {
      await page.goto(`${baseUrl}/admin.html?view=audit&lang=zh`);
      const audit = page.locator('[data-testid="audit-data"]');
      await audit.locator('tbody tr[data-layer]').first().waitFor({ timeout: 15_000 });
      await audit.locator('select[name="layer"]').selectOption('parcel');
      await audit.locator('input[name="featureId"]').fill(String(parcel.id));
      await audit.locator('[data-testid="audit-filter"]').click();
      const row = audit.locator(`tbody tr[data-layer="parcel"][data-feature="${parcel.id}"]`).first();
      await expect.poll(() => audit.locator('tbody tr[data-layer]').evaluateAll((rs) => rs.every((r) => r.getAttribute('data-feature') === String(rs[0].getAttribute('data-feature'))))).toBe(true);
      await row.waitFor();
      const text = await row.innerText();
      expect(text).toContain('tester');
      expect(text).toContain('征收宗地');
      expect(text).toContain(`版本 ${version}`);
      expect(text).toContain('权利人'); // owner_name, by its Chinese name
      await page.screenshot({ path: path.join(outDir, 'audit-zh.png') });

      // the account events tab lists the logins
      await page.locator('[data-tab="accounts"]').click();
      await page.locator('[data-testid="audit-accounts"] tbody tr[data-event="login"]').first().waitFor({ timeout: 15_000 });

      await page.locator('[data-tab="audit"]').click();
      await audit.locator('select[name="layer"]').selectOption('parcel');
      await audit.locator('input[name="featureId"]').fill(String(parcel.id));
      await audit.locator('[data-testid="audit-filter"]').click();
      await row.waitFor();
      await row.locator('[data-testid="audit-map-link"]').click();
      await page.waitForURL(/\/\?layer=parcel&feature=\d+&history=1/);
      await waitForMap(page);
      const panel = page.locator('[data-testid="history-panel"]');
      await panel.locator(`li[data-version="${version}"]`).waitFor({ timeout: 20_000 });
      expect(await panel.getAttribute('data-feature')).toBe(String(parcel.id));
      expect(await panel.locator(`li[data-version="${version}"]`).innerText()).toContain('tester');
      // the map went to the parcel
      await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.getZoom() > 13, undefined, { timeout: 20_000 });
      const [lon, lat] = polylabel(parcel.geometry.type === 'MultiPolygon' ? parcel.geometry.coordinates[0] : parcel.geometry.coordinates);
      const b = await page.evaluate(() => window.__map!.getBounds().toArray());
      expect(lon).toBeGreaterThan(b[0][0]);
      expect(lon).toBeLessThan(b[1][0]);
      expect(lat).toBeGreaterThan(b[0][1]);
      expect(lat).toBeLessThan(b[1][1]);
      await page.evaluate(() => window.__zs!.idle());
      await page.screenshot({ path: path.join(outDir, 'audit-history-on-map-zh.png') });
    } finally {
      await page.close();
    }
  });
});

describe('military land', () => {
  async function labelAndPopup(who: string) {
    const fc = await (await api(`${baseUrl}/api/layers/military_land/features`, { who: 'military' })).json();
    const f = fc.features[0];
    const [lon, lat] = polylabel(f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates[0] : f.geometry.coordinates);
    const page = await openMap(browser, `${baseUrl}/?lang=zh`, { who });
    try {
      await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 12.5 }), [lon, lat]);
      await page.evaluate(() => window.__zs!.idle());
      const labels = await page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['military_land-label'] }).map((l) => l.properties.name ?? null));
      await page.screenshot({ path: path.join(outDir, `military-${who}-zh.png`) });
      const p = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon, lat]);
      const box = (await page.locator('[data-testid="map"]').boundingBox())!;
      await page.mouse.click(box.x + p.x, box.y + p.y);
      const popup = page.locator('[data-testid="identify"]');
      await popup.waitFor({ timeout: 10_000 });
      return { name: f.properties.name as string, labels, popup: await popup.innerText() };
    } finally {
      await page.close();
    }
  }

  it('is labelled 军事管理区（属性受限） for a viewer, and by its name for the military grant', async () => {
    const viewer = await labelAndPopup('viewer');
    expect(viewer.name).toBeTruthy();
    expect(viewer.labels.length).toBeGreaterThan(0);
    expect(viewer.labels.every((n) => n === null)).toBe(true); // the server sent no names
    expect(viewer.popup).toContain('军事管理区（属性受限）');
    expect(viewer.popup).not.toContain(viewer.name);

    const military = await labelAndPopup('military');
    expect(military.labels).toContain(military.name);
    expect(military.popup).toContain(military.name);
    expect(military.popup).not.toContain('属性受限');
  });
});
