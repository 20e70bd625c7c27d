// The formats, by id, and which importer takes an upload.
import { csvExporter, csvImporter } from './formats/csv.ts';
import { dxfExporter, dxfImporter } from './formats/dxf.ts';
import { geojsonExporter, geojsonImporter } from './formats/geojson.ts';
import { gpkgExporter, gpkgImporter } from './formats/gpkg.ts';
import { kmlExporter, kmlImporter } from './formats/kml.ts';
import { shapefileExporter, shapefileImporter } from './formats/shapefile.ts';
import { txtExporter, txtImporter } from './formats/txt.ts';
import { xlsxExporter, xlsxImporter } from './formats/xlsx.ts';
import { formatId, SPOOLED_FORMATS } from './formats-known.ts';
import type { Exporter, Importer, UploadedFile } from './types.ts';

export const EXPORTERS: ReadonlyMap<string, Exporter> = new Map(
  [geojsonExporter, csvExporter, shapefileExporter, gpkgExporter, kmlExporter, dxfExporter, xlsxExporter, txtExporter].map((e) => [e.id, e]),
);

for (const e of EXPORTERS.values()) {
  if ((e.spool !== undefined) !== SPOOLED_FORMATS.has(e.id) || (e.spool === undefined) === (e.write === undefined)) {
    throw new Error(`exporter ${e.id}: give spool() (and list it in SPOOLED_FORMATS) or write(), not both or neither`);
  }
}

export function exporterFor(name: string): Exporter | undefined {
  return EXPORTERS.get(formatId(name));
}

const IMPORTERS: Importer[] = [shapefileImporter, gpkgImporter, geojsonImporter, csvImporter, kmlImporter, dxfImporter, txtImporter, xlsxImporter];

export function importerFor(files: UploadedFile[]): Importer | undefined {
  return IMPORTERS.find((i) => i.accepts(files));
}
