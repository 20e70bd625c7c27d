// Well-known binary (ISO/OGC, 2D; Z/M dimensions read and dropped) ↔ GeoJSON-like geometry. No Node APIs:
// DataView over a Uint8Array, so Buffers and browser arrays both work.
import type { Geometry, Pos } from './geometry.ts';

const TYPES = ['', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon'] as const;

export function parseWkb(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const read = (): Geometry => {
    const le = view.getUint8(o) === 1;
    o += 1;
    let type = view.getUint32(o, le);
    o += 4;
    let dims = 2;
    // EWKB flags (PostGIS) and ISO 1000/2000/3000 offsets
    if (type & 0x20000000) { o += 4; type &= ~0x20000000; }
    if (type & 0x80000000) { dims++; type &= ~0x80000000; }
    if (type & 0x40000000) { dims++; type &= ~0x40000000; }
    if (type > 1000) { dims += type >= 3000 ? 2 : 1; type %= 1000; }
    const pos = (): Pos => {
      const p = [view.getFloat64(o, le), view.getFloat64(o + 8, le)];
      o += 8 * dims;
      return p;
    };
    const count = (): number => { const n = view.getUint32(o, le); o += 4; return n; };
    const seq = (): Pos[] => Array.from({ length: count() }, pos);
    switch (type) {
      case 1: return { type: 'Point', coordinates: pos() };
      case 2: return { type: 'LineString', coordinates: seq() };
      case 3: return { type: 'Polygon', coordinates: Array.from({ length: count() }, seq) };
      case 4: return { type: 'MultiPoint', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Pos }).coordinates) };
      case 5: return { type: 'MultiLineString', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Pos[] }).coordinates) };
      case 6: return { type: 'MultiPolygon', coordinates: Array.from({ length: count() }, () => (read() as { coordinates: Pos[][] }).coordinates) };
      default: throw new Error(`WKB geometry type ${type} (${TYPES[type] ?? 'unknown'}) is not supported`);
    }
  };
  return read();
}

/** Little-endian 2D WKB. */
export function writeWkb(g: Geometry): Uint8Array {
  let size = 0;
  const measure = (t: Geometry): void => {
    size += 5;
    switch (t.type) {
      case 'Point': size += 16; break;
      case 'LineString': size += 4 + 16 * t.coordinates.length; break;
      case 'Polygon': size += 4; for (const r of t.coordinates) size += 4 + 16 * r.length; break;
      case 'MultiPoint': size += 4; for (const p of t.coordinates) measure({ type: 'Point', coordinates: p }); break;
      case 'MultiLineString': size += 4; for (const l of t.coordinates) measure({ type: 'LineString', coordinates: l }); break;
      case 'MultiPolygon': size += 4; for (const p of t.coordinates) measure({ type: 'Polygon', coordinates: p }); break;
    }
  };
  measure(g);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  const u32 = (n: number) => { view.setUint32(o, n, true); o += 4; };
  const pos = (p: Pos) => { view.setFloat64(o, p[0], true); view.setFloat64(o + 8, p[1], true); o += 16; };
  const seq = (s: Pos[]) => { u32(s.length); s.forEach(pos); };
  const write = (t: Geometry): void => {
    view.setUint8(o, 1);
    o += 1;
    u32(TYPES.indexOf(t.type));
    switch (t.type) {
      case 'Point': pos(t.coordinates); break;
      case 'LineString': seq(t.coordinates); break;
      case 'Polygon': u32(t.coordinates.length); t.coordinates.forEach(seq); break;
      case 'MultiPoint': u32(t.coordinates.length); for (const p of t.coordinates) write({ type: 'Point', coordinates: p }); break;
      case 'MultiLineString': u32(t.coordinates.length); for (const l of t.coordinates) write({ type: 'LineString', coordinates: l }); break;
      case 'MultiPolygon': u32(t.coordinates.length); for (const p of t.coordinates) write({ type: 'Polygon', coordinates: p }); break;
    }
  };
  write(g);
  return out;
}

// ---- fast paths for writers that do not need coordinate arrays (GeoPackage envelopes, Shapefile
// records): walk the WKB in place, no allocation per point. Top-level functions, no closures.

interface Cursor { view: DataView; o: number }

function header(c: Cursor): { le: boolean; type: number; dims: number } {
  const le = c.view.getUint8(c.o) === 1;
  let type = c.view.getUint32(c.o + 1, le);
  c.o += 5;
  let dims = 2;
  if (type & 0x20000000) { c.o += 4; type &= ~0x20000000; }
  if (type & 0x80000000) { dims++; type &= ~0x80000000; }
  if (type & 0x40000000) { dims++; type &= ~0x40000000; }
  if (type > 1000) { dims += type >= 3000 ? 2 : 1; type %= 1000; }
  return { le, type, dims };
}

function envelopeOf(c: Cursor, env: number[]): void {
  const { le, type, dims } = header(c);
  const v = c.view;
  const pt = () => {
    const x = v.getFloat64(c.o, le), y = v.getFloat64(c.o + 8, le);
    if (x < env[0]) env[0] = x;
    if (y < env[1]) env[1] = y;
    if (x > env[2]) env[2] = x;
    if (y > env[3]) env[3] = y;
    c.o += 8 * dims;
  };
  if (type === 1) { pt(); return; }
  const n = v.getUint32(c.o, le);
  c.o += 4;
  if (type === 2) { for (let i = 0; i < n; i++) pt(); return; }
  if (type === 3) {
    for (let r = 0; r < n; r++) { const m = v.getUint32(c.o, le); c.o += 4; for (let i = 0; i < m; i++) pt(); }
    return;
  }
  for (let g = 0; g < n; g++) envelopeOf(c, env);
}

/** [minX, minY, maxX, maxY] of a WKB geometry, read in place. */
export function wkbEnvelope(bytes: Uint8Array): [number, number, number, number] {
  const env = [Infinity, Infinity, -Infinity, -Infinity];
  envelopeOf({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), o: 0 }, env);
  return env as [number, number, number, number];
}

/** Rings (or lines) of a WKB geometry as views: offset of the first point, point count, stride, byte order. */
export interface WkbRing { offset: number; count: number; stride: number; le: boolean; index: number }

function ringsOfCursor(c: Cursor, out: WkbRing[]): void {
  const { le, type, dims } = header(c);
  const v = c.view;
  const stride = 8 * dims;
  if (type === 1) { out.push({ offset: c.o, count: 1, stride, le, index: 0 }); c.o += stride; return; }
  const n = v.getUint32(c.o, le);
  c.o += 4;
  if (type === 2) { out.push({ offset: c.o, count: n, stride, le, index: 0 }); c.o += n * stride; return; }
  if (type === 3) {
    for (let r = 0; r < n; r++) {
      const m = v.getUint32(c.o, le);
      c.o += 4;
      out.push({ offset: c.o, count: m, stride, le, index: r });
      c.o += m * stride;
    }
    return;
  }
  for (let g = 0; g < n; g++) ringsOfCursor(c, out);
}

export function wkbRings(bytes: Uint8Array): { view: DataView; rings: WkbRing[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rings: WkbRing[] = [];
  ringsOfCursor({ view, o: 0 }, rings);
  return { view, rings };
}

/** Twice the signed area of a WKB ring (> 0 counter-clockwise), relative to its first point. */
export function wkbRingArea2(view: DataView, r: WkbRing): number {
  if (r.count < 3) return 0;
  const x0 = view.getFloat64(r.offset, r.le), y0 = view.getFloat64(r.offset + 8, r.le);
  let s = 0;
  let px = 0, py = 0;
  for (let i = 1; i < r.count; i++) {
    const o = r.offset + i * r.stride;
    const x = view.getFloat64(o, r.le) - x0, y = view.getFloat64(o + 8, r.le) - y0;
    s += px * y - x * py;
    px = x; py = y;
  }
  return s;
}
