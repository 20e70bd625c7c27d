// 征地程序 and 用地指标 (issue #19): each project's steps of the legal procedure, their documents, and
// the land quota it needs against what it has secured. The rules are geo/procedure.ts's (order,
// periods, signing) and geo/roles.ts's (who records, who reads documents); this module applies them
// to the database. Every write checks in the write path's order — role, command-area scope (the
// scope trigger: migrations/functions/50_scope.sql), values, the law's order, the optimistic
// version — and writes in one transaction that says who writes and why, so the history records it.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { isCultivated, legalCategoryOf } from '../../geo/landclass.ts';
import {
  currentStep, inOrder, orderViolation, procedureWarnings, type ProcedureStepId, type ProcedureWarning, runningNotices,
  signingOpensOn, type StepRecord,
} from '../../geo/procedure.ts';
import { type Grantee, procedureScope, procedureWriteRefusal, projectReadRefusal } from '../../geo/roles.ts';
import { beijingDate } from '../../geo/time.ts';
import { m2ToMu } from '../../geo/units.ts';
import { withTransaction } from '../db/transaction.ts';
import { declareWriter } from '../db/writer.ts';
import type { ChangeFeed } from './changes.ts';
import type { Actor } from './write.ts';
import { DomainError, fromDatabaseError } from './errors.ts';
import type {
  AttachmentInfo, BoardProject, ProcedureBoard, ProcedureView, QuotaEntry, QuotaFigures, QuotaView, StepView,
} from '../../geo/api.ts';

// the JSON shapes these answer with are declared in geo/api.ts, for the web client too
export type { AttachmentInfo, BoardProject, ProcedureBoard, ProcedureView, QuotaEntry, QuotaFigures, QuotaView, StepView };

// ---- reading ----

interface ProjectRow { id: number; code: string; name: string; command_area_id: number; approval_stage: string; approval_doc_no: string | null; approved_on: string | null }

const STEP_SELECT = `id, step, planned_start_on AS "plannedStartOn", planned_end_on AS "plannedEndOn", started_on AS "startedOn",
  completed_on AS "completedOn", doc_no AS "docNo", waived, note, version, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function projectRow(db: Queryable, projectId: number, lock = false): Promise<ProjectRow> {
  // FOR NO KEY UPDATE: serialises procedure writes of one project without blocking its parcels' writes (their foreign key takes KEY SHARE)
  const { rows } = await db.query<ProjectRow>(
    `SELECT id, code, name, command_area_id, approval_stage, approval_doc_no, approved_on FROM project WHERE id = $1 ${lock ? 'FOR NO KEY UPDATE' : ''}`, [projectId]);
  if (!rows[0]) throw new DomainError('not_found', `there is no project ${projectId}`, { layer: 'red_line', id: projectId });
  return rows[0];
}

type StepDbRow = StepRecord & { id: number; version: number; updatedBy: string; updatedAt: Date };

async function stepRows(db: Queryable, projectId: number): Promise<StepDbRow[]> {
  const { rows } = await db.query<StepDbRow>(`SELECT ${STEP_SELECT} FROM procedure_step WHERE project_id = $1`, [projectId]);
  return rows;
}

/** The steps of the projects `ids` (all projects when null), as the rules read them. */
export async function stepsByProject(db: Queryable, ids: number[] | null): Promise<Map<number, StepRecord[]>> {
  const { rows } = await db.query<StepRecord & { projectId: number }>(
    `SELECT project_id AS "projectId", ${STEP_SELECT} FROM procedure_step ${ids ? 'WHERE project_id = ANY ($1::int[])' : ''}`, ids ? [ids] : []);
  const out = new Map<number, StepRecord[]>();
  for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), r]);
  return out;
}

/**
 * The land quota each project needs, from its red line and the 三调 land use: 新增建设用地 = the
 * 农用地 and 未利用地 it takes (land becoming construction land), 耕地 = the cultivated land it takes
 * (to be balanced, 占补平衡). Ellipsoidal areas (the approval's figures), classes mapped to legal
 * categories by geo/landclass.ts.
 */
export async function quotaNeeds(db: Queryable, ids: number[] | null): Promise<Map<number, { construction: number; cultivated: number }>> {
  const { rows } = await db.query<{ project_id: number; class_code: string; m2: number }>(
    `SELECT p.id AS project_id, l.class_code,
            sum(CASE WHEN ST_CoveredBy(l.geom, p.red_line) THEN l.area_m2 ELSE ST_Area(ST_Intersection(l.geom, p.red_line)::geography) END)::float8 AS m2
       FROM project p JOIN land_use l ON ST_Intersects(l.geom, p.red_line)
      WHERE p.red_line IS NOT NULL ${ids ? 'AND p.id = ANY ($1::int[])' : ''}
      GROUP BY p.id, l.class_code`, ids ? [ids] : []);
  const out = new Map<number, { construction: number; cultivated: number }>();
  for (const r of rows) {
    const need = out.get(r.project_id) ?? { construction: 0, cultivated: 0 };
    const category = legalCategoryOf(r.class_code);
    if (category === 'agricultural' || category === 'unused') need.construction += m2ToMu(r.m2);
    if (isCultivated(r.class_code)) need.cultivated += m2ToMu(r.m2);
    out.set(r.project_id, need);
  }
  return out;
}

/**
 * The quota needs of every project, kept until a red line or the land use changes (this process's
 * change feed says when; the progress a parcel's change derives on its red line is no such change):
 * the board asks for all projects at once, and their overlay with the land use is the board's cost.
 */
export class QuotaNeedCache {
  private all: Promise<Map<number, { construction: number; cultivated: number }>> | null = null;
  readonly off: () => void;

  constructor(feed: ChangeFeed) {
    this.off = feed.subscribe((e) => {
      if (!('change' in e) || ((e.change.layer === 'red_line' || e.change.layer === 'land_use') && e.change.op !== 'derived')) this.all = null;
    });
  }

  async needs(db: Queryable, ids: number[]): Promise<Map<number, { construction: number; cultivated: number }>> {
    const all = (this.all ??= quotaNeeds(db, null).catch((err) => { this.all = null; throw err; }));
    const got = await all;
    return new Map(ids.flatMap((id) => (got.has(id) ? [[id, got.get(id)!] as const] : [])));
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function quotaFigures(needed: number, secured: number): QuotaFigures {
  return { neededMu: round2(needed), securedMu: round2(secured), gapMu: round2(Math.max(0, needed - secured)) };
}

async function quotaEntries(db: Queryable, projectId: number): Promise<QuotaEntry[]> {
  const { rows } = await db.query<QuotaEntry>(
    `SELECT id, kind, source, mu::float8 AS mu, doc_no AS "docNo", secured_on AS "securedOn", version FROM project_quota WHERE project_id = $1 ORDER BY id`, [projectId]);
  return rows;
}

/** A project's steps as recorded, each with its attachments (no warnings, no quotas: what a write answers with). */
async function readSteps(pool: pg.Pool, projectId: number): Promise<{ rows: StepDbRow[]; steps: StepView[] }> {
  const rows = await stepRows(pool, projectId);
  const { rows: files } = await pool.query<AttachmentInfo & { stepId: number }>(
    `SELECT a.id, a.step_id AS "stepId", a.file_name AS "fileName", a.media_type AS "mediaType", a.size_bytes AS "sizeBytes", a.sha256,
            a.version, a.updated_by AS "updatedBy", a.updated_at AS "updatedAt"
       FROM procedure_attachment a JOIN procedure_step s ON s.id = a.step_id WHERE s.project_id = $1 ORDER BY a.id`, [projectId]);
  const byStep = new Map(rows.map((r) => [r.step, r]));
  const steps: StepView[] = inOrder(rows).map((r) => {
    const row = byStep.get(r.step);
    return {
      ...r, id: row?.id ?? null, version: row?.version ?? 0, updatedBy: row?.updatedBy ?? null,
      updatedAt: row ? new Date(row.updatedAt).toISOString() : null,
      attachments: files.filter((f) => row && f.stepId === row.id).map(({ stepId: _, ...f }) => ({ ...f, updatedAt: new Date(f.updatedAt).toISOString() })),
    };
  });
  return { rows, steps };
}

/** A project's procedure as of a day (default today in Beijing), with warnings and quotas (needs from `needs` when given). */
export async function readProcedure(pool: pg.Pool, projectId: number, asOf = beijingDate(), needs?: QuotaNeedCache): Promise<ProcedureView> {
  const project = await projectRow(pool, projectId);
  const { rows, steps } = await readSteps(pool, projectId);
  const entries = await quotaEntries(pool, projectId);
  const need = (await (needs ? needs.needs(pool, [projectId]) : quotaNeeds(pool, [projectId]))).get(projectId) ?? { construction: 0, cultivated: 0 };
  const secured = (kind: QuotaEntry['kind']) => entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.mu, 0);
  return {
    project: {
      id: project.id, code: project.code, name: project.name, commandAreaId: project.command_area_id,
      approvalStage: project.approval_stage, approvalDocNo: project.approval_doc_no, approvedOn: project.approved_on,
    },
    asOf,
    steps,
    current: currentStep(rows, asOf),
    warnings: procedureWarnings(rows, asOf),
    signingOpensOn: signingOpensOn(rows),
    runningNotices: runningNotices(rows, asOf),
    quota: {
      construction: quotaFigures(need.construction, secured('construction')),
      cultivated: quotaFigures(need.cultivated, secured('cultivated')),
      entries,
    },
  };
}

// ---- writing ----

function checkRecorder(who: Actor): void {
  if (who.local) return;
  const why = procedureWriteRefusal(who);
  if (why) throw new DomainError('forbidden', why, { role: 'editor' });
}

/** One transaction that says who writes (and, for an editor, in which command areas). */
function writing<T>(pool: pg.Pool, who: Actor, reason: string | undefined, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  checkRecorder(who);
  return withTransaction(pool, async (client) => {
    await declareWriter(client, { actor: who.username, scopeAreaIds: who.local ? null : procedureScope(who) }, reason);
    return fn(client);
  }).catch((err) => { throw err instanceof DomainError ? err : fromDatabaseError(err) ?? err; });
}

function checkVersion(current: { version: number } | undefined, given: number, what: string): void {
  const at = current?.version ?? 0;
  if (at !== given) {
    throw new DomainError('stale_version', `${what} is at version ${at}, not ${given}: someone changed it since you read it; read it again and redo your change`,
      { currentVersion: at, yourVersion: given });
  }
}

/** What a step's record may change; undefined = leave as it is. */
export type StepInput = Partial<Omit<StepRecord, 'step'>>;

const STEP_COLUMN: Record<keyof StepInput, string> = {
  plannedStartOn: 'planned_start_on', plannedEndOn: 'planned_end_on', startedOn: 'started_on', completedOn: 'completed_on',
  docNo: 'doc_no', waived: 'waived', note: 'note',
};

/**
 * Record a step (create its row at `version` 0, or change it at its current version). Refused when
 * the steps would then be out of the law's order (procedure_order). The approval's end (报批 done,
 * with its 批复文号) is the project's approval: the project's stage, number and date follow it in the
 * same transaction.
 */
export async function recordStep(pool: pg.Pool, who: Actor, projectId: number, step: ProcedureStepId, version: number, input: StepInput,
  reason?: string): Promise<StepView> {
  await writing(pool, who, reason, async (client) => {
    const project = await projectRow(client, projectId, true);
    const rows = await stepRows(client, projectId);
    const current = rows.find((r) => r.step === step);
    checkVersion(current, version, `step ${step} of project ${project.code}`);
    const after: StepRecord = { ...(current ?? inOrder([]).find((r) => r.step === step)!) };
    for (const [k, v] of Object.entries(input) as [keyof StepInput, never][]) if (v !== undefined) (after as unknown as Record<string, unknown>)[k] = v;
    after.step = step;
    if (after.waived && step !== 'hearing') throw new DomainError('invalid_input', `only the hearing (听证) may be waived, not ${step}`, { field: 'waived' }, { field: 'waived' });
    if (after.waived && !after.note?.trim()) throw new DomainError('missing_attribute', 'a waived hearing needs its reason in note', { field: 'note' });
    if (after.completedOn && !after.startedOn) throw new DomainError('invalid_input', 'a step ends only after it has started: give startedOn', { field: 'startedOn' }, { field: 'startedOn' });
    if (after.completedOn && after.startedOn && after.completedOn < after.startedOn) {
      throw new DomainError('invalid_input', `completedOn ${after.completedOn} is before startedOn ${after.startedOn}`, { field: 'completedOn' }, { field: 'completedOn' });
    }
    if (after.plannedEndOn && after.plannedStartOn && after.plannedEndOn < after.plannedStartOn) {
      throw new DomainError('invalid_input', `plannedEndOn ${after.plannedEndOn} is before plannedStartOn ${after.plannedStartOn}`, { field: 'plannedEndOn' }, { field: 'plannedEndOn' });
    }
    if (step === 'application' && after.completedOn && !after.docNo?.trim()) {
      throw new DomainError('missing_attribute', 'the approval (报批 done) needs its approval number (批复文号) in docNo', { field: 'docNo' });
    }
    const violation = orderViolation([...rows.filter((r) => r.step !== step), after]);
    if (violation) {
      throw new DomainError('procedure_order', violation.message, { step: violation.step, before: violation.before, reason: violation.reason });
    }
    const names = Object.keys(STEP_COLUMN) as (keyof StepInput)[];
    const values = names.map((n) => after[n]);
    if (current) {
      await client.query(`UPDATE procedure_step SET ${names.map((n, i) => `${STEP_COLUMN[n]} = $${i + 2}`).join(', ')} WHERE id = $1`, [current.id, ...values]);
    } else {
      await client.query(`INSERT INTO procedure_step (project_id, step, ${names.map((n) => STEP_COLUMN[n]).join(', ')}, updated_by)
        VALUES ($1, $2, ${names.map((_, i) => `$${i + 3}`).join(', ')}, $${names.length + 3})`, [projectId, step, ...values, who.username]);
    }
    if (step === 'application') {
      const stage = after.completedOn ? 'approved' : after.startedOn ? 'submitted' : 'pre_expropriation';
      if (stage !== project.approval_stage || (stage === 'approved' && (project.approval_doc_no !== after.docNo || project.approved_on !== after.completedOn))) {
        await client.query(`UPDATE project SET approval_stage = $2, approval_doc_no = $3, approved_on = $4 WHERE id = $1`,
          [projectId, stage, stage === 'approved' ? after.docNo : project.approval_doc_no, stage === 'approved' ? after.completedOn : null]);
      }
    }
  });
  return (await readSteps(pool, projectId)).steps.find((s) => s.step === step)!;
}

// ---- attachments ----

/** What a scanned notice or document may be, told by its first bytes (never by the name or the header sent). */
const MAGIC: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/tiff', test: (b) => ['49492a00', '4d4d002a'].includes(b.subarray(0, 4).toString('hex')) },
];
export const ATTACHMENT_TYPES = MAGIC.map((m) => m.type);

export function attachmentType(bytes: Buffer): string | null {
  return MAGIC.find((m) => m.test(bytes))?.type ?? null;
}

/** Keep a step's document. Refused when too large or not a PDF/JPEG/PNG/TIFF; the step's row is made if none is kept yet. */
export async function addAttachment(pool: pg.Pool, who: Actor, projectId: number, step: ProcedureStepId, fileName: string, bytes: Buffer,
  maxBytes: number): Promise<AttachmentInfo> {
  if (bytes.length === 0) throw new DomainError('invalid_input', 'the attachment is empty', { field: 'file' }, { field: 'file' });
  if (bytes.length > maxBytes) throw new DomainError('payload_too_large', `the attachment is ${bytes.length} bytes; at most ${maxBytes} are kept`, { max: maxBytes, size: bytes.length });
  const mediaType = attachmentType(bytes);
  if (!mediaType) throw new DomainError('attachment_type', `"${fileName}" is not a PDF, JPEG, PNG or TIFF file`, { allowed: ATTACHMENT_TYPES, field: 'file' });
  const name = fileName.replace(/[\\/\0]/g, '_').trim().slice(0, 255) || 'attachment';
  const id = await writing(pool, who, undefined, async (client) => {
    await projectRow(client, projectId, true);
    let stepId = (await client.query<{ id: number }>(`SELECT id FROM procedure_step WHERE project_id = $1 AND step = $2`, [projectId, step])).rows[0]?.id;
    if (!stepId) {
      stepId = (await client.query<{ id: number }>(`INSERT INTO procedure_step (project_id, step, updated_by) VALUES ($1, $2, $3) RETURNING id`,
        [projectId, step, who.username])).rows[0].id;
    }
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO procedure_attachment (step_id, file_name, media_type, size_bytes, sha256, content, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [stepId, name, mediaType, bytes.length, createHash('sha256').update(bytes).digest('hex'), bytes, who.username]);
    return rows[0].id;
  });
  return (await readSteps(pool, projectId)).steps.flatMap((s) => s.attachments).find((a) => a.id === id)!;
}

interface AttachmentRow { id: number; file_name: string; media_type: string; content: Buffer; command_area_id: number; version: number }

async function attachmentRow(db: Queryable, id: number, withContent: boolean): Promise<AttachmentRow> {
  const { rows } = await db.query<AttachmentRow>(
    `SELECT a.id, a.file_name, a.media_type, ${withContent ? 'a.content' : 'NULL AS content'}, a.version, p.command_area_id
       FROM procedure_attachment a JOIN procedure_step s ON s.id = a.step_id JOIN project p ON p.id = s.project_id WHERE a.id = $1`, [id]);
  if (!rows[0]) throw new DomainError('not_found', `there is no attachment ${id}`, { id });
  return rows[0];
}

/** An attachment's bytes, for a reader of its project only (a reader outside it is told it does not exist). */
export async function readAttachment(pool: pg.Pool, reader: Grantee, id: number): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
  const row = await attachmentRow(pool, id, true);
  if (projectReadRefusal(reader, row.command_area_id)) throw new DomainError('not_found', `there is no attachment ${id}`, { id });
  return { fileName: row.file_name, mediaType: row.media_type, content: row.content };
}

export async function deleteAttachment(pool: pg.Pool, who: Actor, id: number, version: number): Promise<void> {
  await writing(pool, who, undefined, async (client) => {
    const row = await attachmentRow(client, id, false);
    checkVersion(row, version, `attachment ${id}`);
    await client.query(`DELETE FROM procedure_attachment WHERE id = $1`, [id]);
  });
}

// ---- quotas ----

export type QuotaInput = Pick<QuotaEntry, 'kind' | 'source' | 'mu'> & Partial<Pick<QuotaEntry, 'docNo' | 'securedOn'>>;

export async function addQuota(pool: pg.Pool, who: Actor, projectId: number, input: QuotaInput): Promise<QuotaEntry> {
  const id = await writing(pool, who, undefined, async (client) => {
    await projectRow(client, projectId, true);
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO project_quota (project_id, kind, source, mu, doc_no, secured_on, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [projectId, input.kind, input.source, input.mu, input.docNo ?? null, input.securedOn ?? null, who.username]);
    return rows[0].id;
  });
  return (await quotaEntries(pool, projectId)).find((e) => e.id === id)!;
}

export async function deleteQuota(pool: pg.Pool, who: Actor, projectId: number, id: number, version: number): Promise<void> {
  await writing(pool, who, undefined, async (client) => {
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM project_quota WHERE id = $1 AND project_id = $2 FOR UPDATE`, [id, projectId]);
    if (!rows[0]) throw new DomainError('not_found', `project ${projectId} has no quota entry ${id}`, { id });
    checkVersion(rows[0], version, `quota entry ${id}`);
    await client.query(`DELETE FROM project_quota WHERE id = $1`, [id]);
  });
}

// ---- the parcel rule (called by the write path, server/core/write.ts) ----

/**
 * A parcel or house may be signed (已签约) only once its project's 方案公告 has run its 30 days, or
 * with the reason recorded as an exception (procedure_exception).
 */
export async function checkSigning(client: pg.PoolClient, projectId: number, signedOn: string, exception: unknown): Promise<void> {
  if (typeof exception === 'string' && exception.trim()) return;
  const steps = (await stepsByProject(client, [projectId])).get(projectId) ?? [];
  const opens = signingOpensOn(steps);
  if (!opens || signedOn < opens) {
    throw new DomainError('procedure_not_ready',
      opens ? `signed on ${signedOn}, but the compensation plan notice (方案公告) runs its 30 days until ${opens}; record the reason in procedure_exception to sign earlier`
        : `the compensation plan (方案公告) of project ${projectId} has not been posted: nothing can be signed yet; record the reason in procedure_exception to sign anyway`,
      { field: 'status', opensOn: opens, projectId });
  }
}

// ---- the board (程序看板): every project by its current step ----

/** The procedure board as of a day: projects by step, overdue steps, notices still up, quotas needed and secured. */
export async function procedureBoard(pool: pg.Pool, opts: { asOf: string; areaId?: number; needs?: QuotaNeedCache }): Promise<ProcedureBoard> {
  const { rows: projects } = await pool.query<ProjectRow>(
    `SELECT id, code, name, command_area_id, approval_stage, approval_doc_no, approved_on FROM project
      WHERE ($1::int IS NULL OR command_area_id = $1) ORDER BY code`, [opts.areaId ?? null]);
  const ids = projects.map((p) => p.id);
  const [steps, needs, { rows: secured }] = await Promise.all([
    stepsByProject(pool, ids),
    opts.needs ? opts.needs.needs(pool, ids) : quotaNeeds(pool, ids),
    pool.query<{ project_id: number; kind: QuotaEntry['kind']; mu: number }>(
      `SELECT project_id, kind, sum(mu)::float8 AS mu FROM project_quota WHERE project_id = ANY ($1::int[]) AND (secured_on IS NULL OR secured_on <= $2)
        GROUP BY project_id, kind`, [ids, opts.asOf]),
  ]);
  const securedOf = (id: number, kind: QuotaEntry['kind']) => secured.find((s) => s.project_id === id && s.kind === kind)?.mu ?? 0;
  const board: BoardProject[] = projects.map((p) => {
    const own = steps.get(p.id) ?? [];
    const need = needs.get(p.id) ?? { construction: 0, cultivated: 0 };
    return {
      id: p.id, code: p.code, name: p.name, commandAreaId: p.command_area_id,
      current: currentStep(own, opts.asOf), warnings: procedureWarnings(own, opts.asOf), runningNotices: runningNotices(own, opts.asOf),
      construction: quotaFigures(need.construction, securedOf(p.id, 'construction')),
      cultivated: quotaFigures(need.cultivated, securedOf(p.id, 'cultivated')),
    };
  });
  const total = (of: BoardProject[], commandAreaId: number | null) => {
    const sum = (k: 'construction' | 'cultivated', f: keyof QuotaFigures) => of.reduce((s, p) => s + p[k][f], 0);
    const byStep: Record<string, number> = {};
    for (const p of of) byStep[p.current] = (byStep[p.current] ?? 0) + 1;
    return {
      commandAreaId, byStep,
      overdue: of.reduce((s, p) => s + p.warnings.filter((w) => w.code === 'step_overdue').length, 0),
      running: of.reduce((s, p) => s + p.runningNotices.length, 0),
      construction: { neededMu: round2(sum('construction', 'neededMu')), securedMu: round2(sum('construction', 'securedMu')), gapMu: round2(sum('construction', 'gapMu')) },
      cultivated: { neededMu: round2(sum('cultivated', 'neededMu')), securedMu: round2(sum('cultivated', 'securedMu')), gapMu: round2(sum('cultivated', 'gapMu')) },
    };
  };
  const areas = [...new Set(board.map((p) => p.commandAreaId))].sort((a, b) => a - b);
  return { asOf: opts.asOf, projects: board, totals: [...areas.map((a) => total(board.filter((p) => p.commandAreaId === a), a)), total(board, null)] };
}
