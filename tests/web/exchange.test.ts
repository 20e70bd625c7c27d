// The land bureau's panel in a real browser: export parcels as GeoJSON with the progress bar filling,
// then import that same file and see its preview drawn on the map before anything is saved.
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { api } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

describe('exchange panel', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`, { acceptDownloads: true });
  });
  afterAll(async () => browser?.close());

  it('exports every parcel as GeoJSON, then previews the same file on the map', async () => {
    const panel = page.locator('.exchange');
    await panel.getByRole('button', { name: '数据交换' }).click();
    await panel.locator('select').first().selectOption('geojson');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: '导出' }).click()]);
    const file = path.join(outDir, download.suggestedFilename());
    await download.saveAs(file);
    const fc = JSON.parse(await readFile(file, 'utf8'));
    const { layers } = await (await api(`${baseUrl}/api/layers`)).json();
    expect(fc.features.length).toBe(layers.find((l: { id: string }) => l.id === 'parcel').count);
    await expect.poll(() => panel.innerText()).toMatch(/完成/);
    expect(await panel.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);

    await panel.locator('input[type="file"]').setInputFiles(file);
    await page.waitForFunction(() => window.__map!.getSource('zs-import-preview') !== undefined, undefined, { timeout: 60_000 });
    await page.screenshot({ path: path.join(outDir, 'exchange-zh.png') });
  });
});
