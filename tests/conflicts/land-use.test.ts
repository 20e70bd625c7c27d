// What a red line takes by 三调 land class and how it lies to 三区三线 (POST /api/conflicts → landUse,
// planning), held against PostGIS's own intersections on the demo district, and as the report prints it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LandUseResult, landUseBreakdown } from '../../server/conflicts/analysis.ts';
import { dualArea } from '../../geo/area.ts';
import { api, appUrl, useTestPool } from '../helpers/db.ts';
import { postJson } from './helpers.ts';

const pool = useTestPool();

/** A square of `side` metres round a point (lon/lat), as GeoJSON. */
function squareAt([lon, lat]: [number, number], side: number): GeoJSON.Polygon {
  const dx = side / 2 / (111_320 * Math.cos((lat * Math.PI) / 180));
  const dy = side / 2 / 110_574;
  return { type: 'Polygon', coordinates: [[[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]] };
}

async function point(sql: string): Promise<[number, number]> {
  const { rows } = await pool.query<{ x: number; y: number }>(`SELECT ST_X(p) x, ST_Y(p) y FROM (${sql}) s(p)`);
  return [rows[0].x, rows[0].y];
}

const analyse = async (body: object) => {
  const res = await postJson('/api/conflicts', body);
  expect(res.status).toBe(200);
  return res.body;
};

/** PostGIS's own figures: the red line's area by class (geography). */
async function postgisClasses(redLine: GeoJSON.Geometry): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ code: string; m2: number }>(`
    WITH rl AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
    SELECT l.class_code code, sum(ST_Area(ST_Intersection(l.geom, rl.g)::geography)) m2 FROM land_use l, rl
     WHERE ST_Intersects(l.geom, rl.g) GROUP BY 1`, [JSON.stringify(redLine)]);
  return new Map(rows.filter((r) => r.m2 > 0).map((r) => [r.code, r.m2]));
}

describe('the land-class table (三调)', () => {
  it('equals PostGIS’s own intersection areas, class by class, for the stored projects', async () => {
    const { rows } = await pool.query<{ id: number; g: string }>('SELECT id, ST_AsGeoJSON(red_line) g FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 4');
    for (const p of rows) {
      const body = await analyse({ projectId: p.id });
      const expected = await postgisClasses(JSON.parse(p.g));
      const got = new Map<string, number>(body.landUse.classes.map((c: any) => [c.code, c.area.ellipsoidal.m2]));
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [code, m2] of expected) expect(Math.abs(got.get(code)! - m2) / m2, `project ${p.id} class ${code}`).toBeLessThan(1e-4);
    }
  });

  it('sums, with the legal categories and 未调查, to the red line’s area within 0.01 m²', async () => {
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id DESC LIMIT 3');
    for (const { id } of rows) {
      const body = await analyse({ projectId: id });
      const sum = body.landUse.categories.reduce((a: number, c: any) => a + c.area.ellipsoidal.m2, 0);
      expect(Math.abs(sum - body.redLine.area.ellipsoidal.m2)).toBeLessThan(0.01);
      expect(body.landUse.categories.map((c: any) => c.category)).toEqual(['agricultural', 'construction', 'unused', 'unsurveyed']);
    }
  });

  it('names each class and its legal category: the river is 河流水面, 未利用地', async () => {
    const onRiver = await point(`SELECT ST_PointOnSurface(geom) FROM land_use WHERE class_code = '1101' ORDER BY id LIMIT 1`);
    const body = await analyse({ geometry: squareAt(onRiver, 30) });
    const river = body.landUse.classes.find((c: any) => c.code === '1101');
    expect(river).toMatchObject({ name: { zh: '河流水面', en: 'River' }, category: 'unused' });
  });
});

describe('the land-class table, where the survey leaves gaps or overlaps', () => {
  const area = dualArea(10_000, 10_004);
  const classes = (entries: [string, number][]) => new Map(entries.map(([k, e]) => [k, { e, p: e * 1.0004 }]));

  it('counts what no survey polygon covers as 未调查', () => {
    const r: LandUseResult = landUseBreakdown(classes([['0101', 6_000], ['0702', 1_000]]), area);
    expect(r.unsurveyed.ellipsoidal.m2).toBeCloseTo(3_000, 6);
    expect(r.categories.find((c) => c.category === 'unsurveyed')!.area.ellipsoidal.m2).toBeCloseTo(3_000, 6);
    expect(r.categories.reduce((a, c) => a + c.area.ellipsoidal.m2, 0)).toBeCloseTo(10_000, 6);
  });

  it('reports overlapping survey polygons instead of hiding them', () => {
    const r = landUseBreakdown(classes([['0101', 6_000], ['0301', 4_500]]), area);
    expect(r.overlapM2).toBeCloseTo(500, 6);
    expect(r.unsurveyed.ellipsoidal.m2).toBe(0);
  });

  it('spreads an excess within the measurement noise over the classes, so the table still sums exactly', () => {
    // 0.05 m² more than a 1 km² red line: the pieces measured apart, not overlapping polygons
    const r = landUseBreakdown(new Map([['0101', { e: 600_000, p: 600_000 }], ['0702', { e: 400_000.05, p: 400_000.05 }]]), dualArea(1_000_000, 1_000_000));
    expect(r.overlapM2).toBe(0);
    expect(Math.abs(r.categories.reduce((a, c) => a + c.area.ellipsoidal.m2, 0) - 1_000_000)).toBeLessThan(1e-6);
    expect(r.classes[0].area.ellipsoidal.m2).toBeCloseTo(600_000 - 0.03, 6);
  });

  it('keeps a code of no known class apart, under its own heading', () => {
    const r = landUseBreakdown(classes([['0101', 6_000], ['9999', 4_000]]), area);
    expect(r.categories.map((c) => c.category)).toEqual(['agricultural', 'construction', 'unused', 'unknown', 'unsurveyed']);
  });
});

describe('三区三线 and the approval', () => {
  it('a red line wholly inside the urban development boundary goes in a city batch', async () => {
    const centre = await point(`SELECT ST_PointOnSurface(geom) FROM built_up WHERE name = '贵城老城区'`);
    const body = await analyse({ geometry: squareAt(centre, 200) });
    expect(body.planning.outsideUrbanBoundary.ellipsoidal.m2).toBeLessThan(0.01);
    expect(body.planning.consequences.map((k: any) => k.rule)).toContain('urban_inside');
    expect(body.planning.consequences.find((k: any) => k.rule === 'urban_inside').text.zh).toBe('位于城镇开发边界内：按城市批次报批');
  });

  it('a red line across the boundary is split: a city batch inside, sited on its own outside', async () => {
    // the centre's north-west corner: a quarter of the square inside
    const corner = await point(`SELECT ST_SetSRID(ST_MakePoint(ST_XMin(geom), ST_YMax(geom)), 4490) FROM urban_boundary WHERE name = '中心城区城镇开发边界'`);
    const body = await analyse({ geometry: squareAt(corner, 400) });
    const k = body.planning.consequences.find((x: any) => x.rule === 'urban_across');
    expect(k.text.zh).toMatch(/^跨城镇开发边界：边界内 [\d.]+ 亩可按城市批次报批，边界外 [\d.]+ 亩须单独选址$/);
    const inside = body.planning.insideUrbanBoundary.ellipsoidal.m2;
    const outside = body.planning.outsideUrbanBoundary.ellipsoidal.m2;
    expect(inside).toBeGreaterThan(1000);
    expect(inside + outside).toBeCloseTo(body.redLine.area.ellipsoidal.m2, 6);
  });

  it('a red line on the ecological red line is told so, with its area in 亩, and is sited on its own', async () => {
    const onEco = await point(`SELECT ST_PointOnSurface(geom) FROM eco_redline WHERE name = '猫儿山水土保持生态保护红线'`);
    const body = await analyse({ geometry: squareAt(onEco, 100) });
    const eco = body.layers.find((l: any) => l.id === 'eco_redline');
    expect(eco.count).toBe(1);
    const { rows } = await pool.query<{ m2: number }>(`SELECT ST_Area(ST_Intersection(e.geom, ST_SetSRID(ST_GeomFromGeoJSON($1), 4490))::geography) m2
      FROM eco_redline e WHERE e.name = '猫儿山水土保持生态保护红线'`, [JSON.stringify(squareAt(onEco, 100))]);
    expect(body.planning.ecoRedline.ellipsoidal.m2).toBeCloseTo(rows[0].m2, 3);
    const k = body.planning.consequences[0];
    expect(k).toMatchObject({ rule: 'eco_redline', severity: 'block' });
    expect(k.text.zh).toContain(`位于生态保护红线内 ${body.planning.ecoRedline.ellipsoidal.mu.toFixed(2)} 亩`);
    expect(body.planning.consequences.map((x: any) => x.rule)).toContain('urban_outside');
  });

  it('names the State Council when permanent basic farmland is taken', async () => {
    const onBasic = await point(`SELECT ST_PointOnSurface(geom) FROM farmland WHERE kind = 'permanent_basic' ORDER BY id LIMIT 1`);
    const body = await analyse({ geometry: squareAt(onBasic, 40) });
    expect(body.planning.permanentBasicFarmland.ellipsoidal.m2).toBeGreaterThan(100);
    expect(body.planning.approvalLevel).toBe('state_council');
    expect(body.planning.consequences.map((x: any) => x.rule)).toEqual(expect.arrayContaining(['permanent_basic', 'cultivated_quota', 'conversion']));
  });
});

describe('the report', () => {
  it('prints the land-class table and the consequences (HTML and PDF)', async () => {
    const { rows } = await pool.query<{ id: number }>(`SELECT p.id FROM project p WHERE p.red_line IS NOT NULL ORDER BY p.id LIMIT 1`);
    const analysis = await analyse({ projectId: rows[0].id });
    const html = (await postJson('/api/conflicts/report', { projectId: rows[0].id })).body as string;
    expect(html).toContain('四、地类面积（第三次全国国土调查）');
    expect(html).toContain('五、“三区三线”与报批');
    for (const c of analysis.landUse.classes) expect(html).toContain(`<tr data-class="${c.code}"><td class="code">${c.code}</td><td>${c.name.zh}</td>`);
    for (const k of analysis.planning.consequences) expect(html).toContain(k.text.zh);
    let pdftotext = true;
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    } catch (err) {
      pdftotext = (err as NodeJS.ErrnoException).code !== 'ENOENT';
    }
    if (!pdftotext) return;
    const res = await api(`${appUrl().replace(/\/$/, '')}/api/conflicts/report?format=pdf`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projectId: rows[0].id }),
    });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-landuse-report-'));
    writeFileSync(path.join(dir, 'r.pdf'), Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('地类面积');
    expect(text).toContain(analysis.landUse.classes[0].name.zh);
    expect(text.replace(/\s+/g, '')).toContain(analysis.planning.consequences.at(-1).text.zh.replace(/\s+/g, ''));
  });
});
