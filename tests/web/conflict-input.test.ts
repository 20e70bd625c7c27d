// The conflict panel's other inputs, in a real browser (issue #17): a stored project from the picker,
// a file through the file input (a ministry TXT the exchange exports, read in the browser; a GeoJSON of
// two red lines, read by the exchange's importer), and a pasted survey table. Each time the panel's
// figures are the server's answer to the same red line asked through POST /api/conflicts.
// Screenshots: tests/.output/conflict-input-*.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONFLICT_LAYERS } from '../../geo/area.ts';
import { parseMinistryTxt } from '../../geo/formats/ministry-txt.ts';
import { decodeText } from '../../geo/formats/text.ts';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { api, useTestPool } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');

interface DualArea { ellipsoidal: { mu: number }; planar: { mu: number } }
interface Result { redLine: { area: DualArea; project: { id: number } | null }; layers: { id: string; total: DualArea }[] }

const fmt = (v: number) => v.toLocaleString('zh', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** What the panel shows for a server result: per layer and the red line, ellipsoidal and planar 亩. */
function expected(r: Result): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of CONFLICT_LAYERS) {
    const s = r.layers.find((x) => x.id === l.id)!;
    out[l.id] = [fmt(s.total.ellipsoidal.mu), fmt(s.total.planar.mu)];
  }
  out.redLine = [fmt(r.redLine.area.ellipsoidal.mu), fmt(r.redLine.area.planar.mu)];
  return out;
}

async function conflicts(body: unknown): Promise<Result> {
  const res = await api('/api/conflicts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

describe('conflict panel inputs: project, file, survey table', { timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  let project: { id: number; name: string; code: string };
  let txtBytes: Buffer;

  const pool = useTestPool();
  const panel = () => page.locator('[data-testid="conflict-panel"]');
  const status = () => page.locator('[data-testid="conflict-status"]').innerText();
  async function figures(): Promise<Record<string, string[]>> {
    return panel().evaluate((el) => {
      const out: Record<string, string[]> = {};
      for (const tr of el.querySelectorAll('tr[data-layer]')) out[tr.getAttribute('data-layer')!] = [...tr.querySelectorAll('td.n')].map((td) => td.textContent!.trim());
      out.redLine = [...el.querySelectorAll('tr.rl td.n')].map((td) => td.textContent!.trim());
      return out;
    });
  }
  /** The panel's figures once the server has answered, compared with the API's for the same red line. */
  async function expectServerFigures(want: Result) {
    await expect.poll(status, { timeout: 60_000 }).toMatch(/服务器结果（正式）/);
    await expect.poll(figures, { timeout: 10_000 }).toEqual(expected(want));
  }
  /** Start over (a new drawing clears the red line), then open one of the input rows. */
  async function reset(button: string) {
    await panel().getByRole('button', { name: '绘制红线' }).click();
    await expect.poll(() => panel().innerText()).not.toMatch(/服务器结果（正式）/);
    await panel().getByRole('button', { name: button }).click();
  }
  /** What the draw layer shows: the red line's geometry type, and the corners it offers for editing. */
  const drawn = () => page.evaluate(async () => {
    type Src = { getData(): Promise<GeoJSON.FeatureCollection> };
    const shape = await (window.__map!.getSource('zs-conflict-draw') as unknown as Src).getData();
    const vertices = await (window.__map!.getSource('zs-conflict-draw-vertices') as unknown as Src).getData();
    return { type: shape.features[0]?.geometry.type, vertices: vertices.features.length };
  });

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    // a project with a red line of one ring that takes something and no other project, and its ministry TXT as the exchange writes it
    const fc = await (await api('/api/layers/red_line/features?limit=1000')).json();
    const oneRing = fc.features.filter((f: GeoJSON.Feature) => f.geometry?.type === 'MultiPolygon'
      ? (f.geometry as GeoJSON.MultiPolygon).coordinates.length === 1 && (f.geometry as GeoJSON.MultiPolygon).coordinates[0].length === 1
      : f.geometry?.type === 'Polygon' && (f.geometry as GeoJSON.Polygon).coordinates.length === 1);
    for (const f of oneRing) {
      const r = await conflicts({ projectId: Number(f.id) });
      const mu = (id: string) => r.layers.find((l) => l.id === id)!.total.ellipsoidal.mu;
      // it takes cane base or farmland, and overlaps no other project (so leaving itself out shows as 0)
      if ((mu('cane_base') > 0.1 || mu('cultivated_farmland') > 0.1) && mu('red_line') === 0) {
        project = { id: Number(f.id), name: f.properties.name, code: f.properties.code };
        break;
      }
    }
    expect(project).toBeDefined();
    const exp = await api(`/api/export?layer=red_line&format=txt&project=${encodeURIComponent(project.code)}`);
    expect(exp.status).toBe(200);
    txtBytes = Buffer.from(await exp.arrayBuffer());
    expect(parseMinistryTxt(decodeText(txtBytes).text).parcels).toHaveLength(1);
    browser = await launchChromium();
    page = await openMap(browser, `${baseUrl}/?lang=zh`);
    await panel().locator('button.toggle').click();
  }, 180_000);
  afterAll(async () => browser?.close());

  it('analyses an existing project picked by name: the figures of POST /api/conflicts {projectId}, its red line editable on the map', async () => {
    await reset('分析已有项目');
    const picker = panel().locator('[data-testid="conflict-project"]');
    await expect.poll(() => picker.locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(2);
    expect(await picker.locator(`option[value="${project.id}"]`).innerText()).toContain(project.name);
    await picker.selectOption(String(project.id));
    await panel().getByRole('button', { name: '分析', exact: true }).click();
    await expectServerFigures(await conflicts({ projectId: project.id }));
    const d = await drawn();
    expect(d.type).toBe('Polygon');
    expect(d.vertices).toBeGreaterThanOrEqual(3); // one ring: editable, its corners shown
    expect(await panel().locator('input[placeholder="项目名称"]').inputValue()).toBe(project.name);
    // the map is fitted to it
    const inView = await page.evaluate(async () => {
      const fc = await (window.__map!.getSource('zs-conflict-draw') as unknown as { getData(): Promise<GeoJSON.FeatureCollection> }).getData();
      const b = window.__map!.getBounds();
      return (fc.features[0].geometry as GeoJSON.Polygon).coordinates[0].every(([x, y]) => b.contains([x, y]));
    });
    expect(inView).toBe(true);
    await page.screenshot({ path: path.join(outDir, 'conflict-input-project.png') });
  });

  it('an edited project red line is sent as its ring, still not counted against itself (excludeProjectId)', async () => {
    type Src = { getData(): Promise<GeoJSON.FeatureCollection> };
    const corner = await page.evaluate(async () => {
      const v = await (window.__map!.getSource('zs-conflict-draw-vertices') as unknown as Src).getData();
      const p = window.__map!.project((v.features[Math.floor(v.features.length / 2)].geometry as GeoJSON.Point).coordinates as [number, number]);
      return { x: p.x, y: p.y, before: v.features.length };
    });
    const box = (await page.locator('[data-testid="map"]').boundingBox())!;
    await page.keyboard.down('Alt');
    await page.mouse.click(box.x + corner.x, box.y + corner.y);
    await page.keyboard.up('Alt');
    await expect.poll(async () => (await drawn()).vertices).toBe(corner.before - 1); // Alt-click deleted a corner
    const ring = await page.evaluate(async () =>
      ((await (window.__map!.getSource('zs-conflict-draw') as unknown as Src).getData()).features[0].geometry as GeoJSON.Polygon).coordinates[0]);
    const want = await conflicts({ geometry: { type: 'Polygon', coordinates: [ring] }, excludeProjectId: project.id });
    expect(want.layers.find((l) => l.id === 'red_line')?.total.ellipsoidal.mu ?? 0).toBeLessThan(0.01);
    await expectServerFigures(want);
  });

  it('loads a ministry TXT through the file input (read in the browser): the API’s figures for its points', async () => {
    await reset('导入文件');
    await panel().locator('[data-testid="conflict-file"]').setInputFiles({ name: `${project.code}.txt`, mimeType: 'text/plain', buffer: txtBytes });
    const doc = parseMinistryTxt(decodeText(txtBytes).text);
    const want = await conflicts({ geometry: { type: 'MultiPolygon', coordinates: doc.parcels[0].polygons }, crs: `EPSG:${doc.epsg}` });
    expect(want.redLine.project).toBeNull();
    await expectServerFigures(want);
    expect((await drawn()).vertices).toBeGreaterThanOrEqual(3);
  });

  it('loads a GeoJSON of two red lines (read by the exchange importer) as one red line, shown read-only', async () => {
    const fc = await (await api('/api/layers/red_line/features?limit=1000')).json();
    const two = fc.features.filter((f: GeoJSON.Feature) => f.geometry).slice(0, 2);
    const file = { type: 'FeatureCollection', features: two.map((f: GeoJSON.Feature) => ({ type: 'Feature', properties: { name: f.properties!.name }, geometry: f.geometry })) };
    const polygons = two.flatMap((f: GeoJSON.Feature) => (f.geometry!.type === 'Polygon' ? [(f.geometry as GeoJSON.Polygon).coordinates] : (f.geometry as GeoJSON.MultiPolygon).coordinates));
    await reset('导入文件');
    await panel().locator('[data-testid="conflict-file"]').setInputFiles({ name: 'two-red-lines.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(file)) });
    await expectServerFigures(await conflicts({ geometry: { type: 'MultiPolygon', coordinates: polygons } }));
    const d = await drawn();
    expect(d.type).toBe('MultiPolygon');
    expect(d.vertices).toBe(0); // several parts: shown, not editable
    await page.screenshot({ path: path.join(outDir, 'conflict-input-geojson.png') });
  });

  it('loads a Shapefile zip (read by the exchange importer through its preview): the API’s figures for what the panel sent', async () => {
    const exp = await api(`/api/export?layer=red_line&format=shp&project=${encodeURIComponent(project.code)}`);
    expect(exp.status).toBe(200);
    const zip = Buffer.from(await exp.arrayBuffer());
    await reset('导入文件');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/conflicts') && r.method() === 'POST');
    await panel().locator('[data-testid="conflict-file"]').setInputFiles({ name: `${project.code}.zip`, mimeType: 'application/zip', buffer: zip });
    const body = (await sent).postDataJSON();
    expect(body.geometry.type).toBe('MultiPolygon');
    const want = await conflicts(body);
    await expectServerFigures(want);
    // the same ground as the stored red line (the file went through Gauss–Krüger and back)
    const stored = await conflicts({ projectId: project.id });
    expect(Math.abs(want.redLine.area.ellipsoidal.mu - stored.redLine.area.ellipsoidal.mu)).toBeLessThan(0.05);
    await page.screenshot({ path: path.join(outDir, 'conflict-input-shp.png') });
  });

  it('takes a pasted survey table (J1, X, Y): previewed with its 界址点 and area, then the same figures as the TXT of the same points', async () => {
    const doc = parseMinistryTxt(decodeText(txtBytes).text);
    const lines = doc.parcels[0].points.map((p) => `${p.name}\t${p.x.toFixed(3)}\t${p.y.toFixed(3)}`); // one ring: no 圈号 needed
    await reset('界址点表');
    await panel().locator('[data-testid="conflict-table"]').fill(['点号\tX\tY', ...lines].join('\n'));
    await panel().getByRole('button', { name: '预览' }).click();
    const distinct = doc.parcels[0].points.length - 1; // the exchange closes the ring by repeating J1
    await expect.poll(() => panel().locator('[data-testid="conflict-table-preview"]').innerText()).toMatch(new RegExp(`^${distinct} 个界址点，1 圈，EPSG:${doc.epsg}；高斯平面面积 [\\d,.]+ 亩`));
    expect(await panel().innerText()).not.toMatch(/服务器结果（正式）/); // previewed, not yet sent
    await page.screenshot({ path: path.join(outDir, 'conflict-input-table-preview.png') });
    await panel().getByRole('button', { name: '分析', exact: true }).click();
    await expectServerFigures(await conflicts({ geometry: { type: 'MultiPolygon', coordinates: doc.parcels[0].polygons }, crs: `EPSG:${doc.epsg}` }));
    await page.screenshot({ path: path.join(outDir, 'conflict-input-table.png') });
  });

  it('sends a survey table of one ring to the editor: saved as a new red line whose corners are the table’s points within 1 mm', async () => {
    const doc = parseMinistryTxt(decodeText(txtBytes).text);
    const points = doc.parcels[0].points.slice(0, -1); // the closing J1 repeated
    await reset('界址点表');
    await panel().locator('[data-testid="conflict-table"]').fill(points.map((p) => `${p.name}, ${p.x.toFixed(3)}, ${p.y.toFixed(3)}`).join('\n'));
    await panel().getByRole('button', { name: '预览' }).click();
    await panel().getByTestId('conflict-table-to-editor').click();
    const editor = page.getByTestId('editor');
    await expect.poll(() => editor.locator('.notice').innerText()).toBe(`红线取自界址点表（${points.length} 个界址点）：填写属性后保存`);
    await expect.poll(() => editor.locator('h3').first().innerText()).toMatch(/新建/);
    const code = `JZD-${Date.now()}`;
    await editor.locator('input[name="code"]').fill(code);
    await editor.locator('input[name="name"]').fill('界址点表红线');
    await editor.locator('select[name="kind"]').selectOption('road');
    await editor.locator('select[name="source"]').selectOption('key');
    await editor.locator('input[name="year"]').fill('2026');
    await editor.locator('select[name="command_area_id"]').selectOption('1');
    await editor.getByTestId('save').click();
    await expect.poll(() => editor.innerText(), { timeout: 15_000 }).toMatch(/已保存（版本 1）/); // (the editor's text names any refusal)
    await page.screenshot({ path: path.join(outDir, 'conflict-input-table-editor.png') });
    // the stored corners, in the table's Gauss–Krüger CRS (X north, Y east with the zone prefix)
    const { rows } = await pool.query<{ id: number; n: number; e: number }>(
      `SELECT id, ST_Y((dp).geom) n, ST_X((dp).geom) e
         FROM (SELECT id, ST_DumpPoints(ST_Transform(red_line, $2::int)) dp FROM project WHERE code = $1) s`, [code, doc.epsg]);
    const corners = rows.slice(0, -1); // the ring's closing point
    expect(corners).toHaveLength(points.length);
    for (const p of points) {
      const d = Math.min(...corners.map((c) => Math.hypot(c.n - p.x, c.e - p.y)));
      expect(d, p.name).toBeLessThan(0.001);
    }
    const id = rows[0].id;
    const got = await api(`/ogc/collections/red_line/items/${id}`);
    const del = await api(`/ogc/collections/red_line/items/${id}`, { method: 'DELETE', headers: { 'If-Match': got.headers.get('etag')! } });
    expect(del.status).toBe(204);
    await editor.getByRole('button', { name: '取消' }).click();
  });

  it('names the line of a survey table that cannot be read', async () => {
    await reset('界址点表');
    await panel().locator('[data-testid="conflict-table"]').fill('J1, 2556301.123, 37356564.456\nJ2, 2556312.48O, 37356781.902\nJ3, 2556135.771, 37356795.310\n');
    await panel().getByRole('button', { name: '预览' }).click();
    await expect.poll(() => panel().locator('[data-testid="conflict-error"]').innerText()).toBe('读入失败：第 2 行：X 坐标“2556312.48O”不是数字');
    await panel().screenshot({ path: path.join(outDir, 'conflict-input-table-error.png') });
  });
});
