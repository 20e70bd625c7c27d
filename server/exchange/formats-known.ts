// What the exchange capability knows without loading a format module: its error type, the format ids
// people type, and which formats are spooled. Light on purpose: the CLI's main thread imports it to
// hand an export to a worker thread without loading what the worker loads again (export-in-worker.ts).

import type { ErrorCode, ErrorParams } from '../../geo/errors.ts';
import { DomainError } from '../core/errors.ts';

const CODE_BY_STATUS: Record<number, ErrorCode> = { 404: 'not_found', 413: 'payload_too_large', 415: 'unknown_format', 507: 'export_too_large' };

/** A refused export or import request: a DomainError whose code follows from its status unless given. */
export class ExchangeError extends DomainError {
  constructor(message: string, status = 400, code?: ErrorCode, params: ErrorParams = {}) {
    super(code ?? CODE_BY_STATUS[status] ?? 'invalid_input', message, params, { status });
  }
}

/** Aliases people type: shapefile → shp, excel → xlsx, … */
export const FORMAT_ALIASES: Record<string, string> = { shapefile: 'shp', zip: 'shp', excel: 'xlsx', ledger: 'xlsx', json: 'geojson', geopackage: 'gpkg', ministry: 'txt', bm: 'txt', cad: 'dxf' };

/** A format as typed → its id ('Shapefile' → 'shp'); unknown names come back lower-cased. */
export function formatId(name: string): string {
  const key = name.toLowerCase();
  return FORMAT_ALIASES[key] ?? key;
}

/**
 * Formats written whole to a file before the first byte is sent (an exporter's `spool`): Shapefile,
 * GeoPackage, the ledger. They read the source to its end at their own speed, so it may stream from a
 * connection of its own (COPY) without a slow download holding that connection. (registry.ts checks
 * this list against the exporters.)
 */
export const SPOOLED_FORMATS: ReadonlySet<string> = new Set(['shp', 'gpkg', 'xlsx']);
