// An export request → a file or a byte stream, with its name and type. Shared by the HTTP route and the CLI.
// Formats written as they are read (GeoJSON, CSV, KML, DXF, the ministry TXT) stream straight out.
// Formats complete only at their end (Shapefile, GeoPackage, the ledger) are spooled to a file first; on
// a PostgreSQL server that runs in a worker thread with a V8 heap of its own, bounded
// (export-in-worker.ts), so however many rows an export has its memory stays flat, and the server's heap
// is not grown by it.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { fileStamp } from '../../geo/time.ts';
import type { LayerFields } from '../core/catalogue.ts';
import { releasedFields } from '../core/release.ts';
import { spoolInWorker, spoolToFile } from './export-in-worker.ts';
import { exporterFor, EXPORTERS } from './registry.ts';
import { type CrsRequest, ExchangeError, type ExportFilters, type ExportSource, openSource, parseCrsRequest } from './source.ts';
import type { Exporter, ExportOptions, TextEncoding } from './types.ts';

export interface ExportParams {
  layer: string;
  format: string;
  crs?: string;
  encoding?: string;
  eol?: 'crlf' | 'lf';
  filters: ExportFilters;
  /**
   * May this export carry the layer's sensitive attributes (geo/layers.ts: `sensitive` columns, e.g.
   * 军事用地's name, unit, use and notes; `sensitiveWhere`, e.g. the owner's name of a parcel an army
   * unit owns)? Required, so no caller forgets to decide (the CLI says true unless --no-sensitive; the
   * route asks the accounts capability). When false the columns are never selected and the per-row
   * ones are selected as NULL (releasedFields, the rule every capability applies), so no format
   * (attribute tables, labels, XDATA, ledger columns) can hold them.
   */
  sensitive: boolean;
  tmpDir?: string;
  onProgress?(done: number, total: number): void;
  /** spool in a worker thread when the pool is a PostgreSQL server's (default true) */
  worker?: boolean;
  /** the statement_timeout of a worker's own connections (a whole layer's COPY); unset = none (the CLI) */
  statementTimeoutMs?: number;
}

/** What is known of an export once its rows are counted, before its first byte. */
export interface ExportMeta {
  fileName: string;
  contentType: string;
  count: number;
  epsg: number;
  zone: number;
  /** CRS84 GeoJSON is the RFC default; any other GeoJSON CRS is flagged */
  flagged: boolean;
}

export interface ExportResult extends ExportMeta {
  stream: Readable;
}

interface Checked {
  exporter: Exporter;
  crs: CrsRequest;
  encoding: TextEncoding;
}

/** The request's layer, format, CRS and encoding checked against each other (400/404 before any work). */
function check(p: ExportParams): Checked {
  if (!LAYER_BY_ID.has(p.layer)) throw new ExchangeError(`no layer "${p.layer}"`, 404);
  const exporter = exporterFor(p.format);
  if (!exporter) throw new ExchangeError(`format "${p.format}" is not one of ${[...EXPORTERS.keys()].join(', ')}`);
  const crs: CrsRequest = parseCrsRequest(p.crs) ?? exporter.defaultCrs;
  const geographic = crs === 4490 || crs === 4326;
  if (exporter.crsKind === 'geographic' && !geographic) throw new ExchangeError(`${exporter.label} holds longitude/latitude only: use crs EPSG:4490 or EPSG:4326`);
  if (exporter.crsKind === 'projected' && geographic) throw new ExchangeError(`${exporter.label} holds Gauss–Krüger coordinates: use crs gk, gk-noprefix or EPSG:4524/4525/4545/4546`);
  const encoding = (p.encoding?.toLowerCase().replace('utf8', 'utf-8') ?? exporter.defaultEncoding ?? 'utf-8') as TextEncoding;
  if (encoding !== 'utf-8' && encoding !== 'gbk') throw new ExchangeError(`encoding "${p.encoding}" is not utf-8 or gbk`);
  return { exporter, crs, encoding };
}

/** The rows to export, counted, and what the file will be called. */
async function open(pool: pg.Pool, layerFields: LayerFields, p: ExportParams, { exporter, crs, encoding }: Checked): Promise<{ src: ExportSource; meta: ExportMeta; opts: ExportOptions }> {
  const layer = LAYER_BY_ID.get(p.layer)!;
  const fields = releasedFields(layerFields.get(layer.id)!, layer, p.sensitive);
  const src = await openSource(pool, {
    layer, fields, filters: p.filters, crs, areas: exporter.areas, textWidths: exporter.textWidths, extra: exporter.extra?.(layer),
    spools: exporter.spool !== undefined, onProgress: p.onProgress,
  });
  const stamp = fileStamp(); // the Beijing day (geo/time.ts)
  const meta: ExportMeta = {
    fileName: `${layer.id}_${stamp}_EPSG${src.crs.epsg}.${exporter.extension}`, contentType: exporter.contentType,
    count: src.count, epsg: src.crs.epsg, zone: src.zone, flagged: exporter.id === 'geojson' && !src.crs.geographic,
  };
  return { src, meta, opts: { encoding, eol: p.eol === 'lf' ? '\n' : '\r\n', tmpDir: p.tmpDir ?? os.tmpdir() } };
}

/** An export under way into a file: known once counted, written when `written` resolves. */
export interface Spooling {
  meta: ExportMeta;
  written: Promise<void>;
  /** stop it (the reader went away); the file is left half written */
  cancel(): void;
}

/** Spools a file format into `file`, here or in a worker thread. */
function spool(pool: pg.Pool, layerFields: LayerFields, p: ExportParams, checked: Checked, file: string): Promise<Spooling> {
  const url = pool.options.connectionString;
  // a pool of one is the embedded database's single session: no second connection for a worker
  if (p.worker !== false && url && (pool.options.max ?? 10) > 1) return spoolInWorker({ databaseUrl: url, layerFields, params: p, file }, p.onProgress);
  return spoolHere(pool, layerFields, p, file, checked);
}

/** Spools a file format into `file` in this thread (export-worker.ts runs this). */
export async function spoolHere(pool: pg.Pool, layerFields: LayerFields, p: ExportParams, file: string, checked = check(p)): Promise<Spooling> {
  const { src, meta, opts } = await open(pool, layerFields, p, checked);
  const written = checked.exporter.spool!(src, opts, file);
  written.catch(() => {}); // awaited by the reader; not unhandled meanwhile
  return { meta, written, cancel: () => {} };
}

/** The export as a stream of bytes (the HTTP route). */
export async function startExport(pool: pg.Pool, layerFields: LayerFields, p: ExportParams): Promise<ExportResult> {
  const checked = check(p);
  if (!checked.exporter.spool) {
    const { src, meta, opts } = await open(pool, layerFields, p, checked);
    return { ...meta, stream: Readable.from(checked.exporter.write!(src, opts), { objectMode: false }) };
  }
  // the file, and the format's own temporary files, in one folder removed whatever happens (a worker
  // stopped half way runs no clean-up of its own)
  const dir = await mkdtemp(path.join(p.tmpDir ?? os.tmpdir(), 'zs-export-'));
  const file = path.join(dir, `export.${checked.exporter.extension}`);
  let spooling: Spooling;
  try {
    spooling = await spool(pool, layerFields, { ...p, tmpDir: dir }, checked, file);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let complete = false;
  async function* bytes(): AsyncGenerator<Buffer> {
    await spooling.written;
    // 64 KB reads: small buffers die young; 1 MB ones pile up outside the heap until a full collection
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) yield chunk as Buffer;
    complete = true;
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  stream.on('close', () => {
    if (!complete) spooling.cancel();
    void rm(dir, { recursive: true, force: true });
  });
  return { ...spooling.meta, stream };
}

/** The export written to a file (the CLI): a spooled format goes there without passing through this thread. */
export async function exportToFile(pool: pg.Pool, layerFields: LayerFields, p: ExportParams, out: string): Promise<ExportMeta> {
  const checked = check(p);
  if (!checked.exporter.spool) {
    const { src, meta, opts } = await open(pool, layerFields, p, checked);
    await pipeline(Readable.from(checked.exporter.write!(src, opts), { objectMode: false }), createWriteStream(out));
    return meta;
  }
  return spoolToFile(p, out, (params, part) => spool(pool, layerFields, params, checked, part));
}
