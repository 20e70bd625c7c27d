// The shapes of the API's JSON that the server produces and the web client reads: declared once,
// here, so that neither side imports the other's modules (the server's drag in pg and node:*).
import type { TAKE_STATUS } from './domain.ts';
import type { ProcedureStepId, ProcedureWarning, QuotaKind, QuotaSource, runningNotices, StepRecord } from './procedure.ts';
import type { Role } from './roles.ts';

/** Who is logged in (GET /api/auth/session, and request.user on the server). */
export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  areaIds: number[];
}

/** An account as the admin page lists it (/api/admin/users). */
export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  /** command areas an editor works in */
  areaIds: number[];
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** One write to a map layer, from change_log (/api/audit). */
export interface DataChange {
  id: number;
  at: string;
  user: string;
  layer: string;
  featureId: number;
  op: 'insert' | 'update' | 'delete';
  version: number;
  reason: string | null;
  /** attribute names that changed (values stay in the feature's history, behind its own rules) */
  changed: string[];
}

/**
 * One change of a map layer, as the change stream (GET /api/changes, Server-Sent Events) sends it: no
 * attribute of the feature, only where it is, so a reader refetches what changed through the reads
 * that apply the release rule (tiles, features).
 * - insert / update / delete: a feature of the layer was written (version: its version after the
 *   write; for a delete, the last one it had);
 * - derived: a feature's derived fields changed because of another layer's write (a red line's
 *   progress when one of its parcels changes): version null;
 * - bulk: too many rows changed at once to list (an import, a reload): id, version and bbox null;
 *   refresh the whole layer.
 * bbox (lon/lat) covers the feature's place before and after the change.
 */
export interface LayerChangeEvent {
  layer: string;
  id: number | null;
  version: number | null;
  op: 'insert' | 'update' | 'delete' | 'derived' | 'bulk';
  bbox: [number, number, number, number] | null;
}

/**
 * The change stream's event names: `change` (data: LayerChangeEvent), `hello` (on connecting; its id is
 * where the stream stands, to resume from), `reset` (changes were missed, e.g. the server restarted or
 * the client was away longer than the server keeps: refresh everything).
 */
export const CHANGE_STREAM = { path: '/api/changes', change: 'change', hello: 'hello', reset: 'reset' } as const;

/** A login, account or role change, from account_event (/api/audit/accounts). */
export interface AccountEvent {
  id: number;
  at: string;
  actor: string;
  username: string;
  event: string;
  detail: unknown;
  ip: string | null;
}

/** A feature as one of its versions held it (GeoJSON, CRS84). */
export interface HistoryFeature {
  type: 'Feature';
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
}

/** One version of a feature (/ogc/collections/{id}/items/{fid}/history). */
export interface HistoryEntry {
  entry: number;
  version: number;
  op: 'insert' | 'update' | 'delete';
  changedAt: string;
  /** the login that wrote it (or a tool: cli:…, 演示数据) */
  changedBy: string;
  /** that account's display name (姓名), null when it has none */
  changedByName: string | null;
  /** the reason given with the change */
  reason: string | null;
  /** a restore: the version it brought back */
  restoredFrom: number | null;
  /** attribute names (and "geometry") that differ between before and after; derived ones (area_m2) left out */
  changed: string[];
  before: HistoryFeature | null;
  after: HistoryFeature | null;
}

/** Parcels or houses by take status, and all of them. */
export type StatusCounts = Record<keyof typeof TAKE_STATUS, number> & { total: number };

/** Progress figures of a project, a command area or the district, as of a date. */
export interface Figures {
  land: { targetMu: number; totalMu: number; signedMu: number; completedMu: number; pct: number | null };
  house: { targetM2: number; totalM2: number; signedM2: number; completedM2: number; pct: number | null };
  parcels: StatusCounts;
  houses: StatusCounts;
  /** parcels and houses together, in 元 */
  money: { agreedYuan: number; paidYuan: number; unpaidYuan: number };
  /** mean of the land and house percentages that have a target (null if neither has) */
  pct: number | null;
}

// ---- 征地程序 and 用地指标 (GET /api/projects/:id/procedure, GET /api/procedure/board; server/core/procedure.ts) ----

/** A scanned notice or document kept with a step (its bytes: GET /api/attachments/:id). */
export interface AttachmentInfo {
  id: number;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** One step of a project's procedure as recorded, with who recorded it and its documents. */
export interface StepView extends StepRecord {
  id: number | null;
  /** 0 for a step nothing is recorded of yet */
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
  attachments: AttachmentInfo[];
}

/** A land quota secured for a project (用地指标). */
export interface QuotaEntry {
  id: number;
  kind: QuotaKind;
  source: QuotaSource;
  mu: number;
  docNo: string | null;
  securedOn: string | null;
  version: number;
}

/** Needed: derived from the red line and the land use; secured: the entries; gap = needed − secured (≥ 0). */
export interface QuotaFigures { neededMu: number; securedMu: number; gapMu: number }
export interface QuotaView {
  /** 新增建设用地: the red line's 农用地 and 未利用地 */
  construction: QuotaFigures;
  /** 耕地 (占补平衡) */
  cultivated: QuotaFigures;
  entries: QuotaEntry[];
}

/** A notice still up on the day asked about. */
export type RunningNotice = ReturnType<typeof runningNotices>[number];

/** A project's procedure as of a day, with the law's warnings, the day signing opens and its quotas. */
export interface ProcedureView {
  project: { id: number; code: string; name: string; commandAreaId: number; approvalStage: string; approvalDocNo: string | null; approvedOn: string | null };
  asOf: string;
  steps: StepView[];
  current: ProcedureStepId | 'complete';
  warnings: ProcedureWarning[];
  /** the first day a parcel may be signed (方案公告 + 30 days), null before it is posted */
  signingOpensOn: string | null;
  runningNotices: RunningNotice[];
  quota: QuotaView;
}

/** A project on the procedure board (程序看板). */
export interface BoardProject {
  id: number;
  code: string;
  name: string;
  commandAreaId: number;
  current: ProcedureStepId | 'complete';
  warnings: ProcedureWarning[];
  runningNotices: RunningNotice[];
  construction: QuotaFigures;
  cultivated: QuotaFigures;
}

export interface ProcedureBoard {
  asOf: string;
  projects: BoardProject[];
  /** per command area and the district (commandAreaId null, last): projects at each step, steps overdue, notices running, quotas */
  totals: { commandAreaId: number | null; byStep: Record<string, number>; overdue: number; running: number; construction: QuotaFigures; cultivated: QuotaFigures }[];
}

/**
 * A raster basemap the map may draw under the data (GET /api/basemaps): 天地图 when TIANDITU_KEY is set,
 * and the sources of BASEMAPS. Its tiles come through the server's proxy (/basemaps/{layer}/{z}/{x}/{y}),
 * so no upstream URL or key ever reaches a client. One tile URL per raster layer, bottom first (天地图:
 * the map, then its annotation).
 */
export interface BasemapInfo {
  id: string;
  title: { zh: string; en: string };
  attribution: string;
  /** the datum the source declared: only CGCS2000 and WGS84 line up with the data (GCJ-02, BD-09 are refused at start) */
  datum: 'CGCS2000' | 'WGS84';
  tileSize: 256 | 512;
  minzoom: number;
  maxzoom: number;
  /** tile paths on this server (/basemaps/{layer}/{z}/{x}/{y}), one per raster layer, bottom first */
  tiles: string[];
}
