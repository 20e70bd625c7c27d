// The conflict report: printable HTML in Chinese with a print stylesheet, and the same as a PDF
// rendered by headless Chromium on the server; the PDF's text holds the totals (pdftotext, poppler-utils).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, appUrl, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();
const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

const hasCs2cs = hasProgram('cs2cs', [], 'conflicts/report.test (points)', 'proj-bin');
let projectId: number;
let analysis: any;
const fmt = (v: number, d: number) => v.toLocaleString('zh-CN', { minimumFractionDigits: d, maximumFractionDigits: d });

beforeAll(async () => {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT p.id FROM project p WHERE p.red_line IS NOT NULL AND EXISTS (SELECT 1 FROM cane_base c WHERE ST_Intersects(c.geom, p.red_line)) ORDER BY p.id LIMIT 1`);
  projectId = rows[0].id;
  analysis = (await postJson('/api/conflicts', { projectId })).body;
});

describe('conflict report', () => {
  it('is Chinese HTML with the project, date, analyst and the area convention', async () => {
    const { status, body, headers } = await postJson('/api/conflicts/report', { projectId, analyst: '王规划', date: '2022-03-15' });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/html/);
    expect(body).toContain('红线压占分析报告');
    expect(body).toContain(analysis.redLine.project.name);
    expect(body).toContain('王规划');
    expect(body).toContain('2022-03-15');
    expect(body).toContain('面积计算说明');
    expect(body).toContain(`第 ${analysis.convention.zone} 带`);
  });

  it('has a print stylesheet and a map of the red line', async () => {
    const { body } = await postJson('/api/conflicts/report', { projectId });
    expect(body).toMatch(/@media print/);
    expect(body).toMatch(/@page \{ size: A4/);
    expect(body).toMatch(/<svg[^>]*aria-label="红线压占示意图"/);
  });

  it('holds each layer’s total in 亩 in its summary table', async () => {
    const { body } = await postJson('/api/conflicts/report', { projectId });
    const cane = analysis.layers.find((l: any) => l.id === 'cane_base');
    const row = new RegExp(`<tr data-layer="cane_base">.*?</tr>`).exec(body)![0];
    expect(row).toContain(fmt(cane.total.ellipsoidal.mu, 2));
    expect(row).toContain(fmt(cane.total.planar.mu, 2));
  });

  it.skipIf(!hasPdftotext)('downloads as a PDF whose text holds the totals', async () => {
    const res = await api(`${appUrl().replace(/\/$/, '')}/api/conflicts/report?projectId=${projectId}&format=pdf&analyst=${encodeURIComponent('王规划')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'zs-report-')), 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('红线压占分析报告');
    expect(text).toContain('王规划');
    const cane = analysis.layers.find((l: any) => l.id === 'cane_base');
    expect(text).toContain(fmt(cane.total.ellipsoidal.mu, 2));
    expect(text).toContain(fmt(analysis.redLine.area.ellipsoidal.mu, 2));
  });

  it('ends with the sign-off block: 编制单位, 编制人, 审核人 and 日期 as the form filled them', async () => {
    const { body } = await postJson('/api/conflicts/report', { projectId, unit: '港北区自然资源局', analyst: '王规划', reviewer: '赵审核', date: '2022-03-15' });
    const block = /<table class="signoff">[\s\S]*?<\/table>/.exec(body)![0];
    expect(block).toMatch(/<th>编制单位<\/th><td data-field="unit">港北区自然资源局<\/td>/);
    expect(block).toMatch(/<th>编制人<\/th><td data-field="signoff-analyst">王规划<\/td>/);
    expect(block).toMatch(/<th>审核人<\/th><td data-field="reviewer">赵审核<\/td>/);
    expect(block).toMatch(/<th>日期<\/th><td data-field="signoff-date">2022-03-15<\/td>/);
  });

  it('refuses a reviewer longer than 100 characters, naming reviewer', async () => {
    const { status, body } = await postJson('/api/conflicts/report', { projectId, reviewer: '审'.repeat(101) });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('reviewer');
  });

  it.skipIf(!hasPdftotext || !hasCs2cs)('prints the 界址点坐标表 in the zone of the analysis: every point, X and Y as cs2cs has them, the edge from the printed coordinates, and the sign-off names', async () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/package/across-town-boundary.json', import.meta.url), 'utf8'));
    const res = await api(`${appUrl().replace(/\/$/, '')}/api/conflicts/report`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fx.request, format: 'pdf', unit: '港北区自然资源局', reviewer: '赵审核' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'zs-report-')), 'points.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']).toString('utf8');
    expect(text).toContain('界址点坐标表');
    expect(text).toContain(`第 ${fx.expected.zone} 带`);
    expect(text).toContain(`EPSG:${fx.expected.epsg}`);
    const pts: { name: string; lonLat: [number, number] }[] = fx.expected.points;
    const input = pts.map((p) => `${p.lonLat[1]} ${p.lonLat[0]}`).join('\n') + '\n';
    const proj = execFileSync('cs2cs', ['-f', '%.6f', 'EPSG:4490', `EPSG:${fx.expected.epsg}`], { input }).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    // a point's row: its ring, its name, X, Y and the edge to the next point, on one line
    const rows = new Map<string, number[]>();
    for (const line of text.split('\n')) {
      const m = /^\s*(\d+)\s+(J\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$/.exec(line);
      if (m) rows.set(m[2], [Number(m[3]), Number(m[4]), Number(m[5])]);
    }
    expect([...rows.keys()]).toEqual(pts.map((p) => p.name));
    pts.forEach((p, i) => {
      const [x, y] = rows.get(p.name)!;
      expect(Math.abs(x - proj[i][0]), `${p.name} X`).toBeLessThanOrEqual(0.0015);
      expect(Math.abs(y - proj[i][1]), `${p.name} Y`).toBeLessThanOrEqual(0.0015);
    });
    // the edge from each point to the next of its ring, from the printed coordinates
    const edge = (a: number[], b: number[]) => Math.hypot(b[0] - a[0], b[1] - a[1]);
    const named = [...rows.values()];
    expect(named[0][2]).toBeCloseTo(edge(named[0], named[1]), 2);
    expect(text).toContain('港北区自然资源局');
    expect(text).toContain('赵审核');
  });

  it('answers 400 for an unknown format', async () => {
    const { status } = await postJson('/api/conflicts/report', { projectId, format: 'docx' });
    expect(status).toBe(400);
  });
});

// A hexagon near the city centre: 6 corners, 7 positions (GeoJSON repeats the first to close the ring).
const hexagon = (cx: number, cy: number, r: number) => {
  const ring = Array.from({ length: 6 }, (_, i) => [cx + r * Math.cos((i * Math.PI) / 3), cy + r * Math.sin((i * Math.PI) / 3)]);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
};

describe('the boundary-point count (界址点数)', () => {
  it('counts a 6-corner red line as 6 个界址点 (the closing point is J1 again)', async () => {
    const geometry = hexagon(109.6, 23.1, 0.004);
    expect(geometry.coordinates[0]).toHaveLength(7);
    const { body: result } = await postJson('/api/conflicts', { geometry });
    expect(result.redLine.vertices).toBe(6);
    const { body } = await postJson('/api/conflicts/report', { geometry, projectName: '六角形测试红线' });
    expect(body).toContain('6 个界址点');
    expect(body).not.toContain('7 个界址点');
  });

  it('counts a stored red line’s corners the same way, holes included', async () => {
    const { rows } = await pool.query<{ corners: number }>(
      // every ring repeats its first position once: positions less rings
      `SELECT (ST_NPoints(red_line) - ST_NRings(red_line))::int corners FROM project WHERE id = $1`, [projectId]);
    const { body } = await postJson('/api/conflicts/report', { projectId });
    expect(body).toContain(`${rows[0].corners} 个界址点`);
  });

  it('gives the analysis time in Beijing time, not UTC', async () => {
    const { body } = await postJson('/api/conflicts/report', { projectId });
    const at = /分析时间：([^（<]+)（北京时间/.exec(body);
    expect(at?.[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });
});
