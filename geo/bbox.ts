// A lon/lat box as a query parameter gives it (map data, exports): checked here once for every route.

/** '109.5,23.0,109.7,23.2' → numbers, or an error message saying what is wrong. */
export function parseBbox(raw: string): [number, number, number, number] | string {
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    return `bbox must be four numbers minLon,minLat,maxLon,maxLat (got "${raw}")`;
  }
  const [x0, y0, x1, y1] = parts;
  if (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90) return `bbox ${raw} is outside longitude −180…180 / latitude −90…90`;
  if (x0 > x1 || y0 > y1) return `bbox ${raw} has its minimum above its maximum`;
  return [x0, y0, x1, y1];
}

const EARTH_RADIUS = 6378137; // the Web-Mercator sphere (EPSG:3857)
const DEG = 180 / Math.PI;

/**
 * A Web-Mercator box (metres) as lon/lat, rounded outward to 1e-7° (about a centimetre), so the
 * result always covers what the metres did.
 */
export function mercatorToLonLatBox([x0, y0, x1, y1]: [number, number, number, number]): [number, number, number, number] {
  const lon = (x: number) => (x / EARTH_RADIUS) * DEG;
  const lat = (y: number) => (2 * Math.atan(Math.exp(y / EARTH_RADIUS)) - Math.PI / 2) * DEG;
  const down = (v: number) => Math.floor(v * 1e7) / 1e7;
  const up = (v: number) => Math.ceil(v * 1e7) / 1e7;
  return [down(lon(x0)), down(lat(y0)), up(lon(x1)), up(lat(y1))];
}

/** lon/lat → Web-Mercator world fractions, 0…1 with y down (tile z/x/y = floor(fraction × 2^z)). */
export function lonLatToWorld(lon: number, lat: number): [number, number] {
  const phi = (Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI) / 180;
  return [(lon + 180) / 360, (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2];
}

/** The smallest box covering all of them (null for none). */
export function unionBox(boxes: [number, number, number, number][]): [number, number, number, number] | null {
  if (boxes.length === 0) return null;
  return boxes.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
}

/** A Web-Mercator (XYZ) tile. */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** The deepest zoom a tile path may ask for (the vector tiles and the basemap relay). */
const MAX_REQUEST_ZOOM = 24;

/** '14', '13000', '7000' → a tile, or the reason it is not one. */
export function parseTileCoord(z: string, x: string, y: string): TileCoord | string {
  const ints = [z, x, y].map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  if (ints.some((n) => !Number.isInteger(n))) return `z/x/y must be whole numbers (got ${z}/${x}/${y})`;
  const [zi, xi, yi] = ints;
  if (zi > MAX_REQUEST_ZOOM) return `zoom ${zi} is above the maximum ${MAX_REQUEST_ZOOM}`;
  const n = 2 ** zi;
  if (xi >= n || yi >= n) return `tile ${zi}/${xi}/${yi} does not exist: at zoom ${zi}, x and y run from 0 to ${n - 1}`;
  return { z: zi, x: xi, y: yi };
}
