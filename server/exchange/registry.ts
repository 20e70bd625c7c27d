// The formats, by id, and which importer takes an upload.
import { csvExporter, csvImporter } from './formats/csv.ts';
import { dxfExporter, dxfImporter } from './formats/dxf.ts';
import { geojsonExporter, geojsonImporter } from './formats/geojson.ts';
import { gpkgExporter, gpkgImporter } from './formats/gpkg.ts';
import { kmlExporter, kmlImporter } from './formats/kml.ts';
import { shapefileExporter, shapefileImporter } from './formats/shapefile.ts';
import { txtExporter, txtImporter } from './formats/txt.ts';
import { xlsxExporter, xlsxImporter } from './formats/xlsx.ts';
import type { Exporter, Importer, UploadedFile } from './types.ts';

export const EXPORTERS: ReadonlyMap<string, Exporter> = new Map(
  [geojsonExporter, csvExporter, shapefileExporter, gpkgExporter, kmlExporter, dxfExporter, xlsxExporter, txtExporter].map((e) => [e.id, e]),
);

/**
 * Formats written whole to a file before the first byte is sent (Shapefile, GeoPackage, the ledger):
 * they read the source to its end at their own speed, so it may stream from a connection of its own
 * (COPY) without a slow download holding that connection.
 */
export const SPOOLED_FORMATS: ReadonlySet<string> = new Set([...EXPORTERS.values()].filter((e) => e.spool).map((e) => e.id));

/** Aliases people type: shapefile → shp, excel → xlsx, … */
export const FORMAT_ALIASES: Record<string, string> = { shapefile: 'shp', zip: 'shp', excel: 'xlsx', ledger: 'xlsx', json: 'geojson', geopackage: 'gpkg', ministry: 'txt', bm: 'txt', cad: 'dxf' };

export function exporterFor(id: string): Exporter | undefined {
  const key = id.toLowerCase();
  return EXPORTERS.get(FORMAT_ALIASES[key] ?? key);
}

const IMPORTERS: Importer[] = [shapefileImporter, gpkgImporter, geojsonImporter, csvImporter, kmlImporter, dxfImporter, txtImporter, xlsxImporter];

export function importerFor(files: UploadedFile[]): Importer | undefined {
  return IMPORTERS.find((i) => i.accepts(files));
}
