// The shape every format module has: an optional exporter (a stream of bytes from an ExportSource) and
// an optional importer (uploaded files → features in the file's CRS, with what the file says about it).
import { DomainError } from '../core/errors.ts';
import type { Geometry } from '../../geo/formats/geometry.ts';
import type { LayerDef } from '../../geo/layers.ts';
import type { CrsRequest, ExportSource } from './source.ts';

export type TextEncoding = 'utf-8' | 'gbk';

export interface ExportOptions {
  encoding: TextEncoding;
  /** CRLF (ministry TXT default) or LF */
  eol?: '\r\n' | '\n';
  tmpDir: string;
}

export interface Exporter {
  id: string;
  label: string;
  extension: string;
  contentType: string;
  defaultCrs: CrsRequest;
  /** coordinates this format can only hold in lon/lat (KML) or only in a plane (the ministry TXT) */
  crsKind?: 'geographic' | 'projected';
  defaultEncoding?: TextEncoding;
  areas?: boolean;
  textWidths?: boolean;
  extra?(layer: LayerDef): Record<string, string>;
  /** a format written as it is read: its bytes, streamed */
  write?(src: ExportSource, opts: ExportOptions): AsyncIterable<Uint8Array>;
  /**
   * A format complete only at its end (a Shapefile's headers hold its length and bounds, a GeoPackage
   * and a workbook are databases/zips): the whole file written to `file`. It reads the source to its
   * end at its own speed, so the source may stream from a connection of its own (COPY).
   */
  spool?(src: ExportSource, opts: ExportOptions, file: string): Promise<void>;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Issue {
  code: string;
  severity: Severity;
  message: string;
  /** lon/lat (EPSG:4490) of the problem, when it has one */
  location?: [number, number];
}

export interface ParsedFeature {
  /** where in the file: 'record 12', 'line 40', 'feature 3' */
  ref: string;
  props: Record<string, unknown>;
  geometry: Geometry | null;
  /** area the file states (m²) and the plane it is measured in */
  fileAreaM2?: number;
  /** how far the stated area may be off by its rounding alone (m²) */
  fileAreaRoundingM2?: number;
  issues: Issue[];
}

export interface ParsedImport {
  format: string;
  /** EPSG of the coordinates, when known */
  epsg?: number;
  crsSource?: 'prj' | 'header' | 'zone_prefix' | 'coordinates' | 'request' | 'format';
  encoding?: string;
  fields: string[];
  features: ParsedFeature[];
  notes: string[];
  /** an attribute-only import (the Excel ledger): geometry is not touched */
  attributesOnly?: boolean;
}

/**
 * A file to import, on disk: an upload spooled to the request's folder, an entry unzipped beside it,
 * or the CLI's own file. Read by the importers (in a worker thread when large: parse-in-worker.ts).
 */
export interface UploadedFile {
  /** as uploaded, or the entry's name inside `within` */
  name: string;
  path: string;
  size: number;
  /** the zip the file came out of */
  within?: string;
}

/** A file as refusals name it: 'parcels.zip: parcel.dbf' for a zip's entry. */
export const fileLabel = (f: Pick<UploadedFile, 'name' | 'within'>): string => (f.within ? `${f.within}: ${f.name}` : f.name);

export interface ImportOptions {
  /** the CRS the user says the file is in (used when the file does not say) */
  epsg?: number;
  encoding?: TextEncoding;
}

export interface Importer {
  id: string;
  /** does this importer take these files (by extension / magic bytes)? */
  accepts(files: UploadedFile[]): boolean;
  read(files: UploadedFile[], opts: ImportOptions): Promise<ParsedImport>;
}

/** A bad file: 4xx naming the file and the line or record. */
export class FileFormatError extends DomainError {
  constructor(readonly file: string, readonly where: string | undefined, problem: string, status: 415 | 422 = 422) {
    super(status === 415 ? 'unknown_format' : 'file_unreadable', `${file}${where ? ` (${where})` : ''}: ${problem}`, { file, where: where ?? null, problem }, { status });
  }
}

/** Which import limit (limits.ts) a file went over; `max` is the limit in its unit (MB, ratio, files). */
export type ImportLimit = 'upload_size' | 'uncompressed_size' | 'compression_ratio' | 'zip_entries' | 'memory';

/** A file over an import limit: 413 naming the file (and the entry), the limit and its figure. */
export class ImportLimitError extends DomainError {
  constructor(readonly file: string, readonly where: string | undefined, problem: string, limit: ImportLimit, max: number) {
    super('import_limit', `${file}${where ? ` (${where})` : ''}: ${problem}`, { file, where: where ?? null, limit, max, problem });
  }
}
