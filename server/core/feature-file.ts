// A set of features written as a GIS file (GeoJSON, Shapefile zip, DXF, GeoPackage) by the exchange
// capability's own writers. The exchange provides it; another capability (the conflict analysis'
// overlap export) is handed it by the app (server/app.ts), so no capability imports another.
import type { CrsInfo } from '../../geo/crs.ts';
import type { FieldType } from './catalogue.ts';

export interface FeatureFileRequest {
  /** the layer / table name inside the file (and the file's base name) */
  name: string;
  title: { zh: string; en: string };
  format: string;
  /** the coordinates' CRS: 4490 or a CGCS2000 Gauss–Krüger zone */
  crs: CrsInfo;
  /** the attributes, in order (a feature's `id` is written first by every format); `integer`: whole numbers */
  fields: { name: string; type: FieldType; integer?: boolean }[];
  /** geometry as little-endian WKB in `crs` (x = easting / longitude); ids unique in the file */
  features: { id: number; props: Record<string, unknown>; wkb: Buffer }[];
}

export interface FeatureFile {
  bytes: Buffer;
  extension: string;
  contentType: string;
}

/** Writes the features as `format`; an unknown or unsuitable format is a 400 naming the formats it writes. */
export type WriteFeatureFile = (request: FeatureFileRequest) => Promise<FeatureFile>;

/** The formats a feature file is written in (exchange ids). */
export const FEATURE_FILE_FORMATS = ['geojson', 'shp', 'dxf', 'gpkg'] as const;
