// The command line for batch work (`npm run cli -- export|import …`, server/cli.ts), run as a process of
// its own on the test database, as a land bureau's batch job runs it: the same export as the API (the
// file opened with GDAL), progress on the terminal, a preview of an import with its report, and clear
// errors with a non-zero exit.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { download, gdalMissing } from './helpers.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'zs-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome { code: number; stdout: Buffer; stderr: string }

async function cli(...args: string[]): Promise<Outcome> {
  const env = {
    ...process.env, DATABASE_URL: inject('databaseUrl'),
    // the embedded database is served to other processes as one session: one connection
    ...(inject('backend') === 'embedded' ? { DB_POOL_MAX: '1' } : {}),
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, env, encoding: 'buffer', maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr: stderr.toString('utf8') };
  } catch (err) {
    const e = err as { code: number; stdout: Buffer; stderr: Buffer };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr.toString('utf8') };
  }
}

const FIXTURES = path.join(ROOT, 'tests/fixtures/exchange/txt');

describe('npm run cli -- export', () => {
  it.skipIf(gdalMissing)('writes the GeoPackage the API gives for the same filter, and reports the count on the terminal', async () => {
    const out = path.join(tmp, 'gangcheng.gpkg');
    const r = await cli('export', '--layer', 'parcel', '--format', 'gpkg', '--command-area', 'gangcheng', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const api = await download('layer=parcel&format=gpkg&command_area=gangcheng');
    const count = Number(api.headers.get('x-feature-count'));
    expect(count).toBeGreaterThan(100);
    expect(r.stderr).toContain(`export parcel → ${out}: ${count.toLocaleString()} features, EPSG:4490`);
    const { stdout } = await run('ogrinfo', ['-so', '-al', out]);
    expect(stdout).toContain(`Feature Count: ${count}`);
  });

  it('writes the ministry TXT to standard output, the same parcels as the API', async () => {
    const r = await cli('export', '--layer', 'parcel', '--format', 'txt', '--command-area', 'gangcheng', '--encoding', 'utf-8', '--out', '-');
    expect(r.code, r.stderr).toBe(0);
    const api = await download('layer=parcel&format=txt&command_area=gangcheng&encoding=utf-8');
    const blocks = (b: Buffer) => b.toString('utf8').split(/\r?\n/).filter((l) => l.endsWith(',@'));
    expect(blocks(r.stdout).length).toBe(Number(api.headers.get('x-feature-count')));
    expect(blocks(r.stdout)).toEqual(blocks(api.body));
  });

  it('a missing format or an unknown layer: a message saying so and exit code 1, no file', async () => {
    const noFormat = await cli('export', '--layer', 'parcel', '--out', path.join(tmp, 'x'));
    expect(noFormat.code).toBe(1);
    expect(noFormat.stderr).toContain('--format is required');
    const badLayer = await cli('export', '--layer', 'parcels', '--format', 'gpkg', '--out', path.join(tmp, 'y.gpkg'));
    expect(badLayer.code).toBe(1);
    expect(badLayer.stderr).toContain('no layer "parcels"');
    expect(() => readFileSync(path.join(tmp, 'y.gpkg'))).toThrow();
  });
});

describe('npm run cli -- import', () => {
  it('previews a ministry TXT without writing: features, CRS from the header, and how to commit', async () => {
    const r = await cli('import', path.join(FIXTURES, 'basic.gbk.txt'), '--project', '1', '--defaults', '{"owner_type":"village_collective"}');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/import #\d+ basic\.gbk\.txt \(txt, EPSG:4525 from header\): 3 features, 3 new, 0 updates, 0 errors/);
    expect(r.stderr).toMatch(/preview only: run again with --commit, or POST \/api\/import\/\d+\/commit/);
  });

  it('a preview with what a new parcel lacks: each record named, exit code 1', async () => {
    const r = await cli('import', path.join(FIXTURES, 'basic.gbk.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error   line 13: a new parcel needs project_id, owner_type (map a field or give a default)');
  });

  it('a TXT with a letter in a coordinate: the file and line named, exit code 1', async () => {
    const r = await cli('import', path.join(FIXTURES, 'letter-in-coordinate.utf8.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/letter-in-coordinate\.utf8\.txt \(line 22\)/);
  });
});
