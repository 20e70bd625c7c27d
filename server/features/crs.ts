// OGC API – Features Part 2 CRSs: the URIs clients name them by, and how each is produced in SQL.
// Axis order is the one each CRS declares: CRS84 is longitude, latitude (the GeoJSON default);
// EPSG:4490 and EPSG:4326 are latitude, longitude; the CGCS2000 Gauss–Krüger CRSs northing, easting.
// Storage is EPSG:4490; 4490 → 4326 is PROJ's ballpark (no-op) transformation, so 4326 output is the
// stored coordinates with the axes in 4326's order.
import { crsInfo, type CrsInfo } from '../../geo/crs.ts';
import type { InputCrs } from '../../geo/validate.ts';

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const STORAGE_CRS = 'http://www.opengis.net/def/crs/EPSG/0/4490';
export const SUPPORTED_EPSG = [4490, 4326, 4524, 4525, 4545, 4546] as const;

export const epsgUri = (epsg: number): string => `http://www.opengis.net/def/crs/EPSG/0/${epsg}`;

export interface FeatureCrs extends InputCrs {
  uri: string;
  /** SRID to transform the stored geometry to (4490 = no transform) */
  srid: number;
  /** output axes in the opposite order to PostGIS's x/y */
  flip: boolean;
  decimals: number;
}

function fromInfo(info: CrsInfo): FeatureCrs {
  return {
    uri: epsgUri(info.epsg),
    label: `EPSG:${info.epsg}`,
    epsg: info.epsg,
    geographic: info.geographic,
    axisOrder: info.axisOrder,
    zone: info.zone,
    zonePrefix: info.zonePrefix,
    srid: info.epsg === 4326 ? 4490 : info.epsg,
    flip: info.axisOrder !== 'lonlat',
    // ~0.1 mm either way: well inside the 1 mm the transforms must agree to
    decimals: info.geographic ? 9 : 4,
  };
}

export const CRS84_DEF: FeatureCrs = {
  uri: CRS84, label: 'CRS84', epsg: 4490, geographic: true, axisOrder: 'lonlat', srid: 4490, flip: false, decimals: 9,
};

export const SUPPORTED_CRS: FeatureCrs[] = [CRS84_DEF, ...SUPPORTED_EPSG.map((e) => fromInfo(crsInfo(e)))];
export const SUPPORTED_CRS_URIS = SUPPORTED_CRS.map((c) => c.uri);

/**
 * A CRS as clients write it: the OGC URI, a safe CURIE [EPSG:4490], EPSG:4490, a URN
 * (urn:ogc:def:crs:EPSG::4490), CRS84 / OGC:CRS84. Undefined if it is not one we serve.
 */
export function parseCrs(raw: string): FeatureCrs | undefined {
  const s = raw.trim().replace(/^<(.*)>$/, '$1').replace(/^\[(.*)\]$/, '$1');
  if (/^(?:https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/1\.3\/CRS84|(?:OGC:)?CRS84|urn:ogc:def:crs:OGC:1\.3:CRS84)$/i.test(s)) return CRS84_DEF;
  const m = /^(?:https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/0\/|EPSG:|urn:ogc:def:crs:EPSG:[\d.]*:)(\d+)$/i.exec(s);
  if (!m) return undefined;
  return SUPPORTED_CRS.find((c) => c !== CRS84_DEF && c.epsg === Number(m[1]));
}

export function unsupportedCrsMessage(param: string, raw: string): string {
  return `${param} "${raw}" is not a CRS this service offers; use one of ${SUPPORTED_CRS_URIS.join(', ')}`;
}

/** SQL producing the stored 4490 geometry `expr` in `crs`, axes in its declared order. */
export function geometryIn(expr: string, crs: FeatureCrs): string {
  const transformed = crs.srid === 4490 ? expr : `ST_Transform(${expr}, ${crs.srid})`;
  return crs.flip ? `ST_FlipCoordinates(${transformed})` : transformed;
}
