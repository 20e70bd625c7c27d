// The ministry boundary-point TXT reader against fixtures written for each tolerance, in GBK and UTF-8
// (tests/fixtures/exchange/txt, made by make.ts: input and expected reading side by side), and the
// writer read back by the reader.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ringArea, type Pos } from '../../geo/formats/geometry.ts';
import { parseMinistryTxt, TxtFormatError, writeMinistryTxt } from '../../geo/formats/ministry-txt.ts';
import { decodeText } from '../../geo/formats/text.ts';

const dir = path.join(import.meta.dirname, '../fixtures/exchange/txt');
const cases = readdirSync(dir).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace('.expected.json', ''));

/** A ring as a canonical list of distinct vertices: closing point dropped, rotated to its smallest vertex, clockwise. */
function canonical(ring: Pos[]): string {
  let r = ring.slice();
  if (r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]) r = r.slice(0, -1);
  let s = 0;
  for (let k = 0; k < r.length; k++) { const a = r[k], b = r[(k + 1) % r.length]; s += a[0] * b[1] - b[0] * a[1]; }
  if (s > 0) r.reverse();
  const min = r.reduce((m, p, i) => (p[0] < r[m][0] || (p[0] === r[m][0] && p[1] < r[m][1]) ? i : m), 0);
  return JSON.stringify([...r.slice(min), ...r.slice(0, min)].map((p) => [Number(p[0].toFixed(3)), Number(p[1].toFixed(3))]));
}

describe.each(cases)('ministry TXT fixture %s', (name) => {
  const expected = JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8'));
  for (const enc of ['gbk', 'utf8'] as const) {
    it(`${enc}: reads as expected`, () => {
      const bytes = readFileSync(path.join(dir, `${name}.${enc}.txt`));
      const { text, encoding } = decodeText(bytes);
      expect(encoding).toBe(enc === 'gbk' ? 'gbk' : 'utf-8');
      if (expected.error) {
        expect(() => parseMinistryTxt(text)).toThrow(TxtFormatError);
        try { parseMinistryTxt(text); } catch (err) {
          expect((err as TxtFormatError).line).toBe(expected.error.line);
          expect((err as Error).message).toMatch(/Y coordinate "373S\d+\.\d+" is not a number/);
        }
        return;
      }
      const doc = parseMinistryTxt(text);
      expect(doc.epsg).toBe(expected.epsg);
      expect(doc.zone).toBe(expected.zone);
      expect(doc.swapped).toBe(expected.swapped);
      const shift = expected.epsg === 4546 ? 37_000_000 : 0;
      expect(doc.parcels.map((p) => p.code)).toEqual(expected.parcels.map((p: { code: string }) => p.code));
      doc.parcels.forEach((p, i) => {
        const e = expected.parcels[i];
        expect(p.name).toBe(e.name);
        expect(p.landClass).toBe(e.landClass);
        expect(p.use).toBe(e.use);
        expect(p.areaHectare).toBe(e.areaHectare);
        if (expected.description) expect(p.description).toBe(expected.description);
        const got = p.polygons.map((poly) => poly.map(canonical));
        const want = e.polygons.map((poly: Pos[][]) => poly.map((r) => canonical(r.map(([x, y]) => [x - shift, y]))));
        expect(got).toEqual(want);
        const area = p.polygons.reduce((s, poly) => s + poly.reduce((t, r, k) => t + (k === 0 ? ringArea(r) : -ringArea(r)), 0), 0);
        expect(area / 10000).toBeCloseTo(e.areaHectare, 4);
      });
    });
  }
});

describe('ministry TXT writer', () => {
  const polygons: Pos[][][] = [[[[37356500, 2555200], [37356540, 2555200], [37356540, 2555240], [37356500, 2555240], [37356500, 2555200]],
    [[37356510, 2555210], [37356520, 2555210], [37356520, 2555220], [37356510, 2555220], [37356510, 2555210]]]];
  const text = writeMinistryTxt([{ code: 'A-1', name: '测试', landClass: '0101', use: '水田', polygons }], { zone: 37, date: '2021-06-30' });

  it('writes CRLF lines, header fields and J-numbered points with X northing first and Y easting with the zone prefix', () => {
    const lines = text.split('\r\n');
    expect(text.includes('\n') && !/[^\r]\n/.test(text)).toBe(true);
    expect(lines).toContain('带号=37');
    expect(lines).toContain('坐标系=2000国家大地坐标系');
    const header = lines[lines.indexOf('[地块坐标]') + 1];
    expect(header).toBe('10,0.1500,A-1,测试,面,,水田,0101,@');
    expect(lines[lines.indexOf(header) + 1]).toBe('J1,1,2555200.000,37356500.000');
  });

  it('closes each ring by repeating its first point and writes the hole as ring 2', () => {
    const points = text.split('\r\n').filter((l) => /^J\d+,/.test(l));
    const ring1 = points.filter((l) => l.split(',')[1] === '1');
    const ring2 = points.filter((l) => l.split(',')[1] === '2');
    expect(ring1[0]).toBe(ring1[ring1.length - 1]);
    expect(ring2[0]).toBe(ring2[ring2.length - 1]);
    expect(ring2).toHaveLength(5);
  });

  it('reads back what it wrote', () => {
    const doc = parseMinistryTxt(text);
    expect(doc.parcels[0].polygons.map((p) => p.map(canonical))).toEqual(polygons.map((p) => p.map(canonical)));
    expect(doc.parcels[0].notes).toEqual([]);
  });
});
