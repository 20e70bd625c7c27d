// The exchange's writers over features handed in (not read from a layer's table): the same GeoJSON,
// Shapefile, DXF and GeoPackage exporters as GET /api/export, fed an in-memory ExportSource. Given to
// other capabilities by the app (server/core/feature-file.ts: WriteFeatureFile).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FEATURE_FILE_FORMATS, type FeatureFile, type FeatureFileRequest } from '../core/feature-file.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { exporterFor } from './registry.ts';
import { ExchangeError, type ExportSource } from './source.ts';
import type { ExportOptions } from './types.ts';

export async function writeFeatureFile(req: FeatureFileRequest): Promise<FeatureFile> {
  const exporter = exporterFor(req.format);
  if (!exporter || !(FEATURE_FILE_FORMATS as readonly string[]).includes(exporter.id)) {
    throw new ExchangeError(`format "${req.format}" is not one the overlaps are written in: ${FEATURE_FILE_FORMATS.join(', ')}`, 400, 'invalid_input', { field: 'format' });
  }
  // what the writers read of a layer: its id (the layer / table name in the file) and its geometry kind
  const layer: LayerDef = { id: req.name, table: req.name, geometryColumn: 'geom', geometry: 'polygon', title: req.title, group: 'constraint', attributes: [], minZoom: 0 };
  const textWidths: Record<string, number> = {};
  for (const f of req.fields) {
    if (f.type !== 'String') continue;
    textWidths[f.name] = Math.max(1, ...req.features.map((x) => Buffer.byteLength(String(x.props[f.name] ?? ''), 'utf8')));
  }
  const src: ExportSource = {
    layer,
    // a whole number is told by its SQL's cast (the writers' rule for a layer's columns)
    fields: req.fields.map((f) => ({ name: f.name, type: f.type, sql: f.integer ? 'NULL::int' : 'NULL' })),
    crs: req.crs,
    zone: req.crs.zone ?? 0,
    count: req.features.length,
    textWidths,
    async *batches() {
      yield req.features.map((f) => ({ ...f, extra: {} }));
    },
  };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zs-features-'));
  try {
    const opts: ExportOptions = { encoding: 'utf-8', tmpDir: dir };
    let bytes: Buffer;
    if (exporter.spool) {
      const file = path.join(dir, `out.${exporter.extension}`);
      await exporter.spool(src, opts, file);
      bytes = await readFile(file);
    } else {
      const parts: Uint8Array[] = [];
      for await (const chunk of exporter.write!(src, opts)) parts.push(chunk);
      bytes = Buffer.concat(parts);
    }
    return { bytes, extension: exporter.extension, contentType: exporter.contentType };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
