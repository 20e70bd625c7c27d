// The area two polygons have in common (geo/overlap.ts), held against Turf's own: turf.area of
// turf.intersect, for the named cases of tests/fixtures/overlap/cases.json, either way round.
import { readFileSync } from 'node:fs';
import * as turf from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { overlapArea, RingIndex } from '../../geo/overlap.ts';

type Geom = GeoJSON.Polygon | GeoJSON.MultiPolygon;
const cases = JSON.parse(readFileSync(new URL('../fixtures/overlap/cases.json', import.meta.url), 'utf8')) as { name: string; a: Geom; b: Geom }[];
const index = (g: Geom) => new RingIndex(g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

describe('overlapArea', () => {
  for (const c of cases) {
    it(`${c.name}: Turf's area of Turf's intersection, either way round`, () => {
      const common = turf.intersect(turf.featureCollection<Geom>([turf.feature(c.a), turf.feature(c.b)]));
      const want = common ? turf.area(common) : 0;
      for (const got of [overlapArea(index(c.a), index(c.b)), overlapArea(index(c.b), index(c.a))]) {
        expect(Math.abs(got - want), `got ${got}, Turf ${want}`).toBeLessThanOrEqual(Math.max(1e-6, want * 1e-9));
      }
    });
  }

  it('counts a point inside by the rings of every polygon (a hole is outside)', () => {
    const holed = index(cases.find((c) => c.name === 'across a hole')!.a);
    expect(holed.contains(109.6005, 23.1005)).toBe(true);
    expect(holed.contains(109.602, 23.102)).toBe(false);
    expect(holed.contains(109.61, 23.1005)).toBe(false);
  });
});
