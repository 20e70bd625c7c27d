// The client side of /api/export and /api/import. downloadExport is the progress hook: it streams the
// download, reports progress as it arrives, and hands back the file as a Blob with its name.
import { api, apiError, ensureOk } from '../http.ts';
export type ExportFormat = 'geojson' | 'csv' | 'shp' | 'gpkg' | 'kml' | 'dxf' | 'xlsx' | 'txt';

export interface ExportProgress {
  receivedBytes: number;
  /** features in the export (the server's X-Feature-Count), known when the response starts */
  features: number | null;
  /** 0…1: exact with a Content-Length, else estimated from the feature count (capped at 0.99 until done); null if unknown */
  fraction: number | null;
  done: boolean;
}

/** Typical bytes per parcel of each format (demo district), for a progress estimate on streamed downloads. */
const BYTES_PER_FEATURE: Record<ExportFormat, number> = { geojson: 460, csv: 240, shp: 70, gpkg: 260, kml: 860, dxf: 820, xlsx: 95, txt: 230 };

export interface ExportRequest {
  layer: string;
  format: ExportFormat;
  crs?: string;
  encoding?: 'utf-8' | 'gbk';
  project?: string;
  commandArea?: string;
  status?: string[];
  bbox?: [number, number, number, number];
  /** a CQL2 text filter (the attribute table's query, or its selection as id IN (…)) */
  filter?: string;
}

export function exportUrl(r: ExportRequest): string {
  const q = new URLSearchParams({ layer: r.layer, format: r.format });
  if (r.crs) q.set('crs', r.crs);
  if (r.encoding) q.set('encoding', r.encoding);
  if (r.project) q.set('project', r.project);
  if (r.commandArea) q.set('command_area', r.commandArea);
  if (r.status?.length) q.set('status', r.status.join(','));
  if (r.bbox) q.set('bbox', r.bbox.join(','));
  if (r.filter?.trim()) q.set('filter', r.filter.trim());
  return `/api/export?${q}`;
}

export async function downloadExport(r: ExportRequest, onProgress: (p: ExportProgress) => void, signal?: AbortSignal): Promise<{ blob: Blob; fileName: string }> {
  const res = await api(exportUrl(r), { signal });
  if (!res.ok) throw await apiError(res);
  if (!res.body) throw new Error(`export failed (${res.status}: no body)`);
  const features = res.headers.get('x-feature-count') ? Number(res.headers.get('x-feature-count')) : null;
  const length = res.headers.get('content-length') ? Number(res.headers.get('content-length')) : null;
  const expected = length ?? (features !== null ? Math.max(1, features * BYTES_PER_FEATURE[r.format]) : null);
  const disposition = res.headers.get('content-disposition') ?? '';
  const fileName = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? `${r.layer}.${r.format}`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    receivedBytes += value.byteLength;
    onProgress({ receivedBytes, features, fraction: expected ? Math.min(length ? 1 : 0.99, receivedBytes / expected) : null, done: false });
  }
  onProgress({ receivedBytes, features, fraction: 1, done: true });
  return { blob: new Blob(chunks as BlobPart[]), fileName };
}

export function saveBlob(blob: Blob, fileName: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export interface ImportIssue { code: string; severity: 'error' | 'warning' | 'info'; message: string; location?: [number, number] }
/** What a file field holds, read from its values (server/exchange/prepare.ts FieldType). */
export type FileFieldType = 'integer' | 'number' | 'boolean' | 'date' | 'string';
export interface ImportPreview {
  id: number; fileName: string; format: string; layer: string;
  crs: { epsg: number | null; name: string | null; source: string | null };
  /** the file's fields, their types, and the mapping used (file field → layer column, null: not imported) */
  fields: string[]; fieldTypes: Record<string, FileFieldType>; mapping: Record<string, string | null>;
  counts: { features: number; errors: number; warnings: number; insert: number; update: number };
  notes: string[]; status: 'preview' | 'committed';
  features: { seq: number; ref: string; action: 'insert' | 'update' | 'skip'; attrs: Record<string, unknown>; issues: ImportIssue[] }[];
}

export interface ImportRequest {
  layer?: string; crs?: string; encoding?: string;
  /** file field → layer column (null: not imported); merged by the server over its automatic mapping */
  mapping?: Record<string, string | null>;
  /** column values for new features that lack them (project_id among them) */
  defaults?: Record<string, unknown>;
}

export async function uploadImport(files: File[], r: ImportRequest): Promise<ImportPreview> {
  const form = new FormData();
  for (const k of ['layer', 'crs', 'encoding'] as const) if (r[k]) form.append(k, r[k]);
  if (r.mapping) form.append('mapping', JSON.stringify(r.mapping));
  if (r.defaults && Object.keys(r.defaults).length) form.append('defaults', JSON.stringify(r.defaults));
  for (const f of files) form.append('file', f, f.name);
  return (await ensureOk(await api('/api/import', { method: 'POST', body: form }))).json();
}

export async function previewGeoJson(id: number): Promise<GeoJSON.FeatureCollection> {
  return (await ensureOk(await api(`/api/import/${id}/features`))).json();
}

export async function commitImport(id: number): Promise<{ inserted: number; updated: number }> {
  const res = await api(`/api/import/${id}/commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return (await ensureOk(res)).json();
}
