// An import's files → the rows of its preview, ready to insert: the format's importer reads the files,
// the file's own coordinates are checked (closed rings, spikes, repeated points, geometry type), the
// fields mapped onto the layer's columns. No database: it runs in the request's thread for small
// files and in a worker thread with a bounded heap for the rest (parse-in-worker.ts), so it gets
// everything it needs as plain data and gives back the rows as JSON text (cheap to pass between threads).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crsInfo } from '../../geo/crs.ts';
import { bboxOf, closeRing, type Geometry, isClosed, polygonsOf, type Pos } from '../../geo/formats/geometry.ts';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { autoMapping, normaliseValue } from './fields.ts';
import { ExchangeError } from './formats-known.ts';
import { DomainError } from '../core/errors.ts';
import { extOf, ringsOf } from './formats/common.ts';
import { IMPORT_DIR_PREFIX, type ImportLimits } from './limits.ts';
import { importerFor } from './registry.ts';
import { FileFormatError, type ImportOptions, type Issue, type ParsedFeature, type ParsedImport, type UploadedFile } from './types.ts';
import { checkZip, expandZip } from './unzip.ts';

/** A column an import may fill, and whether a new feature must have it (no null, no default). */
export interface Column { name: string; required: boolean }

export interface PrepareOptions extends ImportOptions {
  /** the upload as refusals and the batch name it (uploadName) */
  fileName: string;
  /** the layer's id */
  layer: string;
  /** the layer's writable columns */
  columns: Column[];
  /** file field → layer column (null: ignore); merged over the automatic mapping */
  mapping?: Record<string, string | null>;
  /** column values for features that lack them (e.g. project_id for new parcels) */
  defaults?: Record<string, unknown>;
}

/** Rows per INSERT … jsonb_to_recordset (import.ts). */
export const ROWS_PER_CHUNK = 500;

/** What a file field holds, as read from its values: the import panel shows it beside the layer column's type. */
export type FieldType = 'integer' | 'number' | 'boolean' | 'date' | 'string';

/** The type of one value (null for an empty one); a date is text in ISO form, as the formats give it. */
function valueType(v: unknown): FieldType | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Date || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(?:[T ]|$)/.test(v))) return 'date';
  return 'string';
}

/** Two readings of one field: integers among decimals are numbers; any other mix is text. */
const widen = (a: FieldType | undefined, b: FieldType): FieldType =>
  a === undefined || a === b ? b : (a === 'integer' || a === 'number') && (b === 'integer' || b === 'number') ? 'number' : 'string';

export interface PreparedImport extends Omit<ParsedImport, 'features'> {
  /** file field → the type of its values (a field with no value in any feature is left out) */
  fieldTypes: Record<string, FieldType>;
  mapping: Record<string, string | null>;
  defaults: Record<string, unknown>;
  count: number;
  /** the rows as JSON arrays of at most ROWS_PER_CHUNK */
  chunks: string[];
  /** [seq, m²]: how far a stated area may be off by its rounding alone (only features that state one) */
  rounding: [number, number][];
}

/** The upload's name as the batch and refusals give it: 'a.shp + a.shx + a.dbf'. */
export const uploadName = (files: UploadedFile[]): string => files.map((f) => f.name).join(' + ');

/**
 * What is to be parsed: an uploaded zip's entries unzipped into `dir` (checked against the limits
 * first, unzip.ts), a workbook's zip checked the same way (ExcelJS inflates it in memory). Returns the
 * files and the bytes parsing them will read.
 */
export async function expandUpload(files: UploadedFile[], dir: string, limits: ImportLimits): Promise<{ files: UploadedFile[]; bytes: number }> {
  const zip = files.find((f) => extOf(f.name) === 'zip');
  if (zip) {
    const entries = await expandZip(zip, dir, limits);
    if (entries.length === 0) throw new FileFormatError(zip.name, undefined, 'the zip holds no files');
    return { files: entries, bytes: entries.reduce((n, f) => n + f.size, 0) };
  }
  let bytes = 0;
  for (const f of files) bytes += extOf(f.name) === 'xlsx' ? await checkZip(f, limits) : f.size;
  return { files, bytes };
}

// ---- checks on the file's own coordinates ----

const SPIKE_DEGREES = 1;

function geometryChecks(g: Geometry, geographic: boolean): Issue[] {
  const issues: Issue[] = [];
  const k = geographic ? Math.cos((((bboxOf(g)[1] + bboxOf(g)[3]) / 2) * Math.PI) / 180) : 1;
  const tol = geographic ? 1e-9 : 1e-4; // ~0.1 mm
  ringsOf(g).forEach((ring, r) => {
    let dups = 0;
    for (let i = 1; i < ring.length; i++) {
      if (Math.abs(ring[i][0] - ring[i - 1][0]) <= tol && Math.abs(ring[i][1] - ring[i - 1][1]) <= tol) dups++;
    }
    if (dups) issues.push({ code: 'duplicate_points', severity: 'warning', message: `ring ${r + 1}: ${dups} repeated consecutive point(s) (removed on commit)`, ...(geographic ? { location: [ring[0][0], ring[0][1]] as [number, number] } : {}) });
    const n = ring.length - 1;
    for (let i = 0; i < n && n >= 3; i++) {
      const a = ring[(i - 1 + n) % n], b = ring[i], c = ring[(i + 1) % n];
      const v1 = [(a[0] - b[0]) * k, a[1] - b[1]], v2 = [(c[0] - b[0]) * k, c[1] - b[1]];
      const l1 = Math.hypot(v1[0], v1[1]), l2 = Math.hypot(v2[0], v2[1]);
      if (l1 === 0 || l2 === 0) continue;
      const angle = (Math.acos(Math.max(-1, Math.min(1, (v1[0] * v2[0] + v1[1] * v2[1]) / (l1 * l2)))) * 180) / Math.PI;
      if (angle < SPIKE_DEGREES) {
        issues.push({ code: 'spike', severity: 'warning', message: `ring ${r + 1} point ${i + 1}: spike (angle ${angle.toFixed(2)}°)`, ...(geographic ? { location: [b[0], b[1]] as [number, number] } : {}) });
      }
    }
  });
  return issues;
}

/** Close open rings (reported) so PostGIS can read them. */
function closeRings(f: ParsedFeature): Geometry | null {
  const g = f.geometry;
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return g;
  let open = 0;
  const fix = (p: Pos[][]) => p.map((r) => { if (!isClosed(r)) { open++; return closeRing(r); } return r; });
  const out: Geometry = g.type === 'Polygon' ? { type: 'Polygon', coordinates: fix(g.coordinates) } : { type: 'MultiPolygon', coordinates: polygonsOf(g).map(fix) };
  if (open && !f.issues.some((i) => i.code === 'unclosed_ring')) f.issues.push({ code: 'unclosed_ring', severity: 'warning', message: `${open} ring(s) not closed (closed on reading)` });
  return out;
}

const GEOMETRY_FAMILY: Record<string, string[]> = {
  polygon: ['Polygon', 'MultiPolygon'], line: ['LineString', 'MultiLineString'], point: ['Point', 'MultiPoint'],
};

// ---- the rows ----

export async function parseUpload(files: UploadedFile[], opts: ImportOptions): Promise<ParsedImport> {
  if (files.length === 0) throw new ExchangeError('no file in the upload');
  const importer = importerFor(files);
  if (!importer) throw new FileFormatError(uploadName(files), undefined, 'not a format this system imports (GeoJSON, zipped Shapefile, GeoPackage, KML, DXF, CSV with WKT, ministry TXT, Excel ledger)', 415);
  try {
    return await importer.read(files, opts);
  } catch (err) {
    // a reader that recursed into something nested absurdly deep (XML, a geometry) ran out of stack
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw new FileFormatError(uploadName(files), undefined, 'nested too deeply to be read');
    throw err;
  }
}

/** The files (unzipped: expandUpload) read and turned into the preview's rows. */
export async function prepareImport(files: UploadedFile[], opts: PrepareOptions): Promise<PreparedImport> {
  const layer = LAYER_BY_ID.get(opts.layer);
  if (!layer) throw new ExchangeError(`no layer "${opts.layer}"`, 404, 'not_found', { layer: opts.layer });
  const parsed = await parseUpload(files, opts);
  const fileName = opts.fileName;
  if (!parsed.attributesOnly) {
    if (!parsed.epsg) {
      throw new ExchangeError(`${fileName}: the coordinate system cannot be told from the file (${parsed.notes.join('; ') || 'no .prj / header'}): give crs, e.g. EPSG:4524`, 422, 'no_crs',
        { file: fileName });
    }
    try { crsInfo(parsed.epsg); } catch { throw new ExchangeError(`${fileName}: EPSG:${parsed.epsg} is not a coordinate system this system takes (CGCS2000, WGS 84, CGCS2000 3° Gauss–Krüger)`, 422); }
  }
  const columnNames = opts.columns.map((c) => c.name);
  const mapping = { ...autoMapping(parsed.fields, columnNames), ...(opts.mapping ?? {}) };
  for (const [f, c] of Object.entries(mapping)) {
    if (c !== null && layer.procedureOwned && c in layer.procedureOwned) {
      throw new DomainError('procedure_owned', `mapping ${f} → ${c}: ${c} is recorded by the project's legal procedure (the 报批 step), not imported`,
        { field: c, layer: layer.id, step: 'application' }, { field: f });
    }
    if (c !== null && !columnNames.includes(c)) throw new ExchangeError(`mapping ${f} → ${c}: ${layer.table} has no column ${c}`);
  }
  const defaults = Object.fromEntries(Object.entries(opts.defaults ?? {}).filter(([k]) => columnNames.includes(k)));
  const geographic = parsed.epsg ? crsInfo(parsed.epsg).geographic : true;

  const { features, ...meta } = parsed;
  const chunks: string[] = [];
  const rounding: [number, number][] = [];
  const fieldTypes: Record<string, FieldType> = {};
  let chunk: unknown[] = [];
  for (let seq = 0; seq < features.length; seq++) {
    const f = features[seq];
    const geometry = closeRings(f);
    const issues = [...f.issues];
    if (geometry) {
      issues.push(...geometryChecks(geometry, geographic));
      if (!GEOMETRY_FAMILY[layer.geometry].includes(geometry.type)) {
        issues.push({ code: 'geometry_type', severity: 'error', message: `${geometry.type} cannot go into the ${layer.geometry} layer ${layer.id}` });
      }
    } else if (!parsed.attributesOnly && !issues.some((i) => i.code === 'bad_coordinates')) {
      issues.push({ code: 'no_geometry', severity: 'error', message: 'the feature has no geometry' });
    }
    for (const [field, v] of Object.entries(f.props)) {
      const type = valueType(v);
      if (type) fieldTypes[field] = widen(fieldTypes[field], type);
    }
    const attrs: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(mapping)) {
      if (column && field in f.props) attrs[column] = normaliseValue(column, f.props[field]);
    }
    if (f.fileAreaRoundingM2) rounding.push([seq, f.fileAreaRoundingM2]);
    chunk.push({ seq, ref: f.ref, props: f.props, attrs, geom: geometry ? JSON.stringify(geometry) : null, file_area_m2: f.fileAreaM2 ?? null, issues });
    // the parsed feature is not needed any more: the heap holds one chunk of rows beside what is left
    (features as unknown[])[seq] = undefined;
    if (chunk.length === ROWS_PER_CHUNK) { chunks.push(JSON.stringify(chunk)); chunk = []; }
  }
  if (chunk.length) chunks.push(JSON.stringify(chunk));
  return { ...meta, fieldTypes, mapping, defaults, count: features.length, chunks, rounding };
}

/**
 * `fn` given a folder for an import's files: `dir` when the caller has one (and removes it), else a
 * new one under the system's temporary folder, removed however `fn` ends.
 */
export async function withImportDir<T>(dir: string | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
  if (dir) return fn(dir);
  const own = await mkdtemp(path.join(os.tmpdir(), IMPORT_DIR_PREFIX));
  try {
    return await fn(own);
  } finally {
    await rm(own, { recursive: true, force: true });
  }
}
