// ESRI Shapefile as a zip of .shp .shx .dbf .prj .cpg. The bodies are compressed into temporary files a
// batch at a time, then the zip is written with the headers (known only at the end) in front: memory does
// not grow with the row count.
// Text in UTF-8 with a .cpg by default, GBK on request (.cpg "GBK" and the dBase language driver
// 0x4D); field names within 10 bytes (fields.ts SHAPEFILE_NAMES, README). Polygons: outer rings
// clockwise, holes counter-clockwise.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { epsgFromPrj, esriPrj, CrsError, guessCrsFromBbox } from '../../../geo/formats/crs-detect.ts';
import { assembleRings, bboxOf, closeRing, type Geometry, isClosed, type Pos } from '../../../geo/formats/geometry.ts';
import { decodeText } from '../../../geo/formats/text.ts';
import { shapefileNames } from '../fields.ts';
import { ExchangeError, type ExportFeature, type ExportSource } from '../source.ts';
import { type Exporter, fileLabel, FileFormatError, type Importer, type ParsedFeature, type TextEncoding, type UploadedFile } from '../types.ts';
import { decodeBytes, encodeText, extOf, textValue } from './common.ts';
import { scanWkb, WkbScan } from './wkb-scan.ts';
import { writeZip, ZipBody } from './zip.ts';

interface DbfField { name: string; column: string; type: 'C' | 'N' | 'L'; length: number; decimals: number }

function dbfFields(src: ExportSource): DbfField[] {
  const columns = ['id', ...src.fields.map((f) => f.name)];
  const names = shapefileNames(columns);
  return columns.map((column, i) => {
    const f = src.fields.find((x) => x.name === column);
    if (column === 'id' || (f?.type === 'Number' && f.sql.endsWith('::int'))) return { name: names[i], column, type: 'N', length: 11, decimals: 0 };
    if (f?.type === 'Number') return { name: names[i], column, type: 'N', length: 20, decimals: 6 };
    if (f?.type === 'Boolean') return { name: names[i], column, type: 'L', length: 1, decimals: 0 };
    return { name: names[i], column, type: 'C', length: Math.min(254, Math.max(1, src.textWidths[column] ?? 254)), decimals: 0 };
  });
}

function dbfHeader(fields: DbfField[], count: number, encoding: TextEncoding): Buffer {
  const recordLength = 1 + fields.reduce((s, f) => s + f.length, 0);
  const headerLength = 32 + 32 * fields.length + 1;
  const b = Buffer.alloc(headerLength);
  const now = new Date();
  b.writeUInt8(0x03, 0);
  b.writeUInt8(now.getFullYear() - 1900, 1);
  b.writeUInt8(now.getMonth() + 1, 2);
  b.writeUInt8(now.getDate(), 3);
  b.writeUInt32LE(count, 4);
  b.writeUInt16LE(headerLength, 8);
  b.writeUInt16LE(recordLength, 10);
  b.writeUInt8(encoding === 'gbk' ? 0x4d : 0x00, 29);
  fields.forEach((f, i) => {
    const o = 32 + i * 32;
    b.write(f.name, o, 10, 'latin1');
    b.write(f.type, o + 11, 1, 'latin1');
    b.writeUInt8(f.length, o + 16);
    b.writeUInt8(f.decimals, o + 17);
  });
  b.writeUInt8(0x0d, headerLength - 1);
  return b;
}

/** Cut a byte string at a character boundary so it fits `max` bytes. */
function fitBytes(s: string, max: number, encoding: TextEncoding): Buffer {
  let b = encodeText(s, encoding);
  if (b.length <= max) return b;
  let t = s;
  while (b.length > max) { t = t.slice(0, -1); b = encodeText(t, encoding); }
  return b;
}

/** Up to `max` characters of `s` as bytes at `o` if they are ASCII (same bytes in UTF-8 and GBK); false otherwise. */
function asciiInto(b: Buffer, s: string, o: number, max: number): boolean {
  const n = s.length < max ? s.length : max;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return false;
    b[o + i] = c;
  }
  return true;
}

/** One dBase record written in place into `b` at `base` (the batch buffer, pre-filled with spaces). */
function dbfRecord(fields: DbfField[], f: ExportFeature, encoding: TextEncoding, b: Buffer, base: number): void {
  let o = base + 1;
  for (let i = 0; i < fields.length; i++) {
    const d = fields[i];
    const v = i === 0 ? f.id : f.props[d.column];
    if (d.type === 'C') {
      if (v !== null && v !== undefined) {
        const s = typeof v === 'string' ? v : textValue(v);
        if (!asciiInto(b, s, o, d.length)) {
          // UTF-8: Buffer.write never writes half a character, so cutting at the field width is safe
          if (encoding === 'utf-8') b.write(s, o, d.length, 'utf8');
          else fitBytes(s, d.length, encoding).copy(b, o);
        }
      }
    } else if (d.type === 'N') {
      if (v !== null && v !== undefined) {
        const x = typeof v === 'number' ? v : Number(v);
        if (Number.isFinite(x)) {
          let t = d.decimals ? x.toFixed(d.decimals) : String(Math.round(x));
          if (t.length > d.length) t = t.slice(-d.length);
          asciiInto(b, t, o + d.length - t.length, d.length); // right-aligned
        }
      }
    } else b[o] = v === null || v === undefined ? 0x3f : v ? 0x54 : 0x46; // ? T F
    o += d.length;
  }
}

const SHP_TYPE: Record<string, number> = { polygon: 5, line: 3, point: 1 };

/**
 * One .shp record (8-byte record header + content) straight from the WKB into `out` (viewed by `ov`)
 * at `o`; returns its length. Polygons: outer rings clockwise, holes counter-clockwise (reversed where
 * PostGIS has them the other way); little-endian 2D points are copied as they are (the .shp point
 * layout is WKB's). The record's envelope is left in `s`. `out` must have wkb.length + 52 bytes free.
 */
function shpRecord(wkb: Buffer, kind: number, recordNo: number, s: WkbScan, out: Buffer, ov: DataView, o: number): number {
  scanWkb(wkb, s, kind === 5);
  ov.setInt32(o, recordNo);
  if (s.parts === 0) { // empty geometry: a null shape
    ov.setInt32(o + 4, 2);
    ov.setInt32(o + 8, 0, true);
    return 12;
  }
  const v = s.view;
  const le = s.le;
  const base = s.base;
  if (kind === 1) {
    ov.setInt32(o + 4, 10);
    ov.setInt32(o + 8, 1, true);
    const p = base + s.offset[0];
    ov.setFloat64(o + 12, v.getFloat64(p, le), true);
    ov.setFloat64(o + 20, v.getFloat64(p + 8, le), true);
    return 28;
  }
  const content = 44 + 4 * s.parts + 16 * s.points;
  ov.setInt32(o + 4, content / 2);
  let w = o + 8;
  ov.setInt32(w, kind, true);
  ov.setFloat64(w + 4, s.minX, true); ov.setFloat64(w + 12, s.minY, true); ov.setFloat64(w + 20, s.maxX, true); ov.setFloat64(w + 28, s.maxY, true);
  ov.setInt32(w + 36, s.parts, true);
  ov.setInt32(w + 40, s.points, true);
  w += 44;
  for (let k = 0, start = 0; k < s.parts; k++) { ov.setInt32(w, start, true); w += 4; start += s.count[k]; }
  for (let k = 0; k < s.parts; k++) {
    const n = s.count[k];
    const from = s.offset[k]; // in wkb
    const stride = s.stride[k];
    // counter-clockwise (area > 0) outer rings and clockwise holes turn round
    const reverse = kind === 5 && (s.area2[k] > 0) === (s.outer[k] === 1);
    if (!reverse && le && stride === 16) {
      const bytes = 16 * n;
      if (bytes > 1024) wkb.copy(out, w, from, from + bytes);
      else for (let i = 0; i < bytes; i++) out[w + i] = wkb[from + i]; // small rings: a loop beats copy()'s call cost
      w += bytes;
      continue;
    }
    for (let i = 0; i < n; i++) {
      const p = base + from + (reverse ? n - 1 - i : i) * stride;
      ov.setFloat64(w, v.getFloat64(p, le), true);
      ov.setFloat64(w + 8, v.getFloat64(p + 8, le), true);
      w += 16;
    }
  }
  return w - o;
}

/** One batch's .shp, .shx and .dbf bytes; grown when a batch needs more, else reused. */
class BatchBuffers {
  shp = Buffer.alloc(0);
  shpView = new DataView(this.shp.buffer);
  shx = Buffer.alloc(0);
  dbf = Buffer.alloc(0);

  size(shp: number, shx: number, dbf: number): void {
    if (shp > this.shp.length) {
      // an ArrayBuffer of its own (not a pool slice), so the DataView addresses it from 0
      this.shp = Buffer.from(new ArrayBuffer(Math.ceil(shp * 1.25)));
      this.shpView = new DataView(this.shp.buffer);
    }
    if (shx > this.shx.length) this.shx = Buffer.allocUnsafeSlow(shx);
    if (dbf > this.dbf.length) this.dbf = Buffer.allocUnsafeSlow(dbf);
  }
}

function shpHeader(kind: number, fileBytes: number, bbox: number[]): Buffer {
  const b = Buffer.alloc(100);
  b.writeInt32BE(9994, 0);
  b.writeInt32BE(fileBytes / 2, 24);
  b.writeInt32LE(1000, 28);
  b.writeInt32LE(kind, 32);
  bbox.forEach((v, i) => b.writeDoubleLE(Number.isFinite(v) ? v : 0, 36 + 8 * i));
  return b;
}

/**
 * The zip's compression. Level 1 deflate, run in zlib's thread pool while the rows are still being
 * read (so it mostly overlaps the export instead of following it): ~4–5× smaller than the loose files
 * for parcels (32 MB → 7 MB per 100,000), which is what a download over a district network wants.
 * ogr2ogr, the benchmark's peer, writes loose uncompressed files; level 0 (stored) would be the same
 * bytes as its output, in a zip. ZS_SHP_ZIP_LEVEL=0 stores (used by the benchmark to show both).
 */
export function shapefileZipLevel(): number {
  const v = process.env.ZS_SHP_ZIP_LEVEL;
  const n = v === undefined || v === '' ? 1 : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 9 ? n : 1;
}

export const shapefileExporter: Exporter = {
  id: 'shp',
  label: 'Shapefile (zip)',
  extension: 'zip',
  contentType: 'application/zip',
  defaultCrs: 4490,
  textWidths: true,
  async spool(src, opts, file) {
    const dir = await mkdtemp(path.join(opts.tmpDir, 'zs-shp-'));
    const base = src.layer.id;
    try {
      const kind = SHP_TYPE[src.layer.geometry];
      const fields = dbfFields(src);
      const recordLength = 1 + fields.reduce((s, f) => s + f.length, 0);
      const level = shapefileZipLevel();
      // the three bodies (everything after each header), compressed as they are written
      const shp = new ZipBody(path.join(dir, 'shp'), level);
      const shx = new ZipBody(path.join(dir, 'shx'), level);
      const dbf = new ZipBody(path.join(dir, 'dbf'), level);
      const bodies = [shp, shx, dbf];
      try {
        let shpPos = 100;
        let n = 0;
        const bbox = [Infinity, Infinity, -Infinity, -Infinity];
        const scan = new WkbScan();
        // two sets of batch buffers, used in turn: one is filled while the other is being compressed,
        // then reused (no new buffers per batch: nothing for the garbage collector to pile up)
        const sets = [new BatchBuffers(), new BatchBuffers()];
        let inflight: Promise<unknown> = Promise.resolve();
        let turn = 0;
        for await (const batch of src.batches()) {
          const set = sets[turn++ % 2]; // its last writes were awaited before the previous batch's began
          let room = 0;
          for (let i = 0; i < batch.length; i++) room += batch[i].wkb.length + 52;
          set.size(room, 8 * batch.length, recordLength * batch.length);
          const { shp: shpBuf, shpView, shx: shxBuf, dbf: dbfBuf } = set;
          dbfBuf.fill(0x20, 0, recordLength * batch.length);
          let o = 0;
          for (let i = 0; i < batch.length; i++) {
            const f = batch[i];
            const len = shpRecord(f.wkb, kind, ++n, scan, shpBuf, shpView, o);
            if (scan.parts > 0) {
              if (scan.minX < bbox[0]) bbox[0] = scan.minX;
              if (scan.minY < bbox[1]) bbox[1] = scan.minY;
              if (scan.maxX > bbox[2]) bbox[2] = scan.maxX;
              if (scan.maxY > bbox[3]) bbox[3] = scan.maxY;
            }
            shxBuf.writeInt32BE((shpPos + o) / 2, 8 * i);
            shxBuf.writeInt32BE((len - 8) / 2, 8 * i + 4);
            o += len;
            dbfRecord(fields, f, opts.encoding, dbfBuf, recordLength * i);
          }
          shpPos += o;
          if (shpPos > 0x7fffffff) throw new ExchangeError('the .shp would pass the Shapefile limit of 2 GB: export less at a time (by project, command area or bbox), or as GeoPackage');
          await inflight;
          inflight = Promise.all([shp.write(shpBuf.subarray(0, o)), shx.write(shxBuf.subarray(0, 8 * batch.length)), dbf.write(dbfBuf.subarray(0, recordLength * batch.length))]);
        }
        await inflight;
        await dbf.write(Buffer.from([0x1a]));
        await Promise.all(bodies.map((b) => b.end()));
        await writeZip([
          { name: `${base}.shp`, head: shpHeader(kind, shpPos, bbox), body: shp },
          { name: `${base}.shx`, head: shpHeader(kind, 100 + 8 * n, bbox), body: shx },
          { name: `${base}.dbf`, head: dbfHeader(fields, n, opts.encoding), body: dbf },
          { name: `${base}.prj`, head: Buffer.from(esriPrj(src.crs.epsg)) },
          { name: `${base}.cpg`, head: Buffer.from(opts.encoding === 'gbk' ? 'GBK' : 'UTF-8') },
        ], file);
      } finally {
        await Promise.allSettled(bodies.map((b) => b.end()));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

// ---- reading ----

const CPG: Record<string, TextEncoding> = { 'utf-8': 'utf-8', utf8: 'utf-8', '65001': 'utf-8', gbk: 'gbk', '936': 'gbk', cp936: 'gbk', gb2312: 'gbk', gb18030: 'gbk' };

/** One part of a shapefile in memory, named as refusals name it ('parcels.zip: parcel.shx'). */
interface Part { label: string; data: Buffer }

interface DbfHeader { count: number; headerLength: number; recordLength: number }

/** The smallest .shp record: its 8-byte header and a shape type (a null shape). */
const MIN_SHP_RECORD = 12;

/**
 * The three parts checked against their own sizes and each other before any record is read: a header
 * that claims more records or bytes than its file holds is refused at once, naming the part and the lie.
 */
function checkShapefile(shp: Part, shx: Part, dbf: Part): DbfHeader {
  const bad = (part: Part, problem: string) => new FileFormatError(part.label, undefined, problem);
  if (shp.data.length < 100 || shp.data.readInt32BE(0) !== 9994) throw bad(shp, 'not a shapefile (.shp header missing)');
  const declared = shp.data.readInt32BE(24) * 2;
  if (declared > shp.data.length) throw bad(shp, `truncated: the header says ${declared} bytes, the file has ${shp.data.length}`);
  if (shx.data.length < 100 || (shx.data.length - 100) % 8 !== 0 || shx.data.readInt32BE(0) !== 9994) throw bad(shx, 'not a shapefile index');
  const shxDeclared = shx.data.readInt32BE(24) * 2;
  if (shxDeclared > shx.data.length) throw bad(shx, `truncated: the header says ${shxDeclared} bytes, the file has ${shx.data.length}`);
  const shapes = (shx.data.length - 100) / 8;
  const room = Math.floor((shp.data.length - 100) / MIN_SHP_RECORD);
  if (shapes > room) throw bad(shx, `lists ${shapes} records, but the .shp (${shp.data.length} bytes) can hold at most ${room}`);
  if (dbf.data.length < 32) throw bad(dbf, 'not a dBase file');
  const h: DbfHeader = { count: dbf.data.readUInt32LE(4), headerLength: dbf.data.readUInt16LE(8), recordLength: dbf.data.readUInt16LE(10) };
  if (h.headerLength < 33 || h.headerLength > dbf.data.length || h.recordLength < 1) {
    throw bad(dbf, `not a dBase file (header of ${h.headerLength} bytes, records of ${h.recordLength})`);
  }
  const needed = h.headerLength + h.count * h.recordLength;
  if (needed > dbf.data.length) {
    throw bad(dbf, `the header declares ${h.count} records of ${h.recordLength} bytes (${needed} bytes with the header), the file has ${dbf.data.length}`);
  }
  if (h.count !== shapes) throw bad(dbf, `${h.count} attribute records for ${shapes} shapes`);
  return h;
}

function readShp(shp: Part, shx: Part): { ref: string; geometry: Geometry | null; issues: ParsedFeature['issues'] }[] {
  const b = shp.data;
  const count = (shx.data.length - 100) / 8;
  const out: { ref: string; geometry: Geometry | null; issues: ParsedFeature['issues'] }[] = [];
  for (let i = 0; i < count; i++) {
    const ref = `record ${i + 1}`;
    const bad = (problem: string) => new FileFormatError(shp.label, ref, problem);
    const offset = shx.data.readInt32BE(100 + 8 * i) * 2;
    const length = shx.data.readInt32BE(104 + 8 * i) * 2;
    if (offset < 100 || length < 4 || offset + 8 + length > b.length) throw bad('the index points past the end of the .shp (truncated?)');
    if (b.readInt32BE(offset + 4) * 2 > b.length - offset - 8) throw bad(`its header says ${b.readInt32BE(offset + 4) * 2} bytes, past the end of the file`);
    const o = offset + 8;
    const type = b.readInt32LE(o);
    if (type === 0) { out.push({ ref, geometry: null, issues: [] }); continue; }
    const base = type % 10; // 5, 15, 25 → polygon; 3/13/23 line; 1/11/21 point; 8 multipoint
    if (base === 1) {
      if (length < 20) throw bad('record shorter than a point');
      out.push({ ref, geometry: { type: 'Point', coordinates: [b.readDoubleLE(o + 4), b.readDoubleLE(o + 12)] }, issues: [] });
      continue;
    }
    if (base !== 5 && base !== 3) throw bad(`shape type ${type} is not supported`);
    if (length < 44) throw bad('record shorter than its header');
    const nParts = b.readInt32LE(o + 36);
    const nPoints = b.readInt32LE(o + 40);
    if (nParts < 0 || nPoints < 0 || 44 + 4 * nParts + 16 * nPoints > length) throw bad(`${nParts} parts of ${nPoints} points do not fit its ${length} bytes`);
    const starts = Array.from({ length: nParts }, (_, k) => b.readInt32LE(o + 44 + 4 * k));
    if (starts.some((s, k) => s < 0 || s > nPoints || (k > 0 && s < starts[k - 1]))) throw bad('its parts start at points it does not have');
    const pts = o + 44 + 4 * nParts;
    const parts: Pos[][] = starts.map((s, k) => {
      const end = k + 1 < nParts ? starts[k + 1] : nPoints;
      return Array.from({ length: end - s }, (_, j) => [b.readDoubleLE(pts + 16 * (s + j)), b.readDoubleLE(pts + 16 * (s + j) + 8)]);
    });
    if (parts.length === 0) { out.push({ ref, geometry: null, issues: [] }); continue; }
    const issues: ParsedFeature['issues'] = [];
    if (base === 3) {
      out.push({ ref, geometry: parts.length === 1 ? { type: 'LineString', coordinates: parts[0] } : { type: 'MultiLineString', coordinates: parts }, issues });
      continue;
    }
    const rings = parts.map((r, k) => {
      if (!isClosed(r)) issues.push({ code: 'unclosed_ring', severity: 'warning', message: `part ${k + 1} is not closed (closed on reading)` });
      return closeRing(r);
    });
    const polys = assembleRings(rings);
    out.push({ ref, geometry: polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys }, issues });
  }
  return out;
}

function readDbf(dbf: Part, h: DbfHeader, encoding: TextEncoding): { fields: string[]; records: Record<string, unknown>[] } {
  const b = dbf.data;
  const { count, headerLength, recordLength } = h;
  const fields: { name: string; type: string; length: number; offset: number }[] = [];
  let offset = 1;
  for (let o = 32; o + 32 <= headerLength - 1 && b[o] !== 0x0d; o += 32) {
    const raw = b.subarray(o, o + 11);
    const name = decodeBytes(raw.subarray(0, raw.indexOf(0) >= 0 ? raw.indexOf(0) : 11), encoding).trim();
    const f = { name, type: String.fromCharCode(b[o + 11]), length: b[o + 16], offset };
    fields.push(f);
    offset += f.length;
  }
  if (offset > recordLength) throw new FileFormatError(dbf.label, undefined, `its fields take ${offset} bytes, its records are ${recordLength}`);
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const o = headerLength + i * recordLength;
    const r: Record<string, unknown> = {};
    for (const f of fields) {
      const raw = b.subarray(o + f.offset, o + f.offset + f.length);
      if (f.type === 'C') r[f.name] = decodeBytes(raw, encoding).replace(/[\s\0]+$/, '') || null;
      else if (f.type === 'N' || f.type === 'F') { const s = raw.toString('latin1').trim(); r[f.name] = s === '' || /^\*+$/.test(s) ? null : Number(s); }
      else if (f.type === 'L') { const s = raw.toString('latin1').trim(); r[f.name] = /^[TtYy]$/.test(s) ? true : /^[FfNn]$/.test(s) ? false : null; }
      else if (f.type === 'D') { const s = raw.toString('latin1').trim(); r[f.name] = s ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null; }
      else r[f.name] = decodeBytes(raw, encoding).trim() || null;
    }
    records.push(r);
  }
  return { fields: fields.map((f) => f.name), records };
}

export const shapefileImporter: Importer = {
  id: 'shp',
  // a zip's entries (unzipped before: unzip.ts) or loose .shp .shx .dbf …
  accepts: (files) => files.some((f) => f.within !== undefined || extOf(f.name) === 'shp'),
  async read(files, opts) {
    const shp = files.find((f) => extOf(f.name) === 'shp');
    if (!shp) throw new FileFormatError(files[0]?.within ?? files[0]?.name ?? 'the upload', undefined, 'no .shp file inside');
    const stem = shp.name.slice(0, -4).toLowerCase();
    const sibling = (ext: string) => files.find((f) => f.name.toLowerCase() === `${stem}.${ext}`);
    const shx = sibling('shx');
    if (!shx) throw new FileFormatError(fileLabel(shp), undefined, `the shapefile has no .shx index (${path.basename(stem)}.shx): add it to the upload`);
    const dbf = sibling('dbf');
    if (!dbf) throw new FileFormatError(fileLabel(shp), undefined, `the shapefile has no .dbf attribute table (${path.basename(stem)}.dbf)`);
    const cpg = sibling('cpg');
    const prj = sibling('prj');
    const load = async (f: UploadedFile): Promise<Part> => ({ label: fileLabel(f), data: await readFile(f.path) });
    const [shpPart, shxPart, dbfPart] = [await load(shp), await load(shx), await load(dbf)];
    const dbfHeader = checkShapefile(shpPart, shxPart, dbfPart);
    const notes: string[] = [];
    let encoding: TextEncoding | undefined = opts.encoding;
    if (!encoding && cpg) encoding = CPG[(await readFile(cpg.path, 'latin1')).trim().toLowerCase()];
    if (!encoding && dbfPart.data[29] === 0x4d) encoding = 'gbk';
    if (!encoding) {
      encoding = decodeText(dbfPart.data).encoding;
      notes.push(`no .cpg: text read as ${encoding === 'gbk' ? 'GBK' : 'UTF-8'} (judged from the bytes)`);
    }
    const shapes = readShp(shpPart, shxPart);
    const { fields, records } = readDbf(dbfPart, dbfHeader, encoding);
    const features: ParsedFeature[] = shapes.map((s, i) => ({ ref: s.ref, props: records[i], geometry: s.geometry, issues: s.issues }));
    let epsg: number | undefined;
    let crsSource: 'prj' | 'request' | 'coordinates' | undefined;
    if (prj) {
      try { epsg = epsgFromPrj(await readFile(prj.path, 'utf8')); crsSource = 'prj'; } catch (err) {
        if (err instanceof CrsError) throw new FileFormatError(fileLabel(prj), undefined, err.message);
        throw err;
      }
    } else if (opts.epsg) { epsg = opts.epsg; crsSource = 'request'; }
    else {
      const g = features.find((f) => f.geometry)?.geometry;
      const guess = g ? guessCrsFromBbox(bboxOf(g)) : undefined;
      epsg = guess?.epsg;
      crsSource = epsg ? 'coordinates' : undefined;
      notes.push(`no .prj: ${guess?.reason ?? 'no coordinates'}`);
    }
    return { format: 'shp', epsg, crsSource, encoding, fields, features, notes };
  },
};
