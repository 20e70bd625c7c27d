// The whole interface in English (?lang=en): the conflict-analysis panel, the editor, the import/export
// panel and the dashboard speak no Chinese in their own words (headings, buttons, labels, options,
// placeholders, tooltips, chart titles and legends). Data values (project names, file names, the
// server's messages, a user's name) are marked translate="no" by the components and left out.
// Screenshots: tests/.output/{conflicts,editor,exchange,dashboard}-en.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, newPage, openMap } from '../helpers/browser.ts';
import { api } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const CJK = /[\u4e00-\u9fff]/;

/**
 * The chrome of a panel: its text without the data marked translate="no", with the options of its
 * selects and the placeholders, titles and aria-labels of its elements. One string per line.
 */
async function chrome(panel: Locator): Promise<string[]> {
  return panel.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const d of copy.querySelectorAll('[translate="no"]')) d.remove();
    const out = (copy.innerText || copy.textContent || '').split('\n');
    for (const e of copy.querySelectorAll('*')) {
      for (const a of ['placeholder', 'title', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a)!);
      if (e instanceof HTMLOptionElement) out.push(e.textContent ?? '');
    }
    return out.map((s) => s.trim()).filter(Boolean);
  });
}

const chinese = (lines: string[]) => lines.filter((l) => CJK.test(l));

describe('the map in English', () => {
  let browser: Browser;
  let page: Page;
  let redLineId = 0;

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=en`, { acceptDownloads: true });
  });
  afterAll(async () => browser?.close());

  it('analyses conflicts in English, down to the replacement-land list', async () => {
    const base = (await (await api(`${baseUrl}/api/layers/cane_base/features?limit=1`)).json()).features[0];
    const ring: number[][] = base.geometry.coordinates[0][0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    await page.evaluate(([x, y]) => window.__map!.jumpTo({ center: [x, y], zoom: 15 }), [lon, lat]);
    await page.evaluate(() => window.__zs!.idle());

    const panel = page.locator('[data-testid="conflict-panel"]');
    await panel.getByRole('button', { name: 'Conflict analysis' }).click();
    await panel.getByRole('button', { name: 'Draw red line' }).click();
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    const at = async (dx: number, dy: number) => {
      const p = await page.evaluate(([x, y]) => window.__map!.project([x, y]), [lon + dx, lat + dy]);
      return { x: box.x + p.x, y: box.y + p.y };
    };
    for (const c of [await at(-0.0015, -0.0012), await at(0.0015, -0.0012), await at(0.0015, 0.0012), await at(-0.0015, 0.0012)]) {
      await page.mouse.click(c.x, c.y);
      await page.waitForTimeout(150);
    }
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toMatch(/Live estimate/);
    expect(chinese(await chrome(panel))).toEqual([]);
    await panel.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => page.locator('[data-testid="conflict-status"]').innerText(), { timeout: 30_000 }).toMatch(/Server result \(authoritative\)/);
    const text = await panel.innerText();
    expect(text).toMatch(/Ellipsoidal \(mu\)/);
    expect(text).toMatch(/Cane bases\s+[1-9]\d*\.\d{2}\s+[1-9]\d*\.\d{2}/);
    expect(text).toMatch(/Gauss–Krüger 3° zone 3[67]/);

    await panel.getByRole('button', { name: 'Replacement land' }).click();
    await expect.poll(() => panel.locator('[data-testid="replacement"] li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const repl = await panel.locator('[data-testid="replacement"]').innerText();
    expect(repl).toMatch(/Cane base taken: [\d,.]+ mu; selected: [\d,.]+ mu/);
    expect(chinese(await chrome(panel))).toEqual([]);
    await page.screenshot({ path: path.join(outDir, 'conflicts-en.png') });

    await panel.getByRole('button', { name: 'Clear' }).click();
    await panel.getByRole('button', { name: 'Conflict analysis' }).click();
  });

  it('edits in English: the form, its options, the notices, the history and the delete question', async () => {
    await page.evaluate(() => window.__map!.jumpTo({ center: [109.64, 23.17], zoom: 16 }));
    await page.evaluate(() => window.__zs!.idle());
    const editor = page.locator('[data-testid="editor"]');
    expect(chinese(await chrome(editor))).toEqual([]);

    await page.click('[data-testid="draw-red-line"]');
    await expect.poll(() => editor.locator('h3').first().innerText()).toBe('New red line');
    const labels = await editor.locator('form label > span').allInnerTexts();
    expect(labels).toContain('Name *');
    expect(chinese(await chrome(editor))).toEqual([]);

    // a red line, saved, so the history shows (deleted at the end)
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    const cx = box.x + box.width / 2 - 150;
    const cy = box.y + box.height / 2;
    const corners: [number, number][] = [[-80, -60], [80, -60], [80, 60], [-80, 60], [-80, -60]];
    for (const [dx, dy] of corners) {
      await page.mouse.click(cx + dx, cy + dy);
      await page.waitForTimeout(150);
    }
    await page.fill('input[name="code"]', `EN-${Date.now()}`);
    await page.fill('input[name="name"]', 'English interface test');
    await page.selectOption('select[name="kind"]', 'road');
    await page.selectOption('select[name="source"]', 'key');
    await page.fill('input[name="year"]', '2026');
    await page.selectOption('select[name="command_area_id"]', '1');
    await page.click('[data-testid="save"]');
    await expect.poll(() => page.locator('.notice').innerText()).toBe('Saved (version 1)');
    await expect.poll(() => editor.locator('[data-testid="history"] li').count()).toBe(1);
    const heading = await editor.locator('h3').first().innerText();
    expect(heading).toMatch(/^Edit red line #\d+$/);
    redLineId = Number(heading.split('#')[1]);
    // a second version that changes a date: the audit log names its column (started_on)
    await page.fill('input[name="started_on"]', '2026-01-15');
    await page.click('[data-testid="save"]');
    await expect.poll(() => page.locator('.notice').innerText()).toBe('Saved (version 2)');
    await expect.poll(() => editor.locator('[data-testid="history"] li').count()).toBe(2);
    expect(await editor.locator('select[name="kind"] option:checked').innerText()).toBe('Road');
    const lines = await chrome(editor);
    expect(lines.join('\n')).toMatch(/Version 1 · created/);
    expect(lines.join('\n')).toMatch(/Version 2 · changed · .*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(lines.join('\n')).toMatch(/Changed: Started on/);
    expect(chinese(lines)).toEqual([]);
    await page.screenshot({ path: path.join(outDir, 'editor-en.png') });

    const question = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.message()); void d.accept(); }));
    await page.click('[data-testid="delete"]');
    expect(await question).toBe('Delete this red line? (Its history is kept: it can be restored.)');
    await expect.poll(() => page.locator('.notice').innerText()).toBe('Deleted');
  });

  it('names the changed columns in the audit log by their labels, in English and in Chinese', async () => {
    for (const [lang, startedOn, redLine] of [['en', 'Started on', 'Red line'], ['zh', '开工日期', '红线范围']]) {
      const audit = await newPage(browser);
      try {
        await audit.goto(`${baseUrl}/admin.html?view=audit&lang=${lang}`);
        const table = audit.locator('[data-testid="audit-data"]');
        await table.locator('tbody tr[data-layer]').first().waitFor({ timeout: 15_000 });
        await table.locator('select[name="layer"]').selectOption('red_line');
        await table.locator('input[name="featureId"]').fill(String(redLineId));
        await table.locator('[data-testid="audit-filter"]').click();
        await expect.poll(() => table.locator(`tbody tr[data-feature="${redLineId}"]`).count()).toBe(3); // created, started_on set, deleted (its red_line emptied)
        const changed = await table.locator(`tbody tr[data-feature="${redLineId}"] td.changed`).allInnerTexts();
        expect(changed).toContain(startedOn);
        expect(changed).toContain(redLine);
        for (const c of changed) expect(c, lang).not.toMatch(/\b[a-z]+_[a-z_]+\b/); // no raw column names (approved_on, approved_by_region…)
        if (lang === 'en') {
          expect(chinese(await chrome(table))).toEqual([]);
          await audit.screenshot({ path: path.join(outDir, 'audit-en.png') });
        }
      } finally {
        await audit.close();
      }
    }
  });

  it('exports and previews an import in English', async () => {
    const panel = page.locator('.exchange');
    await panel.getByRole('button', { name: 'Import & export' }).click();
    expect(chinese(await chrome(panel))).toEqual([]);
    await panel.getByTestId('export-format').selectOption('geojson');
    await expect.poll(() => panel.getByTestId('export-count').innerText(), { timeout: 60_000 }).toMatch(/^[\d,]+ parcels to export$/);
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export file', exact: true }).click()]);
    const file = path.join(outDir, `english-${download.suggestedFilename()}`);
    await download.saveAs(file);
    await expect.poll(() => panel.innerText()).toMatch(/\d+ parcels · done/);

    await panel.getByRole('tab', { name: 'Import', exact: true }).click();
    expect(chinese(await chrome(panel))).toEqual([]);
    await panel.locator('input[type="file"]').setInputFiles(file);
    await expect.poll(() => panel.locator('[data-testid="import-summary"]').count(), { timeout: 60_000 }).toBe(1);
    expect(await panel.locator('[data-testid="import-summary"]').innerText()).toMatch(/: [\d,]+ features \(\d+ new, \d+ updates\), \d+ errors, \d+ warnings/);
    expect(chinese(await chrome(panel))).toEqual([]);
    await page.screenshot({ path: path.join(outDir, 'exchange-en.png') });
  });
});

describe('the dashboard in English', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  });
  afterAll(async () => browser?.close());

  it('speaks English in its header, figures, slider, map legend, charts, problems and dispatch', async () => {
    await page.goto(`${baseUrl}/dashboard.html?lang=en&month=2022-03`);
    await page.waitForFunction(() => (window as any).__dash && (window as any).__dashMap, undefined, { timeout: 30_000 });
    await page.evaluate(() => (window as any).__dash.idle());
    await page.waitForFunction(() => (window as any).__dash.state().mapProgress?.asOf === (window as any).__dash.state().asOf);

    const dash = page.locator('[data-testid="dashboard"]');
    expect(await page.locator('[data-testid="time-label"]').innerText()).toBe('As of 2022-03-31');
    expect(await page.locator('[data-testid="land-completed"]').innerText()).toMatch(/^[\d,]+\.\d{2} mu$/);
    expect(await page.locator('[data-testid="unpaid"]').innerText()).toMatch(/^¥[\d,]+\.\d{2} M$/);
    expect(await page.locator('[data-testid="area-select"] option').allInnerTexts()).toEqual(['Whole district', 'Guicheng', 'Gangcheng', 'Outer ring']);
    expect(chinese(await chrome(dash))).toEqual([]);

    const charts: Record<string, { chrome: string[]; tooltip: string | null }> = await page.evaluate(() => (window as any).__dash.chartText());
    expect(Object.keys(charts).sort()).toEqual(['areas', 'gap', 'projects', 'series', 'sites']);
    for (const [id, c] of Object.entries(charts)) {
      expect(chinese(c.chrome), id).toEqual([]);
      // a tooltip's first line names the bar (a project or site from the database); the rest is chrome
      if (c.tooltip) expect(chinese(c.tooltip.split('<br>').slice(1)), id).toEqual([]);
    }
    expect(charts.series.chrome).toContain('Land handed over (mu)');

    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(outDir, 'dashboard-en.png') });
    await page.locator('[data-testid="problems"]').screenshot({ path: path.join(outDir, 'dashboard-problems-en.png') });
    await page.locator('[data-testid="chart-sites"]').screenshot({ path: path.join(outDir, 'dashboard-sites-en.png') });
    await page.locator('[data-testid="dispatch"]').screenshot({ path: path.join(outDir, 'dashboard-dispatch-en.png') });

    // and back to Chinese with the switch in the header
    await page.locator('header button[data-lang="zh"]').click();
    await expect.poll(() => page.locator('[data-testid="time-label"]').innerText()).toBe('截至 2022-03-31');
  });
});
