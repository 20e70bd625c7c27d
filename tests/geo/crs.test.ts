// proj4 (used in the browser and the server's geo core) against PROJ's own cs2cs: within 1 mm.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasProgram } from '../helpers/tools.ts';
import fixture from '../fixtures/crs/guigang-points.json' with { type: 'json' };
import { crsInfo, gaussKrugerEpsg, transformPosition, zoneForLongitude, zoneFromEasting } from '../../geo/crs.ts';

const hasCs2cs = hasProgram('cs2cs', [], 'geo/crs.test (cs2cs part)', 'proj-bin');

/** cs2cs with EPSG axis order: EPSG:4490 is lat,lon; the GK CRSs are northing,easting. */
function cs2cs(epsg: number, lon: number, lat: number): [number, number] {
  const out = execFileSync('cs2cs', ['-f', '%.6f', 'EPSG:4490', `EPSG:${epsg}`], { input: `${lat} ${lon}\n` }).toString();
  const [northing, easting] = out.trim().split(/\s+/).map(Number);
  return [easting, northing];
}

describe('CRS table', () => {
  it('numbers the CGCS2000 3° zones as EPSG does', () => {
    expect(gaussKrugerEpsg(36, true)).toBe(4524);
    expect(gaussKrugerEpsg(37, true)).toBe(4525);
    expect(gaussKrugerEpsg(36, false)).toBe(4545);
    expect(gaussKrugerEpsg(37, false)).toBe(4546);
    expect(crsInfo(4546).zone).toBe(37);
  });

  it('splits zones 36 and 37 at 109.5°E', () => {
    expect(zoneForLongitude(109.49)).toBe(36);
    expect(zoneForLongitude(109.51)).toBe(37);
  });

  it('reads the zone from an 8-digit easting and nothing from a 6-digit one', () => {
    expect(zoneFromEasting(37356564.456)).toBe(37);
    expect(zoneFromEasting(356564.456)).toBeUndefined();
  });

  it('refuses an EPSG code it does not know', () => {
    expect(() => crsInfo(2000)).toThrow(/EPSG:2000/);
  });
});

describe.skipIf(!hasCs2cs)('proj4 agrees with PROJ cs2cs within 1 mm', () => {
  for (const epsg of [4524, 4525, 4545, 4546]) {
    it.each(fixture.points)(`EPSG:${epsg} at $name`, ({ lon, lat }) => {
      const [e, n] = transformPosition(4490, epsg, [lon, lat]);
      const [ee, en] = cs2cs(epsg, lon, lat);
      expect(Math.hypot(e - ee, n - en)).toBeLessThan(0.001);
      const [lon2, lat2] = transformPosition(epsg, 4490, [e, n]);
      expect(Math.abs(lon2 - lon) * 102_000).toBeLessThan(0.001); // ~102 km per degree of longitude here
      expect(Math.abs(lat2 - lat) * 110_700).toBeLessThan(0.001);
    });
  }
});
