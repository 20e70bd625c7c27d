// Exports and imports through the running server, for the exchange suites.
import { execFileSync } from 'node:child_process';
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
