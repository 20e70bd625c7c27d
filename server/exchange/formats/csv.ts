// CSV with the geometry as WKT in a column named WKT (GDAL's CSV driver reads it as the geometry).
// UTF-8 with a BOM (Excel opens it right) by default, GBK on request.
import { readFile } from 'node:fs/promises';
import { guessCrsFromBbox } from '../../../geo/formats/crs-detect.ts';
import { bboxOf } from '../../../geo/formats/geometry.ts';
import { decodeText } from '../../../geo/formats/text.ts';
import { parseWkt, toWkt } from '../../../geo/formats/wkt.ts';
import { geometryOf } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { encodeText, extOf, textValue } from './common.ts';

const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const csvExporter: Exporter = {
  id: 'csv',
  label: 'CSV (WKT)',
  extension: 'csv',
  contentType: 'text/csv',
  defaultCrs: 4490,
  async *write(src, opts) {
    const names = ['id', ...src.fields.map((f) => f.name), 'WKT'];
    yield Buffer.concat([opts.encoding === 'utf-8' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), encodeText(names.join(',') + '\r\n', opts.encoding)]);
    for await (const batch of src.batches()) {
      const lines = batch.map((f) => [String(f.id), ...src.fields.map((fd) => quote(textValue(f.props[fd.name]))), quote(toWkt(geometryOf(f)))].join(','));
      yield encodeText(lines.join('\r\n') + '\r\n', opts.encoding);
    }
  },
};

/** RFC 4180 records (quoted fields may hold commas and newlines), the first `limit`; each with the line it starts on. */
export function parseCsv(text: string, limit = Infinity): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') out.push({ line: start, cells });
      if (out.length >= limit) return out;
      cells = []; cell = ''; line++; start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length) { cells.push(cell); out.push({ line: start, cells }); }
  return out;
}

export const csvImporter: Importer = {
  id: 'csv',
  accepts: (files) => files.length === 1 && extOf(files[0].name) === 'csv',
  async read(files, opts) {
    const file = files[0];
    const { text, encoding } = decodeText(await readFile(file.path), opts.encoding);
    // the header first: a file that is no CSV of ours is refused before the rest is read
    const head = parseCsv(text, 1);
    if (head.length === 0) throw new FileFormatError(file.name, undefined, 'the file is empty');
    const header = head[0].cells.map((h) => h.trim());
    const wktCol = header.findIndex((h) => /^(wkt|geom|geometry|the_geom)$/i.test(h));
    if (wktCol < 0) throw new FileFormatError(file.name, 'line 1', 'no WKT column (a header named WKT, geom or geometry)');
    const rows = parseCsv(text);
    const fields = header.filter((_, i) => i !== wktCol);
    const features: ParsedFeature[] = rows.slice(1).map((r) => {
      if (r.cells.length !== header.length) throw new FileFormatError(file.name, `line ${r.line}`, `${r.cells.length} fields, the header has ${header.length}`);
      const props: Record<string, unknown> = {};
      header.forEach((h, i) => { if (i !== wktCol) props[h] = r.cells[i]; });
      let geometry = null;
      if (r.cells[wktCol].trim()) {
        try { geometry = parseWkt(r.cells[wktCol]); } catch (err) {
          throw new FileFormatError(file.name, `line ${r.line}`, (err as Error).message);
        }
      }
      return { ref: `line ${r.line}`, props, geometry, issues: [] };
    });
    const first = features.find((f) => f.geometry);
    const guess = opts.epsg ? undefined : first ? guessCrsFromBbox(bboxOf(first.geometry!)) : undefined;
    return {
      format: 'csv', encoding, fields, features,
      epsg: opts.epsg ?? (guess ? guess.epsg : 4490), crsSource: opts.epsg ? 'request' : guess?.epsg && guess.epsg !== 4490 ? 'coordinates' : guess && !guess.epsg ? undefined : 'format',
      notes: guess && guess.epsg !== 4490 ? [guess.reason] : [],
    };
  },
};
