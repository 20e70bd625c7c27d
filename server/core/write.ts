// The write path (写入): every state change of a layer — the feature API's create, replace, patch,
// delete and restore, an import's commit, the problem log, the CLI's import and the map editor —
// goes through `writeFeatures`, which checks in one order:
//   1. the layer's writer role and the military grant (geo/roles.ts layerWriteRefusal)
//   2. the command-area scope (said to the database: the scope trigger checks each row before and after)
//   3. the attribute values against the layer's columns (types, coded values, required ones)
//   4. the status workflow (parcels and houses: 未签约 → 已签约 → 已付款 → 已交地, signing only once the
//      project's 方案公告 has run its 30 days, or with the exception's reason; problems: resolved dates)
//   5. the geometry (PostGIS validity, with the reason and where; a parcel may not overlap another of
//      its project by more than PARCEL_OVERLAP_TOLERANCE_M2)
//   6. the optimistic version (the row is locked and its version compared)
// and then writes, in one transaction that says who writes and why, so the history trigger records
// every change with its before and after and the tile caches hear of it (migrations/functions/20_history.sql, 30_layer_notify.sql).
// A batch (an import) is all or nothing: every change is tried, each refusal is named with its
// feature's reference (file line or record) and reason, and if any is refused nothing is written.
import type pg from 'pg';
import { TAKE_STATUS, TAKE_STATUS_NEXT } from '../../geo/domain.ts';
import { PARCEL_OVERLAP_TOLERANCE_M2 } from '../../geo/area.ts';
import type { ErrorCode, ErrorParams } from '../../geo/errors.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { beijingDate, isCalendarDate } from '../../geo/time.ts';
import { layerWriteRefusal, type Grantee, ROLE_IDS } from '../../geo/roles.ts';
import { codeOf } from '../../geo/vocabulary.ts';
import { withTransaction } from '../db/transaction.ts';
import { declareWriter, deferProgress, ingestDeferredProgress } from '../db/writer.ts';
import { type CollectionColumns, type Column, ident } from './catalogue.ts';
import { DomainError, fromDatabaseError, scopeParams } from './errors.ts';
import { checkSigning } from './procedure.ts';
import { needsGrant, seesSensitive, sensitiveColumns, writableBy } from './release.ts';

/** Who writes: an account (its roles and command areas), or a local tool with the database's own rights. */
export interface Actor extends Grantee {
  username: string;
  /** a local tool (the CLI, the demo loader): every role, no command-area scope */
  local?: boolean;
}

export const localActor = (username: string): Actor => ({ username, roles: ROLE_IDS, areaIds: [], local: true });

/** A geometry to store: GeoJSON in east/north order in `srid`, or an import preview's stored one (EPSG:4490). */
export type GeometryInput = { geojson: string; srid: number } | { importBatch: number; seq: number };

export type Change =
  | { op: 'create'; props: Map<string, unknown>; geometry: GeometryInput | null; ref?: string }
  /** `geometry: null` takes the geometry away (where the layer allows none: a problem without a place) */
  | { op: 'update'; id: number; version: number; props: Map<string, unknown>; geometry?: GeometryInput | null; ref?: string }
  | { op: 'delete'; id: number; version: number; ref?: string }
  /** make version `from` current again (a new write); `version` is the current one's, when it exists */
  | { op: 'restore'; id: number; from: number; version?: number; ref?: string };

export interface WriteTarget {
  pool: pg.Pool;
  layer: LayerDef;
  cols: CollectionColumns;
}

export interface WriteResult {
  id: number;
  version: number;
  op: Change['op'];
}

export interface WriteOptions {
  reason?: string;
  /** try every change and refuse the batch naming each refused one (imports) */
  batch?: boolean;
  /**
   * more work in the same transaction once every change is written (an import marks itself committed;
   * the feature API reads what it wrote, so its answer cannot be lost to a connection dropped after
   * the commit)
   */
  finally?: (client: pg.PoolClient, results: WriteResult[]) => Promise<void>;
  /** this transaction's statement_timeout (an import's long limit), instead of the connection's */
  statementTimeoutMs?: number;
}

/** One refused change of a batch. */
export interface Refusal {
  ref: string;
  error: string;
  message: string;
  params: ErrorParams;
  field?: string;
}

/**
 * A batch's refusal: `import_stale` (412) when a target changed since it was read, else
 * `import_refused` (422); each refused change named with its reference, code, reason and params.
 */
export function refusedBatch(refused: Refusal[], total: number): DomainError {
  const stale = refused.some((r) => r.error === 'stale_version');
  return new DomainError(stale ? 'import_stale' : 'import_refused',
    `${refused.length} of ${total} change(s) refused, nothing was written: ${refused.slice(0, 5).map((r) => `${r.ref}: ${r.message}`).join('; ')}${refused.length > 5 ? '; …' : ''}`,
    { count: refused.length, total, refused: refused.map((r) => ({ ref: r.ref, error: r.error, message: r.message, params: r.params, field: r.field ?? null })) });
}

// ---- 1. who may write ----

export function checkWriter(who: Actor, layer: LayerDef): void {
  if (who.local) return;
  const why = layerWriteRefusal(who, layer.id);
  if (why) throw new DomainError('forbidden', why, { layer: layer.id, role: layer.writer ?? null, military: needsGrant(layer) });
}

/** The command areas a write is held to: an editor's own, on the layers editors write; nothing else is scoped. */
const scopeOf = (who: Actor, layer: LayerDef): readonly number[] | null =>
  who.local || layer.writer !== 'editor' ? null : who.areaIds;

/** Why a write would be refused, as its error body says it: code, params. */
export interface WriteRefusal {
  code: ErrorCode;
  message: string;
  params: ErrorParams;
}

/**
 * Why `who` may not write feature `id` of `layer` at all, or null when they may: the checks of a
 * write that do not depend on the change — the writer role and grant (checkWriter) and the command-area
 * scope of the row as it is (the scope trigger's own function, zs_scope_refusal) — so a client knows
 * before it offers an edit (GET …/items/{fid} answers it as "writable"). What a change would do to
 * values, workflow, geometry and version is still checked by the write.
 */
export async function writeRefusal(db: pg.Pool | pg.PoolClient, who: Actor, layer: LayerDef, id: number): Promise<WriteRefusal | null> {
  try {
    checkWriter(who, layer);
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, params: err.params };
    throw err;
  }
  const areas = scopeOf(who, layer);
  if (!areas) return null;
  const g = ident(layer.geometryColumn);
  const { rows } = await db.query<{ refusal: unknown }>(
    `SELECT zs_scope_refusal($1, t.${g}, to_jsonb(t) - '${layer.geometryColumn}' - 'content', $3::int[]) AS refusal FROM ${ident(layer.table)} t WHERE t.id = $2`,
    [layer.table, id, areas]);
  const refusal = rows[0]?.refusal;
  if (!refusal) return null;
  return { code: 'out_of_scope', message: `${layer.id} ${id} lies outside your command areas`, params: scopeParams(refusal) };
}

// ---- 3. values ----


const typeName: Record<Column['kind'], string> = {
  text: 'a string', int: 'a whole number', number: 'a number', boolean: 'true or false', date: 'a date YYYY-MM-DD',
  timestamp: 'a timestamp', other: 'a value',
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const MAX_TEXT = 10_000;
const MAX_INT = 2_147_483_647;

/**
 * One attribute value checked against its column and converted (coded labels → keys). `fromFile`:
 * values read from a file are text; numbers, booleans and dates written as text are taken.
 */
export function checkValue(col: Column, value: unknown, fromFile = false): unknown {
  const params = { field: col.name, expected: col.kind };
  const wrong = () => new DomainError('wrong_type', `"${col.name}" must be ${typeName[col.kind]}${col.nullable ? ' or null' : ''}, got ${describe(value)}`, params);
  if (value === null) {
    if (!col.nullable) throw new DomainError('missing_attribute', `"${col.name}" is required and cannot be null`, { field: col.name });
    return null;
  }
  if (fromFile && typeof value === 'string') {
    const t = value.trim();
    if ((col.kind === 'int' || col.kind === 'number') && t !== '' && Number.isFinite(Number(t))) value = Number(t);
    else if (col.kind === 'boolean' && /^(true|false|是|否)$/i.test(t)) value = /^(true|是)$/i.test(t);
  }
  switch (col.kind) {
    case 'text': {
      if (typeof value !== 'string') throw wrong();
      if (value.includes('\0')) throw new DomainError('wrong_value', `"${col.name}" holds a NUL character`, { field: col.name });
      if (value.length > MAX_TEXT) throw new DomainError('wrong_value', `"${col.name}" is longer than ${MAX_TEXT} characters`, { field: col.name, max: MAX_TEXT });
      if (col.vocab) {
        const code = codeOf(col.vocab, value.trim());
        if (!code) {
          throw new DomainError('wrong_value', `"${col.name}" must be one of ${Object.entries(col.vocab).map(([k, l]) => `${k} (${l.zh})`).join(', ')}; got ${JSON.stringify(value)}`,
            { field: col.name, allowed: Object.keys(col.vocab) });
        }
        return code;
      }
      return value;
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong();
      if (Math.abs(value) > MAX_INT) throw new DomainError('wrong_value', `"${col.name}" is out of range`, { field: col.name, max: MAX_INT });
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      if (Math.abs(value) > 1e15) throw new DomainError('wrong_value', `"${col.name}" is out of range`, { field: col.name, max: 1e15 });
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) throw wrong();
      return value;
    case 'timestamp':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)) || value.startsWith('0000')) throw wrong();
      return value;
    default:
      return value;
  }
}

export type WriteMode = 'create' | 'replace' | 'patch';

/**
 * A change's attributes checked against the layer's columns: unknown names refused (read-only ones
 * sent back as read are ignored), values checked, required ones present on create, and on replace
 * the missing ones back to their defaults (`undefined`).
 */
export function checkProps(given: Record<string, unknown>, layer: LayerDef, cols: CollectionColumns, mode: WriteMode,
  opts: { fromFile?: boolean; sees?: boolean } = {}): Map<string, unknown> {
  const stamped = layer.workflow ? STAMPED_ON_CREATE[layer.workflow] : [];
  const props = new Map<string, unknown>();
  const writable = writableBy(cols.writable, layer, opts.sees !== false);
  const byName = new Map(writable.map((c) => [c.name, c]));
  for (const [name, value] of Object.entries(given)) {
    const col = byName.get(name);
    if (!col) {
      // the procedure's columns are kept as given, for checkProcedureOwned to compare with the stored ones
      if (layer.procedureOwned && name in layer.procedureOwned) props.set(name, value);
      if (cols.readOnly.has(name)) continue;
      throw new DomainError('unknown_attribute', `"${name}" is not an attribute of ${layer.id}; its attributes are ${[...byName.keys()].join(', ')}`,
        { field: name, layer: layer.id, allowed: [...byName.keys()] });
    }
    props.set(name, checkValue(col, value, opts.fromFile));
  }
  if (mode !== 'patch') {
    for (const col of writable) {
      if (props.has(col.name)) continue;
      if (!col.nullable && !col.hasDefault && !(mode === 'create' && stamped.includes(col.name))) throw new DomainError('missing_attribute', `"${col.name}" is required`, { field: col.name, layer: layer.id });
      if (mode === 'replace') props.set(col.name, undefined);
    }
  }
  return props;
}

// ---- 4. workflow ----

/** Columns a workflow fills on create when not given (a problem is opened today). */
const STAMPED_ON_CREATE: Record<NonNullable<LayerDef['workflow']>, string[]> = { take: [], problem: ['opened_on'] };

type Status = keyof typeof TAKE_STATUS;

/** Today in Beijing (the district's calendar day). */

/** The dates a step of the take workflow stamps when none is given. */
const STEP_DATE: Partial<Record<Status, string>> = { signed: 'signed_on', paid: 'paid_on', handed_over: 'handed_over_on', court: 'court_filed_on' };

const statusLabel = (s: Status) => TAKE_STATUS[s] ?? { zh: s, en: s };

function checkWorkflow(layer: LayerDef, current: Record<string, unknown> | null, props: Map<string, unknown>): void {
  if (layer.workflow === 'take') {
    const to = props.get('status') as Status | undefined;
    if (!current) {
      if (to !== undefined && to !== 'unsigned') {
        throw new DomainError('status_transition', `a new ${layer.id} starts as 未签约 (unsigned), not ${statusLabel(to).zh} (${to})`,
          { field: 'status', from: null, to, allowed: ['unsigned'] });
      }
      return;
    }
    const from = current.status as Status;
    if (to === undefined || to === from) return;
    const allowed = TAKE_STATUS_NEXT[from] ?? [];
    if (!allowed.includes(to)) {
      const label = (s: Status) => `${statusLabel(s).zh} (${s})`;
      throw new DomainError('status_transition',
        `status cannot go from ${label(from)} to ${label(to)}; ${allowed.length ? `allowed next: ${allowed.map(label).join(', ')}` : `${label(from)} is final`}`,
        { field: 'status', from, to, allowed });
    }
    const dateCol = STEP_DATE[to];
    if (dateCol && !props.has(dateCol) && current[dateCol] == null) props.set(dateCol, beijingDate());
  } else if (layer.workflow === 'problem') {
    if (!current) {
      if (!props.has('opened_on') || props.get('opened_on') === undefined) props.set('opened_on', beijingDate());
      if (props.get('status') === 'resolved' && !props.get('resolved_on')) props.set('resolved_on', beijingDate());
      return;
    }
    const to = props.get('status');
    // resolving without a date: resolved today; reopening clears the date
    if (to === 'resolved' && !props.has('resolved_on')) props.set('resolved_on', current.resolved_on ?? beijingDate());
    if (to !== undefined && to !== 'resolved' && !props.has('resolved_on')) props.set('resolved_on', null);
  }
}

/** Signing (已签约) follows the legal procedure: the project's 方案公告 has run its 30 days, or the write records why not (server/core/procedure.ts). */
/**
 * The columns the legal procedure writes (LayerDef.procedureOwned) may come back as they are (a client
 * sends what it read), never changed: the approval is recorded as the 报批 step, with its 批复文号.
 * Unchanged, they are dropped from the write.
 */
function checkProcedureOwned(layer: LayerDef, current: Record<string, unknown> | null, props: Map<string, unknown>): void {
  const owned = layer.procedureOwned;
  if (!owned) return;
  const norm = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
  for (const [name, initial] of Object.entries(owned)) {
    if (!props.has(name)) continue;
    const stored = current ? current[name] : initial;
    if (norm(props.get(name)) !== norm(stored)) {
      throw new DomainError('procedure_owned',
        `"${name}" is recorded by the project's legal procedure (the 报批 step: PUT /api/projects/{id}/procedure/application), not as an attribute`,
        { field: name, layer: layer.id, step: 'application' }, { field: name });
    }
    props.delete(name);
  }
}

async function checkProcedure(client: pg.PoolClient, layer: LayerDef, current: Record<string, unknown>, props: Map<string, unknown>): Promise<void> {
  if (layer.workflow !== 'take' || props.get('status') !== 'signed' || current.status === 'signed') return;
  const pick = (name: string) => (props.has(name) ? props.get(name) : current[name]);
  await checkSigning(client, Number(pick('project_id')), String(pick('signed_on') ?? beijingDate()), pick('procedure_exception'));
}

// ---- 5. geometry ----

/** The geometry as stored: 2D, EPSG:4490, repeated points removed, multi for polygons and lines. */
function geometrySql(layer: LayerDef, input: GeometryInput, params: unknown[]): string {
  let inner: string;
  if ('geojson' in input) {
    params.push(input.geojson);
    const g = `ST_SetSRID(ST_GeomFromGeoJSON($${params.length}::text), ${Number(input.srid)})`;
    inner = input.srid === 4490 ? g : `ST_Transform(${g}, 4490)`;
  } else {
    params.push(input.importBatch, input.seq);
    inner = `(SELECT f.geom FROM import_feature f WHERE f.batch_id = $${params.length - 1} AND f.seq = $${params.length})`;
  }
  if (layer.geometry === 'point') return `ST_GeometryN(ST_Force2D(${inner}), 1)`;
  const family = layer.geometry === 'polygon' ? 3 : 2;
  return `ST_Multi(ST_CollectionExtract(ST_RemoveRepeatedPoints(ST_Force2D(${inner})), ${family}))`;
}

/** Refuse an invalid geometry with PostGIS's reason and location (ST_IsValidDetail). */
async function checkGeometry(client: pg.PoolClient, layer: LayerDef, input: GeometryInput): Promise<void> {
  const params: unknown[] = [];
  const g = geometrySql(layer, input, params);
  const { rows } = await client.query<{ empty: boolean; valid: boolean; reason: string | null; x: number | null; y: number | null }>(
    `SELECT g IS NULL OR ST_IsEmpty(g) AS empty, d.valid, d.reason, ST_X(d.location) x, ST_Y(d.location) y
       FROM (SELECT ${g} AS g) s LEFT JOIN LATERAL ST_IsValidDetail(s.g) d ON true`, params);
  const d = rows[0];
  if (!d || d.empty) throw new DomainError('empty_geometry', `the geometry has no ${layer.geometry} in it`, { field: 'geometry', layer: layer.id }, { status: 422 });
  if (!d.valid) {
    const location: [number, number] | null = d.x !== null ? [d.x, d.y!] : null;
    const self = /self-intersection|ring self/i.test(d.reason ?? '');
    throw new DomainError(self ? 'self_intersection' : 'invalid_geometry',
      `the geometry is not valid: ${d.reason}${location ? ` at longitude ${location[0].toFixed(7)}, latitude ${location[1].toFixed(7)}` : ''}`,
      { field: 'geometry', path: 'geometry', reason: d.reason, location });
  }
}

/**
 * A parcel may not overlap another parcel of its project (one red line) by more than
 * PARCEL_OVERLAP_TOLERANCE_M2 (ellipsoidal, as area_m2 is measured): shared edges and rounding slivers
 * pass. `geom` is the SQL of the geometry as it will be stored (its params in `params`). Refused with
 * the neighbour that overlaps most, how much, and how many others do.
 */
async function checkParcelOverlap(client: pg.PoolClient, layer: LayerDef, geom: string, params: unknown[], projectId: unknown, selfId: number | null): Promise<void> {
  if (layer.id !== 'parcel' || projectId === undefined || projectId === null) return;
  // one writer of a project's parcels at a time until commit: two overlapping parcels written at once
  // would each find the other not there yet
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('zs_parcel_overlap'), $1::int)`, [projectId]);
  params.push(projectId, selfId ?? 0, PARCEL_OVERLAP_TOLERANCE_M2);
  const n = params.length;
  const { rows } = await client.query<{ id: number; code: string; m2: number; others: string }>(
    `SELECT id, code, m2, count(*) OVER () - 1 AS others FROM (
       SELECT p.id, p.code, ST_Area(ST_Intersection(p.geom, s.g)::geography) AS m2
         FROM (SELECT ${geom} AS g) s JOIN parcel p
           ON p.project_id = $${n - 2}::int AND p.id <> $${n - 1}::int AND ST_Intersects(p.geom, s.g)) o
      WHERE m2 > $${n}::float8 ORDER BY m2 DESC, id LIMIT 1`, params);
  const hit = rows[0];
  if (!hit) return;
  const m2 = Math.round(hit.m2 * 100) / 100;
  throw new DomainError('parcel_overlap',
    `the parcel overlaps parcel ${hit.code} (id ${hit.id}) of the same project by ${m2} m² (more than ${PARCEL_OVERLAP_TOLERANCE_M2} m²)${Number(hit.others) ? `, and ${hit.others} other parcel(s)` : ''}`,
    { field: 'geometry', neighbour: { id: hit.id, code: hit.code }, overlapM2: m2, others: Number(hit.others), toleranceM2: PARCEL_OVERLAP_TOLERANCE_M2 });
}

// ---- 6. version ----

interface Current {
  version: number;
  row: Record<string, unknown>;
}

async function lockRow(client: pg.PoolClient, layer: LayerDef, id: number, requireGeometry: boolean): Promise<Current | null> {
  const { rows } = await client.query<Current>(
    `SELECT t.version, to_jsonb(t) - '${layer.geometryColumn}' - '${layer.geometryColumn}_3857' AS row FROM ${ident(layer.table)} t
      WHERE t.id = $1 ${requireGeometry ? `AND t.${ident(layer.geometryColumn)} IS NOT NULL` : ''} FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

function checkVersion(current: Current | null, id: number, expected: number, layer: LayerDef): asserts current is Current {
  if (!current) throw new DomainError('not_found', `${layer.id} has no feature ${id}`, { layer: layer.id, id });
  if (current.version !== expected) {
    throw new DomainError('stale_version',
      `feature ${id} is at version ${current.version}, not ${expected}: someone changed it since you read it; read it again and redo your change`,
      { layer: layer.id, id, currentVersion: current.version, yourVersion: expected });
  }
}

// ---- the writes ----

async function create(client: pg.PoolClient, t: WriteTarget, who: Actor, c: Extract<Change, { op: 'create' }>): Promise<WriteResult> {
  const { layer } = t;
  checkWorkflow(layer, null, c.props);
  checkProcedureOwned(layer, null, c.props);
  if (c.geometry) {
    await checkGeometry(client, layer, c.geometry);
    const params: unknown[] = [];
    await checkParcelOverlap(client, layer, geometrySql(layer, c.geometry, params), params, c.props.get('project_id'), null);
  }
  const cols: string[] = [];
  const values: string[] = [];
  const params: unknown[] = [];
  for (const [name, value] of c.props) {
    if (value === undefined) continue;
    params.push(value);
    cols.push(ident(name));
    values.push(`$${params.length}`);
  }
  params.push(who.username);
  cols.push('updated_by');
  values.push(`$${params.length}`);
  if (c.geometry) {
    cols.push(ident(layer.geometryColumn));
    values.push(geometrySql(layer, c.geometry, params));
  }
  const { rows } = await client.query<{ id: number; version: number }>(
    `INSERT INTO ${ident(layer.table)} (${cols.join(', ')}) VALUES (${values.join(', ')}) RETURNING id, version`, params);
  return { ...rows[0], op: 'create' };
}

async function update(client: pg.PoolClient, t: WriteTarget, c: Extract<Change, { op: 'update' }>): Promise<WriteResult> {
  const { layer } = t;
  const current = await lockRow(client, layer, c.id, layer.id === 'red_line');
  checkVersion(current, c.id, c.version, layer);
  checkWorkflow(layer, current.row, c.props);
  checkProcedureOwned(layer, current.row, c.props);
  await checkProcedure(client, layer, current.row, c.props);
  if (c.geometry) await checkGeometry(client, layer, c.geometry);
  if (c.geometry || (c.props.has('project_id') && c.props.get('project_id') !== current.row.project_id)) {
    const params: unknown[] = [];
    const geom = c.geometry ? geometrySql(layer, c.geometry, params) : `(SELECT geom FROM parcel WHERE id = ${Number(c.id)})`;
    await checkParcelOverlap(client, layer, geom, params, c.props.has('project_id') ? c.props.get('project_id') : current.row.project_id, c.id);
  }
  const sets: string[] = [];
  const params: unknown[] = [c.id];
  for (const [name, value] of c.props) {
    if (value === undefined) {
      sets.push(`${ident(name)} = DEFAULT`);
    } else {
      params.push(value);
      sets.push(`${ident(name)} = $${params.length}`);
    }
  }
  if (c.geometry) sets.push(`${ident(layer.geometryColumn)} = ${geometrySql(layer, c.geometry, params)}`);
  else if (c.geometry === null) sets.push(`${ident(layer.geometryColumn)} = NULL`);
  if (sets.length === 0) sets.push('version = version'); // a no-op patch is still a recorded write
  const { rows } = await client.query<{ id: number; version: number }>(
    `UPDATE ${ident(layer.table)} SET ${sets.join(', ')} WHERE id = $1 RETURNING id, version`, params);
  return { ...rows[0], op: 'update' };
}

/** Delete (a red line is taken off its project, which stays). History keeps every version. */
async function remove(client: pg.PoolClient, t: WriteTarget, c: Extract<Change, { op: 'delete' }>): Promise<WriteResult> {
  const { layer } = t;
  const current = await lockRow(client, layer, c.id, layer.id === 'red_line');
  checkVersion(current, c.id, c.version, layer);
  if (layer.id === 'red_line') await client.query(`UPDATE project SET red_line = NULL WHERE id = $1`, [c.id]);
  else await client.query(`DELETE FROM ${ident(layer.table)} WHERE id = $1`, [c.id]);
  return { id: c.id, version: current.version, op: 'delete' };
}

/** A geometry held in change_log JSON (GeoJSON object, or hex EWKB from older writers). */
export const jsonGeometrySql = (expr: string): string =>
  `(CASE jsonb_typeof(${expr}) WHEN 'object' THEN ST_SetSRID(ST_GeomFromGeoJSON((${expr})::text), 4490)
     WHEN 'string' THEN ST_SetSRID(((${expr}) #>> '{}')::geometry, 4490) END)`;

/**
 * Make a past version current again: a new write, recorded like any other. A deleted feature comes
 * back under its id. The status workflow does not apply: a restore undoes, it does not progress.
 */
async function restore(client: pg.PoolClient, t: WriteTarget, who: Actor, c: Extract<Change, { op: 'restore' }>): Promise<WriteResult> {
  const { layer, cols } = t;
  const { rows: entries } = await client.query<{ after: Record<string, unknown> }>(
    `SELECT after FROM change_log WHERE layer = $1 AND feature_id = $2 AND version = $3 AND after IS NOT NULL ORDER BY id DESC LIMIT 1`,
    [layer.table, c.id, c.from],
  );
  if (!entries[0]) throw new DomainError('not_found', `${layer.id} feature ${c.id} has no version ${c.from} in its history`, { layer: layer.id, id: c.id, version: c.from });
  const current = await lockRow(client, layer, c.id, false);
  const names = cols.writable.map((col) => ident(col.name));
  // the history records the restore as the version it brings back (migrations/functions/20_history.sql)
  // (a refused restore rolls the setting back with its transaction or savepoint)
  await client.query(`SELECT set_config('zs.restored_from', $1, true)`, [String(c.from)]);
  const written = await restoreRow(client, t, who, c, current, entries[0].after, names);
  await client.query(`SELECT set_config('zs.restored_from', '', true)`);
  // the version brought back may overlap a parcel drawn since: checked on the row as restored, in the same transaction
  await checkParcelOverlap(client, layer, `(SELECT geom FROM parcel WHERE id = ${Number(c.id)})`, [], written.project_id, c.id);
  return { id: written.id, version: written.version, op: 'restore' };
}

async function restoreRow(client: pg.PoolClient, t: WriteTarget, who: Actor, c: Extract<Change, { op: 'restore' }>, current: Current | null,
  after: Record<string, unknown>, names: string[]): Promise<{ id: number; version: number; project_id?: number }> {
  const { layer } = t;
  const geom = layer.geometryColumn;
  const returning = `RETURNING id, version${layer.id === 'parcel' ? ', project_id' : ''}`;
  const from = `jsonb_populate_record(NULL::${ident(layer.table)}, $2::jsonb - '${geom}')`;
  if (current) {
    if (c.version === undefined) {
      throw new DomainError('precondition_required', `restoring over feature ${c.id} needs If-Match with its current ETag ("${current.version}")`,
        { currentVersion: current.version });
    }
    checkVersion(current, c.id, c.version, layer);
    const { rows } = await client.query<{ id: number; version: number; project_id?: number }>(
      `UPDATE ${ident(layer.table)} t SET (${names.join(', ')}) = (SELECT ${names.map((n) => `r.${n}`).join(', ')} FROM ${from} r),
              ${ident(geom)} = ${jsonGeometrySql(`$2::jsonb -> '${geom}'`)}
        WHERE t.id = $1 ${returning}`,
      [c.id, after],
    );
    return rows[0];
  }
  const { rows } = await client.query<{ id: number; version: number; project_id?: number }>(
    `INSERT INTO ${ident(layer.table)} (id, ${names.join(', ')}, ${ident(geom)}, version, updated_by)
     SELECT $1::int, ${names.map((n) => `r.${n}`).join(', ')}, ${jsonGeometrySql(`$2::jsonb -> '${geom}'`)},
            (SELECT coalesce(max(version), 0) + 1 FROM change_log WHERE layer = $3 AND feature_id = $1::int), $4
       FROM ${from} r ${returning}`,
    [c.id, after, layer.table, who.username],
  );
  return rows[0];
}

function apply(client: pg.PoolClient, t: WriteTarget, who: Actor, c: Change): Promise<WriteResult> {
  switch (c.op) {
    case 'create': return create(client, t, who, c);
    case 'update': return update(client, t, c);
    case 'delete': return remove(client, t, c);
    case 'restore': return restore(client, t, who, c);
  }
}

/** A refusal from the database (constraint, scope trigger, bad value) as a DomainError; anything else as it is. */
const asDomain = (err: unknown, layer: LayerDef): unknown => (err instanceof DomainError ? err : fromDatabaseError(err, layer.table) ?? err);

/**
 * Every state change of a layer. One change (the feature API, the problem log) throws its refusal;
 * a batch (`batch: true`) throws `import_refused` (or `import_stale` when a target changed since it
 * was read) listing every refused change, and writes nothing.
 */
export async function writeFeatures(t: WriteTarget, who: Actor, changes: Change[], opts: WriteOptions = {}): Promise<WriteResult[]> {
  checkWriter(who, t.layer);
  const restricted = sensitiveColumns(t.layer);
  if (!seesSensitive(who) && !who.local && changes.some((c) => 'props' in c && restricted.some((s) => c.props.has(s)))) {
    throw new DomainError('forbidden', `writing ${restricted.join(', ')} needs the military grant`, { layer: t.layer.id, role: 'military' });
  }
  try {
    return await withTransaction(t.pool, async (client) => {
      await declareWriter(client, { actor: who.username, scopeAreaIds: scopeOf(who, t.layer) }, opts.reason);
      const progressSince = opts.batch ? await deferProgress(client) : undefined;
      const results: WriteResult[] = [];
      const refused: Refusal[] = [];
      for (const [i, change] of changes.entries()) {
        if (!opts.batch) {
          results.push(await apply(client, t, who, change));
          continue;
        }
        await client.query('SAVEPOINT zs_change');
        try {
          results.push(await apply(client, t, who, change));
          await client.query('RELEASE SAVEPOINT zs_change');
        } catch (err) {
          const e = asDomain(err, t.layer);
          if (!(e instanceof DomainError)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT zs_change');
          refused.push({ ref: change.ref ?? `#${i + 1}`, error: e.code, message: e.message, params: e.params, ...(e.field ? { field: e.field } : {}) });
        }
      }
      if (refused.length) throw refusedBatch(refused, changes.length);
      if (progressSince !== undefined) await ingestDeferredProgress(client, progressSince);
      if (opts.finally) await opts.finally(client, results);
      return results;
    }, { statementTimeoutMs: opts.statementTimeoutMs });
  } catch (err) {
    throw asDomain(err, t.layer);
  }
}
