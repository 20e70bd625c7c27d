// Telling which CRS a file's coordinates are in: from an ESRI/OGC .prj, from the magnitude of the
// coordinates (lon/lat, or Gauss–Krüger with the zone number in front of the easting), and which
// zone an extent's centroid falls in. Only CGCS2000 (and WGS 84, ballpark-equal) are accepted:
// Xian 1980 and Beijing 1954 need local 7-parameter transformations PROJ does not have.
import { crsInfo, gaussKrugerEpsg, zoneForLongitude, zoneFromEasting } from '../crs.ts';
import type { BBox } from './geometry.ts';

export class CrsError extends Error {}

const CGCS_GEOGCS = 'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]';
const WGS84_GEOGCS = 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]';

/** OGC WKT 1 with authority codes (GeoPackage gpkg_spatial_ref_sys, KML-free formats). */
export function ogcWkt(epsg: number): string {
  const info = crsInfo(epsg);
  if (epsg === 4326) return WGS84_GEOGCS;
  if (info.geographic) return CGCS_GEOGCS;
  const zone = info.zone!;
  const name = info.zonePrefix ? `CGCS2000 / 3-degree Gauss-Kruger zone ${zone}` : `CGCS2000 / 3-degree Gauss-Kruger CM ${zone * 3}E`;
  return `PROJCS["${name}",${CGCS_GEOGCS},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",${zone * 3}],PARAMETER["scale_factor",1],PARAMETER["false_easting",${info.zonePrefix ? zone * 1_000_000 + 500_000 : 500_000}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","${epsg}"]]`;
}

/** ESRI WKT as ArcGIS writes it into .prj files (names ArcGIS and GDAL both map back to the EPSG code). */
export function esriPrj(epsg: number): string {
  const info = crsInfo(epsg);
  const gcs = 'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
  if (epsg === 4326) return 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
  if (info.geographic) return gcs;
  const zone = info.zone!;
  const name = info.zonePrefix ? `CGCS2000_3_Degree_GK_Zone_${zone}` : `CGCS2000_3_Degree_GK_CM_${zone * 3}E`;
  return `PROJCS["${name}",${gcs},PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",${info.zonePrefix ? zone * 1_000_000 + 500_000 : 500_000}.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",${zone * 3}.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`;
}

/** EPSG code of a .prj (ESRI or OGC WKT 1/2) among the CRSs this system takes, or a CrsError saying why not. */
export function epsgFromPrj(wkt: string): number {
  const text = wkt.trim();
  const authority = /AUTHORITY\["EPSG",\s*"?(\d+)"?\]\s*\]\s*$/i.exec(text) ?? /ID\["EPSG",\s*(\d+)\]\s*\]\s*$/i.exec(text);
  if (authority) {
    const code = Number(authority[1]);
    try { crsInfo(code); return code; } catch { /* fall through to the parameters */ }
  }
  if (/xian|1980|beijing|1954/i.test(text)) {
    throw new CrsError(`the .prj names ${/xian|1980/i.test(text) ? 'Xian 1980' : 'Beijing 1954'}: converting it to CGCS2000 needs local 7-parameter values; convert the file to CGCS2000 first`);
  }
  const cgcs = /2000|CGCS/i.test(text);
  const wgs = /WGS[_ ]?(19)?84/i.test(text);
  if (!cgcs && !wgs) throw new CrsError(`the .prj's coordinate system is not CGCS2000 or WGS 84: ${text.slice(0, 80)}…`);
  if (!/^(PROJCS|PROJCRS)/i.test(text)) return wgs && !cgcs ? 4326 : 4490;
  const param = (name: string): number | undefined => {
    const m = new RegExp(`PARAMETER\\["${name}",\\s*([-\\d.eE+]+)`, 'i').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const cm = param('central_meridian') ?? param('Longitude of natural origin');
  const fe = param('false_easting') ?? param('False easting') ?? 500_000;
  if (cm === undefined || !/(Transverse_Mercator|Gauss_Kruger|Gauss-Kruger)/i.test(text)) {
    throw new CrsError('the .prj is a projection other than Gauss–Krüger / transverse Mercator');
  }
  if (cm % 3 !== 0) throw new CrsError(`central meridian ${cm}° is not a 3° zone's`);
  const zone = cm / 3;
  return gaussKrugerEpsg(zone, fe > 1_000_000);
}

/**
 * The CRS a set of coordinates is in, judged by magnitude: lon/lat in China; Gauss–Krüger with a zone
 * prefix (8-digit easting); swapped axes are reported. Without a prefix the zone cannot be known.
 */
export interface CoordinateGuess {
  epsg?: number;
  swapped: boolean;
  reason: string;
}

export function guessCrsFromBbox(b: BBox): CoordinateGuess {
  const [x0, y0, x1, y1] = b;
  if (x0 >= 73 && x1 <= 136 && y0 >= 3 && y1 <= 54) return { epsg: 4490, swapped: false, reason: 'lon/lat values in China: CGCS2000 geographic assumed' };
  const zx = zoneFromEasting(x0), zx1 = zoneFromEasting(x1);
  if (zx && zx === zx1 && y0 >= 1e6 && y1 < 1e7) return { epsg: gaussKrugerEpsg(zx, true), swapped: false, reason: `8-digit eastings with zone prefix ${zx}` };
  const zy = zoneFromEasting(y0), zy1 = zoneFromEasting(y1);
  if (zy && zy === zy1 && x0 >= 1e6 && x1 < 1e7) return { epsg: gaussKrugerEpsg(zy, true), swapped: true, reason: `X and Y swapped: 8-digit eastings with zone prefix ${zy} in the second column` };
  if (x0 >= 0 && x1 < 1e6 && y0 >= 1e6 && y1 < 1e7) return { swapped: false, reason: 'Gauss–Krüger coordinates without a zone prefix: the zone must be given' };
  return { swapped: false, reason: 'coordinates of unknown kind' };
}

/** The 3° zone of a lon/lat extent's centre (what an export uses unless the zone is given). */
export const zoneOfExtent = (b: BBox): number => zoneForLongitude((b[0] + b[2]) / 2);
