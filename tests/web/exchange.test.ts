// The land bureau's 数据交换 panel in a real browser. Import: new parcels from a GeoJSON with its own
// field names, into a project picked by name, with defaults and a field mapping made in the panel,
// committed from it: the database then holds them as set. Export: the count shown before the download
// and the downloaded file are what SQL says for the filter (the map's view; a project and statuses).
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { useTestPool } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const shots = path.join(root, 'tests/web/screenshots');
const fixture = path.join(root, 'tests/fixtures/exchange/ui/new-parcels.geojson');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

describe('exchange panel', () => {
  const pool = useTestPool();
  let browser: Browser;
  let page: Page;
  let panel: Locator;

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    await mkdir(shots, { recursive: true });
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`, { acceptDownloads: true });
    panel = page.getByTestId('exchange-panel');
    await panel.getByRole('button', { name: '数据交换' }).click();
  });
  afterAll(async () => browser?.close());

  /** Export with the panel's current choices as GeoJSON; the count it showed first and the file's parcel ids. */
  async function exportGeoJson(): Promise<{ shown: number; ids: number[] }> {
    await panel.getByTestId('export-format').selectOption('geojson');
    const count = panel.getByTestId('export-count');
    await expect.poll(() => count.innerText(), { timeout: 60_000 }).toMatch(/将导出 [\d,]+ 宗/);
    const shown = Number((await count.innerText()).replace(/[^\d]/g, ''));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), panel.getByTestId('export-go').click()]);
    const file = path.join(outDir, `exchange-${Date.now()}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const fc = JSON.parse(await readFile(file, 'utf8')) as GeoJSON.FeatureCollection;
    const ids = fc.features.map((f) => Number(f.properties?.id ?? f.id)).sort((a, b) => a - b);
    return { shown, ids };
  }

  it('imports new parcels into a project picked by name, with a field mapping and defaults set in the panel', async () => {
    const { rows: [project] } = await pool.query<{ id: number; code: string; name: string }>(`SELECT id, code, name FROM project WHERE code = 'XM2021-003'`);
    await panel.getByRole('tab', { name: '导入' }).click();
    await panel.getByTestId('import-default-project_id').selectOption({ label: `${project.name} · ${project.code}` });
    await panel.getByTestId('import-default-owner_type').selectOption({ label: '农户' });
    await panel.getByTestId('import-default-status').selectOption({ label: '未签约' });
    // a new parcel starts as 未签约: the others are offered, disabled
    expect(await panel.getByTestId('import-default-status').locator('option', { hasText: '已签约' }).isDisabled()).toBe(true);

    await panel.getByTestId('import-file').setInputFiles(fixture);
    const mapping = panel.getByTestId('import-mapping');
    await mapping.waitFor({ timeout: 120_000 });
    // proposed by label: 权利人 → owner_name; DKBH and DLBM are the file's own names: not mapped yet
    const row = (field: string) => mapping.locator('tr', { has: page.locator(`select[data-field="${field}"]`) });
    expect(await row('权利人').locator('select').inputValue()).toBe('owner_name');
    expect(await row('DKBH').locator('select').inputValue()).toBe('');
    expect(await row('CLMJ').locator('td.type').first().innerText()).toBe('数值');
    expect(await row('DKBH').locator('td.type').first().innerText()).toBe('文本');
    // without a code each feature is an error, worded by its code in Chinese
    const report = panel.getByTestId('import-report');
    expect(await report.locator('li[data-severity="error"]').count()).toBe(3);
    await expect.poll(() => report.innerText()).toMatch(/缺少编号/);
    expect(await panel.getByTestId('import-commit').isDisabled()).toBe(true);

    await row('DKBH').locator('select').selectOption('code');
    await row('DLBM').locator('select').selectOption('land_class');
    expect(await row('DLBM').locator('td.type').last().innerText()).toBe('文本');
    await expect.poll(() => panel.getByTestId('import-changed').isVisible()).toBe(true);
    expect(await panel.getByTestId('import-commit').isDisabled()).toBe(true);
    await panel.getByTestId('import-recheck').click();
    await expect.poll(() => panel.getByTestId('import-summary').innerText(), { timeout: 120_000 }).toMatch(/新增 3，更新 0），错误 0/);
    expect(await report.locator('li[data-severity="ok"]').count()).toBe(3);

    // 定位 flies the map to that feature
    await report.locator('li[data-seq="2"]').getByTestId('import-locate').click();
    await page.waitForFunction(() => !window.__map!.isMoving());
    const centre = await page.evaluate(() => window.__map!.getCenter().toArray());
    expect(centre[0]).toBeCloseTo(109.5338, 3);
    expect(centre[1]).toBeCloseTo(23.1243, 3);
    await page.screenshot({ path: path.join(shots, 'exchange-import-zh.png') });

    await panel.getByTestId('import-commit').click();
    await expect.poll(() => panel.getByTestId('exchange-notice').innerText(), { timeout: 60_000 }).toMatch(/已写入 3 个要素：新增 3，更新 0/);
    const { rows } = await pool.query(
      `SELECT code, project_id, owner_name, land_class, owner_type, status FROM parcel WHERE code LIKE 'DR-2026-%' ORDER BY code`);
    expect(rows).toEqual([
      { code: 'DR-2026-001', project_id: project.id, owner_name: '黄秀英', land_class: '0101', owner_type: 'household', status: 'unsigned' },
      { code: 'DR-2026-002', project_id: project.id, owner_name: '李建国', land_class: '0102', owner_type: 'household', status: 'unsigned' },
      { code: 'DR-2026-003', project_id: project.id, owner_name: '覃桂兰', land_class: '0201', owner_type: 'household', status: 'unsigned' },
    ]);
  });

  it('exports only the parcels in the current map view: the count shown and the file equal SQL', async () => {
    await panel.getByRole('tab', { name: '导出' }).click();
    await page.evaluate(() => window.__map!.jumpTo({ center: [109.6536, 23.1306], zoom: 16 }));
    await page.waitForFunction(() => !window.__map!.isMoving());
    await panel.getByTestId('export-extent').getByLabel('当前视图').check();
    const b = await page.evaluate(() => window.__map!.getBounds().toArray().flat());
    const [x0, y0, x1, y1] = b.map((n) => Number(n.toFixed(7)));
    const { rows } = await pool.query<{ id: number }>(
      `SELECT id FROM parcel WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4490)) ORDER BY id`, [x0, y0, x1, y1]);
    expect(rows.length).toBeGreaterThan(0);
    const { rows: [{ n: all }] } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM parcel');
    expect(rows.length).toBeLessThan(all);
    const { shown, ids } = await exportGeoJson();
    expect(shown).toBe(rows.length);
    expect(ids).toEqual(rows.map((r) => r.id));
    await page.screenshot({ path: path.join(shots, 'exchange-export-view-zh.png') });
  });

  it('exports the parcels of one project in the statuses ticked: the count shown and the file equal SQL', async () => {
    await panel.getByTestId('export-extent').getByLabel('全区').check();
    const { rows: [project] } = await pool.query<{ id: number; code: string; name: string }>(`SELECT id, code, name FROM project WHERE code = 'XM2021-001'`);
    await panel.getByTestId('export-project').selectOption({ label: `${project.name} · ${project.code}` });
    await panel.getByTestId('export-status').getByLabel('已签约').check();
    await panel.getByTestId('export-status').getByLabel('已付款').check();
    const { rows } = await pool.query<{ id: number }>(
      `SELECT id FROM parcel WHERE project_id = $1 AND status IN ('signed', 'paid') ORDER BY id`, [project.id]);
    expect(rows.length).toBeGreaterThan(0);
    const { shown, ids } = await exportGeoJson();
    expect(shown).toBe(rows.length);
    expect(ids).toEqual(rows.map((r) => r.id));
    await page.screenshot({ path: path.join(shots, 'exchange-export-project-zh.png') });

    // a command area instead: the parcels of its projects (parcels carry their project, not the area)
    await panel.getByTestId('export-project').selectOption({ label: '全部项目' });
    await panel.getByTestId('export-area').selectOption({ label: '港城片区' });
    const { rows: inArea } = await pool.query<{ id: number }>(
      `SELECT p.id FROM parcel p JOIN project pr ON pr.id = p.project_id JOIN command_area ca ON ca.id = pr.command_area_id
        WHERE ca.code = 'gangcheng' AND p.status IN ('signed', 'paid') ORDER BY p.id`);
    expect(inArea.length).toBeGreaterThan(0);
    const area = await exportGeoJson();
    expect(area.shown).toBe(inArea.length);
    expect(area.ids).toEqual(inArea.map((r) => r.id));
    await panel.getByTestId('export-area').selectOption({ label: '全部片区' });
  });

  it('exports the map selection (id IN …), and an area drawn on the map (S_INTERSECTS), as SQL selects them', async () => {
    await panel.getByTestId('export-project').selectOption({ label: '全部项目' });
    await panel.getByTestId('export-status').getByLabel('已签约').uncheck();
    await panel.getByTestId('export-status').getByLabel('已付款').uncheck();

    // the selection as the box, the lasso or the table leave it
    const { rows: picked } = await pool.query<{ id: number }>(`SELECT id FROM parcel WHERE project_id = 2 ORDER BY id LIMIT 7`);
    await page.evaluate((ids) => { window.__zs!.app.selection = { layerId: 'parcel', ids }; }, picked.map((r) => r.id));
    await panel.getByTestId('export-extent').getByLabel(/选择集/).check();
    expect(await panel.getByTestId('export-extent').innerText()).toContain('选择集（7 宗）');
    const selection = await exportGeoJson();
    expect(selection.shown).toBe(7);
    expect(selection.ids).toEqual(picked.map((r) => r.id));

    // an area drawn: four clicks, a double-click on the last corner
    await page.evaluate(() => window.__map!.jumpTo({ center: [109.6536, 23.1306], zoom: 16 }));
    await page.waitForFunction(() => !window.__map!.isMoving());
    await panel.getByTestId('export-extent').getByLabel('手绘范围').check();
    await panel.getByTestId('export-draw').click();
    const corners: [number, number][] = [[500, 300], [800, 330], [760, 560], [480, 520]];
    for (const [x, y] of corners.slice(0, -1)) await page.mouse.click(x, y);
    await page.mouse.dblclick(...corners[3]);
    const ring = await page.evaluate((pts) => {
      const canvas = window.__map!.getCanvas().getBoundingClientRect();
      return pts.map(([x, y]) => window.__map!.unproject([x - canvas.left, y - canvas.top]).toArray().map((n) => n.toFixed(7)).join(' '));
    }, corners);
    const polygon = `POLYGON((${[...ring, ring[0]].join(', ')}))`;
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM parcel WHERE ST_Intersects(geom, ST_GeomFromText($1, 4490)) ORDER BY id`, [polygon]);
    expect(rows.length).toBeGreaterThan(0);
    const drawn = await exportGeoJson();
    expect(drawn.shown).toBe(rows.length);
    expect(drawn.ids).toEqual(rows.map((r) => r.id));
    await page.screenshot({ path: path.join(shots, 'exchange-export-drawn-zh.png') });
  });
});
