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
