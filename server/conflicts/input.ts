// What a conflict request may say, and turning it into one CGCS2000 (EPSG:4490) MultiPolygon — or a
// 4xx reason. Pure: no database. The database's own checks (validity, the district) are in analysis.ts.
import { CRS_TABLE, crsInfo, transformPosition } from '../../geo/crs.ts';
import { GK_ZONES } from '../../geo/crs.ts';
import type { ErrorCode, ErrorParams } from '../../geo/errors.ts';
import { DomainError } from '../core/errors.ts';

export const MAX_VERTICES = 100_000;
export const DEFAULT_TOLERANCE_M2 = 1;

/** A red line or request this module refuses: a 400 whatever the code's usual status (the database's findings are analysis.ts's). */
const bad = (code: ErrorCode, message: string, params: ErrorParams = {}) => new DomainError(code, message, params, { status: 400 });

export interface RedLineInput {
  /** lon/lat, EPSG:4490 */
  geometry: GeoJSON.MultiPolygon;
  inputCrs: number;
  /** positions as sent, closing repeats included: what the size limit counts (not the 界址点数) */
  vertices: number;
  axesSwapped: boolean;
}

export interface ConflictOptions {
  zone?: number;
  toleranceM2: number;
  excludeProjectId?: number;
  makeValid: boolean;
}

export type RedLineSource = { kind: 'geometry'; input: RedLineInput } | { kind: 'project'; projectId: number };

/** 'EPSG:4525', 4525, 'urn:ogc:def:crs:EPSG::4525', 'http://www.opengis.net/def/crs/EPSG/0/4525', 'CRS84'. */
export function parseCrs(raw: unknown): number {
  if (raw === undefined || raw === null) return 4490;
  let text: string;
  if (typeof raw === 'number') text = String(raw);
  else if (typeof raw === 'string') text = raw.trim();
  else if (typeof raw === 'object' && raw && typeof (raw as { properties?: { name?: unknown } }).properties?.name === 'string') {
    text = (raw as { properties: { name: string } }).properties.name; // GeoJSON 2008 named CRS
  } else throw bad('bad_crs', 'crs must be an EPSG code such as "EPSG:4525" or 4525');
  if (/^(OGC:)?CRS84$/i.test(text) || /crs\/OGC\/1\.3\/CRS84$/i.test(text) || /^urn:ogc:def:crs:OGC:1\.3:CRS84$/i.test(text)) return 4326;
  const m = /^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[^:]*:|https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/0\/)?(\d{4,5})$/i.exec(text);
  if (!m) throw bad('bad_crs', `crs "${text}" is not an EPSG code this system reads (e.g. "EPSG:4490", "EPSG:4525")`);
  const epsg = Number(m[1]);
  if (!CRS_TABLE.has(epsg) || epsg === 3857) {
    throw bad('bad_crs', `EPSG:${epsg} is not accepted: send CGCS2000 (EPSG:4490), WGS 84 (EPSG:4326) or a CGCS2000 3° Gauss–Krüger zone (EPSG:4513–4554)`);
  }
  return epsg;
}

function isPosition(p: unknown): p is number[] {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

/** Structural checks on Polygon / MultiPolygon coordinates; returns the polygons and their vertex count. */
function readPolygons(g: { type: string; coordinates?: unknown }): { polygons: number[][][][]; vertices: number } {
  const coords = g.coordinates;
  if (!Array.isArray(coords)) throw bad('invalid_geometry', `${g.type} has no coordinates array`);
  const polygons = (g.type === 'Polygon' ? [coords] : coords) as unknown[];
  let vertices = 0;
  for (const p of polygons) if (Array.isArray(p)) for (const r of p) if (Array.isArray(r)) vertices += r.length;
  if (vertices >= MAX_VERTICES) {
    throw new DomainError('too_many_vertices', `the red line has ${vertices.toLocaleString('en-US')} vertices: at most ${(MAX_VERTICES - 1).toLocaleString('en-US')} are analysed (simplify it first)`, { vertices, max: MAX_VERTICES - 1 });
  }
  const out: number[][][][] = [];
  polygons.forEach((p, pi) => {
    if (!Array.isArray(p)) throw bad('invalid_geometry', `polygon ${pi + 1} is not an array of rings`);
    if (p.length === 0) return; // an empty polygon adds nothing
    const rings: number[][][] = [];
    p.forEach((r, ri) => {
      const where = `polygon ${pi + 1}, ring ${ri + 1}`;
      if (!Array.isArray(r)) throw bad('invalid_geometry', `${where} is not an array of positions`);
      r.forEach((pt, i) => {
        if (!isPosition(pt)) throw bad('invalid_geometry', `${where}, position ${i + 1} is not two finite numbers`);
      });
      if (r.length < 4) throw bad('invalid_geometry', `${where} has ${r.length} positions: a ring needs at least 4 (3 corners and the first repeated)`);
      const first = r[0] as number[], last = r[r.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) throw bad('invalid_geometry', `${where} is not closed: its last position must repeat its first`);
      rings.push((r as number[][]).map((pt) => [pt[0], pt[1]]));
    });
    out.push(rings);
  });
  return { polygons: out, vertices };
}

/** Unwrap a Feature / single-feature FeatureCollection / geometry into a Polygon or MultiPolygon object. */
function unwrapGeometry(raw: unknown): { type: string; coordinates?: unknown; crs?: unknown } {
  if (!raw || typeof raw !== 'object') throw bad('invalid_geometry', 'geometry must be a GeoJSON Polygon, MultiPolygon or Feature');
  const o = raw as { type?: unknown; geometry?: unknown; features?: unknown[]; crs?: unknown };
  if (o.type === 'Feature') {
    if (o.geometry === null || o.geometry === undefined) throw bad('empty_geometry', 'the Feature has no geometry');
    const g = unwrapGeometry(o.geometry);
    return { ...g, crs: g.crs ?? o.crs };
  }
  if (o.type === 'FeatureCollection') {
    if (!Array.isArray(o.features) || o.features.length !== 1) throw bad('invalid_geometry', 'a FeatureCollection must hold exactly one red-line feature');
    const g = unwrapGeometry(o.features[0]);
    return { ...g, crs: g.crs ?? o.crs };
  }
  if (o.type === 'Polygon' || o.type === 'MultiPolygon') return o as { type: string; coordinates?: unknown; crs?: unknown };
  throw bad('invalid_geometry', `a red line must be a Polygon or MultiPolygon (got ${typeof o.type === 'string' ? o.type : 'no type'})`);
}

/**
 * A red line in any accepted CRS → lon/lat. Gauss–Krüger positions are [easting, northing] as GeoJSON
 * has them; files with the axes swapped (EPSG's northing-first order) are recognised by magnitude, as
 * lat/lon pairs are for the geographic CRSs.
 */
export function readRedLine(raw: unknown, crsRaw: unknown): RedLineInput {
  const g = unwrapGeometry(raw);
  const inputCrs = parseCrs(crsRaw ?? g.crs);
  const { polygons, vertices } = readPolygons(g);
  if (polygons.length === 0 || vertices === 0) throw bad('empty_geometry', 'the red line is empty: it has no rings');
  const info = crsInfo(inputCrs);
  const all = polygons.flat(2);
  let swapped = false;
  if (info.geographic) {
    // lat,lon (EPSG order) given for a district at ~23°N 109.5°E: every x looks like a latitude and every y like a longitude
    swapped = all.every(([x, y]) => Math.abs(x) <= 60 && Math.abs(y) > 90);
  } else {
    // northing ≈ 2.4–2.7 million m here; eastings are < 1 million (no zone prefix) or 8 digits (prefix)
    swapped = all.every(([x, y]) => x > 1_500_000 && x < 5_000_000 && (y < 1_000_000 || y > 10_000_000));
  }
  const toLonLat = (pt: number[]): number[] => {
    const xy: [number, number] = swapped ? [pt[1], pt[0]] : [pt[0], pt[1]];
    if (info.geographic) return xy;
    return transformPosition(inputCrs, 4490, xy);
  };
  const coordinates = polygons.map((p) => p.map((r) => r.map(toLonLat)));
  if (info.geographic) {
    for (const [x, y] of coordinates.flat(2)) {
      if (x < -180 || x > 180 || y < -90 || y > 90) throw bad('invalid_geometry', `position ${x}, ${y} is not a longitude/latitude (for projected input, say which crs)`);
    }
  } else if (info.zonePrefix) {
    const zones = new Set(polygons.flat(2).map(([x, y]) => Math.floor((swapped ? y : x) / 1_000_000)));
    if (zones.size !== 1 || !zones.has(info.zone!)) {
      throw bad('bad_crs', `eastings do not carry zone ${info.zone} in front (EPSG:${inputCrs}); check the crs or the axis order`);
    }
  }
  return { geometry: { type: 'MultiPolygon', coordinates }, inputCrs, vertices, axesSwapped: swapped };
}

function optionalInt(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 2_147_483_647) throw bad('invalid_input', `${key} must be a positive whole number`, { field: key });
  return n;
}

/** The request body → where the red line comes from, and the analysis options. */
export function readConflictRequest(body: unknown): { source: RedLineSource; options: ConflictOptions } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw bad('invalid_input', 'send a JSON object: { "geometry": <GeoJSON Polygon/MultiPolygon/Feature>, "crs"?: "EPSG:4525" } or { "projectId": 12 }');
  }
  const b = body as Record<string, unknown>;
  const zone = optionalInt(b, 'zone');
  if (zone !== undefined && (zone < GK_ZONES.first || zone > GK_ZONES.last)) {
    throw bad('invalid_input', `zone ${zone} is not a CGCS2000 3° zone (${GK_ZONES.first}–${GK_ZONES.last}; this district lies in 36 and 37)`, { field: 'zone' });
  }
  let toleranceM2 = DEFAULT_TOLERANCE_M2;
  if (b.toleranceM2 !== undefined) {
    if (typeof b.toleranceM2 !== 'number' || !(b.toleranceM2 >= 0) || !Number.isFinite(b.toleranceM2)) throw bad('invalid_input', 'toleranceM2 must be a number ≥ 0 (m²)');
    toleranceM2 = b.toleranceM2;
  }
  if (b.makeValid !== undefined && typeof b.makeValid !== 'boolean') throw bad('invalid_input', 'makeValid must be true or false');
  const options: ConflictOptions = { zone, toleranceM2, excludeProjectId: optionalInt(b, 'excludeProjectId'), makeValid: b.makeValid === true };

  const projectId = optionalInt(b, 'projectId');
  const geometryRaw = b.geometry ?? (b.type === 'Polygon' || b.type === 'MultiPolygon' || b.type === 'Feature' || b.type === 'FeatureCollection' ? b : undefined);
  if (projectId !== undefined && geometryRaw !== undefined) throw bad('invalid_input', 'send either projectId or a geometry, not both');
  if (projectId !== undefined) return { source: { kind: 'project', projectId }, options };
  if (geometryRaw === undefined) throw bad('invalid_input', 'no red line: send "geometry" (GeoJSON) or "projectId"');
  return { source: { kind: 'geometry', input: readRedLine(geometryRaw, b.crs) }, options };
}
