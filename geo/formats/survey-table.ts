// A red line typed or pasted as its survey table (界址点成果表): one 界址点 a line, `J1, X, Y` in the
// ministry's order (X the northing, Y the easting, CGCS2000 3° Gauss–Krüger), or `J1, 2, X, Y` with the
// ring number (圈号) for holes and further parts. Commas (, or ，), tabs or spaces between the fields (a
// table pasted from Excel comes tab-separated); a heading line (点号, X, Y) and blank lines are skipped.
//
// The points are read with the ministry TXT reader's own point logic (ministry-txt.ts: readBoundaryPoint,
// axesSwapped, prefixZoneOf, polygonsFromPoints), so a table and a TXT of the same points give the same
// polygons. Errors name the line.
import { crsInfo, gaussKrugerEpsg, transformPosition } from '../crs.ts';
import type { PolygonCoords } from './geometry.ts';
import { axesSwapped, polygonsFromPoints, prefixZoneOf, type RawBoundaryPoint, readBoundaryPoint, TxtFormatError } from './ministry-txt.ts';
import { splitLines } from './text.ts';

export { TxtFormatError as SurveyTableError };

export interface SurveyTableOptions {
  /** the 3° zone of eastings written without the zone prefix (6 digits); ignored when they carry it */
  zone?: number;
}

export interface SurveyTable {
  points: RawBoundaryPoint[];
  /** planar [easting, northing] in `epsg`, rings closed, outer rings first (holes after their outer ring) */
  polygons: PolygonCoords[];
  swapped: boolean;
  zone: number;
  zonePrefix: boolean;
  /** CGCS2000 3° Gauss–Krüger, with or without the zone prefix as the eastings are written */
  epsg: number;
  notes: string[];
}

const SEPARATOR = /\s*[,，;；\t]\s*|\s+/;
const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

export function parseSurveyTable(text: string, opts: SurveyTableOptions = {}): SurveyTable {
  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  const points: RawBoundaryPoint[] = [];
  const notes: string[] = [];
  let first = true;
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(SEPARATOR).filter((f) => f !== '');
    const heading = first && !fields.slice(1).some((f) => NUMERIC.test(f));
    first = false;
    if (heading) return; // 点号, X, Y
    if (fields.length === 3) points.push(readBoundaryPoint(fields[0], '1', fields[1], fields[2], lineNo));
    else if (fields.length === 4) points.push(readBoundaryPoint(fields[0], fields[1], fields[2], fields[3], lineNo));
    else throw new TxtFormatError(`a 界址点 line is "点号, X, Y" or "点号, 圈号, X, Y" (found ${fields.length} fields)`, lineNo, { code: 'fields', params: { n: fields.length } });
  });
  if (points.length === 0) throw new TxtFormatError('no 界址点 lines ("J1, X, Y")', Math.max(1, lines.length), { code: 'no_points', params: {} });

  const swapped = axesSwapped(points);
  if (swapped) notes.push('X 与 Y 互换: the first coordinate holds eastings (read as swapped)');
  for (const p of points) {
    const northing = swapped ? p.y : p.x;
    if (!(northing > 0 && northing < 10_000_000)) {
      throw new TxtFormatError(`${p.name}: northing ${northing} is not a Gauss–Krüger northing (X is the northing, Y the easting)`, p.line, { code: 'northing', params: { name: p.name, value: northing } });
    }
  }
  const prefixZone = prefixZoneOf(points, swapped);
  let zone: number;
  if (prefixZone !== undefined) {
    for (const p of points) {
      const e = swapped ? p.x : p.y;
      if (Math.floor(e / 1_000_000) !== prefixZone) throw new TxtFormatError(`${p.name}: easting ${e} is not in zone ${prefixZone} like the first point's`, p.line, { code: 'zone_mismatch', params: { name: p.name, value: e, zone: prefixZone } });
    }
    if (opts.zone !== undefined && opts.zone !== prefixZone) notes.push(`the eastings carry zone ${prefixZone}: the zone chosen (${opts.zone}) is not used`);
    zone = prefixZone;
  } else {
    if (opts.zone === undefined) throw new TxtFormatError('the eastings carry no zone number in front (6 digits): choose the zone (带号) they are in', points[0].line, { code: 'no_zone', params: {} });
    for (const p of points) {
      const e = swapped ? p.x : p.y;
      if (!(e > 0 && e < 1_000_000)) throw new TxtFormatError(`${p.name}: easting ${e} is neither 6 digits nor 8 with the zone in front`, p.line, { code: 'easting_digits', params: { name: p.name, value: e } });
    }
    zone = opts.zone;
  }
  const polygons = polygonsFromPoints(points, swapped, notes, (ring, n) => {
    const at = points.find((p) => p.ring === ring)!;
    return new TxtFormatError(`ring ${ring} has ${n} distinct points (a ring needs 3)`, at.line, { code: 'too_few', params: { ring, n } });
  });
  const zonePrefix = prefixZone !== undefined;
  return { points, polygons, swapped, zone, zonePrefix, epsg: gaussKrugerEpsg(zone, zonePrefix), notes };
}

/** Planar polygons (in a Gauss–Krüger EPSG) as one lon/lat (EPSG:4490) MultiPolygon: a multi-part red line is one. */
export function lonLatMultiPolygon(polygons: PolygonCoords[], epsg: number): { type: 'MultiPolygon'; coordinates: number[][][][] } {
  const geographic = crsInfo(epsg).geographic;
  return {
    type: 'MultiPolygon',
    coordinates: polygons.map((p) => p.map((r) => r.map((pos) => (geographic ? [pos[0], pos[1]] : transformPosition(epsg, 4490, [pos[0], pos[1]]))))),
  };
}
