// The shapes of the API's JSON that the server produces and the web client reads: declared once,
// here, so that neither side imports the other's modules (the server's drag in pg and node:*).
import type { TAKE_STATUS } from './domain.ts';
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
  changedBy: string;
  reason: string | null;
  /** attribute names (and "geometry") that differ between before and after */
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
