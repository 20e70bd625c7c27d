// The overlaps of a conflict analysis as a GIS file (压占图斑导出): every taken piece (slivers below the
// tolerance left out, as in the totals) with its layer, the constraint feature it lies on, that
// feature's code and name as the release rule gave them to this reader, and the overlap's area both
// ways (ellipsoidal m² and 亩, Gauss–Krüger planar m² in the analysis' zone), in 4490 or a CGCS2000
// Gauss–Krüger zone. One layer in the file, `layer` naming the constraint layer of each feature; written
// by the exchange's writers (server/core/feature-file.ts), the geometry reprojected by PostGIS.
import type pg from 'pg';
import { crsInfo, type CrsInfo } from '../../geo/crs.ts';
import { DomainError } from '../core/errors.ts';
import { FEATURE_FILE_FORMATS, type FeatureFile, type FeatureFileRequest, type WriteFeatureFile } from '../core/feature-file.ts';
import type { ConflictResult } from './analysis.ts';

export const OVERLAP_FIELDS: FeatureFileRequest['fields'] = [
  { name: 'layer', type: 'String' },
  { name: 'layer_zh', type: 'String' },
  { name: 'feature_id', type: 'Number', integer: true },
  { name: 'code', type: 'String' },
  { name: 'name', type: 'String' },
  { name: 'ellip_m2', type: 'Number' },
  { name: 'ellip_mu', type: 'Number' },
  { name: 'planar_m2', type: 'Number' },
];

export type OverlapFormat = (typeof FEATURE_FILE_FORMATS)[number];

const invalid = (message: string, field: string) => new DomainError('invalid_input', message, { field }, { field });

/** The output CRS asked for: 4490, or a CGCS2000 3° Gauss–Krüger zone (EPSG:4513–4554). */
export function overlapCrs(raw: unknown, fallback: number): CrsInfo {
  if (raw === undefined || raw === null || raw === '') return crsInfo(fallback);
  const m = /^(?:epsg:)?(\d{4,5})$/i.exec(String(raw).trim());
  const epsg = m ? Number(m[1]) : NaN;
  let info: CrsInfo | undefined;
  try { info = crsInfo(epsg); } catch { /* refused below */ }
  if (!info || (epsg !== 4490 && info.zone === undefined)) {
    throw invalid(`crs "${String(raw)}" is not 4490 (CGCS2000) or a CGCS2000 3° Gauss–Krüger zone (EPSG:4513–4554)`, 'crs');
  }
  return info;
}

export function overlapFormat(raw: unknown): OverlapFormat {
  const v = String(raw ?? 'geojson').toLowerCase();
  if (!(FEATURE_FILE_FORMATS as readonly string[]).includes(v)) throw invalid(`format must be one of ${FEATURE_FILE_FORMATS.join(', ')}`, 'format');
  return v as OverlapFormat;
}

/** The constraint layers asked for: all, or those named (each must be one the analysis has). */
export function overlapLayers(result: ConflictResult, raw: unknown): Set<string> {
  const all = result.layers.map((l) => l.id);
  if (raw === undefined || raw === null) return new Set(all);
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) throw invalid('layers must be an array of layer ids', 'layers');
  const unknown = raw.filter((x) => !all.includes(x));
  if (unknown.length) throw invalid(`layers: ${unknown.join(', ')} not a constraint layer (${all.join(', ')})`, 'layers');
  return new Set(raw as string[]);
}

/** The file: the overlaps of the chosen layers, reprojected to `crs` by PostGIS. */
export async function overlapFile(pool: pg.Pool, write: WriteFeatureFile, result: ConflictResult, opts: { format: OverlapFormat; crs: CrsInfo; layers: Set<string> }): Promise<FeatureFile & { count: number }> {
  const taken = result.layers.filter((l) => opts.layers.has(l.id)).flatMap((l) => l.features.map((f) => ({ l, f })));
  const wkb = taken.length
    ? (await pool.query<{ w: Buffer }>(
      `SELECT ST_AsBinary(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(g), 4490), $2::int), 'NDR') w FROM unnest($1::text[]) WITH ORDINALITY AS u(g, i) ORDER BY i`,
      [taken.map(({ f }) => JSON.stringify(f.geometry)), opts.crs.epsg])).rows.map((r) => r.w)
    : [];
  const features = taken.map(({ l, f }, i) => ({
    id: i + 1,
    wkb: wkb[i],
    props: {
      layer: l.id,
      layer_zh: l.title.zh,
      feature_id: f.id,
      code: f.properties.code == null ? null : String(f.properties.code),
      name: f.properties.name == null ? null : String(f.properties.name),
      ellip_m2: f.area.ellipsoidal.m2,
      ellip_mu: f.area.ellipsoidal.mu,
      planar_m2: f.area.planar.m2,
    },
  }));
  const file = await write({ name: 'conflict_overlaps', title: { zh: '压占图斑', en: 'Overlaps' }, format: opts.format, crs: opts.crs, fields: OVERLAP_FIELDS, features });
  return { ...file, count: features.length };
}
