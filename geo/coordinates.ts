// Typed coordinates (定位坐标): reading what people type into the go-to box, and writing positions the
// way they read them. Isomorphic; the CRS definitions are geo/crs.ts's.
//
// Accepted (full-width digits and punctuation, 度分秒 and ′ ″ ’ ” are read as their ASCII forms):
//  - decimal degrees: "109.6035,23.1014", "109.6035 23.1014", "23.1014, 109.6035" (a first value within
//    ±90 and a second beyond it is latitude first), "109.6035E 23.1014N", "东经109.6035 北纬23.1014";
//  - degrees, minutes, seconds: 109°36'12.5"E 23°06'05"N, E109°36′12.5″ N23°6′5″, 109度36分12.5秒, and
//    degrees with decimal minutes (109°36.2083');
//  - CGCS2000 3° Gauss–Krüger X/Y, northing X first as Chinese surveys write it: "X=2556301.123
//    Y=37412345.678", "X=2556301.123, Y=37 412345.678", "2556301.123, 412345.678". Unlabelled numbers
//    are told apart by size (the northing has 7 digits here, an easting 6, or 8 with the zone in front),
//    so swapped ones are read right. Without the zone in front the zone is the one given, else the one
//    (of those covering the district) in which the point falls inside the district.
// Bad input throws CoordinateError: a stable code, the part that is wrong, and an English message.
import { DISTRICT_BBOX } from './layers.ts';
import { GK_ZONES, gaussKrugerEpsg, transformPosition, zoneForLongitude, zoneFromEasting } from './crs.ts';

export type BBox = [number, number, number, number];

export type CoordinateErrorCode =
  /** nothing typed */
  | 'empty'
  /** a character or word that is no part of a coordinate (params.part) */
  | 'unexpected'
  /** not two values (params.count) */
  | 'count'
  /** minutes or seconds without degrees, seconds without minutes, or a symbol in the wrong place */
  | 'dms_order'
  /** minutes or seconds not below 60 (params.part) */
  | 'dms_range'
  /** both values given the same hemisphere axis (two E/W or two N/S) */
  | 'hemisphere'
  /** a longitude outside ±180 or a latitude outside ±90 (params.part, params.axis) */
  | 'range'
  /** X/Y labels mixed with degrees, or a label twice */
  | 'labels'
  /** an X that cannot be a northing, a Y that cannot be an easting (params.part, params.axis) */
  | 'gk_range'
  /** the zone in front of the easting is not a CGCS2000 3° zone (params.zone) */
  | 'gk_zone'
  /** the zone in front of the easting differs from the zone chosen (params.zone, params.chosen) */
  | 'zone_mismatch'
  /** no zone given and the point lies inside the district in none of its zones (params.zones) */
  | 'zone_unknown';

export class CoordinateError extends Error {
  constructor(
    readonly code: CoordinateErrorCode,
    message: string,
    readonly params: { part?: string; axis?: 'lon' | 'lat' | 'x' | 'y'; count?: number; zone?: number; chosen?: number; zones?: string } = {},
  ) {
    super(message);
    this.name = 'CoordinateError';
  }
}

export interface GaussKruger {
  /** northing (m) */
  x: number;
  /** easting (m), without the zone number */
  y: number;
  zone: number;
}

export interface ParsedCoordinate {
  lon: number;
  lat: number;
  /** how it was typed */
  kind: 'decimal' | 'dms' | 'gk';
  /** for GK input: the X/Y as read, and where the zone came from */
  gk?: GaussKruger & { zoneFrom: 'prefix' | 'chosen' | 'district' };
}

export interface ParseOptions {
  /** the 3° zone of GK input without the zone in front (undefined: find it from the district) */
  zone?: number;
  /** the district's extent, for finding the zone (default geo/layers.ts DISTRICT_BBOX) */
  district?: BBox;
}

/** Full-width forms, Chinese units and typographic marks to the ASCII the scanner reads. */
export function normalizeCoordinateText(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[、]/g, ',')
    .replace(/度/g, '°')
    .replace(/[分′’‘`´]/g, "'")
    .replace(/[秒″”“]/g, '"')
    .replace(/''/g, '"')
    .replace(/º|˚/g, '°')
    .replace(/东经/g, ' E').replace(/西经/g, ' W').replace(/北纬/g, ' N').replace(/南纬/g, ' S')
    .trim();
}

const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)`;

/**
 * Read a typed coordinate into CGCS2000 lon/lat (degrees). GK X/Y is told by its X=/Y= labels or by
 * values too large for degrees.
 */
export function parseCoordinate(text: string, options: ParseOptions = {}): ParsedCoordinate {
  const s = normalizeCoordinateText(text);
  if (!s) throw new CoordinateError('empty', 'no coordinate given');
  const labelled = /(^|[^a-z])[xy]\s*[=:]/i.test(s);
  const degreeMarks = /[°'"ENSW]/i.test(s.replace(/(^|[^a-z])[xy]\s*[=:]/gi, ''));
  if (labelled && degreeMarks) throw new CoordinateError('labels', `X/Y labels and degrees mixed in "${s}"`, { part: s });
  const numbers = s.match(new RegExp(NUM, 'g')) ?? [];
  if (labelled || (!degreeMarks && numbers.some((n) => Math.abs(Number(n)) > 1000))) return parseGaussKruger(s, labelled, options);
  return parseDegrees(s);
}

// ---- degrees ----

interface Angle {
  raw: string;
  deg?: number;
  min?: number;
  sec?: number;
  /** degrees marked with ° (minutes may follow) */
  marked: boolean;
  hemi?: 'E' | 'W' | 'N' | 'S';
}

type Token = { kind: 'num'; text: string; value: number } | { kind: 'sym'; text: '°' | "'" | '"' } | { kind: 'hemi'; text: 'E' | 'W' | 'N' | 'S' } | { kind: 'sep' };

function tokens(s: string): Token[] {
  const out: Token[] = [];
  const re = new RegExp(String.raw`\s*(?:(${NUM})|([°'"])|([ENSWensw])(?![a-z])|([,;/]|\s)|(\S+?(?=[\s,;/°'"]|$)))`, 'gy');
  let m: RegExpExecArray | null;
  let last = 0;
  while (last < s.length && (m = re.exec(s)) !== null) {
    last = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1], value: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ kind: 'sym', text: m[2] as '°' | "'" | '"' });
    else if (m[3] !== undefined) out.push({ kind: 'hemi', text: m[3].toUpperCase() as 'E' | 'W' | 'N' | 'S' });
    else if (m[4] !== undefined) out.push({ kind: 'sep' });
    else if (m[5] !== undefined) throw new CoordinateError('unexpected', `"${m[5]}" is no part of a coordinate`, { part: m[5] });
    else break;
  }
  return out;
}

function parseDegrees(s: string): ParsedCoordinate {
  const toks = tokens(s);
  const angles: Angle[] = [];
  const prefixStyle = toks[0]?.kind === 'hemi';
  let cur: Angle | null = null;
  let pendingHemi: Angle['hemi'];
  const close = () => {
    if (cur) angles.push(cur);
    cur = null;
  };
  for (let i = 0; i < toks.length; i++) {
    const tk = toks[i];
    const next = toks[i + 1];
    if (tk.kind === 'sep') {
      // a separator ends an angle, unless a minutes or seconds value follows it (109° 36' 12")
      const after = toks[i + 2];
      if (cur && (cur as Angle).marked && next?.kind === 'num' && after?.kind === 'sym' && after.text !== '°') continue;
      close();
      continue;
    }
    if (tk.kind === 'hemi') {
      if (prefixStyle) {
        close();
        pendingHemi = tk.text;
      } else {
        const target: Angle | undefined = cur ?? angles[angles.length - 1];
        if (!target || target.hemi) throw new CoordinateError('unexpected', `"${tk.text}" stands where no value is`, { part: tk.text });
        target.hemi = tk.text;
        target.raw += tk.text;
        close();
      }
      continue;
    }
    if (tk.kind === 'sym') throw new CoordinateError('dms_order', `"${tk.text}" follows no number`, { part: tk.text });
    // a number, and the mark after it
    const mark = next?.kind === 'sym' ? next.text : undefined;
    if (mark) i++;
    const raw = tk.text + (mark ?? '');
    if (mark === undefined || mark === '°') {
      close();
      cur = { raw, deg: tk.value, marked: mark === '°', hemi: pendingHemi };
      pendingHemi = undefined;
      continue;
    }
    const c = cur as Angle | null;
    if (mark === "'") {
      if (!c || !c.marked || c.min !== undefined) throw new CoordinateError('dms_order', `minutes ${raw} follow no degrees`, { part: raw });
      c.min = tk.value;
    } else {
      if (!c || c.min === undefined || c.sec !== undefined) throw new CoordinateError('dms_order', `seconds ${raw} follow no minutes`, { part: raw });
      c.sec = tk.value;
    }
    c.raw += raw;
  }
  close();
  if (pendingHemi) throw new CoordinateError('unexpected', `"${pendingHemi}" is followed by no value`, { part: pendingHemi });
  if (angles.length !== 2) throw new CoordinateError('count', `expected two values (longitude and latitude), found ${angles.length}`, { count: angles.length });

  const values = angles.map((a) => {
    for (const [v, name] of [[a.min, 'minutes'], [a.sec, 'seconds']] as const) {
      if (v !== undefined && (v < 0 || v >= 60)) throw new CoordinateError('dms_range', `${name} ${v} in ${a.raw} must be from 0 to below 60`, { part: a.raw });
    }
    if ((a.min !== undefined || a.sec !== undefined) && (a.deg! < 0 || !Number.isInteger(a.deg!))) {
      if (a.deg! < 0) throw new CoordinateError('dms_order', `negative degrees with minutes in ${a.raw}: use W or S`, { part: a.raw });
      throw new CoordinateError('dms_order', `fractional degrees with minutes in ${a.raw}`, { part: a.raw });
    }
    const v = a.deg! + (a.min ?? 0) / 60 + (a.sec ?? 0) / 3600;
    if (a.hemi && v < 0) throw new CoordinateError('hemisphere', `a negative value with ${a.hemi} in ${a.raw}`, { part: a.raw });
    return a.hemi === 'W' || a.hemi === 'S' ? -v : v;
  });
  const axis = (a: Angle) => (a.hemi === 'E' || a.hemi === 'W' ? 'lon' : a.hemi ? 'lat' : undefined);
  let [ax0, ax1]: ('lon' | 'lat' | undefined)[] = angles.map(axis);
  if (ax0 && ax1 && ax0 === ax1) throw new CoordinateError('hemisphere', `both values are ${ax0 === 'lon' ? 'longitudes (E/W)' : 'latitudes (N/S)'}`, { part: s });
  if (!ax0 && !ax1) {
    // unmarked: longitude first, unless only the second can be a longitude
    const latFirst = Math.abs(values[0]) <= 90 && Math.abs(values[1]) > 90;
    ax0 = latFirst ? 'lat' : 'lon';
    ax1 = latFirst ? 'lon' : 'lat';
  } else if (!ax0) ax0 = ax1 === 'lon' ? 'lat' : 'lon';
  else if (!ax1) ax1 = ax0 === 'lon' ? 'lat' : 'lon';
  const lonI = ax0 === 'lon' ? 0 : 1;
  const lon = values[lonI], lat = values[1 - lonI];
  if (!(Math.abs(lon) <= 180)) throw new CoordinateError('range', `longitude ${angles[lonI].raw} is outside ±180°`, { part: angles[lonI].raw, axis: 'lon' });
  if (!(Math.abs(lat) <= 90)) throw new CoordinateError('range', `latitude ${angles[1 - lonI].raw} is outside ±90°`, { part: angles[1 - lonI].raw, axis: 'lat' });
  const dms = angles.some((a) => a.min !== undefined);
  return { lon, lat, kind: dms ? 'dms' : 'decimal' };
}

// ---- Gauss–Krüger ----

/** Northings of CGCS2000 GK in China: 7 digits (about 2,000 km to 6,000 km from the equator). */
const isNorthing = (v: number) => v >= 1_000_000 && v < 10_000_000;

interface Easting {
  raw: string;
  value: number;
  /** the zone typed in front (8 digits, or "37 412345.678") */
  zone?: number;
}

function readEasting(raw: string): Easting {
  const parts = raw.trim().split(/\s+/);
  if (parts.length === 2) {
    const [z, e] = parts;
    if (!/^\d{2}$/.test(z) || !/^\d{6}(\.\d*)?$/.test(e)) throw new CoordinateError('gk_range', `Y ${raw} is not an easting`, { part: raw, axis: 'y' });
    const zone = Number(z);
    if (zone < GK_ZONES.first || zone > GK_ZONES.last) throw new CoordinateError('gk_zone', `zone ${zone} in front of Y ${raw} is not a CGCS2000 3° zone (${GK_ZONES.first}–${GK_ZONES.last})`, { part: raw, zone });
    return { raw, value: Number(e), zone };
  }
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new CoordinateError('unexpected', `"${raw}" is not a number`, { part: raw });
  if (v >= 0 && v < 1_000_000) return { raw, value: v };
  if (v >= 10_000_000 && v < 100_000_000) {
    const zone = zoneFromEasting(v);
    const z = Math.floor(v / 1_000_000);
    if (zone === undefined) throw new CoordinateError('gk_zone', `zone ${z} in front of Y ${raw} is not a CGCS2000 3° zone (${GK_ZONES.first}–${GK_ZONES.last})`, { part: raw, zone: z });
    return { raw, value: v - zone * 1_000_000, zone };
  }
  throw new CoordinateError('gk_range', `Y ${raw} is not an easting (6 digits, or 8 with the zone in front)`, { part: raw, axis: 'y' });
}

function parseGaussKruger(s: string, labelled: boolean, options: ParseOptions): ParsedCoordinate {
  let xRaw: string, yRaw: string;
  if (labelled) {
    const re = new RegExp(String.raw`(^|[^a-z])([xy])\s*[=:]\s*(\d{2}\s+\d{6}(?:\.\d*)?|${NUM})`, 'gi');
    const found: Record<string, string> = {};
    let rest = s;
    for (const m of s.matchAll(re)) {
      const axis = m[2].toLowerCase();
      if (found[axis] !== undefined) throw new CoordinateError('labels', `${axis.toUpperCase()} is given twice`, { part: m[0].trim() });
      found[axis] = m[3];
      rest = rest.replace(m[0].slice(m[1].length), ' ');
    }
    const left = rest.replace(/[\s,;/]+/g, ' ').trim();
    if (left) throw new CoordinateError('unexpected', `"${left}" is no part of an X/Y coordinate`, { part: left });
    if (found.x === undefined || found.y === undefined) throw new CoordinateError('count', `expected X and Y, found only ${found.x !== undefined ? 'X' : 'Y'}`, { count: 1 });
    xRaw = found.x;
    yRaw = found.y;
  } else {
    const parts = s.split(/\s*[,;/]\s*|\s+/).filter(Boolean);
    for (const p of parts) if (!new RegExp(`^${NUM}$`).test(p)) throw new CoordinateError('unexpected', `"${p}" is not a number`, { part: p });
    let vals = parts;
    // "2556301.123 37 412345.678": the zone typed apart from the easting
    if (vals.length === 3) {
      const zi = /^\d{2}$/.test(vals[1]) && /^\d{6}(\.\d*)?$/.test(vals[2]) ? 1 : /^\d{2}$/.test(vals[0]) && /^\d{6}(\.\d*)?$/.test(vals[1]) ? 0 : -1;
      if (zi === 1) vals = [vals[0], `${vals[1]} ${vals[2]}`];
      else if (zi === 0) vals = [`${vals[0]} ${vals[1]}`, vals[2]];
    }
    if (vals.length !== 2) throw new CoordinateError('count', `expected two values (X and Y), found ${vals.length}`, { count: vals.length });
    // northing first; swapped when only the second is a northing
    const first = Number(vals[0].replace(/\s+/, ''));
    const second = Number(vals[1].replace(/\s+/, ''));
    [xRaw, yRaw] = !isNorthing(first) && isNorthing(second) && !vals[1].includes(' ') ? [vals[1], vals[0]] : [vals[0], vals[1]];
  }
  const x = Number(xRaw);
  if (!isNorthing(x)) throw new CoordinateError('gk_range', `X ${xRaw} is not a northing (7 digits, metres from the equator)`, { part: xRaw, axis: 'x' });
  const e = readEasting(yRaw);
  if (e.zone !== undefined && options.zone !== undefined && e.zone !== options.zone) {
    throw new CoordinateError('zone_mismatch', `Y ${yRaw} is in zone ${e.zone}, not the zone ${options.zone} chosen`, { part: yRaw, zone: e.zone, chosen: options.zone });
  }
  const toLonLat = (zone: number) => transformPosition(gaussKrugerEpsg(zone, false), 4490, [e.value, x]);
  if (e.zone !== undefined || options.zone !== undefined) {
    const zone = e.zone ?? options.zone!;
    if (!Number.isInteger(zone) || zone < GK_ZONES.first || zone > GK_ZONES.last) {
      throw new CoordinateError('gk_zone', `zone ${zone} is not a CGCS2000 3° zone (${GK_ZONES.first}–${GK_ZONES.last})`, { zone });
    }
    const [lon, lat] = toLonLat(zone);
    return { lon, lat, kind: 'gk', gk: { x, y: e.value, zone, zoneFrom: e.zone !== undefined ? 'prefix' : 'chosen' } };
  }
  const box = options.district ?? DISTRICT_BBOX;
  const zones: number[] = [];
  for (let z = zoneForLongitude(box[0]); z <= zoneForLongitude(box[2]); z++) zones.push(z);
  const inside = zones.filter((z) => {
    const [lon, lat] = toLonLat(z);
    return lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3];
  });
  if (inside.length !== 1) {
    throw new CoordinateError('zone_unknown', `X/Y without the zone lies inside the district in ${inside.length ? 'more than one' : 'none'} of zones ${zones.join(', ')}: choose the zone`, { zones: zones.join('/') });
  }
  const [lon, lat] = toLonLat(inside[0]);
  return { lon, lat, kind: 'gk', gk: { x, y: e.value, zone: inside[0], zoneFrom: 'district' } };
}

// ---- writing positions ----

/** CGCS2000 GK X/Y of a lon/lat in a 3° zone (default: the point's own zone). */
export function toGaussKruger(lon: number, lat: number, zone = zoneForLongitude(lon)): GaussKruger {
  const [y, x] = transformPosition(4490, gaussKrugerEpsg(zone, false), [lon, lat]);
  return { x, y, zone };
}

/** 'X=2556301.123 Y=37412345.678' (zone in front of Y), to the millimetre; or without the zone. */
export function formatGaussKruger(p: GaussKruger, prefix = true): string {
  const y = prefix ? p.zone * 1_000_000 + p.y : p.y;
  return `X=${p.x.toFixed(3)} Y=${y.toFixed(3)}`;
}

/** 109.603500°E (6 decimals: ~0.1 m). */
export function formatDecimalDegrees(v: number, axis: 'lon' | 'lat', digits = 6): string {
  const h = axis === 'lon' ? (v < 0 ? 'W' : 'E') : v < 0 ? 'S' : 'N';
  return `${Math.abs(v).toFixed(digits)}°${h}`;
}

/** 109°36′12.60″E (seconds to `digits` decimals, carried into minutes and degrees when they round to 60). */
export function formatDms(v: number, axis: 'lon' | 'lat', digits = 2): string {
  const h = axis === 'lon' ? (v < 0 ? 'W' : 'E') : v < 0 ? 'S' : 'N';
  const scale = 10 ** digits;
  let total = Math.round(Math.abs(v) * 3600 * scale); // in 1/scale seconds
  const sec = total % (60 * scale);
  total = (total - sec) / (60 * scale);
  const min = total % 60;
  const deg = (total - min) / 60;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const secText = (sec / scale).toFixed(digits).padStart(digits ? digits + 3 : 2, '0');
  return `${deg}°${pad(min, 2)}′${secText}″${h}`;
}

/** '109.603500°E, 23.101400°N' or '109°36′12.60″E, 23°06′05.04″N'. */
export function formatLonLat(lon: number, lat: number, style: 'decimal' | 'dms' = 'decimal'): string {
  return style === 'dms' ? `${formatDms(lon, 'lon')}, ${formatDms(lat, 'lat')}` : `${formatDecimalDegrees(lon, 'lon')}, ${formatDecimalDegrees(lat, 'lat')}`;
}
