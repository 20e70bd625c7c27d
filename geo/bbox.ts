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
