// Exports and imports through the running server, for the exchange suites.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { DEFAULT_IMPORT_LIMITS } from '../../server/exchange/limits.ts';
import { expandUpload, parseUpload, withImportDir } from '../../server/exchange/prepare.ts';
import type { ParsedImport } from '../../server/exchange/types.ts';
import { api, appUrl } from '../helpers/db.ts';

export async function download(query: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await api(`${appUrl()}/api/export?${query}`);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export async function upload(files: { name: string; data: Buffer | string }[], fields: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('file', new Blob([new Uint8Array(typeof f.data === 'string' ? Buffer.from(f.data) : f.data)]), f.name);
  const res = await api(`${appUrl()}/api/import`, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function commit(id: number): Promise<{ status: number; body: any }> {
  const res = await api(`${appUrl()}/api/import/${id}/commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { status: res.status, body: await res.json() };
}

/** GDAL's command-line tools, if installed. */
export const gdalMissing = ((): string | undefined => {
  try {
    execFileSync('ogrinfo', ['--version'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return 'ogrinfo (GDAL, Debian gdal-bin) is not installed: GDAL checks skipped';
  }
})();

/** Files in memory read by the importers as an upload is (written to a folder, a zip unzipped), in this thread. */
export function parseFiles(files: { name: string; data: Buffer }[]): Promise<ParsedImport> {
  return withImportDir(undefined, async (dir) => {
    const stored = await Promise.all(files.map(async (f, i) => {
      const file = path.join(dir, `upload-${i}`);
      await writeFile(file, f.data);
      return { name: f.name, path: file, size: f.data.length };
    }));
    return parseUpload((await expandUpload(stored, dir, DEFAULT_IMPORT_LIMITS)).files, {});
  });
}

/** The entries of a zip in memory. */
export async function unzipEntries(zip: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const z = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zip, { lazyEntries: true }, (err, f) => (err ? reject(err) : resolve(f!))));
  const out: { name: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    z.on('error', reject);
    z.on('end', resolve);
    z.on('entry', (e: yauzl.Entry) => z.openReadStream(e, (err, s) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      s!.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => { out.push({ name: e.fileName, data: Buffer.concat(chunks) }); z.readEntry(); });
    }));
    z.readEntry();
  });
  return out;
}
