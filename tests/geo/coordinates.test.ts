// Typed coordinates (geo/coordinates.ts): what the go-to box reads, what it refuses (and which part it
// names), and how positions are written — GK X/Y against PROJ's own cs2cs, to 1 mm.
import { describe, expect, it } from 'vitest';
import { cs2csToGk, cs2csToLonLat, hasProgram } from '../helpers/tools.ts';
import parseFixture from '../fixtures/coordinates/parse.json' with { type: 'json' };
import errorFixture from '../fixtures/coordinates/errors.json' with { type: 'json' };
import formatFixture from '../fixtures/coordinates/format.json' with { type: 'json' };
import { CoordinateError, formatGaussKruger, formatLonLat, parseCoordinate, toGaussKruger } from '../../geo/coordinates.ts';
import { gaussKrugerEpsg } from '../../geo/crs.ts';
import { geodesicDistance } from '../../geo/measure.ts';

const hasCs2cs = hasProgram('cs2cs', [], 'geo/coordinates.test (cs2cs part)', 'proj-bin');


/** metres between two lon/lat points (geodesic, GRS80) */
const apart = (a: number[], b: number[]) => geodesicDistance(a, b);

interface ParseCase {
  name: string;
  input: string;
  zone?: number;
  kind: string;
  lon: number;
  lat: number;
  gk?: { x: number; y: number; zone: number; zoneFrom: string };
}

const cases = parseFixture.cases as ParseCase[];

describe('reading typed coordinates', () => {
  it.each(cases)('$name: $input', (c) => {
    const r = parseCoordinate(c.input, c.zone === undefined ? {} : { zone: c.zone });
    expect(r.kind).toBe(c.kind);
    if (c.gk) {
      expect(r.gk?.zone).toBe(c.gk.zone);
      expect(r.gk?.zoneFrom).toBe(c.gk.zoneFrom);
      expect(r.gk!.x).toBeCloseTo(c.gk.x, 6);
      expect(r.gk!.y).toBeCloseTo(c.gk.y, 6);
    }
    // within 1 mm of the expected point (the fixture's GK figures are cs2cs's, to 0.1 mm)
    expect(apart([r.lon, r.lat], [c.lon, c.lat])).toBeLessThan(0.001);
  });
});

describe.skipIf(!hasCs2cs)('GK X/Y lands where PROJ cs2cs puts it, within 1 mm', () => {
  it.each(cases.filter((c) => c.gk))('$name', (c) => {
    const r = parseCoordinate(c.input, c.zone === undefined ? {} : { zone: c.zone });
    // cs2cs from the CRS without the zone in front, and from the one with it (EPSG:4513 family)
    const plain = cs2csToLonLat(gaussKrugerEpsg(c.gk!.zone, false), c.gk!.x, c.gk!.y);
    const prefixed = cs2csToLonLat(gaussKrugerEpsg(c.gk!.zone, true), c.gk!.x, c.gk!.zone * 1_000_000 + c.gk!.y);
    expect(apart([r.lon, r.lat], plain)).toBeLessThan(0.001);
    expect(apart([r.lon, r.lat], prefixed)).toBeLessThan(0.001);
  });
});

describe('refusing bad input, naming what is wrong', () => {
  it.each(errorFixture.cases as { name: string; input: string; zone?: number; code: string; part?: string; axis?: string; count?: number }[])('$name: $input', (c) => {
    let err: unknown;
    try {
      parseCoordinate(c.input, c.zone === undefined ? {} : { zone: c.zone });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoordinateError);
    const ce = err as CoordinateError;
    expect(ce.code).toBe(c.code);
    if (c.part !== undefined) {
      expect(ce.params.part).toBe(c.part);
      expect(ce.message).toContain(c.part);
    }
    if (c.axis !== undefined) expect(ce.params.axis).toBe(c.axis);
    if (c.count !== undefined) expect(ce.params.count).toBe(c.count);
  });

  it('asks for the zone when an easting without it is inside the district in no zone', () => {
    expect(() => parseCoordinate('2556301.123, 412345.678')).toThrow(/choose the zone/);
    // with the zone chosen it is read (east of the district, but a position all the same)
    const r = parseCoordinate('2556301.123, 412345.678', { zone: 37 });
    expect(r.gk?.zoneFrom).toBe('chosen');
    expect(r.lon).toBeGreaterThan(110);
  });
});

describe('writing positions', () => {
  const fcases = formatFixture.cases as { name: string; lon: number; lat: number; decimal: string; dms: string; zone?: number }[];

  it.each(fcases)('$name in degrees', (c) => {
    expect(formatLonLat(c.lon, c.lat, 'decimal')).toBe(c.decimal);
    expect(formatLonLat(c.lon, c.lat, 'dms')).toBe(c.dms);
  });

  it.each(fcases)('$name: the DMS written reads back within 0.2 m', (c) => {
    const r = parseCoordinate(formatLonLat(c.lon, c.lat, 'dms'));
    expect(apart([r.lon, r.lat], [c.lon, c.lat])).toBeLessThan(0.2); // 0.005″ ≈ 0.15 m
  });

  it.skipIf(!hasCs2cs).each(fcases.filter((c) => c.zone !== undefined))('$name as GK X/Y agrees with cs2cs to 1 mm and reads back', (c) => {
    const p = toGaussKruger(c.lon, c.lat, c.zone);
    const [x, y] = cs2csToGk(gaussKrugerEpsg(c.zone!, false), c.lon, c.lat);
    expect(Math.hypot(p.x - x, p.y - y)).toBeLessThan(0.001);
    const text = formatGaussKruger(p);
    expect(text).toMatch(new RegExp(`^X=\\d{7}\\.\\d{3} Y=${c.zone}\\d{6}\\.\\d{3}$`));
    const back = parseCoordinate(text);
    expect(back.gk?.zone).toBe(c.zone);
    expect(apart([back.lon, back.lat], [c.lon, c.lat])).toBeLessThan(0.001);
  });

  it('takes the point’s own zone when none is given', () => {
    expect(toGaussKruger(109.49, 23).zone).toBe(36);
    expect(toGaussKruger(109.51, 23).zone).toBe(37);
  });
});
