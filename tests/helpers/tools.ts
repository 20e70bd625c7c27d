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
