// Where a red line for the conflict tool comes from besides drawing: a file (the ministry TXT is read
// here with the isomorphic reader, geo/formats/ministry-txt.ts; GeoJSON, Shapefile zips, DXF and KML
// are read by the exchange's importers on the server, through an import preview that is never
// committed: one parser per format) or a survey table (geo/formats/survey-table.ts). Several parts or
// features are one red line (one MultiPolygon). What the server is sent keeps the coordinates as read,
// with their CRS: the server converts them (server/conflicts/input.ts).
import { gaussKrugerEpsg } from '../../../geo/crs.ts';
import type { PolygonCoords } from '../../../geo/formats/geometry.ts';
import { parseMinistryTxt } from '../../../geo/formats/ministry-txt.ts';
import { lonLatMultiPolygon, type SurveyTable } from '../../../geo/formats/survey-table.ts';
import { decodeText } from '../../../geo/formats/text.ts';
import { previewGeoJson, uploadImport } from '../exchange/api.ts';
import type { RedLineBody } from './api.ts';

export interface LoadedRedLine {
  /** lon/lat (EPSG:4490), for the map and the live figures */
  lonLat: GeoJSON.MultiPolygon;
  /** what the server is asked about while the red line is not edited */
  body: RedLineBody;
  /** the EPSG the coordinates were read in */
  epsg: number;
  notes: string[];
}

/** Thrown for input the panel words itself (key into the i18n strings, with its values). */
export class InputError extends Error {
  constructor(readonly key: 'cfNoZone' | 'cfNoPolygons', readonly vars: Record<string, string | number> = {}) {
    super(key);
  }
}

const extOf = (name: string) => /\.([^./\\]+)$/.exec(name)?.[1].toLowerCase() ?? '';

function planarRedLine(polygons: PolygonCoords[], epsg: number, notes: string[]): LoadedRedLine {
  return {
    lonLat: lonLatMultiPolygon(polygons, epsg) as GeoJSON.MultiPolygon,
    body: { geometry: { type: 'MultiPolygon', coordinates: polygons }, crs: `EPSG:${epsg}` },
    epsg,
    notes,
  };
}

export const surveyTableRedLine = (t: SurveyTable): LoadedRedLine => planarRedLine(t.polygons, t.epsg, t.notes);

/** A ministry boundary-point TXT (GBK or UTF-8): every parcel's polygons as one red line. */
export function ministryTxtRedLine(bytes: Uint8Array, zone?: number): LoadedRedLine {
  const doc = parseMinistryTxt(decodeText(bytes).text);
  const epsg = doc.epsg ?? (zone !== undefined ? gaussKrugerEpsg(zone, false) : undefined);
  if (epsg === undefined) throw new InputError('cfNoZone');
  const polygons = doc.parcels.filter((p) => p.kind === '面').flatMap((p) => p.polygons);
  if (!polygons.length) throw new InputError('cfNoPolygons');
  return planarRedLine(polygons, epsg, [...doc.notes, ...doc.parcels.flatMap((p) => p.notes)]);
}

/** Any other file the exchange imports: its preview's features (EPSG:4490) as one red line. */
async function previewedRedLine(files: File[], zone?: number): Promise<LoadedRedLine> {
  let preview = await uploadImport(files, { layer: 'red_line' });
  if (preview.crs.epsg === null) {
    // coordinates without a zone prefix: the zone must be chosen
    if (zone === undefined) throw new InputError('cfNoZone');
    preview = await uploadImport(files, { layer: 'red_line', crs: `EPSG:${gaussKrugerEpsg(zone, false)}` });
  }
  const fc = await previewGeoJson(preview.id);
  const polygons: PolygonCoords[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (g?.type === 'Polygon') polygons.push(g.coordinates);
    else if (g?.type === 'MultiPolygon') polygons.push(...g.coordinates);
  }
  if (!polygons.length) throw new InputError('cfNoPolygons');
  const lonLat: GeoJSON.MultiPolygon = { type: 'MultiPolygon', coordinates: polygons };
  return { lonLat, body: { geometry: lonLat, crs: 'EPSG:4490' }, epsg: preview.crs.epsg ?? 4490, notes: preview.notes };
}

/** The red line in the file(s) chosen: a ministry TXT read here, the others by the server's importers. */
export function readRedLineFiles(files: File[], zone?: number): Promise<LoadedRedLine> {
  if (files.length === 1 && extOf(files[0].name) === 'txt') {
    return files[0].arrayBuffer().then((b) => ministryTxtRedLine(new Uint8Array(b), zone));
  }
  return previewedRedLine(files, zone);
}

/** The file types the picker offers (what the exchange imports, and the TXT). */
export const RED_LINE_FILE_TYPES = '.txt,.geojson,.json,.zip,.shp,.shx,.dbf,.prj,.cpg,.dxf,.kml,.gpkg';
