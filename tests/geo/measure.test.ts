// The measure tool's figures (geo/measure.ts) against PostGIS on the real database: geodesic lengths
// against ST_Length(geography), ellipsoidal areas against ST_Area(geography) (SRID 4490: GRS80), both
// within 0.01 % (they agree far closer); the planar GK figures against ST_Transform into the zone.
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db.ts';
import fixture from '../fixtures/coordinates/measure.json' with { type: 'json' };
import { liveArea, planarArea, zoneForGeometry } from '../../geo/area.ts';
import { gaussKrugerEpsg } from '../../geo/crs.ts';
import { ellipsoidalArea, formatLength, geodesicDirect, geodesicInverse, geodesicLength, measureArea, measureLine, planarLength, zoneForLine } from '../../geo/measure.ts';

const pool = useTestPool();
const TOLERANCE = 1e-4; // 0.01 %

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function postgis(geojson: object, zone: number): Promise<{ length: number; area: number; planarLength: number; planarArea: number }> {
  const { rows } = await pool.query(
    `WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) g)
     SELECT ST_Length(CASE WHEN GeometryType(g) = 'POLYGON' THEN ST_Boundary(g) ELSE g END::geography) AS length,
            ST_Area(g::geography) AS area,
            ST_Length(ST_Transform(CASE WHEN GeometryType(g) = 'POLYGON' THEN ST_Boundary(g) ELSE g END, $2::int)) AS planar_length,
            ST_Area(ST_Transform(g, $2::int)) AS planar_area FROM g`,
    [JSON.stringify(geojson), gaussKrugerEpsg(zone, true)],
  );
  const r = rows[0];
  return { length: Number(r.length), area: Number(r.area), planarLength: Number(r.planar_length), planarArea: Number(r.planar_area) };
}

describe('distances against PostGIS ST_Length(geography)', () => {
  it.each(fixture.lines)('$name', async ({ coords }) => {
    const m = measureLine(coords);
    const pg = await postgis({ type: 'LineString', coordinates: coords }, m.zone);
    expect(rel(m.ellipsoidal, pg.length)).toBeLessThan(TOLERANCE);
    expect(Math.abs(m.ellipsoidal - pg.length)).toBeLessThan(0.001); // in fact to the millimetre
    expect(rel(m.planar, pg.planarLength)).toBeLessThan(1e-9);
  });

  it('the direct formula goes back where the inverse came from', () => {
    const inv = geodesicInverse(109.38, 23.11, 109.71, 23.12);
    const [lon, lat] = geodesicDirect(109.38, 23.11, inv.azimuth1, inv.distance);
    expect(Math.abs(lon - 109.71) * 102_000).toBeLessThan(1e-4);
    expect(Math.abs(lat - 23.12) * 110_700).toBeLessThan(1e-4);
  });

  it('a point to itself is 0 m', () => {
    expect(geodesicLength([[109.6, 23.09], [109.6, 23.09]])).toBe(0);
  });
});

describe('areas against PostGIS ST_Area(geography)', () => {
  it.each(fixture.rings)('$name', async ({ coords }) => {
    const m = measureArea(coords);
    const pg = await postgis({ type: 'Polygon', coordinates: [coords] }, m.zone);
    expect(rel(m.ellipsoidal.m2, pg.area)).toBeLessThan(TOLERANCE);
    expect(rel(m.perimeter, pg.length)).toBeLessThan(TOLERANCE);
    expect(rel(m.planar.m2, pg.planarArea)).toBeLessThan(1e-9);
    expect(m.ellipsoidal.mu).toBeCloseTo((m.ellipsoidal.m2 * 15) / 10000, 9);
  });

  it('the demo district’s red lines, holes and all', async () => {
    const { rows } = await pool.query(
      `SELECT id, ST_AsGeoJSON(red_line, 12) g, ST_Area(red_line::geography) m2 FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 40`);
    expect(rows.length).toBeGreaterThan(5);
    let worst = 0;
    for (const r of rows) {
      const g = JSON.parse(r.g) as GeoJSON.Polygon | GeoJSON.MultiPolygon;
      worst = Math.max(worst, rel(ellipsoidalArea(g), Number(r.m2)));
    }
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it('is closer to PostGIS than the live figure (geo/area.ts liveArea) on a large area', async () => {
    const ring = fixture.rings.find((r) => r.name === "the district's extent")!.coords;
    const g: GeoJSON.Polygon = { type: 'Polygon', coordinates: [ring] };
    const pg = await postgis(g, zoneForGeometry(g));
    expect(rel(ellipsoidalArea(g), pg.area)).toBeLessThan(rel(liveArea(g), pg.area));
  });
});

describe('zones and formatting', () => {
  it('measures a line in the zone of its middle and an area in the zone of its centroid, or the one chosen', () => {
    expect(zoneForLine([[109.38, 23.1], [109.58, 23.1]])).toBe(36);
    expect(zoneForLine([[109.38, 23.1], [109.7, 23.1]])).toBe(37);
    expect(measureLine([[109.38, 23.1], [109.7, 23.1]], 36).zone).toBe(36);
    const ring = fixture.rings[0].coords;
    expect(measureArea(ring, 36).planar.m2).toBeCloseTo(planarArea({ type: 'Polygon', coordinates: [ring] }, 36), 9);
    expect(planarLength(ring, 36)).not.toBeCloseTo(planarLength(ring, 37), 3); // scale differs across zones
  });

  it('writes metres below a kilometre and kilometres from one up', () => {
    expect(formatLength(856.324)).toBe('856.32 m');
    expect(formatLength(12345.6789)).toBe('12.346 km');
    expect(formatLength(1234.5, 'en')).toBe('1.235 km');
  });
});
