// The ministry boundary-point TXT (部标格式, 界址点坐标交换格式): reader with the tolerances field files
// need, and writer. Text only (decode bytes with text.ts; encode GBK on the server).
//
// Reader tolerances: BOM / UTF-8 / GBK (decoded before), CRLF/LF/CR, an optional [项目信息] section,
// 8- or 9-field parcel headers (a 9th 描述 before '@'), point counts that do not match (points are read
// until the next header), X/Y swapped (told by magnitude: the 8-digit value with the zone prefix is the
// easting), numbering that restarts per ring or runs on, rings not closed by a repeated point.
// Errors name the line: a letter in a coordinate, a point line before any header, a short point line.
import { gaussKrugerEpsg, zoneFromEasting } from '../crs.ts';
import { assembleRings, closeRing, isClosed, orient, ringArea, type PolygonCoords, type Pos, type Ring } from './geometry.ts';
import { splitLines } from './text.ts';
import { beijingDate } from '../time.ts';

/** What is wrong with a 界址点 line, as a code and values an interface words in its language (the message is English). */
export type PointErrorCode = 'ring_number' | 'not_number' | 'fields' | 'no_points' | 'northing' | 'zone_mismatch' | 'no_zone' | 'easting_digits' | 'too_few';

export class TxtFormatError extends Error {
  constructor(message: string, readonly line: number, readonly reason?: { code: PointErrorCode; params: Record<string, string | number> }) {
    super(`line ${line}: ${message}`);
  }
}

export interface TxtHeader {
  /** key=value lines of [属性描述] */
  attributes: Record<string, string>;
  /** key=value lines of [项目信息], if present */
  project: Record<string, string>;
}

export interface TxtParcel {
  /** 1-based line of the parcel's header line */
  line: number;
  declaredPoints: number | undefined;
  areaHectare: number | undefined;
  /** decimals the area is stated with (the file's rounding: ±half a unit of the last one) */
  areaDecimals: number;
  code: string;
  name: string;
  kind: string;        // 面 / 线 / 点
  sheet: string;       // 图幅号
  use: string;         // 地块用途
  landClass: string;   // 地类编码
  description?: string; // the optional 9th field
  /** polygons in planar [easting, northing] (GIS order), rings closed, outer first */
  polygons: PolygonCoords[];
  /** the point lines as read (name, ring, easting, northing), for reports */
  points: RawBoundaryPoint[];
  notes: string[];
}

export interface TxtDocument {
  header: TxtHeader;
  parcels: TxtParcel[];
  /** file-level findings: swapped axes, count mismatches, … */
  notes: string[];
  /** zone from 带号 or the eastings' prefix; prefix: whether eastings carry it */
  zone?: number;
  zonePrefix: boolean;
  swapped: boolean;
  /** EPSG of the coordinates (CGCS2000 3° GK), when the zone is known */
  epsg?: number;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

function parseKeyValue(line: string): [string, string] | undefined {
  const i = line.indexOf('=');
  return i > 0 ? [line.slice(0, i).trim(), line.slice(i + 1).trim()] : undefined;
}

// ---- 界址点 lines: shared by this reader and the survey table (survey-table.ts) ----

/** One 界址点 line as read: name, ring number (圈号), X (northing by the ministry's order), Y, its 1-based line. */
export interface RawBoundaryPoint { name: string; ring: number; x: number; y: number; line: number }

/** A point line's fields checked and read; errors name the line. */
export function readBoundaryPoint(name: string, ringText: string, xText: string, yText: string, line: number): RawBoundaryPoint {
  if (!/^\d+$/.test(ringText)) throw new TxtFormatError(`ring number "${ringText}" is not a whole number`, line, { code: 'ring_number', params: { value: ringText } });
  for (const [axis, v] of [['X', xText], ['Y', yText]] as const) {
    if (!NUMBER.test(v)) throw new TxtFormatError(`${axis} coordinate "${v}" is not a number`, line, { code: 'not_number', params: { axis, value: v } });
  }
  return { name, ring: Number(ringText), x: Number(xText), y: Number(yText), line };
}

/**
 * Whether the points have X and Y swapped: the ministry's X is the northing, Y the easting; told by
 * magnitude (an 8-digit value carries the zone prefix and is the easting), by majority.
 */
export function axesSwapped(points: { x: number; y: number }[]): boolean {
  let votes = 0;
  for (const p of points) if (p.x >= 1e7 || (p.x < 1e6 && p.y >= 1e6)) votes++;
  return votes > points.length / 2;
}

/** The zone the eastings carry in front (8 digits), or undefined when they carry none. */
export function prefixZoneOf(points: { x: number; y: number }[], swapped: boolean): number | undefined {
  return points.length ? zoneFromEasting(swapped ? points[0].x : points[0].y) : undefined;
}

/**
 * Points → polygons in planar [easting, northing]: grouped by ring number in order of appearance, each
 * ring closed (a note when it was not), rings inside others made holes (assembleRings). A ring of fewer
 * than 3 distinct points is refused with tooFew(ring, distinct points)'s error.
 */
export function polygonsFromPoints(points: RawBoundaryPoint[], swapped: boolean, notes: string[], tooFew: (ring: number, n: number) => Error): PolygonCoords[] {
  const byRing = new Map<number, Pos[]>();
  for (const p of points) {
    let ring = byRing.get(p.ring);
    if (!ring) byRing.set(p.ring, (ring = []));
    ring.push(swapped ? [p.x, p.y] : [p.y, p.x]);
  }
  const rings: Ring[] = [];
  for (const [n, ring] of byRing) {
    if (ring.length > 1 && !isClosed(ring)) notes.push(`ring ${n} not closed by repeating its first point (closed on reading)`);
    const closed = closeRing(ring);
    if (closed.length < 4) throw tooFew(n, ring.length);
    rings.push(closed);
  }
  return assembleRings(rings);
}

export function parseMinistryTxt(text: string): TxtDocument {
  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  const header: TxtHeader = { attributes: {}, project: {} };
  const parcels: TxtParcel[] = [];
  const notes: string[] = [];
  let section = '';
  let current: TxtParcel | undefined;
  const raw: { x: number; y: number }[] = [];

  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const line = rawLine.trim();
    if (!line) return;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) { section = sec[1].trim(); return; }
    if (section === '属性描述' || section === '项目信息') {
      const kv = parseKeyValue(line);
      if (kv) (section === '属性描述' ? header.attributes : header.project)[kv[0]] = kv[1];
      return;
    }
    if (section !== '地块坐标') {
      if (section === '') throw new TxtFormatError(`"${line.slice(0, 30)}" before any [属性描述] / [地块坐标] section: not a boundary-point TXT`, lineNo);
      return; // unknown sections are skipped
    }
    const fields = line.split(/[,，]/).map((f) => f.trim());
    if (fields[fields.length - 1] === '@') {
      const f = fields.slice(0, -1);
      if (f.length < 8 || f.length > 9) throw new TxtFormatError(`a parcel header has ${f.length} fields before "@" (8 or 9 expected)`, lineNo);
      const count = f[0] === '' ? undefined : Number(f[0]);
      if (count !== undefined && !Number.isInteger(count)) throw new TxtFormatError(`point count "${f[0]}" is not a whole number`, lineNo);
      const area = f[1] === '' ? undefined : Number(f[1]);
      if (area !== undefined && !NUMBER.test(f[1])) throw new TxtFormatError(`area "${f[1]}" is not a number`, lineNo);
      current = {
        line: lineNo, declaredPoints: count, areaHectare: area, areaDecimals: (f[1].split('.')[1] ?? '').length, code: f[2], name: f[3], kind: f[4] || '面', sheet: f[5],
        use: f[6], landClass: f[7], ...(f.length === 9 ? { description: f[8] } : {}), polygons: [], points: [], notes: [],
      };
      parcels.push(current);
      return;
    }
    if (!current) throw new TxtFormatError('a point line before any parcel header ("…,@")', lineNo);
    if (fields.length < 4) throw new TxtFormatError(`a point line needs name, ring, X, Y (found ${fields.length} fields)`, lineNo);
    const point = readBoundaryPoint(fields[0], fields[1], fields[2], fields[3], lineNo);
    current.points.push(point);
    raw.push(point);
  });

  if (parcels.length === 0) throw new TxtFormatError('no parcel ("…,@" header line) in [地块坐标]', lines.length);

  const swapped = axesSwapped(raw);
  if (swapped) notes.push('X 与 Y 互换: the first coordinate holds eastings (read as swapped)');

  // zone: 带号 in the header, else the eastings' prefix
  const prefixZone = prefixZoneOf(raw, swapped);
  const zonePrefix = prefixZone !== undefined;
  const declaredZone = header.attributes['带号'] ? Number(header.attributes['带号']) : undefined;
  if (declaredZone !== undefined && !Number.isInteger(declaredZone)) notes.push(`带号 "${header.attributes['带号']}" is not a zone number (ignored)`);
  let zone = declaredZone !== undefined && Number.isInteger(declaredZone) ? declaredZone : prefixZone;
  if (prefixZone !== undefined && zone !== prefixZone) {
    notes.push(`带号=${declaredZone} but the eastings carry zone ${prefixZone}: the eastings win`);
    zone = prefixZone;
  }
  const band = header.attributes['几度分带'];
  if (band && band !== '3') throw new TxtFormatError(`几度分带=${band}: only 3° zones are supported`, 1);

  for (const parcel of parcels) {
    if (parcel.kind !== '面') parcel.notes.push(`geometry kind "${parcel.kind}" (only 面 is imported as a polygon)`);
    if (parcel.points.length === 0) throw new TxtFormatError(`parcel ${parcel.code} has no point lines`, parcel.line);
    parcel.polygons = polygonsFromPoints(parcel.points, swapped, parcel.notes, (ring, n) =>
      new TxtFormatError(`parcel ${parcel.code} ring ${ring} has ${n} distinct points (a ring needs 3)`, parcel.line));
    if (parcel.declaredPoints !== undefined && parcel.declaredPoints !== parcel.points.length) {
      parcel.notes.push(`header says ${parcel.declaredPoints} points, ${parcel.points.length} point lines read`);
    }
  }
  const epsg = zone !== undefined ? gaussKrugerEpsg(zone, zonePrefix) : undefined;
  return { header, parcels, notes, zone, zonePrefix, swapped, epsg };
}

// ---- writer ----

export interface TxtWriteParcel {
  code: string;
  name: string;
  kind?: string;
  sheet?: string;
  use?: string;
  landClass?: string;
  description?: string;
  /** area in m² (written in 公顷, 4 decimals); computed from the rings when absent */
  areaM2?: number;
  /** planar [easting, northing] in the file's CRS */
  polygons: PolygonCoords[];
}

export interface TxtWriteOptions {
  zone: number;
  producer?: string;
  date?: string; // YYYY-MM-DD
  eol?: '\r\n' | '\n';
  /** 9-field headers with 描述 */
  withDescription?: boolean;
  project?: Record<string, string>;
}

const clean = (s: string | undefined): string => (s ?? '').replace(/[,，@\r\n]/g, ' ').trim();
const fixed3 = (n: number): string => n.toFixed(3);

export function ministryTxtHeader(opts: TxtWriteOptions): string {
  const eol = opts.eol ?? '\r\n';
  const lines: string[] = [];
  if (opts.project && Object.keys(opts.project).length) {
    lines.push('[项目信息]', ...Object.entries(opts.project).map(([k, v]) => `${k}=${clean(v)}`));
  }
  lines.push(
    '[属性描述]',
    '格式版本号=1.01版本',
    `数据产生单位=${clean(opts.producer ?? '征收一张图')}`,
    `数据产生日期=${opts.date ?? beijingDate()}`,
    '坐标系=2000国家大地坐标系',
    '几度分带=3',
    '投影类型=高斯克吕格',
    '计量单位=米',
    `带号=${opts.zone}`,
    '精度=0.001',
    '转换参数=,,,,,,',
    '[地块坐标]',
  );
  return lines.join(eol) + eol;
}

/** A 界址点 as the ministry TXT and the 勘测定界表 give it: J-name, X = northing, Y = easting (with the zone prefix). */
export interface BoundaryPoint {
  name: string;
  x: number;
  y: number;
}

/** One ring of 界址点 (圈号 ring, from 1 across all polygons), its closing repeat left out. */
export interface BoundaryRing {
  ring: number;
  /** an outer ring (false: a hole) */
  outer: boolean;
  points: BoundaryPoint[];
  /** the ring's planar area, m² (shoelace; positive for holes too) */
  areaM2: number;
}

/**
 * The numbering of boundary points (界址点编号): outer rings clockwise, holes counter-clockwise, each
 * ring from its first position, J1…Jn running on across rings and polygons; a ring's closing repeat is
 * the same point and gets no number (as boundaryPointCount counts). Polygons in planar [easting, northing].
 */
export function boundaryRings(polygons: PolygonCoords[]): BoundaryRing[] {
  const out: BoundaryRing[] = [];
  let j = 0;
  for (const poly of polygons) {
    poly.forEach((r, i) => {
      const ring = orient(closeRing(r), i !== 0); // outer clockwise (ccw=false), holes counter-clockwise
      const points: BoundaryPoint[] = [];
      for (let k = 0; k < ring.length - 1; k++) points.push({ name: `J${++j}`, x: ring[k][1], y: ring[k][0] });
      out.push({ ring: out.length + 1, outer: i === 0, points, areaM2: ringArea(ring) });
    });
  }
  return out;
}

/** One parcel block: header line and J-numbered points (boundaryRings), each ring closed by repeating its first point. */
export function ministryTxtParcel(p: TxtWriteParcel, opts: TxtWriteOptions): string {
  const eol = opts.eol ?? '\r\n';
  const out: string[] = [];
  let count = 0;
  let area = 0;
  for (const r of boundaryRings(p.polygons)) {
    area += r.outer ? r.areaM2 : -r.areaM2;
    for (const pt of [...r.points, r.points[0]]) out.push(`${pt.name},${r.ring},${fixed3(pt.x)},${fixed3(pt.y)}`);
    count += r.points.length + 1;
  }
  const ha = ((p.areaM2 ?? area) / 10_000).toFixed(4);
  const fields = [String(count), ha, clean(p.code), clean(p.name), p.kind ?? '面', clean(p.sheet), clean(p.use), clean(p.landClass)];
  if (opts.withDescription) fields.push(clean(p.description));
  return [`${fields.join(',')},@`, ...out].join(eol) + eol;
}

export function writeMinistryTxt(parcels: TxtWriteParcel[], opts: TxtWriteOptions): string {
  return ministryTxtHeader(opts) + parcels.map((p) => ministryTxtParcel(p, opts)).join('');
}
