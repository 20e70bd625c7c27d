// Accuracy on the fixtures (tests/fixtures/conflicts/<case>/input.json + expected.json): the server lists
// exactly the expected overlaps; its ellipsoidal areas match PROJ's equal-area figure within 0.01 %, its
// planar areas match cs2cs + shoelace within 0.01 m² per hectare; the expected areas themselves match
// PostGIS geography; the browser's live Turf figures agree within 0.5 %.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveOverlaps } from '../../geo/area.ts';
import { useTestPool } from '../helpers/db.ts';
import { insertConstraints, loadFixtures, postJson } from './helpers.ts';

const pool = useTestPool();
const fixtures = loadFixtures();
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  cleanup = await insertConstraints(pool, fixtures.flatMap((f) => f.input.constraints));
});
afterAll(() => cleanup());

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(fixtures)('fixture $name', ({ input, expected }) => {
  let body: any;
  beforeAll(async () => {
    const res = await postJson('/api/conflicts', input.request);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    body = res.body;
  });
  const layer = (id: string) => body.layers.find((l: any) => l.id === id);

  it('lists exactly the expected features per layer', () => {
    for (const l of body.layers) {
      const want = (expected.layers[l.id] ?? []).map((o) => o.code).sort();
      expect(l.features.map((f: any) => f.properties.code).sort(), l.id).toEqual(want);
    }
  });

  it('measures in the expected Gauss–Krüger zone', () => {
    expect(body.convention.zone).toBe(expected.zone);
    expect(body.convention.planarEpsg).toBe(expected.planarEpsg);
  });

  it('gives ellipsoidal overlap areas within 0.01 % of PROJ', () => {
    for (const [id, overlaps] of Object.entries(expected.layers)) {
      for (const o of overlaps) {
        const f = layer(id).features.find((x: any) => x.properties.code === o.code);
        expect(relErr(f.area.ellipsoidal.m2, o.ellipsoidalM2), o.code).toBeLessThan(1e-4);
      }
    }
  });

  it('gives planar overlap areas within 0.01 m² per hectare of cs2cs + shoelace', () => {
    for (const [id, overlaps] of Object.entries(expected.layers)) {
      for (const o of overlaps) {
        const f = layer(id).features.find((x: any) => x.properties.code === o.code);
        expect(Math.abs(f.area.planar.m2 - o.planarM2), o.code).toBeLessThanOrEqual(0.01 * (o.planarM2 / 10_000) + 1e-9);
      }
    }
  });

  it('gives the red line’s own area both ways', () => {
    expect(relErr(body.redLine.area.ellipsoidal.m2, expected.redLine.ellipsoidalM2)).toBeLessThan(1e-4);
    expect(Math.abs(body.redLine.area.planar.m2 - expected.redLine.planarM2)).toBeLessThanOrEqual(0.01 * (expected.redLine.planarM2 / 10_000));
  });

  it('totals each layer from its listed overlaps, in m², 亩 and 公顷', () => {
    for (const l of body.layers) {
      const want = (expected.layers[l.id] ?? []).reduce((s, o) => s + o.ellipsoidalM2, 0);
      expect(Math.abs(l.total.ellipsoidal.m2 - want), l.id).toBeLessThanOrEqual(want * 1e-4);
      expect(l.total.ellipsoidal.mu).toBeCloseTo((l.total.ellipsoidal.m2 * 15) / 10000, 9);
      expect(l.total.planar.hectare).toBeCloseTo(l.total.planar.m2 / 10000, 12);
    }
  });

  it('lists slivers apart and leaves touching features out', () => {
    const slivers = body.layers.flatMap((l: any) => l.slivers.map((s: any) => s.properties.code)).sort();
    expect(slivers).toEqual(Object.values(expected.slivers).flat().map((o) => o.code).sort());
    const listed = body.layers.flatMap((l: any) => [...l.features, ...l.slivers].map((f: any) => f.properties.code));
    for (const code of expected.notListed) expect(listed).not.toContain(code);
  });

  it('has expected ellipsoidal areas that PostGIS geography agrees with (0.01 %)', async () => {
    for (const o of Object.values(expected.layers).flat()) {
      const { rows } = await pool.query<{ m2: number }>('SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)::geography) m2', [JSON.stringify(o.geometry)]);
      expect(relErr(rows[0].m2, o.ellipsoidalM2), o.code).toBeLessThan(1e-4);
    }
  });

  it('agrees with the browser’s live Turf overlaps within 0.5 %', () => {
    const live = new LiveOverlaps();
    const byLayer: Record<string, GeoJSON.Feature[]> = {};
    const mapLayer = { cane_base: 'cane_base', farmland: 'farmland', military_land: 'military_land', disputed_land: 'disputed_land', project: 'red_line' } as const;
    input.constraints.forEach((c, i) => {
      (byLayer[mapLayer[c.table]] ??= []).push({ type: 'Feature', id: i + 1, geometry: c.geometry, properties: { code: c.code, kind: c.kind } });
    });
    live.setFeatures(byLayer);
    const r = live.compute(input.redLineLonLat);
    for (const l of body.layers) {
      const got = r.layers.find((x) => x.id === l.id)!;
      if (l.total.ellipsoidal.m2 === 0) expect(got.m2, l.id).toBe(0);
      else expect(relErr(got.m2, l.total.ellipsoidal.m2), l.id).toBeLessThan(0.005);
    }
    expect(relErr(r.redLineM2, body.redLine.area.ellipsoidal.m2)).toBeLessThan(0.005);
  });
});
