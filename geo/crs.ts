// The coordinate reference systems the district's data comes in, as proj4 definitions, and the rules
// for choosing a Gauss–Krüger zone. One table for server and browser alike.
//
// CGCS2000 (EPSG:4490) shares GRS80's a and 1/f; PROJ treats 4490 → 4326 as a no-op (ballpark), and so
// do we. 3° zones: zone n has central meridian 3n°E; EPSG:4513–4533 are zones 25–45 with the zone
// number in the false easting (x_0 = n·10⁶ + 500000), EPSG:4534–4554 the same zones without it.
// EPSG declares northing before easting for the projected ones.
import proj4 from 'proj4';

export type AxisOrder = 'lonlat' | 'latlon' | 'northeast';

export interface CrsInfo {
  epsg: number;
  name: string;         // as the Chinese documents name it
  proj4: string;
  geographic: boolean;
  /** the axis order EPSG declares (OGC API Part 2 and GML follow it; GeoJSON and WKT in CRS84 do not) */
  axisOrder: AxisOrder;
  zone?: number;        // 3° Gauss–Krüger zone number
  zonePrefix?: boolean; // zone number in front of the easting
}

const GRS80_LONLAT = '+proj=longlat +ellps=GRS80 +no_defs +type=crs';

function gaussKruger(zone: number, prefix: boolean): string {
  const x0 = prefix ? zone * 1_000_000 + 500_000 : 500_000;
  return `+proj=tmerc +lat_0=0 +lon_0=${zone * 3} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs`;
}

export const GK_ZONES = { first: 25, last: 45 } as const;

/** EPSG code of the CGCS2000 3° GK zone, with or without the zone prefix in the easting. */
export function gaussKrugerEpsg(zone: number, prefix: boolean): number {
  if (!Number.isInteger(zone) || zone < GK_ZONES.first || zone > GK_ZONES.last) {
    throw new RangeError(`3° zone ${zone} is outside CGCS2000's zones ${GK_ZONES.first}–${GK_ZONES.last}`);
  }
  return prefix ? 4513 + (zone - GK_ZONES.first) : 4534 + (zone - GK_ZONES.first);
}

function buildTable(): Map<number, CrsInfo> {
  const table = new Map<number, CrsInfo>();
  table.set(4490, { epsg: 4490, name: 'CGCS2000', proj4: GRS80_LONLAT, geographic: true, axisOrder: 'latlon' });
  table.set(4326, { epsg: 4326, name: 'WGS 84', proj4: '+proj=longlat +datum=WGS84 +no_defs +type=crs', geographic: true, axisOrder: 'latlon' });
  table.set(3857, {
    epsg: 3857,
    name: 'WGS 84 / Pseudo-Mercator',
    proj4: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs +type=crs',
    geographic: false,
    axisOrder: 'lonlat',
  });
  for (let zone = GK_ZONES.first; zone <= GK_ZONES.last; zone++) {
    for (const prefix of [true, false]) {
      const epsg = gaussKrugerEpsg(zone, prefix);
      table.set(epsg, {
        epsg,
        name: `CGCS2000 / 3-degree Gauss-Kruger ${prefix ? `zone ${zone}` : `CM ${zone * 3}E`}`,
        proj4: gaussKruger(zone, prefix),
        geographic: false,
        axisOrder: 'northeast',
        zone,
        zonePrefix: prefix,
      });
    }
  }
  return table;
}

export const CRS_TABLE: ReadonlyMap<number, CrsInfo> = buildTable();

export function crsInfo(epsg: number): CrsInfo {
  const info = CRS_TABLE.get(epsg);
  if (!info) throw new RangeError(`EPSG:${epsg} is not a coordinate system this system knows`);
  return info;
}

// Register every definition with proj4 once, under the names GeoJSON / OGC use.
for (const info of CRS_TABLE.values()) proj4.defs(`EPSG:${info.epsg}`, info.proj4);

/** 3° zone of a longitude: round(lon / 3). At Guigang 109.5°E splits zones 36 and 37. */
export function zoneForLongitude(lon: number): number {
  return Math.round(lon / 3);
}

/** Zone encoded in an 8-digit easting with prefix (e.g. 37356564.456 → 37), or undefined. */
export function zoneFromEasting(easting: number): number | undefined {
  if (!(easting >= 10_000_000 && easting < 100_000_000)) return undefined;
  const zone = Math.floor(easting / 1_000_000);
  return zone >= GK_ZONES.first && zone <= GK_ZONES.last ? zone : undefined;
}

export type Position = [number, number];

/** Transform one [x, y] (in proj4's east/north or lon/lat order) between two known CRSs. */
export function transformPosition(from: number, to: number, p: Position): Position {
  if (from === to) return [p[0], p[1]];
  const out = proj4(`EPSG:${crsInfo(from).epsg}`, `EPSG:${crsInfo(to).epsg}`, [p[0], p[1]]);
  return [out[0], out[1]];
}
