// Well-known text ↔ GeoJSON-like geometry (2D; Z/M values are read and dropped). Full double precision
// on write (shortest round-trip decimal), so WKT in CSV loses nothing.
import type { Geometry, Pos } from './geometry.ts';

const num = (n: number): string => String(n);
const pos = (p: Pos) => `${num(p[0])} ${num(p[1])}`;
const seq = (s: Pos[]) => `(${s.map(pos).join(', ')})`;
const poly = (p: Pos[][]) => `(${p.map(seq).join(', ')})`;

export function toWkt(g: Geometry): string {
  switch (g.type) {
    case 'Point': return `POINT (${pos(g.coordinates)})`;
    case 'MultiPoint': return `MULTIPOINT (${g.coordinates.map((p) => `(${pos(p)})`).join(', ')})`;
    case 'LineString': return `LINESTRING ${seq(g.coordinates)}`;
    case 'MultiLineString': return `MULTILINESTRING (${g.coordinates.map(seq).join(', ')})`;
    case 'Polygon': return `POLYGON ${poly(g.coordinates)}`;
    case 'MultiPolygon': return `MULTIPOLYGON (${g.coordinates.map(poly).join(', ')})`;
  }
}

export class WktError extends Error {}

export function parseWkt(text: string): Geometry {
  let i = 0;
  const s = text.trim();
  const ws = () => { while (i < s.length && /\s/.test(s[i])) i++; };
  const expect = (c: string) => {
    ws();
    if (s[i] !== c) throw new WktError(`WKT: expected "${c}" at character ${i + 1}, found "${s[i] ?? 'end'}"`);
    i++;
  };
  const peek = () => { ws(); return s[i]; };
  const word = () => { ws(); const m = /^[A-Za-z]+/.exec(s.slice(i)); if (!m) throw new WktError(`WKT: expected a word at character ${i + 1}`); i += m[0].length; return m[0].toUpperCase(); };
  const number = () => {
    ws();
    const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(s.slice(i));
    if (!m) throw new WktError(`WKT: expected a number at character ${i + 1}, found "${s.slice(i, i + 12)}"`);
    i += m[0].length;
    return Number(m[0]);
  };
  const point = (): Pos => {
    const p = [number(), number()];
    while (/[-+\d.]/.test(peek() ?? '')) number(); // Z, M
    return p;
  };
  const list = <T>(item: () => T): T[] => {
    expect('(');
    const out = [item()];
    while (peek() === ',') { i++; out.push(item()); }
    expect(')');
    return out;
  };
  const points = () => list(point);
  const multiPointItem = (): Pos => (peek() === '(' ? list(point)[0] : point());
  const type = word();
  ws();
  if (/^(ZM|Z|M)\b/i.test(s.slice(i))) word();
  if (peek() !== '(' && /^EMPTY/i.test(s.slice(i))) throw new WktError('WKT: empty geometry');
  let g: Geometry;
  switch (type) {
    case 'POINT': g = { type: 'Point', coordinates: list(point)[0] }; break;
    case 'MULTIPOINT': g = { type: 'MultiPoint', coordinates: list(multiPointItem) }; break;
    case 'LINESTRING': g = { type: 'LineString', coordinates: points() }; break;
    case 'MULTILINESTRING': g = { type: 'MultiLineString', coordinates: list(points) }; break;
    case 'POLYGON': g = { type: 'Polygon', coordinates: list(points) }; break;
    case 'MULTIPOLYGON': g = { type: 'MultiPolygon', coordinates: list(() => list(points)) }; break;
    default: throw new WktError(`WKT: geometry type ${type} is not supported`);
  }
  ws();
  if (i < s.length) throw new WktError(`WKT: unexpected "${s.slice(i, i + 12)}" at character ${i + 1}`);
  return g;
}
