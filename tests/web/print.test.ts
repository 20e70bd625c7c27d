// The map print (地图打印, POST /api/print) end to end: the server's Chromium opens the print page with
// the requesting account's session (the tests' server has no public read, so a print that rendered at
// all read the map as that account: without the cookie its page gets 401 and the print fails), and
// the PDF is read back with poppler:
//  - pdftotext: the title, the numeric scale, the Beijing date, the legend of exactly the layers printed;
//  - pdftotext -bbox: the scale bar's end labels sit on paper as far apart as the label's ground length
//    at 1:scale (within 1 %);
//  - the map itself at that scale: a project's red line, alone in its neighbourhood and drawn alone,
//    is found in the PDF's raster (pdftoppm, its #e10000 outline pixels) and its width and height on
//    paper × scale are compared with its extent on the ground from PostGIS geography (within 1 %).
//    This measures the drawn map, not what the page says about it: a wrong zoom, a wrong tile-size
//    convention, a frame not in mm or a blurred/stretched image all change the measured size.
// Over a raster basemap (a local XYZ server's magenta tiles through the proxy): drawn and credited.
// The 打印 dialog in a real browser: its defaults, a bad scale refused, the PDF downloaded.
// Screenshots (looked at): tests/.output/print-a4-landscape.png, print-a3-portrait.png, print-a4-portrait-en.png, print-dialog-zh.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fitScale, mapFrame, pageSize, scaleText } from '../../geo/print.ts';
import { beijingDate } from '../../geo/time.ts';
import { buildApp } from '../../server/app.ts';
import { DomainError } from '../../server/core/errors.ts';
import { PdfRenderer } from '../../server/core/pdf.ts';
import { loadConfig } from '../../server/config.ts';
import { startXyzServer, type XyzServer } from '../fixtures/basemaps/xyz-server.ts';
import { launchChromium, openMap } from '../helpers/browser.ts';
import { api, appUrl, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-print-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasPoppler = hasProgram('pdftotext', ['-v'], 'web/print.test', 'poppler-utils');
const pool = useTestPool();

const MM_PER_PT = 25.4 / 72;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function print(body: Record<string, unknown>, who = 'tester'): Promise<{ status: number; pdf: Buffer; headers: Headers; file: string }> {
  const res = await api('/api/print', { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const pdf = Buffer.from(await res.arrayBuffer());
  const file = path.join(tmp, `print-${Date.now()}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return { status: res.status, pdf, headers: res.headers, file };
}

const pdfText = (file: string): string => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

interface Word { text: string; xMin: number; yMin: number; xMax: number; yMax: number }
function pdfWords(file: string): Word[] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ xMin: +m[1], yMin: +m[2], xMax: +m[3], yMax: +m[4], text: m[5] }));
}

/** The PDF's first page as RGB pixels (pdftoppm, PPM). */
function raster(file: string, dpi: number): { width: number; height: number; rgb: Buffer } {
  const stem = path.join(tmp, `r${Date.now()}`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, stem]);
  const buf = readFileSync(`${stem}.ppm`);
  // P6\n<w> <h>\n255\n<bytes>
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 50).toString('latin1'))!;
  return { width: +header[1], height: +header[2], rgb: buf.subarray(header[0].length) };
}

function screenshot(file: string, name: string): void {
  mkdirSync(outDir, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', file, path.join(outDir, name)]);
}

/**
 * The scale bar as printed: its tick labels are the words of one line that start with "0" and are
 * numbers; the first and last label's centres are the bar's ends (each label is centred on its tick).
 */
function scaleBarOnPaper(words: Word[]): { mm: number; lastLabel: number } {
  const zero = words.filter((w) => w.text === '0');
  for (const z of zero) {
    const line = words.filter((w) => Math.abs(w.yMin - z.yMin) < 0.8 && w.xMin >= z.xMin && /^\d+(\.\d+)?$/.test(w.text)).sort((a, b) => a.xMin - b.xMin);
    if (line.length >= 3) {
      const centre = (w: Word) => (w.xMin + w.xMax) / 2;
      const last = line[line.length - 1];
      return { mm: (centre(last) - centre(z)) * MM_PER_PT, lastLabel: Number(last.text) };
    }
  }
  throw new Error('no scale bar labels found in the PDF');
}

describe.skipIf(!hasPoppler)('map print (POST /api/print)', () => {
  const today = beijingDate();
  /** a project whose red line has no other within ~1 km, 500 m – 2 km across */
  let project: { id: number; code: string; w: number; s: number; e: number; n: number; widthM: number; heightM: number };

  beforeAll(async () => {
    const { rows } = await pool.query(`
      WITH b AS (SELECT id, code, ST_XMin(red_line) w, ST_YMin(red_line) s, ST_XMax(red_line) e, ST_YMax(red_line) n, red_line FROM project WHERE red_line IS NOT NULL)
      SELECT id, code, w, s, e, n,
        ST_Distance(ST_MakePoint(w, (s + n) / 2)::geography, ST_MakePoint(e, (s + n) / 2)::geography) AS width_m,
        ST_Distance(ST_MakePoint((w + e) / 2, s)::geography, ST_MakePoint((w + e) / 2, n)::geography) AS height_m
      FROM b
      WHERE NOT EXISTS (SELECT 1 FROM project q WHERE q.id <> b.id AND q.red_line && ST_Expand(ST_Envelope(b.red_line), 0.01))
      ORDER BY abs(ST_Distance(ST_MakePoint(w, s)::geography, ST_MakePoint(e, n)::geography) - 1800) LIMIT 1`);
    expect(rows.length, 'an isolated red line in the demo data').toBe(1);
    const r = rows[0];
    project = { id: r.id, code: r.code, w: r.w, s: r.s, e: r.e, n: r.n, widthM: r.width_m, heightM: r.height_m };
  });

  it('A4 landscape: title, numeric scale and date in the text; the scale bar and the map itself true to 1 %', async () => {
    const frame = mapFrame('A4', 'landscape');
    // a scale at which the red line fills about 70 % of the frame's tighter side
    const scale = Math.ceil(Math.max(project.widthM / (frame.width * 0.7), project.heightM / (frame.height * 0.7)) * 1000 / 100) * 100;
    expect(scale).toBeGreaterThanOrEqual(2000);
    const title = `测试打印 ${project.code}`;
    const res = await print({
      center: [(project.w + project.e) / 2, (project.s + project.n) / 2], scale, paper: 'A4', orientation: 'landscape',
      title, layers: ['red_line'], lang: 'zh',
    });
    expect(res.status, res.pdf.toString('utf8').slice(0, 300)).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // a Beijing-dated file name
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain(`${title}-${today.replaceAll('-', '')}.pdf`);
    screenshot(res.file, 'print-a4-landscape');

    const info = execFileSync('pdfinfo', [res.file], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+1\b/);
    const [, wPt, hPt] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Math.abs(+wPt * MM_PER_PT - 297)).toBeLessThan(0.5);
    expect(Math.abs(+hPt * MM_PER_PT - 210)).toBeLessThan(0.5);

    const text = pdfText(res.file);
    expect(text).toContain(title);
    expect(text).toContain(scaleText(scale));
    expect(text).toContain(`制图日期：${today}`);
    expect(text).toContain('演示数据，非真实数据');
    expect(text).toContain('CGCS2000');
    // the legend of the one layer printed, and of none other
    expect(text).toContain('项目红线');
    expect(text).not.toContain('征收宗地');
    expect(text).not.toContain('高速公路');

    // the scale bar: its printed length × scale is its label's ground length
    const bar = scaleBarOnPaper(pdfWords(res.file));
    const labelMetres = bar.lastLabel * (text.includes('千米') ? 1000 : 1);
    expect(rel((bar.mm / 1000) * scale, labelMetres), `bar ${bar.mm.toFixed(2)} mm at 1:${scale} for ${labelMetres} m`).toBeLessThan(0.01);

    // the map: the red line's outline pixels inside the map frame, 200 dpi
    const dpi = 200;
    const img = raster(res.file, dpi);
    const pxPerMm = dpi / 25.4;
    const inset = 1.5; // mm: clear of the frame's own outline
    const x0 = Math.ceil((frame.x + inset) * pxPerMm), x1 = Math.floor((frame.x + frame.width - inset) * pxPerMm);
    const y0 = Math.ceil((frame.y + inset) * pxPerMm), y1 = Math.floor((frame.y + frame.height - inset) * pxPerMm);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, count = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = (y * img.width + x) * 3;
        // #e10000, the red line's outline (its label is #b00000, its fill a 30 % tint)
        if (img.rgb[i] >= 200 && img.rgb[i + 1] <= 70 && img.rgb[i + 2] <= 70) {
          count++;
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
    }
    expect(count, 'red-line pixels in the frame').toBeGreaterThan(200);
    // the outline is drawn 2.6 CSS px wide, centred on the boundary: the outer extent is one width more
    const lineMm = 2.6 * (25.4 / 96);
    const widthMm = (maxX - minX + 1) / pxPerMm - lineMm;
    const heightMm = (maxY - minY + 1) / pxPerMm - lineMm;
    const groundW = (widthMm / 1000) * scale;
    const groundH = (heightMm / 1000) * scale;
    console.log(`print scale check 1:${scale}, project ${project.code}: E–W ${widthMm.toFixed(2)} mm → ${groundW.toFixed(1)} m vs ${project.widthM.toFixed(1)} m ` +
      `(${(100 * (groundW / project.widthM - 1)).toFixed(2)} %); N–S ${heightMm.toFixed(2)} mm → ${groundH.toFixed(1)} m vs ${project.heightM.toFixed(1)} m ` +
      `(${(100 * (groundH / project.heightM - 1)).toFixed(2)} %); bar ${bar.mm.toFixed(2)} mm for ${labelMetres} m ` +
      `(${(100 * ((bar.mm / 1000) * scale / labelMetres - 1)).toFixed(2)} %)`);
    expect(rel(groundW, project.widthM)).toBeLessThan(0.01);
    expect(rel(groundH, project.heightM)).toBeLessThan(0.01);
  }, 240_000);

  it('A3 portrait in Chinese: the legend of the visible layers only, scale and date', async () => {
    const layers = ['red_line', 'parcel', 'command_area', 'village', 'water', 'built_up', 'road', 'place', 'farmland'];
    const res = await print({
      center: [109.6, 23.1], scale: 25000, paper: 'A3', orientation: 'portrait', title: '港北区征收现状图（A3 纵向）', layers, lang: 'zh',
    });
    expect(res.status, res.pdf.toString('utf8').slice(0, 300)).toBe(200);
    screenshot(res.file, 'print-a3-portrait');
    const info = execFileSync('pdfinfo', [res.file], { encoding: 'utf8' });
    const [, wPt, hPt] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Math.abs(+wPt * MM_PER_PT - 297)).toBeLessThan(0.5);
    expect(Math.abs(+hPt * MM_PER_PT - 420)).toBeLessThan(0.5);
    const text = pdfText(res.file);
    expect(text).toContain('港北区征收现状图（A3 纵向）');
    expect(text).toContain('比例尺 1:25,000');
    expect(text).toContain(`制图日期：${today}`);
    for (const shown of ['项目红线', '征收宗地', '已签约', '高速公路', '永久基本农田', '贵城片区']) expect(text).toContain(shown);
    // not printed: houses, problems, cane bases, military land
    for (const hidden of ['征收房屋', '双高糖料蔗基地', '管控区']) expect(text).not.toContain(hidden);
    const bar = scaleBarOnPaper(pdfWords(res.file));
    const labelMetres = bar.lastLabel * (text.includes('千米') ? 1000 : 1);
    expect(rel((bar.mm / 1000) * 25000, labelMetres)).toBeLessThan(0.01);
  }, 240_000);

  it('fit to view: the scale that shows the whole box on the paper', async () => {
    const bbox: [number, number, number, number] = [project.w, project.s, project.e, project.n];
    const res = await print({ bbox, paper: 'A4', orientation: 'portrait', title: '', layers: ['red_line'], lang: 'en' });
    expect(res.status, res.pdf.toString('utf8').slice(0, 300)).toBe(200);
    const expected = fitScale(bbox, mapFrame('A4', 'portrait')).scale;
    expect(Number(res.headers.get('x-print-scale'))).toBe(expected);
    screenshot(res.file, 'print-a4-portrait-en');
    const text = pdfText(res.file);
    expect(text).toContain(`Scale ${scaleText(expected)}`);
    expect(text).toContain(`Date: ${today}`);
    expect(text).toContain('Synthetic demo data');
    const page = pageSize('A4', 'portrait');
    const [, wPt] = /Page size:\s+([\d.]+) x/.exec(execFileSync('pdfinfo', [res.file], { encoding: 'utf8' }))!;
    expect(Math.abs(+wPt * MM_PER_PT - page.width)).toBeLessThan(0.5);
  }, 240_000);

  it('a print as of a past date says so on the sheet', async () => {
    const res = await print({ center: [109.6, 23.1], scale: 10000, paper: 'A4', orientation: 'landscape', title: '历史打印', layers: ['red_line', 'command_area'], lang: 'zh', asOf: '2021-06-30' });
    expect(res.status, res.pdf.toString('utf8').slice(0, 300)).toBe(200);
    expect(pdfText(res.file)).toContain('数据截至：2021-06-30');
  }, 240_000);

  it('without Chromium: 503 pdf_unavailable, a code the client words', async () => {
    const renderer = new PdfRenderer('/nonexistent/chromium');
    const failed = await renderer.render('<p>x</p>').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DomainError);
    expect(failed).toMatchObject({ code: 'pdf_unavailable', status: 503 });
    await renderer.close();
  });

  it('refuses what it cannot print, by the error contract', async () => {
    const base = { paper: 'A4', orientation: 'landscape', layers: ['red_line'], title: 'x' };
    const outside = await print({ ...base, center: [100, 10], scale: 10000 });
    expect(outside.status).toBe(400);
    expect(JSON.parse(outside.pdf.toString())).toMatchObject({ error: 'invalid_input', field: 'center' });
    const tooLarge = await print({ ...base, center: [109.6, 23.1], scale: 1000 });
    expect(tooLarge.status).toBe(400);
    const neither = await print({ ...base });
    expect(neither.status).toBe(400);
    expect(JSON.parse(neither.pdf.toString()).error).toBe('invalid_input');
    const unknownLayer = await print({ ...base, center: [109.6, 23.1], scale: 10000, layers: ['nope'] });
    expect(unknownLayer.status).toBe(400);
    const norole = await print({ ...base, center: [109.6, 23.1], scale: 10000 }, 'norole');
    expect(norole.status).toBe(403);
  });
});

describe.skipIf(!hasPoppler)('the 打印 dialog on the map', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens from the map tools, sends the view and the visible layers, and downloads the PDF', async () => {
    const page = await openMap(browser, `${appUrl()}/`, { acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByTestId('print-button').click();
    await expect.poll(() => page.getByTestId('print-title').inputValue()).toBe('港北区（演示）土地房屋征收现状图');
    await page.getByTestId('print-scale').fill('1:3000x');
    await expect.poll(() => page.getByTestId('print-make').isDisabled()).toBe(true);
    await page.getByTestId('print-scale').fill('5000');
    await page.getByTestId('print-title').fill('界面打印测试');
    await page.getByTestId('print-paper').selectOption('A4');
    await page.getByTestId('print-orientation').selectOption('portrait');
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'print-dialog-zh.png') });
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.getByTestId('print-make').click()]);
    expect(download.suggestedFilename()).toBe(`界面打印测试-${beijingDate().replaceAll('-', '')}.pdf`);
    const file = path.join(tmp, 'dialog.pdf');
    await download.saveAs(file);
    const text = pdfText(file);
    expect(text).toContain('界面打印测试');
    expect(text).toContain('比例尺 1:5,000');
    // the layers shown at start are printed, those hidden at start (三区三线) are not
    expect(text).toContain('征收宗地');
    expect(text).not.toContain('生态保护红线');
    expect(text).not.toContain('城镇开发边界');
    await expect.poll(() => page.getByTestId('print-message').textContent()).toContain('界面打印测试');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});

describe.skipIf(!hasPoppler)('printing over a raster basemap', () => {
  let xyz: XyzServer;
  let app: FastifyInstance;
  let origin: string;

  beforeAll(async () => {
    xyz = await startXyzServer();
    const { TIANDITU_KEY: _k, BASEMAPS: _b, ...rest } = process.env;
    const { basemaps } = loadConfig({
      ...rest,
      BASEMAPS: JSON.stringify([{ id: 'local', title: { zh: '本地瓦片', en: 'Local tiles' }, url: `${xyz.origin}/xyz/{z}/{x}/{y}.png`, attribution: '© 本地测试瓦片', datum: 'WGS84', maxzoom: 18 }]),
    });
    const info = (await (await api('/health')).json()).database;
    app = await buildApp({ database: { url: inject('databaseUrl'), poolMax: 2, info }, basemaps, webRoot: path.join(root, 'dist/web') });
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await xyz?.close();
  });

  const body = (basemap: string) => ({ center: [109.6, 23.1], scale: 10000, paper: 'A4', orientation: 'landscape', title: '底图打印', layers: ['red_line'], lang: 'zh', basemap });

  it('draws the basemap the map shows under the layers, and credits it', async () => {
    const before = xyz.requests.length;
    const res = await api(`${origin}/api/print`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body('local')) });
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(res.status, pdf.toString('utf8').slice(0, 300)).toBe(200);
    expect(xyz.requests.length, 'tiles fetched through the proxy').toBeGreaterThan(before);
    const file = path.join(tmp, 'basemap.pdf');
    writeFileSync(file, pdf);
    // (the note may wrap: compared without white space)
    expect(pdfText(file).replace(/\s+/g, '')).toContain('底图：本地瓦片（©本地测试瓦片）');
    // the magenta test tiles (255, 0, 200) fill the frame where nothing else is drawn
    const img = raster(file, 50);
    const frame = mapFrame('A4', 'landscape');
    const px = (mm: number) => Math.round((mm * 50) / 25.4);
    let magenta = 0, all = 0;
    for (let y = px(frame.y + 2); y < px(frame.y + frame.height - 2); y++) {
      for (let x = px(frame.x + 2); x < px(frame.x + frame.width - 2); x++) {
        const i = (y * img.width + x) * 3;
        all++;
        if (img.rgb[i] > 200 && img.rgb[i + 1] < 90 && img.rgb[i + 2] > 140) magenta++;
      }
    }
    expect(magenta / all).toBeGreaterThan(0.3);
  }, 240_000);

  it('a basemap the server does not offer: 502 print_failed, nothing printed', async () => {
    const res = await api(`${origin}/api/print`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body('nope')) });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'print_failed', params: { reason: 'page' } });
  }, 240_000);
});
