// An export request → a byte stream with its file name and type. Shared by the HTTP route and the CLI.
import os from 'node:os';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { type LayerFields, releasedFields } from '../layer-sql.ts';
import { exporterFor, EXPORTERS, SPOOLED_FORMATS } from './registry.ts';
import { type CrsRequest, ExchangeError, type ExportFilters, openSource, parseCrsRequest } from './source.ts';
import type { TextEncoding } from './types.ts';

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
}

export interface ExportResult {
  fileName: string;
  contentType: string;
  count: number;
  epsg: number;
  zone: number;
  /** CRS84 GeoJSON is the RFC default; any other GeoJSON CRS is flagged */
  flagged: boolean;
  stream: Readable;
}

export async function startExport(pool: pg.Pool, layerFields: LayerFields, p: ExportParams): Promise<ExportResult> {
  const layer = LAYER_BY_ID.get(p.layer);
  if (!layer) throw new ExchangeError(`no layer "${p.layer}"`, 404);
  const exporter = exporterFor(p.format);
  if (!exporter) throw new ExchangeError(`format "${p.format}" is not one of ${[...EXPORTERS.keys()].join(', ')}`);
  const crs: CrsRequest = parseCrsRequest(p.crs) ?? exporter.defaultCrs;
  const geographic = crs === 4490 || crs === 4326;
  if (exporter.crsKind === 'geographic' && !geographic) throw new ExchangeError(`${exporter.label} holds longitude/latitude only: use crs EPSG:4490 or EPSG:4326`);
  if (exporter.crsKind === 'projected' && geographic) throw new ExchangeError(`${exporter.label} holds Gauss–Krüger coordinates: use crs gk, gk-noprefix or EPSG:4524/4525/4545/4546`);
  const encoding = (p.encoding?.toLowerCase().replace('utf8', 'utf-8') ?? exporter.defaultEncoding ?? 'utf-8') as TextEncoding;
  if (encoding !== 'utf-8' && encoding !== 'gbk') throw new ExchangeError(`encoding "${p.encoding}" is not utf-8 or gbk`);
  const fields = releasedFields(layerFields.get(layer.id)!, layer, p.sensitive);
  const src = await openSource(pool, {
    layer, fields, filters: p.filters, crs, areas: exporter.areas, textWidths: exporter.textWidths, extra: exporter.extra?.(layer),
    spools: SPOOLED_FORMATS.has(exporter.id), onProgress: p.onProgress,
  });
  const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const fileName = `${layer.id}_${stamp}_EPSG${src.crs.epsg}.${exporter.extension}`;
  const stream = Readable.from(exporter.write(src, { encoding, eol: p.eol === 'lf' ? '\n' : '\r\n', tmpDir: p.tmpDir ?? os.tmpdir() }), { objectMode: false });
  return {
    fileName, contentType: exporter.contentType, count: src.count, epsg: src.crs.epsg, zone: src.zone,
    flagged: exporter.id === 'geojson' && !src.crs.geographic, stream,
  };
}
