// 问题台账: the problems holding projects up, typed from the seed (geo/domain.ts PROBLEM_KIND).
// Read (now, or as of a date from change_log) through the release rule — a problem about military
// land shows its text only to readers with the military grant — and written through the core's one
// write path (role, scope, values, workflow, version, history) as the `problem` layer.
import { sql } from 'kysely';
import type pg from 'pg';
import { PROBLEM_KIND } from '../../geo/domain.ts';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import type { CollectionColumns } from '../core/catalogue.ts';
import { dbOf } from '../db/kysely.ts';
import { DomainError } from '../core/errors.ts';
import { releaseProperties } from '../core/release.ts';
import { type Actor, checkProps, writeFeatures } from '../core/write.ts';
import { rowsAsOf } from './sql.ts';

const PROBLEM = LAYER_BY_ID.get('problem')!;

export const PROBLEM_KINDS = Object.keys(PROBLEM_KIND) as (keyof typeof PROBLEM_KIND)[];
export const PROBLEM_STATUSES = ['open', 'in_progress', 'resolved'] as const;
export const PROBLEM_STATUS_LABEL: Record<(typeof PROBLEM_STATUSES)[number], string> = { open: '未解决', in_progress: '协调中', resolved: '已解决' };

export interface Problem {
  id: number;
  projectId: number | null;
  projectName: string | null;
  resettlementSiteId: number | null;
  resettlementSiteName: string | null;
  commandAreaId: number | null;
  kind: string;
  kindLabel: string;
  title: string;
  description: string | null;
  status: string;
  statusLabel: string;
  owner: string | null;
  openedOn: string;
  resolvedOn: string | null;
  lon: number | null;
  lat: number | null;
  version: number;
  updatedBy: string;
  /** attributes held back from this reader (the text of a problem about military land, without the grant) */
  withheld?: string[];
}

interface ProblemRow {
  id: number; project_id: number | null; resettlement_site_id: number | null; kind: string; title: string; description: string | null;
  status: string; owner: string | null; opened_on: string; resolved_on: string | null; version: number; updated_by: string;
  lon?: number | null; lat?: number | null;
}

export interface ProblemQuery { asOf?: string; status?: string; kind?: string; projectId?: number; areaId?: number; openOnly?: boolean }

async function names(pool: pg.Pool) {
  const db = dbOf(pool);
  const projects = await db.selectFrom('project').select(['id', 'name', 'command_area_id']).execute();
  const sites = await db.selectFrom('resettlement_site').select(['id', 'name', 'command_area_id']).execute();
  return { projects: new Map(projects.map((r) => [r.id, r])), sites: new Map(sites.map((r) => [r.id, r])) };
}

/** A problem as stored, with its point as lon/lat. */
const problemRows = (pool: pg.Pool) => dbOf(pool).selectFrom('problem')
  .select(['id', 'project_id', 'resettlement_site_id', 'kind', 'title', 'description', 'status', 'owner', 'opened_on', 'resolved_on', 'version', 'updated_by',
    sql<number | null>`ST_X(geom)`.as('lon'), sql<number | null>`ST_Y(geom)`.as('lat')]);

function toProblem(r: ProblemRow, n: Awaited<ReturnType<typeof names>>, sees: boolean): Problem {
  const project = r.project_id !== null ? n.projects.get(r.project_id) : undefined;
  const site = r.resettlement_site_id !== null ? n.sites.get(r.resettlement_site_id) : undefined;
  const kind = PROBLEM_KIND[r.kind as keyof typeof PROBLEM_KIND];
  const { properties, withheld } = releaseProperties(PROBLEM, { kind: r.kind, title: r.title as string | null, description: r.description, owner: r.owner }, sees);
  return {
    ...(withheld.length ? { withheld } : {}),
    id: r.id, projectId: r.project_id, projectName: project?.name ?? null, resettlementSiteId: r.resettlement_site_id,
    resettlementSiteName: site?.name ?? null, commandAreaId: project?.command_area_id ?? site?.command_area_id ?? null,
    kind: r.kind, kindLabel: kind?.zh ?? r.kind, title: properties.title as string, description: properties.description, status: r.status,
    statusLabel: PROBLEM_STATUS_LABEL[r.status as keyof typeof PROBLEM_STATUS_LABEL] ?? r.status, owner: properties.owner,
    openedOn: r.opened_on, resolvedOn: r.resolved_on, lon: r.lon ?? null, lat: r.lat ?? null, version: r.version, updatedBy: r.updated_by,
  };
}

/** Problems now, or as they stood at the end of `asOf` (not yet opened ones left out; resolved later = still open). */
export async function listProblems(db: pg.Pool, q: ProblemQuery, sees: boolean): Promise<Problem[]> {
  let rows: ProblemRow[];
  if (q.asOf) {
    const asOf = q.asOf;
    const raw = await rowsAsOf<ProblemRow & { geom?: unknown }>(db, 'problem', asOf);
    rows = raw
      .filter((r) => r.opened_on <= asOf)
      .map((r) => (r.resolved_on && r.resolved_on > asOf ? { ...r, status: 'in_progress', resolved_on: null } : r));
  } else {
    rows = await problemRows(db).orderBy('id').execute();
  }
  const n = await names(db);
  return rows.map((r) => toProblem(r, n, sees)).filter((p) =>
    (q.status === undefined || p.status === q.status) && (q.kind === undefined || p.kind === q.kind)
    && (q.projectId === undefined || p.projectId === q.projectId) && (q.areaId === undefined || p.commandAreaId === q.areaId)
    && (!q.openOnly || p.status !== 'resolved'));
}

export interface ProblemInput {
  kind?: string;
  title?: string;
  description?: string | null;
  status?: string;
  owner?: string | null;
  openedOn?: string;
  resolvedOn?: string | null;
  projectId?: number | null;
  resettlementSiteId?: number | null;
  lon?: number | null;
  lat?: number | null;
}

/** The API's field names → the problem table's columns. */
const COLUMN: Record<string, string> = {
  kind: 'kind', title: 'title', description: 'description', status: 'status', owner: 'owner', openedOn: 'opened_on',
  resolvedOn: 'resolved_on', projectId: 'project_id', resettlementSiteId: 'resettlement_site_id',
};

async function readOne(pool: pg.Pool, id: number, sees: boolean): Promise<Problem> {
  const row = await problemRows(pool).where('id', '=', id).executeTakeFirstOrThrow();
  return toProblem(row, await names(pool), sees);
}

/** A problem write as the core's change: columns checked like any layer's, the point as its geometry. */
function change(cols: CollectionColumns, input: ProblemInput, mode: 'create' | 'patch') {
  const given: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(COLUMN)) {
    const v = (input as Record<string, unknown>)[key];
    if (v !== undefined) given[col] = v;
  }
  const props = checkProps(given, PROBLEM, cols, mode);
  let geometry: { geojson: string; srid: number } | null | undefined;
  if (input.lon !== undefined || input.lat !== undefined) {
    geometry = input.lon == null || input.lat == null ? null : { geojson: JSON.stringify({ type: 'Point', coordinates: [input.lon, input.lat] }), srid: 4490 };
  }
  return { props, geometry };
}

export interface ProblemWrite { pool: pg.Pool; cols: CollectionColumns; actor: Actor; sees: boolean }

export async function createProblem(w: ProblemWrite, input: ProblemInput): Promise<Problem> {
  const { props, geometry } = change(w.cols, input, 'create');
  const [r] = await writeFeatures({ pool: w.pool, layer: PROBLEM, cols: w.cols }, w.actor, [{ op: 'create', props, geometry: geometry ?? null }]);
  return readOne(w.pool, r.id, w.sees);
}

/** Update with optimistic concurrency: `version` must be the one the client read. */
export async function updateProblem(w: ProblemWrite, id: number, version: number, input: ProblemInput): Promise<Problem> {
  const { props, geometry } = change(w.cols, input, 'patch');
  if (props.size === 0 && geometry === undefined) throw new DomainError('invalid_input', 'nothing to change', { field: null });
  await writeFeatures({ pool: w.pool, layer: PROBLEM, cols: w.cols }, w.actor, [{ op: 'update', id, version, props, geometry }]);
  return readOne(w.pool, id, w.sees);
}
