// One pass over a WKB geometry in place for the binary writers (Shapefile records, GeoPackage
// envelopes): its envelope, and for each ring or line where its points start, how many there are and,
// for polygon rings, whether it is a polygon's first (outer) ring and which way it turns. Nothing is
// allocated per geometry: the scan fills a reusable WkbScan. Plain loops and top-level functions only
// (hot path: 100,000s of geometries per export; no closures, which tsx would also wrap per call).

export class WkbScan {
  /** envelope of the last geometry scanned */
  minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity;
  /** rings (or lines, or points) of the last geometry scanned */
  parts = 0;
  points = 0;
  /** per part: byte offset of its first point, point count, stride in bytes */
  offset = new Int32Array(64);
  count = new Int32Array(64);
  stride = new Int32Array(64);
  /** per part: 1 = first ring of a polygon, 0 = a hole (or a line) */
  outer = new Uint8Array(64);
  /** per part: twice its signed area (> 0 counter-clockwise), polygons only */
  area2 = new Float64Array(64);
  /** byte order of the last geometry (the writers copy little-endian 2D points as they are) */
  le = true;
  /**
   * A DataView over the ArrayBuffer holding the last geometry, and the geometry's offset in it: the
   * WKBs of a batch are views into a few large buffers (COPY chunks, Buffer pool slabs), so the view is
   * made once per buffer, not per geometry. Offsets in `offset` are relative to `base`.
   */
  view: DataView = new DataView(new ArrayBuffer(8));
  base = 0;

  grow(): void {
    const n = this.offset.length * 2;
    const g32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    this.offset = g32(this.offset);
    this.count = g32(this.count);
    this.stride = g32(this.stride);
    const o = new Uint8Array(n); o.set(this.outer); this.outer = o;
    const a = new Float64Array(n); a.set(this.area2); this.area2 = a;
  }
}

/** Scan `wkb` (a PostGIS ST_AsBinary, any byte order, 2D/Z/M) into `s`. Areas only when `areas`. */
export function scanWkb(wkb: Uint8Array, s: WkbScan, areas: boolean): void {
  s.minX = Infinity; s.minY = Infinity; s.maxX = -Infinity; s.maxY = -Infinity;
  s.parts = 0;
  s.points = 0;
  if (s.view.buffer !== wkb.buffer) s.view = new DataView(wkb.buffer);
  s.base = wkb.byteOffset;
  scanAt(s.view, wkb.byteOffset, s, areas);
}

function scanAt(b: DataView, o: number, s: WkbScan, areas: boolean): number {
  const le = b.getUint8(o) === 1;
  s.le = le;
  let type = b.getUint32(o + 1, le);
  o += 5;
  let dims = 2;
  if (type & 0x20000000) { o += 4; type &= ~0x20000000; } // EWKB SRID
  if (type & 0x80000000) { dims++; type &= ~0x80000000; }
  if (type & 0x40000000) { dims++; type &= ~0x40000000; }
  if (type > 1000) { dims += type >= 3000 ? 2 : 1; type %= 1000; }
  const stride = 8 * dims;
  if (type === 1) return addPart(b, o, 1, stride, 0, s, false);
  const n = b.getUint32(o, le);
  o += 4;
  if (type === 2) return addPart(b, o, n, stride, 0, s, false);
  if (type === 3) {
    for (let r = 0; r < n; r++) {
      const m = b.getUint32(o, le);
      o = addPart(b, o + 4, m, stride, r === 0 ? 1 : 0, s, areas);
    }
    return o;
  }
  if (type >= 4 && type <= 7) {
    for (let g = 0; g < n; g++) o = scanAt(b, o, s, areas);
    return o;
  }
  throw new Error(`WKB geometry type ${type} is not supported`);
}

function addPart(b: DataView, o: number, n: number, stride: number, outer: number, s: WkbScan, areas: boolean): number {
  if (s.parts === s.offset.length) s.grow();
  const k = s.parts++;
  s.offset[k] = o - s.base;
  s.count[k] = n;
  s.stride[k] = stride;
  s.outer[k] = outer;
  s.points += n;
  const le = s.le;
  let minX = s.minX, minY = s.minY, maxX = s.maxX, maxY = s.maxY;
  let a = 0;
  let x0 = 0, y0 = 0, px = 0, py = 0;
  for (let i = 0; i < n; i++) {
    const p = o + i * stride;
    const x = b.getFloat64(p, le);
    const y = b.getFloat64(p + 8, le);
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (areas) {
      // shoelace relative to the first point (keeps the sum exact for projected metres)
      if (i === 0) { x0 = x; y0 = y; } else {
        const dx = x - x0, dy = y - y0;
        a += px * dy - dx * py;
        px = dx; py = dy;
      }
    }
  }
  s.minX = minX; s.minY = minY; s.maxX = maxX; s.maxY = maxY;
  s.area2[k] = a;
  return o + n * stride;
}
