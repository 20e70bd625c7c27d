// A red line typed as its survey table (界址点 `J1, X, Y` lines) reads to the same polygons as the same
// points in a ministry TXT (tests/fixtures/survey-table/ring.txt: an outer ring and a hole, zone 37):
// one point reader (geo/formats/ministry-txt.ts) for both.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planarAreaOfProjected } from '../../geo/area.ts';
import { parseMinistryTxt } from '../../geo/formats/ministry-txt.ts';
import { lonLatMultiPolygon, parseSurveyTable, SurveyTableError } from '../../geo/formats/survey-table.ts';
import { decodeText } from '../../geo/formats/text.ts';

const dir = path.join(import.meta.dirname, '../fixtures/survey-table');
const read = (name: string) => decodeText(readFileSync(path.join(dir, name))).text;
const txt = parseMinistryTxt(read('ring.txt'));
const fromTxt = txt.parcels[0];

describe('survey table (界址点 lines)', () => {
  it('reads J1, X, Y lines (and 圈号 lines for the hole) to the polygons the ministry TXT of the same points gives', () => {
    const table = parseSurveyTable(read('ring.table.txt'));
    expect(table.polygons).toEqual(fromTxt.polygons);
    expect(table.polygons).toHaveLength(1);
    expect(table.polygons[0]).toHaveLength(2); // the outer ring and its hole
    expect(table.epsg).toBe(txt.epsg);
    expect(table.epsg).toBe(4525);
    expect(table.points.map((p) => p.name)).toEqual(['J1', 'J2', 'J3', 'J4', 'J5', 'J6', 'J7', 'J8', 'J9']);
  });

  it('reads a table pasted from Excel (tabs, a heading, closing repeats) the same', () => {
    expect(parseSurveyTable(read('ring-excel.tsv')).polygons).toEqual(fromTxt.polygons);
  });

  it('reads a table with X and Y swapped (told by magnitude) the same, and says so', () => {
    const t = parseSurveyTable(read('ring-swapped.table.txt'));
    expect(t.swapped).toBe(true);
    expect(t.polygons).toEqual(fromTxt.polygons);
    expect(t.notes.join(' ')).toMatch(/互换/);
  });

  it('reads eastings without the zone prefix in the zone chosen, to the same place on the ground', () => {
    const t = parseSurveyTable(read('ring-noprefix.table.txt'), { zone: 37 });
    expect(t.epsg).toBe(4546);
    expect(t.zonePrefix).toBe(false);
    const a = lonLatMultiPolygon(t.polygons, t.epsg).coordinates.flat(2);
    const b = lonLatMultiPolygon(fromTxt.polygons, txt.epsg!).coordinates.flat(2);
    expect(a).toHaveLength(b.length);
    a.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(b[i][0], 9);
      expect(p[1]).toBeCloseTo(b[i][1], 9);
    });
    // the Gauss-plane area is the same too (the hole subtracted)
    const area = planarAreaOfProjected;
    expect(area(t.polygons)).toBeCloseTo(area(fromTxt.polygons), 6);
  });

  it('refuses eastings without the zone prefix when no zone is chosen, saying so', () => {
    expect(() => parseSurveyTable(read('ring-noprefix.table.txt'))).toThrow(/line 2: .*zone/);
  });

  it('names the line of a coordinate that is not a number', () => {
    expect(() => parseSurveyTable(read('bad-coordinate.table.txt'))).toThrow(SurveyTableError);
    expect(() => parseSurveyTable(read('bad-coordinate.table.txt'))).toThrow('line 3: X coordinate "2556135.77l" is not a number');
    // and says it as a code and values, for the interface to word in its language
    try { parseSurveyTable(read('bad-coordinate.table.txt')); } catch (e) {
      expect((e as SurveyTableError).line).toBe(3);
      expect((e as SurveyTableError).reason).toEqual({ code: 'not_number', params: { axis: 'X', value: '2556135.77l' } });
    }
    expect.assertions(4);
  });

  it('refuses a ring of two points', () => {
    expect(() => parseSurveyTable(read('two-points.table.txt'))).toThrow(/line 1: ring 1 has 2 distinct points/);
  });

  it('refuses a line of the wrong number of fields, naming it', () => {
    expect(() => parseSurveyTable('J1, 2556301.123, 37356564.456\nJ2 2556312.480\n')).toThrow(/line 2: .*found 2 fields/);
  });

  it('puts the red line where the ministry TXT does, in lon/lat (EPSG:4490) at Guigang', () => {
    const [lon, lat] = lonLatMultiPolygon(parseSurveyTable(read('ring.table.txt')).polygons, 4525).coordinates[0][0][0];
    expect(lon).toBeGreaterThan(109.5);
    expect(lon).toBeLessThan(109.7);
    expect(lat).toBeGreaterThan(23);
    expect(lat).toBeLessThan(23.2);
  });
});
