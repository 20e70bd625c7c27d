// Every route and who may call it, in one table. A route missing from it stops the server at start
// (onRoute in index.ts), so nothing new is ever open by accident; the matrix test walks this table.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { has, LAYER_WRITER, layerWriteRefusal, mayRead, procedureWriteRefusal, type Role, ROLES } from '../../geo/roles.ts';

/** Roles that write some layer (the layer catalogue's writers). */
const WRITING_ROLES = [...new Set(Object.values(LAYER_WRITER))];
import type { SessionUser } from './sessions.ts';

/**
 * public: anyone, also without a session · read: any role, or anonymous when public read is on ·
 * signed_in: any account · a role: that role · layer_write: the role that writes the layer in the
 * URL (geo/roles.ts LAYER_WRITER) · writes: any role that writes some layer (which one: the core
 * decides from what is written) · procedure: who records the legal procedure and quotas (geo/roles.ts
 * procedureWriteRefusal; the project's area is checked on the rows) · metrics: an admin, or the METRICS_TOKEN bearer (a scraper has no session)
 */
export type Access = 'public' | 'read' | 'signed_in' | 'layer_write' | 'writes' | 'procedure' | 'metrics' | Role;

const READ_ROUTES = [
  '/api/district', '/api/layers', '/api/changes', '/api/layers/:id/features', '/api/layers/:id/labels',
  '/tiles/:layers/:z/:x/:y.mvt', '/tiles/style.json', '/tiles/:layer.json',
  // raster basemaps: the list, and their tiles through the server (the 天地图 key never leaves it)
  '/api/basemaps', '/basemaps/:layer/:z/:x/:y',
  '/ogc', '/ogc/', '/ogc/api', '/ogc/conformance', '/ogc/collections', '/ogc/collections/:id',
  '/ogc/collections/:id/queryables', '/ogc/collections/:id/schema', '/ogc/collections/:id/items', '/ogc/collections/:id/ids',
  '/ogc/collections/:id/items/:fid', '/ogc/collections/:id/items/:fid/history', '/ogc/collections/:id/summary',
  '/api/progress', '/api/progress/map', '/api/progress/features', '/api/progress/series', '/api/progress/resettlement', '/api/progress/reserved-land',
  '/api/progress/dispatch', '/api/progress/dispatch.xlsx', '/api/progress/dispatch.html', '/api/problems',
  // the report of a stored project's red line is a report; analysing a drawn one is planning work
  '/api/conflicts/report', '/api/conflicts/package',
  // a project's procedure and the board; an attachment's bytes only to readers of its project (server/core/procedure.ts)
  '/api/projects/:id/procedure', '/api/procedure/board', '/api/attachments/:id',
];

export const POLICY: Readonly<Record<string, Access>> = {
  'GET /health': 'public',
  'GET /*': 'public', // the web client's files: the login page must load without a session; they hold no data
  'GET /api/auth/session': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'signed_in',
  'POST /api/auth/password': 'signed_in',
  ...Object.fromEntries(READ_ROUTES.map((u) => [`GET ${u}`, 'read' as const])),
  // a map print reads what the map shows, under the requester's own session (server/print)
  'POST /api/print': 'read',
  'POST /api/conflicts': 'planner',
  'POST /api/conflicts/replacement': 'planner',
  'POST /api/conflicts/report': 'planner',
  'POST /api/conflicts/package': 'planner',
  'POST /api/conflicts/overlaps': 'planner',
  'GET /api/export': 'land_bureau',
  'GET /api/export/formats': 'land_bureau',
  // an import writes a layer: whoever writes that layer may import into it (the core's write path
  // checks the layer's writer on upload and commit); a preview is its uploader's alone
  'POST /api/import': 'writes',
  'GET /api/import/:id': 'writes',
  'GET /api/import/:id/features': 'writes',
  'POST /api/import/:id/commit': 'writes',
  'PUT /api/projects/:id/procedure/:step': 'procedure',
  'POST /api/projects/:id/procedure/:step/attachments': 'procedure',
  'DELETE /api/attachments/:id': 'procedure',
  'POST /api/projects/:id/quotas': 'procedure',
  'DELETE /api/projects/:id/quotas/:quotaId': 'procedure',
  'POST /api/problems': 'editor',
  'PATCH /api/problems/:id': 'editor',
  'POST /ogc/collections/:id/items': 'layer_write',
  'PUT /ogc/collections/:id/items/:fid': 'layer_write',
  'PATCH /ogc/collections/:id/items/:fid': 'layer_write',
  'DELETE /ogc/collections/:id/items/:fid': 'layer_write',
  'POST /ogc/collections/:id/items/:fid/history/:version/restore': 'layer_write',
  'GET /api/admin/users': 'admin',
  'POST /api/admin/users': 'admin',
  'PATCH /api/admin/users/:id': 'admin',
  'POST /api/admin/users/:id/password': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/audit/accounts': 'admin',
  'GET /metrics': 'metrics',
};

/**
 * Routes that hold a database connection for long (label points of a whole layer, overlay analyses,
 * exports, imports, reports): they run in a bounded share of the pool, a few per account at a time
 * (server/core/admission.ts). Each is a POLICY key.
 */
export const EXPENSIVE_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/layers/:id/labels',
  'POST /api/conflicts', 'POST /api/conflicts/replacement', 'POST /api/conflicts/report', 'GET /api/conflicts/report',
  'POST /api/conflicts/package', 'GET /api/conflicts/package', 'POST /api/conflicts/overlaps',
  'GET /api/export',
  'POST /api/import', 'POST /api/import/:id/commit',
  'GET /api/progress/dispatch', 'GET /api/progress/dispatch.xlsx', 'GET /api/progress/dispatch.html',
]);

export const isExpensive = (method: string, url: string): boolean => EXPENSIVE_ROUTES.has(`${method === 'HEAD' ? 'GET' : method} ${url}`);

/**
 * 只读副本: routes whose reads may be a little late, served by a hot-standby replica when there are
 * any (READ_DATABASE_URLS; server/core/reading.ts applies this, server/db/replicas.ts picks one):
 * the map, tiles, feature lists, labels, progress, exports and the constraint side of conflict
 * analysis (the red line itself is read on the primary). Not here, so on the primary: a single
 * feature (its ETag is what the next write is checked against), a feature's history, import previews,
 * accounts and sessions, the procedure, and every write. A user who has just written reads a replica
 * only once it has replayed that write. Each is a POLICY key.
 */
export const REPLICA_READ_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/district', 'GET /api/layers', 'GET /api/layers/:id/features', 'GET /api/layers/:id/labels',
  'GET /tiles/:layers/:z/:x/:y.mvt', 'GET /tiles/:layer.json',
  'GET /ogc/collections/:id/items', 'GET /ogc/collections/:id/summary', 'GET /ogc/collections/:id/ids',
  'GET /api/progress', 'GET /api/progress/map', 'GET /api/progress/features', 'GET /api/progress/series', 'GET /api/progress/resettlement', 'GET /api/progress/reserved-land',
  'GET /api/progress/dispatch', 'GET /api/progress/dispatch.xlsx', 'GET /api/progress/dispatch.html',
  'GET /api/export',
  'POST /api/conflicts', 'POST /api/conflicts/replacement', 'POST /api/conflicts/report', 'GET /api/conflicts/report',
  'POST /api/conflicts/package', 'GET /api/conflicts/package', 'POST /api/conflicts/overlaps',
]);

/** Where a route reads: 'replica' (may be a little late) or 'primary' (must be current). HEAD follows GET. */
export const readsFrom = (method: string, url: string): 'replica' | 'primary' =>
  REPLICA_READ_ROUTES.has(`${method === 'HEAD' ? 'GET' : method} ${url}`) ? 'replica' : 'primary';

/** The policy entry of a route (HEAD follows GET). */
export function accessOf(method: string, url: string): Access | undefined {
  return POLICY[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}

export interface Refusal {
  status: 401 | 403;
  error: 'unauthenticated' | 'forbidden';
  message: string;
}

/** Does the request carry `Authorization: Bearer <token>`? Compared in constant time (digests of equal length). */
function bearerIs(request: FastifyRequest, token: string): boolean {
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

/** Whether this request may go on, or why not (401: log in first; 403: your account may not). */
export function refusal(access: Access, user: SessionUser | null, publicRead: boolean, request: FastifyRequest, metricsToken?: string): Refusal | null {
  if (access === 'public') return null;
  if (access === 'read' && !user && publicRead) return null;
  if (access === 'metrics' && metricsToken && bearerIs(request, metricsToken)) return null;
  if (!user) return { status: 401, error: 'unauthenticated', message: 'log in first (POST /api/auth/login)' };
  const no = (message: string): Refusal => ({ status: 403, error: 'forbidden', message });
  switch (access) {
    case 'signed_in':
      return null;
    case 'read':
      return mayRead(user) ? null : no('this account has no role yet: ask an administrator');
    case 'layer_write': {
      // a layer nobody writes (or no layer) is the route's to answer: 405 read-only, 404 unknown
      const layer = LAYER_BY_ID.get((request.params as { id?: string }).id ?? '');
      if (!layer?.writer) return null;
      const why = layerWriteRefusal(user, layer.id);
      return why ? no(why) : null;
    }
    case 'metrics':
      return has(user, 'admin') ? null : no(`this needs the admin role (${ROLES.admin.zh}) or the METRICS_TOKEN bearer token`);
    case 'procedure': {
      const why = procedureWriteRefusal(user);
      return why ? no(why) : null;
    }
    case 'writes':
      return WRITING_ROLES.some((r) => has(user, r)) ? null : no(`this needs a role that writes a layer (${WRITING_ROLES.map((r) => ROLES[r].zh).join('、')})`);
    default:
      return has(user, access) ? null : no(`this needs the ${access} role (${ROLES[access].zh})`);
  }
}
