// The live panel's land-class table and 三区三线 result (geo/area.ts LiveOverlaps → geo/landuse.ts
// liveLandUse), computed with Turf from the features loaded for the view, held against PostGIS's own
// figures (ST_Intersection, geography) for the fixtures of tests/fixtures/live-landuse/ and, on the demo
// district, against the server's analysis of a stored project.
//
// Stated tolerance: each live area (a land class, a legal category, the ecological red line, permanent
// basic farmland, inside the urban boundary) within 0.05 % of PostGIS's, or 0.5 m² for small pieces;
// the live table sums to the live red-line area within 0.01 m².
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dualArea, LiveOverlaps } from '../../geo/area.ts';
import { landUseBreakdown, liveLandUse, planningResult } from '../../geo/landuse.ts';
import type { LiveLandUseCase } from '../fixtures/live-landuse/make.ts';
import { getJson, useTestPool } from '../helpers/db.ts';
import { postJson } from '../conflicts/helpers.ts';

const pool = useTestPool();
const dir = new URL('../fixtures/live-landuse/', import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as LiveLandUseCase) }));

const REL = 5e-4;
const ABS_M2 = 0.5;
const close = (live: number, pg: number, what: string) =>
  expect(Math.abs(live - pg), `${what}: live ${live.toFixed(3)} m², PostGIS ${pg.toFixed(3)} m²`).toBeLessThanOrEqual(Math.max(ABS_M2, REL * pg));

interface PostgisFigures {
  redLineM2: number;
  classes: Map<string, number>;
  ecoM2: number;
  basicM2: number;
  urbanM2: number;
}

/** PostGIS's figures for a case: each feature cut by the red line, its area on the ellipsoid. */
async function postgis(c: LiveLandUseCase): Promise<PostgisFigures> {
  const items = [
    ...c.features.land_use.map((f) => ({ layer: 'land_use', key: String(f.properties!.class_code), geom: f.geometry })),
    ...(c.features.eco_redline ?? []).map((f) => ({ layer: 'eco_redline', key: '', geom: f.geometry })),
    ...(c.features.urban_boundary ?? []).map((f) => ({ layer: 'urban_boundary', key: '', geom: f.geometry })),
    ...(c.features.farmland ?? []).filter((f) => f.properties!.kind === 'permanent_basic').map((f) => ({ layer: 'basic', key: '', geom: f.geometry })),
  ];
  const { rows } = await pool.query<{ layer: string; key: string; m2: number }>(`
    WITH rl AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g),
         f AS (SELECT x->>'layer' layer, x->>'key' key, ST_SetSRID(ST_GeomFromGeoJSON(x->'geom'), 4490) g FROM jsonb_array_elements($2::jsonb) x)
    SELECT 'red_line' layer, '' key, ST_Area(g::geography) m2 FROM rl
    UNION ALL
    SELECT f.layer, f.key, sum(ST_Area(ST_Intersection(f.g, rl.g)::geography)) FROM f, rl WHERE ST_Intersects(f.g, rl.g) GROUP BY 1, 2`,
  [JSON.stringify(c.redLine), JSON.stringify(items)]);
  const sum = (layer: string) => rows.filter((r) => r.layer === layer).reduce((a, r) => a + r.m2, 0);
  return {
    redLineM2: sum('red_line'),
    classes: new Map(rows.filter((r) => r.layer === 'land_use' && r.m2 > 0).map((r) => [r.key, r.m2])),
    ecoM2: sum('eco_redline'), basicM2: sum('basic'), urbanM2: sum('urban_boundary'),
  };
}

function live(c: LiveLandUseCase, redLine: GeoJSON.Polygon = c.redLine) {
  const engine = new LiveOverlaps();
  engine.setFeatures(c.features, undefined, c.landUseBox);
  return engine.compute(redLine);
}

describe.each(cases)('live land classes: $name', (c) => {
  it('gives each land class within 0.05 % of PostGIS', async () => {
    const pg = await postgis(c);
    const r = liveLandUse(live(c))!;
    expect(r.landUse.classes.map((x) => x.code)).toEqual([...pg.classes.keys()].sort());
    for (const x of r.landUse.classes) close(x.area.ellipsoidal.m2, pg.classes.get(x.code)!, x.code);
  });

  it('gives each legal category and 未调查 within 0.05 % of PostGIS, summing to the red line', async () => {
    const pg = await postgis(c);
    const r = live(c);
    const { landUse } = liveLandUse(r)!;
    const expected = landUseBreakdown(new Map([...pg.classes].map(([k, m2]) => [k, { e: m2, p: m2 }])), dualArea(pg.redLineM2, pg.redLineM2));
    expect(landUse.categories.map((x) => x.category)).toEqual(expected.categories.map((x) => x.category));
    landUse.categories.forEach((x, i) => close(x.area.ellipsoidal.m2, expected.categories[i].area.ellipsoidal.m2, x.category));
    const sum = landUse.categories.reduce((a, x) => a + x.area.ellipsoidal.m2, 0);
    expect(Math.abs(sum - r.redLineM2)).toBeLessThan(0.01);
    close(r.redLineM2, pg.redLineM2, 'red line');
  });

  it('gives the 三区三线 areas within 0.05 % of PostGIS, and the same consequences', async () => {
    const pg = await postgis(c);
    const { landUse, planning } = liveLandUse(live(c))!;
    close(planning.ecoRedline.ellipsoidal.m2, pg.ecoM2, 'ecological red line');
    close(planning.permanentBasicFarmland.ellipsoidal.m2, pg.basicM2, 'permanent basic farmland');
    close(planning.insideUrbanBoundary.ellipsoidal.m2, pg.urbanM2, 'inside the urban boundary');
    const classes = new Map([...pg.classes].map(([k, m2]) => [k, { e: m2, p: m2 }]));
    const redLine = dualArea(pg.redLineM2, pg.redLineM2);
    const expected = planningResult({
      redLine, classes, landUse: landUseBreakdown(classes, redLine),
      ecoRedline: dualArea(pg.ecoM2, pg.ecoM2), permanentBasicFarmland: dualArea(pg.basicM2, pg.basicM2), insideUrban: { e: pg.urbanM2, p: pg.urbanM2 },
    });
    expect(planning.consequences.map((k) => `${k.rule}:${k.severity}`)).toEqual(expected.consequences.map((k) => `${k.rule}:${k.severity}`));
    expect(planning.approvalLevel).toBe(expected.approvalLevel);
    expect(landUse.categories.length).toBeGreaterThan(0);
  });

  it('gives no land-class figures for a red line that leaves the box the land use was loaded for', () => {
    const [x0, y0, x1] = c.landUseBox;
    const out: GeoJSON.Polygon = { type: 'Polygon', coordinates: [[[x0 + 0.001, y0 + 0.001], [x1 + 0.002, y0 + 0.001], [x1 + 0.002, y0 + 0.003], [x0 + 0.001, y0 + 0.003], [x0 + 0.001, y0 + 0.001]]] };
    const r = live(c, out);
    expect(r.survey).toBeNull();
    expect(liveLandUse(r)).toBeNull();
  });
});

describe('live land classes on the demo district', () => {
  it('agree with the server’s analysis of a stored project within 0.05 %', async () => {
    const { rows } = await pool.query<{ id: number; g: string; x0: number; y0: number; x1: number; y1: number }>(`
      SELECT id, ST_AsGeoJSON(red_line) g, ST_XMin(b) x0, ST_YMin(b) y0, ST_XMax(b) x1, ST_YMax(b) y1
        FROM (SELECT id, red_line, ST_Expand(red_line, 0.001)::box2d b FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 1) s`);
    const p = rows[0];
    const bbox = [p.x0, p.y0, p.x1, p.y1];
    const features: Record<string, GeoJSON.Feature[]> = {};
    for (const layer of ['land_use', 'eco_redline', 'urban_boundary', 'farmland']) {
      const res = await getJson(`/api/layers/${layer}/features?bbox=${bbox.join(',')}&limit=50000`);
      expect(res.status).toBe(200);
      expect(res.body.truncated).toBe(false);
      features[layer] = res.body.features;
    }
    const engine = new LiveOverlaps();
    engine.setFeatures(features, undefined, bbox as [number, number, number, number]);
    const geometry = JSON.parse(p.g) as GeoJSON.MultiPolygon;
    const r = liveLandUse(engine.compute(geometry))!;
    const server = (await postJson('/api/conflicts', { projectId: p.id })).body;
    expect(r.landUse.classes.map((x) => x.code)).toEqual(server.landUse.classes.map((x: any) => x.code));
    r.landUse.classes.forEach((x, i) => close(x.area.ellipsoidal.m2, server.landUse.classes[i].area.ellipsoidal.m2, x.code));
    r.landUse.categories.forEach((x, i) => close(x.area.ellipsoidal.m2, server.landUse.categories[i].area.ellipsoidal.m2, x.category));
    close(r.planning.insideUrbanBoundary.ellipsoidal.m2, server.planning.insideUrbanBoundary.ellipsoidal.m2, 'inside the urban boundary');
    expect(r.planning.consequences.map((k) => k.rule)).toEqual(server.planning.consequences.map((k: any) => k.rule));
  });
});
