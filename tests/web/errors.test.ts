// Refusals in the user's words: every error code of geo/errors.ts and every import-preview finding
// has a Chinese and an English wording in web/src/i18n/errors.ts, worded from its params, never the
// server's English `message`; and in headless Chromium a real refusal of the server (a parcel's
// status set from 未签约 straight to 已交地; an edit over someone else's) shows in Chinese, or in
// English with ?lang=en, beside the field it names. Screenshots: tests/web/screenshots/errors-*.png.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_CODES, type ErrorParams, IMPORT_ISSUE_CODES } from '../../geo/errors.ts';
import { ApiError, errorText } from '../../web/src/http.ts';
import { ERROR_TEXT, ISSUE_TEXT, issueText, type Lang, wordCode } from '../../web/src/i18n/errors.ts';
import { polylabel } from '../../web/src/map/labelpoints.ts';
import { launchChromium, newPage } from '../helpers/browser.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shots = path.join(root, 'tests/web/screenshots');
const CJK = /[\u4e00-\u9fff]/;
/** three English words in a row: prose, which a Chinese wording must not carry */
const ENGLISH_PROSE = /[A-Za-z]{3,}[ ,:;]+[A-Za-z]{2,}[ ,:;]+[A-Za-z]{2,}/;
const DEV = 'DEVELOPER MESSAGE: status cannot go from unsigned to handed_over';

/** Params of every kind the server sends (server/core/write.ts, features/body.ts, exchange/import.ts). */
const RICH: ErrorParams = {
  field: 'status', layer: 'parcel', id: 12, from: 'unsigned', to: 'handed_over', allowed: ['signed', 'court'], currentVersion: 5, yourVersion: 4,
  location: [109.61234567, 23.1234567], count: 1, total: 3, import: 7, role: 'editor', military: false, retryAfterSeconds: 120, file: 'parcels.zip',
  where: 'line 3', reason: 'Self-intersection', expected: 'date', max: 10_000, referencedBy: 'house', committedBy: 'tester', method: 'GET',
  path: '/api/x', position: [1, 2], version: 3, min: 10, neighbour: { id: 9, code: 'XM2021-001-0009' }, overlapM2: 12.34, others: 1,
  area: 'gangcheng', areas: ['guicheng'],
  refused: [{ ref: 'line 3', error: 'status_transition', message: DEV, params: { field: 'status', from: 'unsigned', to: 'handed_over', allowed: ['signed', 'court'] }, field: 'status' }],
};

const refusal = (code: string, params: ErrorParams = {}, field?: string) => new ApiError(422, code, params, field, DEV);

describe('the wording of refusals', () => {
  it('words every error code in Chinese and English, with or without its params, never with the server\'s message', () => {
    expect(Object.keys(ERROR_TEXT).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      for (const params of [{}, RICH]) {
        const zh = errorText(refusal(code, params), 'zh');
        const en = errorText(refusal(code, params), 'en');
        expect(zh, code).toMatch(CJK);
        expect(zh, code).not.toMatch(ENGLISH_PROSE);
        expect(en, code).not.toBe('');
        expect(en, code).not.toMatch(CJK);
        expect(en, code).not.toMatch(/[“”]/); // straight quotes in English
        for (const s of [zh, en]) {
          expect(s, code).not.toContain(DEV);
          expect(s, code).not.toContain('undefined');
          expect(s, code).not.toContain('[object');
          expect(s, code).not.toContain('null');
          expect(s, code).not.toMatch(/“”|""|\?|#\d+[\u4e00-\u9fff]|：$|:$/); // no empty quotes, no placeholder, no dangling colon
        }
      }
    }
  });

  it('words every import finding in Chinese and English', () => {
    expect(Object.keys(ISSUE_TEXT).sort()).toEqual([...IMPORT_ISSUE_CODES].sort());
    for (const code of IMPORT_ISSUE_CODES) {
      for (const context of [{}, { layer: 'parcel', code: 'ZD-001', status: '已交付' }]) {
        const issue = { code, severity: 'error', message: DEV, location: [109.6, 23.1] as [number, number] };
        const zh = issueText(issue, context, 'zh');
        const en = issueText(issue, context, 'en');
        expect(zh, code).toMatch(CJK);
        expect(zh, code).not.toMatch(ENGLISH_PROSE);
        expect(en, code).not.toBe('');
        for (const s of [zh, en]) {
          expect(s, code).not.toContain(DEV);
          expect(s, code).not.toContain('undefined');
        }
      }
    }
  });

  it('names statuses, fields, layers, roles, versions and the allowed values from the params', () => {
    const transition = refusal('status_transition', { field: 'status', from: 'unsigned', to: 'handed_over', allowed: ['signed', 'court'] }, 'status');
    expect(errorText(transition, 'zh')).toBe('状态不能从“未签约”直接改为“已交地”：下一步只能是“已签约”、“司法征收”');
    expect(errorText(transition, 'en')).toBe('The status cannot go from "Unsigned" straight to "Handed over": next can only be "Signed", "Court route"');
    expect(errorText(refusal('status_transition', { from: 'handed_over', to: 'paid', allowed: [] }), 'zh')).toContain('“已交地”是最终状态');
    expect(errorText(refusal('status_transition', { from: null, to: 'paid', allowed: ['unsigned'] }), 'zh')).toContain('新建的要素状态应为“未签约”');

    const stale = refusal('stale_version', { layer: 'parcel', id: 9, currentVersion: 7, yourVersion: 6 });
    expect(errorText(stale, 'zh')).toContain('现为版本 7');
    expect(errorText(stale, 'zh')).toContain('您编辑的是版本 6');
    expect(errorText(stale, 'en')).toContain('now at version 7');

    expect(errorText(refusal('missing_attribute', { field: 'owner_name', layer: 'parcel' }), 'zh')).toBe('权利人为必填项');
    expect(errorText(refusal('missing_attribute', { field: 'owner_name' }), 'en')).toBe('Owner is required');
    expect(errorText(refusal('wrong_value', { field: 'status', allowed: ['unsigned', 'signed', 'paid', 'handed_over', 'court'] }), 'zh'))
      .toBe('状态的值无效，可选：未签约、已签约、已付款、已交地、司法征收');
    expect(errorText(refusal('wrong_value', { field: 'owner_type', allowed: ['household', 'enterprise'] }), 'en')).toBe('Owner type must be one of: Household, Enterprise');
    expect(errorText(refusal('wrong_type', { field: 'signed_on', expected: 'date' }), 'zh')).toBe('签约日期应填写日期（年-月-日）');
    expect(errorText(refusal('forbidden', { layer: 'parcel', role: 'editor', military: false }), 'zh')).toContain('“征收宗地”');
    expect(errorText(refusal('forbidden', { layer: 'parcel', role: 'editor', military: false }), 'zh')).toContain('“指挥部录入”');
    expect(errorText(refusal('forbidden', { layer: 'red_line', role: 'planner' }), 'en')).toContain('"Planner" role');
    expect(errorText(refusal('not_found', { layer: 'parcel', id: 42 }), 'zh')).toBe('征收宗地 #42 不存在（可能已被删除）');
    expect(errorText(refusal('referenced', { referencedBy: 'house' }), 'zh')).toBe('还有“征收房屋”引用此要素，不能删除');
    expect(errorText(refusal('self_intersection', { field: 'geometry', location: [109.61234567, 23.1234567] }), 'zh'))
      .toBe('图形自相交（边界线交叉）（位置：经度 109.612346，纬度 23.123457），请调整节点后再保存');
    expect(errorText(refusal('invalid_geometry', { reason: 'Hole lies outside shell', location: null }), 'zh')).toBe('图形无效：内环（洞）在外边界之外，请修改后再保存');
    expect(errorText(refusal('invalid_geometry', { reason: 'Some new PostGIS reason' }), 'zh')).not.toMatch(/PostGIS/);
    expect(errorText(refusal('too_many_attempts', { retryAfterSeconds: 300 }), 'zh')).toBe('尝试次数过多，请 5 分钟后再试');
    expect(errorText(refusal('file_unreadable', { file: 'a.csv', where: 'line 40', problem: DEV }), 'zh')).toBe('无法读取文件 a.csv（第 40 行）：文件可能已损坏，或内容与格式不符');
  });

  it('lists the refused features of a batch, each with its place in the file and its own reason', () => {
    const batch = refusal('import_refused', {
      count: 2, total: 5,
      refused: [
        { ref: 'line 3', error: 'status_transition', message: DEV, params: { field: 'status', from: 'unsigned', to: 'handed_over', allowed: ['signed', 'court'] }, field: 'status' },
        { ref: 'feature 4', error: 'missing_attribute', message: DEV, params: { field: 'project_id' }, field: 'project_id' },
      ],
    });
    const zh = errorText(batch, 'zh');
    expect(zh).toBe([
      '5 个要素中有 2 个未通过检查，未写入任何数据：',
      '· 第 3 行：状态不能从“未签约”直接改为“已交地”：下一步只能是“已签约”、“司法征收”',
      '· 第 4 个要素：所属项目为必填项',
    ].join('\n'));
    const en = errorText(batch, 'en');
    expect(en).toContain('2 of 5 feature(s) were refused');
    expect(en).toContain('· line 3: The status cannot go from "Unsigned" straight to "Handed over"');
    expect(en).toContain('· feature 4: Project is required');
    const stale = errorText(refusal('import_stale', { count: 1, total: 1, refused: [{ ref: '#1', error: 'stale_version', message: DEV, params: { currentVersion: 4, yourVersion: 3 } }] }), 'zh');
    expect(stale).toContain('· 第 1 项：保存前，此要素已被他人修改（现为版本 4');
    const many = errorText(refusal('import_refused', { count: 14, total: 14, refused: Array.from({ length: 14 }, (_, i) => ({ ref: `line ${i + 2}`, error: 'no_such_code', message: DEV, params: {} })) }), 'zh');
    expect(many.split('\n')).toHaveLength(12);
    expect(many).toContain('……另有 4 个');
  });

  it('says an unknown code is an unfinished operation with its code; a code from before the contract by what it means', () => {
    expect(errorText(refusal('something_new'), 'zh')).toBe('操作未完成（错误代码：something_new）');
    expect(errorText(refusal('something_new'), 'en')).toBe('The operation did not complete (error code: something_new)');
    expect(errorText(new ApiError(502, ''), 'zh')).toBe('操作未完成（HTTP 502）');
    // accounts still refuse a short password as bad_request on the password field
    expect(errorText(refusal('bad_request', {}, 'password'), 'zh')).toBe('密码太短：至少需要 10 个字符');
    expect(errorText(refusal('bad_request', {}, 'displayName'), 'zh')).toBe('“姓名”的值不正确，请检查后重试');
    // anything that is not a refusal keeps its own words (a network failure, a sentence of the client)
    expect(errorText(new TypeError('Failed to fetch'), 'zh')).toBe('Failed to fetch');
    expect(errorText('请先在地图上画出范围', 'en')).toBe('请先在地图上画出范围');
  });

  it('every code reads the same through wordCode as through errorText', () => {
    for (const lang of ['zh', 'en'] as Lang[]) {
      for (const code of ERROR_CODES) expect(errorText(refusal(code, RICH), lang)).toBe(wordCode(code, RICH, lang));
    }
  });
});

// ---- a real refusal in the browser ----

const hasChromium = existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

/** fetch() on the app as the tester (every role, every command area). */
function call(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  const s = inject('sessions').tester;
  return fetch(`${baseUrl}${pathAndQuery}`, { ...init, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(init.headers as Record<string, string> | undefined) } });
}

interface Parcel { id: number; geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon; properties: Record<string, unknown> }

/** An unsigned parcel that no other test writes (not the first one), with its ETag. */
async function unsignedParcel(skip: number[] = []): Promise<{ parcel: Parcel; etag: string }> {
  const fc = await (await call('/api/layers/parcel/features?limit=400')).json() as { features: Parcel[] };
  for (const f of fc.features.slice(5)) {
    if (f.properties.status !== 'unsigned' || skip.includes(Number(f.id))) continue;
    const res = await call(`/ogc/collections/parcel/items/${f.id}`);
    const item = await res.json() as Parcel;
    if (item.properties.status === 'unsigned') return { parcel: { ...item, id: Number(f.id) }, etag: res.headers.get('etag')! };
  }
  throw new Error('no unsigned parcel');
}

/** What the server itself says to 未签约 → 已交地 (its English message, which the page must not show). */
async function serverMessage(id: number, etag: string): Promise<string> {
  const res = await call(`/ogc/collections/parcel/items/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'If-Match': etag }, body: JSON.stringify({ properties: { status: 'handed_over' } }),
  });
  expect(res.status).toBe(422);
  const body = await res.json();
  expect(body.error).toBe('status_transition');
  return body.message;
}

/** Open the map, click the parcel, and open it in the editor. */
async function editParcel(page: Page, lang: Lang, parcel: Parcel): Promise<void> {
  await page.goto(`${baseUrl}/?lang=${lang}`);
  await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
  const [lon, lat] = polylabel(parcel.geometry.type === 'MultiPolygon' ? parcel.geometry.coordinates[0] : parcel.geometry.coordinates);
  // the parcel in the middle of the map's free part (the editor is on the right, the layers on the left)
  await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 17 }), [lon, lat]);
  await page.evaluate(() => window.__zs!.idle());
  const at = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon, lat]);
  const box = (await page.locator('[data-testid="map"]').boundingBox())!;
  await page.mouse.click(box.x + at.x, box.y + at.y);
  await page.waitForFunction((id) => window.__zs!.app.identify?.hits.some((h) => h.layerId === 'parcel' && Number(h.feature.id) === id) ?? false, parcel.id, { timeout: 10_000 });
  await page.evaluate((id) => {
    const identify = window.__zs!.app.identify!;
    identify.index = identify.hits.findIndex((h) => h.layerId === 'parcel' && Number(h.feature.id) === id);
  }, parcel.id);
  await page.click('[data-testid="edit-selected"]');
  await page.locator('[data-testid="editor"] select[name="status"]').waitFor({ timeout: 10_000 });
  await expect.poll(() => page.locator('[data-testid="editor"] select[name="status"]').inputValue()).toBe('unsigned');
}

describe.skipIf(!hasChromium)('a real refusal in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(shots, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  for (const [lang, words, foreign] of [
    ['zh', ['状态', '“未签约”', '“已交地”', '“已签约”、“司法征收”'], /[A-Za-z]{3,}/],
    ['en', ['The status', '"Unsigned"', '"Handed over"', '"Signed", "Court route"'], CJK],
  ] as [Lang, string[], RegExp][]) {
    it(`shows the refused status change beside the status field, in ${lang === 'zh' ? 'Chinese' : 'English'}`, async () => {
      const { parcel, etag } = await unsignedParcel();
      const english = await serverMessage(parcel.id, etag);
      const page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
      try {
        await editParcel(page, lang, parcel);
        const editor = page.locator('[data-testid="editor"]');
        const status = editor.locator('select[name="status"]');
        // the form offers only the workflow's next steps: 已交地 is there, disabled, with the reason
        const offered = await status.evaluate((sel: HTMLSelectElement) =>
          Object.fromEntries([...sel.options].map((o) => [o.textContent, { disabled: o.disabled, why: o.title }])));
        const handedOver = offered[lang === 'zh' ? '已交地' : 'Handed over'];
        expect(handedOver.disabled).toBe(true);
        expect(handedOver.why).toMatch(lang === 'zh' ? /^“未签约”之后只能是：已签约、/ : /^After “Unsigned” only: Signed, /);
        // the server is the authority (a stale form, another client): with the option forced, its refusal shows beside the field
        await status.evaluate((sel: HTMLSelectElement) => { for (const o of sel.options) o.disabled = false; });
        await status.selectOption('handed_over');
        await editor.locator('[data-testid="save"]').click();
        const shown = editor.locator('[data-testid="field-error-status"]');
        await shown.waitFor({ timeout: 10_000 });
        const text = await shown.innerText();
        for (const w of words) expect(text).toContain(w);
        expect(text).not.toMatch(foreign);
        expect(await editor.innerText()).not.toContain(english);
        expect(await editor.innerText()).not.toContain('handed_over');
        // the wording sits beside the field, in view in the editor
        const field = await editor.locator('label:has(select[name="status"])').boundingBox();
        const msg = (await shown.boundingBox())!;
        const panel = (await editor.boundingBox())!;
        expect(msg.y).toBeGreaterThanOrEqual(field!.y);
        expect(msg.y + msg.height).toBeLessThanOrEqual(field!.y + field!.height + 1);
        expect(msg.y).toBeGreaterThanOrEqual(panel.y);
        expect(msg.y + msg.height).toBeLessThanOrEqual(panel.y + panel.height);
        await page.screenshot({ path: path.join(shots, `errors-status-${lang}.png`) });
        await editor.screenshot({ path: path.join(shots, `errors-status-${lang}-editor.png`) });
        // switching the interface language words the refusal shown again, in the other language
        if (lang === 'zh') {
          await page.click('[data-lang="en"]');
          await expect.poll(() => shown.innerText()).toContain('"Handed over"');
          await page.click('[data-lang="zh"]');
          await expect.poll(() => shown.innerText()).toContain('“已交地”');
        }
      } finally {
        await page.close();
      }
    });
  }

  it('shows a save over someone else\'s change above the form, naming the version it is at now', async () => {
    const { parcel } = await unsignedParcel();
    const page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
    try {
      await editParcel(page, 'zh', parcel);
      // someone else changes the parcel meanwhile
      const res = await call(`/ogc/collections/parcel/items/${parcel.id}`);
      const other = await call(`/ogc/collections/parcel/items/${parcel.id}`, {
        method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'If-Match': res.headers.get('etag')! },
        body: JSON.stringify({ properties: { owner_name: parcel.properties.owner_name } }), // the same value: still a new version
      });
      expect(other.status).toBe(200);
      const now = (await other.json()).properties.version;
      const editor = page.locator('[data-testid="editor"]');
      await editor.locator('select[name="status"]').selectOption('signed');
      await editor.locator('[data-testid="save"]').click();
      const shown = editor.locator('[data-testid="general-error"]');
      await shown.waitFor({ timeout: 10_000 });
      const text = await shown.innerText();
      expect(text).toContain(`现为版本 ${now}`);
      expect(text).toContain('请重新打开要素');
      expect(text).not.toMatch(/[A-Za-z]{3,}/);
      await editor.screenshot({ path: path.join(shots, 'errors-stale-zh-editor.png') });
    } finally {
      await page.close();
    }
  });

  it('lists an import\'s refused features by their place in the file and their reason, under the write button', async () => {
    // two parcels of the file jump from 未签约 to 已交地: the preview takes them, the write refuses the batch
    const { parcel: a } = await unsignedParcel();
    const { parcel: b } = await unsignedParcel([a.id]);
    const file = path.join(os.tmpdir(), `zs-errors-${Date.now()}.geojson`);
    await writeFile(file, JSON.stringify({
      type: 'FeatureCollection',
      features: [a, b].map((p) => ({ type: 'Feature', geometry: p.geometry, properties: { code: p.properties.code, status: 'handed_over' } })),
    }));
    const page = await newPage(browser, { viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(`${baseUrl}/?lang=zh`);
      await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
      const panel = page.locator('.exchange');
      await panel.getByRole('button', { name: '数据交换' }).click();
      await panel.getByRole('tab', { name: '导入' }).click();
      await panel.locator('input[type="file"]').setInputFiles(file);
      await panel.locator('[data-testid="import-summary"]').waitFor({ timeout: 60_000 });
      await panel.getByRole('button', { name: '确认写入' }).click();
      const shown = panel.locator('[data-testid="exchange-error"]');
      await shown.waitFor({ timeout: 30_000 });
      const text = await shown.innerText();
      expect(text).toMatch(/^2 个要素中有 2 个未通过检查，未写入任何数据：/);
      expect(text).toContain('· 第 1 个要素：状态不能从“未签约”直接改为“已交地”');
      expect(text).toContain('· 第 2 个要素：状态不能从“未签约”直接改为“已交地”');
      expect(text).not.toMatch(/[A-Za-z]{3,}/);
      // the button it answers is just above it
      const button = (await panel.getByRole('button', { name: '确认写入' }).boundingBox())!;
      const msg = (await shown.boundingBox())!;
      expect(msg.y).toBeGreaterThan(button.y);
      expect(msg.y - (button.y + button.height)).toBeLessThan(60);
      await panel.screenshot({ path: path.join(shots, 'errors-import-zh-panel.png') });
      // nothing was written
      const after = await (await call(`/ogc/collections/parcel/items/${a.id}`)).json();
      expect(after.properties.status).toBe('unsigned');
    } finally {
      await page.close();
    }
  });
});
