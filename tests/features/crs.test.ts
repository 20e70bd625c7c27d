// The transforms behind the CRS parameters: PostGIS (the feature API's output), proj4 (geo/crs.ts, the
// browser) and PROJ's cs2cs (Debian proj-bin) agree within 1 mm for points across the district, and the
// API's output in each Gauss–Krüger CRS is what cs2cs computes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { transformPosition } from '../../geo/crs.ts';
import fixture from '../fixtures/crs/guigang-points.json' with { type: 'json' };
import { useTestPool } from '../helpers/db.ts';
import { OGC, request } from './helpers.ts';

const pool = useTestPool();
const GK = [4524, 4525, 4545, 4546];

const hasCs2cs = (() => {
  try {
    execFileSync('cs2cs', [], { stdio: 'ignore' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      console.log('features/crs.test: cs2cs comparisons skipped, cs2cs (Debian proj-bin) is not installed');
      return false;
    }
    return true;
  }
})();

/** cs2cs in EPSG axis order (4490: lat lon in; GK: northing easting out) → [easting, northing]. */
function cs2cs(epsg: number, points: { lon: number; lat: number }[]): [number, number][] {
  const out = execFileSync('cs2cs', ['-f', '%.6f', 'EPSG:4490', `EPSG:${epsg}`], { input: points.map((p) => `${p.lat} ${p.lon}`).join('\n') + '\n' }).toString();
  return out.trim().split('\n').map((line) => {
    const [n, e] = line.trim().split(/\s+/).map(Number);
    return [e, n];
  });
}

async function postgis(epsg: number, points: { lon: number; lat: number }[]): Promise<[number, number][]> {
  const { rows } = await pool.query<{ e: number; n: number }>(
    `SELECT ST_X(q) e, ST_Y(q) n FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(lon, lat, i),
       LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490), ${epsg}) q ORDER BY p.i`,
    [points.map((p) => p.lon), points.map((p) => p.lat)],
  );
  return rows.map((r) => [r.e, r.n]);
}

describe.skipIf(!hasCs2cs)('PostGIS, proj4 and cs2cs agree within 1 mm', () => {
  it.each(GK)('EPSG:%i', async (epsg) => {
    const pts = fixture.points;
    const expected = cs2cs(epsg, pts);
    const db = await postgis(epsg, pts);
    pts.forEach((p, i) => {
      const js = transformPosition(4490, epsg, [p.lon, p.lat]);
      expect(Math.hypot(db[i][0] - expected[i][0], db[i][1] - expected[i][1]), `PostGIS at ${p.name}`).toBeLessThan(0.001);
      expect(Math.hypot(js[0] - expected[i][0], js[1] - expected[i][1]), `proj4 at ${p.name}`).toBeLessThan(0.001);
    });
  });

  it.each(GK)('the items in EPSG:%i are cs2cs of the CRS84 items', async (epsg) => {
    const res84 = await request('GET', `${OGC}/collections/resettlement_site/items?limit=3`);
    const resGk = await request('GET', `${OGC}/collections/resettlement_site/items?limit=3&crs=EPSG:${epsg}`);
    const pts = res84.body.features.map((f: any) => ({ lon: f.geometry.coordinates[0][0][0][0], lat: f.geometry.coordinates[0][0][0][1] }));
    const expected = cs2cs(epsg, pts);
    resGk.body.features.forEach((f: any, i: number) => {
      const [n, e] = f.geometry.coordinates[0][0][0];
      expect(Math.hypot(e - expected[i][0], n - expected[i][1])).toBeLessThan(0.001);
    });
  });
});
