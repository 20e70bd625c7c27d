// 问题台账: the problems holding projects up, typed from the seed (geo/domain.ts PROBLEM_KIND).
// Read (now, or as of a date from change_log), create and update. Writes run in one transaction that
// says who wrote (zs.changed_by), so the history trigger records the change with its author.
import type pg from 'pg';
import { PROBLEM_KIND } from '../../geo/domain.ts';
import { withTransaction } from '../db/transaction.ts';
import { declareWriter, outOfScopeMessage, type Writer } from '../db/writer.ts';
import { rowsAsOf } from './sql.ts';

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
}

interface ProblemRow {
  id: number; project_id: number | null; resettlement_site_id: number | null; kind: string; title: string; description: string | null;
  status: string; owner: string | null; opened_on: string; resolved_on: string | null; version: number; updated_by: string;
  lon?: number | null; lat?: number | null;
}

export interface ProblemQuery { asOf?: string; status?: string; kind?: string; projectId?: number; areaId?: number; openOnly?: boolean }

async function names(db: Pick<pg.Pool, 'query'>) {
  // one after the other: db may be a single client inside a transaction
  const p = await db.query<{ id: number; name: string; command_area_id: number }>('SELECT id, name, command_area_id FROM project');
  const s = await db.query<{ id: number; name: string; command_area_id: number }>('SELECT id, name, command_area_id FROM resettlement_site');
  return { projects: new Map(p.rows.map((r) => [r.id, r])), sites: new Map(s.rows.map((r) => [r.id, r])) };
}

function toProblem(r: ProblemRow, n: Awaited<ReturnType<typeof names>>): Problem {
  const project = r.project_id !== null ? n.projects.get(r.project_id) : undefined;
  const site = r.resettlement_site_id !== null ? n.sites.get(r.resettlement_site_id) : undefined;
  const kind = PROBLEM_KIND[r.kind as keyof typeof PROBLEM_KIND];
  return {
    id: r.id, projectId: r.project_id, projectName: project?.name ?? null, resettlementSiteId: r.resettlement_site_id,
    resettlementSiteName: site?.name ?? null, commandAreaId: project?.command_area_id ?? site?.command_area_id ?? null,
    kind: r.kind, kindLabel: kind?.zh ?? r.kind, title: r.title, description: r.description, status: r.status,
    statusLabel: PROBLEM_STATUS_LABEL[r.status as keyof typeof PROBLEM_STATUS_LABEL] ?? r.status, owner: r.owner,
    openedOn: r.opened_on, resolvedOn: r.resolved_on, lon: r.lon ?? null, lat: r.lat ?? null, version: r.version, updatedBy: r.updated_by,
  };
}

/** Problems now, or as they stood at the end of `asOf` (not yet opened ones left out; resolved later = still open). */
export async function listProblems(db: Pick<pg.Pool, 'query'>, q: ProblemQuery): Promise<Problem[]> {
  let rows: ProblemRow[];
  if (q.asOf) {
    const asOf = q.asOf;
    const raw = await rowsAsOf<ProblemRow & { geom?: unknown }>(db, 'problem', asOf);
    rows = raw
      .filter((r) => r.opened_on <= asOf)
      .map((r) => (r.resolved_on && r.resolved_on > asOf ? { ...r, status: 'in_progress', resolved_on: null } : r));
  } else {
    rows = (await db.query<ProblemRow>(
      `SELECT id, project_id, resettlement_site_id, kind, title, description, status, owner, opened_on, resolved_on, version, updated_by,
              ST_X(geom) AS lon, ST_Y(geom) AS lat FROM problem ORDER BY id`,
    )).rows;
  }
  const n = await names(db);
  return rows.map((r) => toProblem(r, n)).filter((p) =>
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

export class ProblemError extends Error {
  constructor(public statusCode: number, message: string) { super(message); }
}

const COLUMN: Record<string, string> = {
  kind: 'kind', title: 'title', description: 'description', status: 'status', owner: 'owner', openedOn: 'opened_on',
  resolvedOn: 'resolved_on', projectId: 'project_id', resettlementSiteId: 'resettlement_site_id',
};

/** A write as `writer` (history author, command-area scope). */
const inTransaction = <T>(pool: pg.Pool, writer: Writer, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> =>
  withTransaction(pool, async (client) => {
    await declareWriter(client, writer);
    return fn(client);
  });

function explain(err: unknown): never {
  const outOfScope = outOfScopeMessage(err);
  if (outOfScope) throw new ProblemError(403, outOfScope);
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === '23503') throw new ProblemError(400, `unknown ${e.constraint?.includes('project') ? 'projectId' : 'resettlementSiteId'}`);
  if (e.code === '23514' || e.code === '22007' || e.code === '22008') throw new ProblemError(400, e.message ?? 'invalid value');
  throw err;
}

async function readOne(c: pg.PoolClient, id: number): Promise<Problem> {
  const { rows } = await c.query<ProblemRow>(
    `SELECT id, project_id, resettlement_site_id, kind, title, description, status, owner, opened_on, resolved_on, version, updated_by,
            ST_X(geom) AS lon, ST_Y(geom) AS lat FROM problem WHERE id = $1`, [id]);
  return toProblem(rows[0], await names(c));
}

export async function createProblem(pool: pg.Pool, writer: Writer, input: ProblemInput): Promise<Problem> {
  if (!input.kind || !input.title) throw new ProblemError(400, 'kind and title are required');
  return inTransaction(pool, writer, async (c) => {
    try {
      const { rows } = await c.query<{ id: number }>(
        `INSERT INTO problem (kind, title, description, status, owner, opened_on, resolved_on, project_id, resettlement_site_id, geom, updated_by)
         VALUES ($1, $2, $3, coalesce($4, 'open'), $5, coalesce($6::date, (now() AT TIME ZONE 'UTC' + interval '8 hours')::date), $7, $8, $9,
                 CASE WHEN $10::float8 IS NULL OR $11::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($10, $11), 4490) END, $12)
         RETURNING id`,
        [input.kind, input.title, input.description ?? null, input.status ?? null, input.owner ?? null, input.openedOn ?? null,
          input.resolvedOn ?? null, input.projectId ?? null, input.resettlementSiteId ?? null, input.lon ?? null, input.lat ?? null, writer.actor],
      );
      return await readOne(c, rows[0].id);
    } catch (err) {
      return explain(err);
    }
  });
}

/** Update with optimistic concurrency: `version` must be the one the client read. */
export async function updateProblem(pool: pg.Pool, writer: Writer, id: number, version: number, input: ProblemInput): Promise<Problem> {
  return inTransaction(pool, writer, async (c) => {
    const sets: string[] = [];
    const params: unknown[] = [id, version];
    for (const [key, col] of Object.entries(COLUMN)) {
      const v = (input as Record<string, unknown>)[key];
      if (v === undefined) continue;
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    }
    if (input.lon !== undefined || input.lat !== undefined) {
      params.push(input.lon ?? null, input.lat ?? null);
      const [x, y] = [`$${params.length - 1}::float8`, `$${params.length}::float8`];
      sets.push(`geom = CASE WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(${x}, ${y}), 4490) END`);
    }
    // resolving without a date: resolved today (Beijing); reopening clears the date
    if (input.status === 'resolved' && input.resolvedOn === undefined) sets.push(`resolved_on = coalesce(resolved_on, (now() AT TIME ZONE 'UTC' + interval '8 hours')::date)`);
    if (input.status && input.status !== 'resolved' && input.resolvedOn === undefined) sets.push('resolved_on = NULL');
    if (!sets.length) throw new ProblemError(400, 'nothing to change');
    try {
      const res = await c.query(`UPDATE problem SET ${sets.join(', ')} WHERE id = $1 AND version = $2`, params);
      if (res.rowCount === 0) {
        const exists = await c.query<{ version: number }>('SELECT version FROM problem WHERE id = $1', [id]);
        if (!exists.rowCount) throw new ProblemError(404, `no problem ${id}`);
        throw new ProblemError(409, `problem ${id} is at version ${exists.rows[0].version}, not ${version}: reload and try again`);
      }
      return await readOne(c, id);
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      return explain(err);
    }
  });
}
