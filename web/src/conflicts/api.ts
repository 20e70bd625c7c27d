// The conflict API as the browser calls it; types follow server/conflicts (JSON shapes only).
import type { LandUseResult, PlanningResult } from '../../../geo/approval.ts';
import { api, ensureOk } from '../http.ts';
import type { DualArea } from '../../../geo/area.ts';
import { FARMLAND_KIND, type Label } from '../../../geo/domain.ts';
import { fileStamp } from '../../../geo/time.ts';

export interface ServerFeature { id: number; properties: Record<string, unknown>; area: DualArea; geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon }
export interface ServerLayer { id: string; title: { zh: string; en: string }; count: number; total: DualArea; features: ServerFeature[]; slivers: ServerFeature[] }
export interface ServerResult {
  authoritative: true;
  convention: { ellipsoidal: string; planar: string; mu: string; zone: number; zoneSource: string; planarEpsg: number; toleranceM2: number };
  /** the red line analysed: as sent, or as ST_MakeValid repaired it (makeValid) */
  redLine: { area: DualArea; project: { id: number; code: string; name: string } | null; vertices: number; repaired: boolean; geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon };
  layers: ServerLayer[];
  conflictCount: number;
  landUse: LandUseResult;
  planning: PlanningResult;
  timingMs: number;
}
export interface Candidate { id: number; code: string; kind: string; landClass: string; area: DualArea; distanceM: number; cumulativeM2: number; geometry: GeoJSON.MultiPolygon }
export interface Replacement { required: DualArea; proposed: DualArea; reached: boolean; candidates: Candidate[]; affectedBases: { id: number; code: string; name: string; taken: DualArea }[] }

/**
 * What the server is asked about: a red line (lon/lat, or planar with its crs, e.g. a survey table's
 * Gauss–Krüger points as typed; excludeProjectId: a stored project's red line edited here, not counted
 * against itself; makeValid: a crossed ring repaired by the server's ST_MakeValid) or a stored project
 * (the server reads its red line and leaves it out of 其他项目红线).
 */
export type RedLineBody =
  | { geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon; crs?: string; excludeProjectId?: number; makeValid?: boolean }
  | { projectId: number };

async function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  return (await (await ensureOk(res)).json()) as T;
}

export const analyse = (body: RedLineBody & { zone?: number }, signal?: AbortSignal) => post<ServerResult>('/api/conflicts', body, signal);
export const replacement = (body: RedLineBody & { excludeIds?: number[] }) => post<Replacement>('/api/conflicts/replacement', body);

/** Open the printable report (HTML) in a new tab, or download the PDF rendered by the server. */
export async function openReport(body: RedLineBody & ReportFields, format: 'html' | 'pdf', fileStem = '压占分析报告'): Promise<void> {
  const res = await api('/api/conflicts/report', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, format }) });
  await ensureOk(res);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  if (format === 'html') window.open(url, '_blank');
  else {
    const a = document.createElement('a');
    a.href = url;
    a.download = `${fileStem}-${fileStamp()}.pdf`;
    a.click();
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Download the approval package (报批材料: 界址点, 地类, 三区三线) the server writes, as Excel or PDF. */
export async function downloadPackage(body: RedLineBody & ReportFields, format: 'xlsx' | 'pdf', fileStem = '报批材料'): Promise<void> {
  await download('/api/conflicts/package', { ...body, format }, `${fileStem}-${fileStamp()}.${format}`);
}

/** What the report and the package print: the project's name and the sign-off (编制单位, 分析人, 审核人). */
export interface ReportFields { projectName?: string; analyst?: string; unit?: string; reviewer?: string; zone?: number }

/** POST `body` to `path` and save the answer as `fileName`. */
async function download(path: string, body: unknown, fileName: string): Promise<void> {
  const res = await api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await ensureOk(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export type OverlapFormat = 'geojson' | 'shp' | 'dxf' | 'gpkg';
const OVERLAP_EXTENSION: Record<OverlapFormat, string> = { geojson: 'geojson', shp: 'zip', dxf: 'dxf', gpkg: 'gpkg' };

/** Download the overlaps (压占图斑) as a GIS file, in CGCS2000 (4490) or a Gauss–Krüger zone's EPSG. */
/** The overlaps as a GIS file: of every constraint layer, or of the `layers` named (one file per layer asked for one). */
export async function downloadOverlaps(body: RedLineBody & { zone?: number }, format: OverlapFormat, crs: number, fileStem = '压占图斑', layers?: string[]): Promise<void> {
  await download(`/api/conflicts/overlaps?format=${format}&crs=${crs}`, { ...body, ...(layers ? { layers } : {}) }, `${fileStem}-${fileStamp()}-EPSG${crs}.${OVERLAP_EXTENSION[format]}`);
}

/** The accepted candidates as CSV (UTF-8 with BOM, so Excel reads the Chinese), headed in the interface's language. */
export function candidatesCsv(rows: Candidate[], lang: 'zh' | 'en' = 'zh'): string {
  const head = lang === 'zh'
    ? ['序号', '图斑编号', '地类', '地类编码', '椭球面积(m²)', '椭球面积(亩)', '平面面积(m²)', '平面面积(亩)', '距被占基地(m)']
    : ['No.', 'Field code', 'Kind', 'Land class', 'Ellipsoidal area (m²)', 'Ellipsoidal area (mu)', 'Planar area (m²)', 'Planar area (mu)', 'Distance to the base taken (m)'];
  const kind = (k: string) => (FARMLAND_KIND as Record<string, Label>)[k]?.[lang] ?? k;
  const lines = rows.map((c, i) => [i + 1, c.code, kind(c.kind), c.landClass, c.area.ellipsoidal.m2.toFixed(2), c.area.ellipsoidal.mu.toFixed(2),
    c.area.planar.m2.toFixed(2), c.area.planar.mu.toFixed(2), c.distanceM.toFixed(1)].join(','));
  return '\ufeff' + [head.join(','), ...lines].join('\r\n') + '\r\n';
}
