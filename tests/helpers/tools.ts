// Outside programs the tests check against (GDAL, PROJ): present, or a printed reason to skip.
import { execFileSync } from 'node:child_process';

export function hasProgram(name: string, args: string[], suite: string, debianPackage: string): boolean {
  try {
    execFileSync(name, args, { stdio: 'ignore' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return true; // it ran, and said no to the arguments
    console.log(`${suite}: skipped, ${name} (Debian ${debianPackage}) is not installed`);
    return false;
  }
}

/** cs2cs (PROJ) from GK X/Y (EPSG axis order: northing, easting) to CGCS2000 [lon, lat]. */
export function cs2csToLonLat(epsg: number, x: number, y: number): [number, number] {
  const out = execFileSync('cs2cs', ['-f', '%.12f', `EPSG:${epsg}`, 'EPSG:4490'], { input: `${x} ${y}\n` }).toString();
  const [lat, lon] = out.trim().split(/\s+/).map(Number);
  return [lon, lat];
}

/** cs2cs (PROJ) from CGCS2000 lon/lat to GK [X (northing), Y (easting)]. */
export function cs2csToGk(epsg: number, lon: number, lat: number): [number, number] {
  const out = execFileSync('cs2cs', ['-f', '%.6f', 'EPSG:4490', `EPSG:${epsg}`], { input: `${lat} ${lon}\n` }).toString();
  const [x, y] = out.trim().split(/\s+/).map(Number);
  return [x, y];
}
