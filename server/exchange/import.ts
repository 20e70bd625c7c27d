// Import: uploaded files → parsed features → a preview batch (stored, validated, drawable on the map)
// → commit: every feature written through the core's write path (server/core/write.ts: the layer's
// writer role, the area scope, values, workflow, geometry, the version the preview saw) as one batch,
// all or nothing, recorded in the history (changed_by = the actor). A preview belongs to whoever
// uploaded it (or an admin) and expires. Shared by the HTTP routes and the CLI.
import { sql } from 'kysely';
import type pg from 'pg';
import { crsInfo, gaussKrugerEpsg, zoneForLongitude } from '../../geo/crs.ts';
import { TAKE_STATUS } from '../../geo/domain.ts';
import { DISTRICT_BBOX, LAYER_BY_ID, type LayerDef } from '../../geo/layers.ts';
import { has } from '../../geo/roles.ts';
import { type CollectionColumns, type FeatureColumns, ident } from '../core/catalogue.ts';
import { DomainError } from '../core/errors.ts';
import { dbOf } from '../db/kysely.ts';
import { needsGrant, seesSensitive } from '../core/release.ts';
import { withTransaction } from '../db/transaction.ts';
import { type Actor, type Change, checkProps, checkWriter, refusedBatch, type Refusal, writeFeatures } from '../core/write.ts';
import { ExchangeError } from './formats-known.ts';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.ts';
import { prepare } from './parse-in-worker.ts';
import { type Column, expandUpload, type FieldType, uploadName, withImportDir } from './prepare.ts';
import { FileFormatError, type ImportOptions, type Issue, type UploadedFile } from './types.ts';

export interface PreviewOptions extends ImportOptions {
  layer: string;
  /** the sizes an upload may expand to (IMPORT_MAX_UNCOMPRESSED_MB); the defaults when not given */
  limits?: ImportLimits;
  /** a folder for the files unzipped (the request's, removed by its caller); else one of its own, removed here */
  workDir?: string;
  /** the request ended (the client went away): its parse worker stops */
  signal?: AbortSignal;
  /** the statement_timeout of the preview's transaction (the server's long limit; unset = the connection's) */
  statementTimeoutMs?: number;
  actor: Actor;
  /** previews older than this are removed (IMPORT_PREVIEW_HOURS) */
  previewHours: number;
  /** every layer's columns (the catalogue bound to the database: app.featureColumns()) */
  columns: FeatureColumns;
  /** file field → layer column (null: ignore); merged over the automatic mapping */
  mapping?: Record<string, string | null>;
  /** column values for features that lack them (e.g. project_id for new parcels) */
  defaults?: Record<string, unknown>;
}

export interface PreviewFeature {
  seq: number;
  ref: string;
  action: 'insert' | 'update' | 'skip';
  attrs: Record<string, unknown>;
  issues: Issue[];
}

export interface Preview {
  id: number;
  fileName: string;
  format: string;
  layer: string;
  crs: { epsg: number | null; name: string | null; source: string | null };
  encoding: string | null;
  fields: string[];
  /** file field → the type of its values (prepare.ts) */
  fieldTypes: Record<string, FieldType>;
  mapping: Record<string, string | null>;
  notes: string[];
  counts: { features: number; errors: number; warnings: number; insert: number; update: number };
  status: 'preview' | 'committed';
  features: PreviewFeature[];
}

/** The layer's writable columns as the catalogue knows them (the same the commit checks against). */
const importColumns = (cols: CollectionColumns): Column[] => cols.writable.map((c) => ({ name: c.name, required: !c.nullable && !c.hasDefault }));

// ---- preview ----

/** Remove previews nobody committed in time, with their rows. */
export async function removeExpiredPreviews(pool: pg.Pool, hours: number): Promise<number> {
  const res = await dbOf(pool).deleteFrom('import_batch')
    .where('status', '=', 'preview').where('created_at', '<', sql<Date>`now() - make_interval(hours => ${hours})`).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Remove expired previews every `everyMs` (and once now), on a timer that does not keep the process
 * alive; returns what stops it. A failed sweep (the database away) is reported and tried again next time.
 */
export function startPreviewSweep(pool: pg.Pool, hours: number, everyMs: number, onError: (err: unknown) => void): () => void {
  const sweep = () => { removeExpiredPreviews(pool, hours).catch(onError); };
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  const first = setImmediate(sweep);
  return () => { clearInterval(timer); clearImmediate(first); };
}

export async function createPreview(pool: pg.Pool, files: UploadedFile[], opts: PreviewOptions): Promise<Preview> {
  const layer = LAYER_BY_ID.get(opts.layer);
  if (!layer) throw new ExchangeError(`no layer "${opts.layer}"`, 404, 'not_found', { layer: opts.layer });
  // only into a layer the uploader may write: the same rule the commit applies
  checkWriter(opts.actor, layer);
  await removeExpiredPreviews(pool, opts.previewHours);
  const columns = importColumns(opts.columns.get(layer.id)!);
  const fileName = uploadName(files);
  const prepared = await withImportDir(opts.workDir, async (dir) => {
    const expanded = await expandUpload(files, dir, opts.limits ?? DEFAULT_IMPORT_LIMITS);
    return prepare(expanded.files, expanded.bytes, {
      fileName, layer: layer.id, columns, epsg: opts.epsg, encoding: opts.encoding, mapping: opts.mapping, defaults: opts.defaults,
    }, opts.signal);
  });

  let id: number;
  try {
    id = await withTransaction(pool, async (client) => {
      const crsSource = prepared.attributesOnly ? null : prepared.crsSource ?? null;
      const { rows: [{ id }] } = await client.query<{ id: number }>(
        `INSERT INTO import_batch (created_by, file_name, format, layer, source_epsg, crs_source, mapping, defaults, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::int`,
        [opts.actor.username, fileName, prepared.format, layer.id, prepared.epsg ?? null, crsSource, JSON.stringify(prepared.mapping), JSON.stringify(prepared.defaults),
          JSON.stringify({ encoding: prepared.encoding ?? null, fields: prepared.fields, fieldTypes: prepared.fieldTypes, notes: prepared.notes })],
      );
      const planar = prepared.epsg && !crsInfo(prepared.epsg).geographic ? prepared.epsg : null;
      for (const chunk of prepared.chunks) {
        await client.query(
          `INSERT INTO import_feature (batch_id, seq, source_ref, props, attrs, geom, file_area_m2, planar_epsg, issues)
           SELECT $1, r.seq, r.ref, r.props, r.attrs,
                  CASE WHEN r.geom IS NULL THEN NULL ELSE ST_Transform(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(r.geom)), $2::int), 4490) END,
                  r.file_area_m2, $3::int, r.issues
             FROM jsonb_to_recordset($4::jsonb) AS r(seq int, ref text, props jsonb, attrs jsonb, geom text, file_area_m2 float8, issues jsonb)`,
          [id, prepared.epsg ?? 4490, planar, chunk],
        );
      }
      await validateBatch(client, id, layer, columns, prepared.defaults, !!prepared.attributesOnly, new Map(prepared.rounding));
      return id;
    }, { statementTimeoutMs: opts.statementTimeoutMs });
  } catch (err) {
    if (err instanceof ExchangeError || err instanceof FileFormatError) throw err;
    const e = err as Error & { code?: string };
    if (e.code && /^(22|XX|23)/.test(e.code)) throw new ExchangeError(`${fileName}: PostGIS could not read a geometry: ${e.message}`, 422);
    throw err;
  }
  return loadPreview(pool, id, opts.actor, opts.previewHours);
}

/** The checks that need PostGIS: validity with location, district extent, stated vs computed area, matches and required fields. */
async function validateBatch(client: pg.PoolClient, id: number, layer: LayerDef, columns: Column[], defaults: Record<string, unknown>, attributesOnly: boolean,
  rounding: ReadonlyMap<number, number>): Promise<void> {
  const [x0, y0, x1, y1] = DISTRICT_BBOX;
  const hasCode = columns.some((c) => c.name === 'code');
  const { rows } = await client.query<{
    seq: number; valid: boolean | null; reason: string | null; lon: number | null; lat: number | null; inside: boolean | null;
    file_area: number | null; computed: number | null; planar_epsg: number | null; cx: number | null; exists: boolean | null; attrs: Record<string, unknown>;
    target_id: number | null; target_version: number | null;
  }>(
    `SELECT f.seq, ST_IsValid(f.geom) AS valid, d.reason, ST_X(d.location) AS lon, ST_Y(d.location) AS lat,
            ST_CoveredBy(f.geom, ST_MakeEnvelope($2, $3, $4, $5, 4490)) AS inside, f.file_area_m2 AS file_area,
            CASE WHEN f.file_area_m2 IS NOT NULL AND f.geom IS NOT NULL AND ST_IsValid(f.geom)
                 THEN ST_Area(ST_Transform(f.geom, coalesce(f.planar_epsg, 4513 + round(ST_X(ST_Centroid(f.geom)) / 3)::int - 25))) END AS computed,
            f.planar_epsg, ST_X(ST_Centroid(f.geom)) AS cx,
            t.id IS NOT NULL AS exists, t.id AS target_id, t.version AS target_version,
            f.attrs
       FROM import_feature f LEFT JOIN LATERAL (SELECT (ST_IsValidDetail(f.geom)).* WHERE f.geom IS NOT NULL AND NOT ST_IsValid(f.geom)) d ON true
       -- the row an update will change, and the version this preview saw of it
       LEFT JOIN LATERAL (${hasCode ? `SELECT t.id, t.version FROM ${ident(layer.table)} t WHERE t.code = f.attrs->>'code' LIMIT 1` : 'SELECT NULL::int AS id, NULL::int AS version'}) t ON true
      WHERE f.batch_id = $1 ORDER BY f.seq`,
    [id, x0, y0, x1, y1],
  );
  const required = columns.filter((c) => c.required).map((c) => c.name);
  const statusKeys = new Set(Object.keys(TAKE_STATUS));
  const codeCount = new Map<string, number>();
  for (const r of rows) if (r.attrs.code) codeCount.set(String(r.attrs.code), (codeCount.get(String(r.attrs.code)) ?? 0) + 1);
  const updates: { seq: number; issues: Issue[]; action: string; target_id: number | null; target_version: number | null }[] = [];
  for (const r of rows) {
    const issues: Issue[] = [];
    if (r.valid === false) {
      const self = /self-intersection|ring self/i.test(r.reason ?? '');
      issues.push({
        code: self ? 'self_intersection' : 'invalid_geometry', severity: 'error',
        message: `${r.reason ?? 'invalid geometry'}${r.lon !== null ? ` at ${r.lon.toFixed(7)}, ${r.lat!.toFixed(7)}` : ''}`,
        ...(r.lon !== null ? { location: [r.lon, r.lat!] as [number, number] } : {}),
      });
    }
    if (r.inside === false) issues.push({ code: 'outside_district', severity: 'error', message: 'outside the district (109.2–109.9°E, 22.65–23.43°N)' });
    if (r.file_area !== null && r.computed !== null && r.computed > 0) {
      // more than 0.1 % apart, beyond what the file's own rounding of the figure explains
      const diff = Math.abs(r.file_area - r.computed) / r.computed;
      if (diff > 0.001 && Math.abs(r.file_area - r.computed) > (rounding.get(r.seq) ?? 0) + 0.001 * r.computed) {
        const epsg = r.planar_epsg ?? gaussKrugerEpsg(zoneForLongitude(r.cx ?? 109.6), true);
        issues.push({ code: 'area_mismatch', severity: 'warning', message: `area in the file ${r.file_area.toFixed(2)} m², computed ${r.computed.toFixed(2)} m² (Gauss plane EPSG:${epsg}): ${(diff * 100).toFixed(2)}% apart` });
      }
    }
    let action: 'insert' | 'update' | 'skip' = r.exists ? 'update' : 'insert';
    if (hasCode && !r.attrs.code) {
      issues.push({ code: 'missing_field', severity: 'error', message: 'no code (宗地编号): map a file field to code' });
    }
    if (r.attrs.code && codeCount.get(String(r.attrs.code))! > 1) {
      issues.push({ code: 'duplicate_code', severity: 'error', message: `code ${String(r.attrs.code)} appears ${codeCount.get(String(r.attrs.code))} times in the file` });
    }
    if (attributesOnly && !r.exists) {
      action = 'skip';
      issues.push({ code: 'unknown_code', severity: 'error', message: `no ${layer.id} with code ${String(r.attrs.code ?? '')}` });
    }
    if (action === 'insert') {
      const missing = required.filter((c) => (r.attrs[c] === null || r.attrs[c] === undefined) && defaults[c] === undefined);
      if (missing.length) issues.push({ code: 'missing_field', severity: 'error', message: `a new ${layer.id} needs ${missing.join(', ')} (map a field or give a default)` });
    }
    if (r.attrs.status !== undefined && r.attrs.status !== null && layer.workflow === 'take' && !statusKeys.has(String(r.attrs.status))) {
      issues.push({ code: 'bad_value', severity: 'error', message: `status "${r.attrs.status}" is not one of ${Object.values(TAKE_STATUS).map((s) => s.zh).join(' / ')}` });
    }
    updates.push({ seq: r.seq, issues, action, target_id: action === 'update' ? r.target_id : null, target_version: action === 'update' ? r.target_version : null });
  }
  await client.query(
    `UPDATE import_feature f SET issues = f.issues || u.issues || jsonb_build_array(jsonb_build_object('code', 'action', 'severity', 'info', 'message', u.action)),
            target_id = u.target_id, target_version = u.target_version
       FROM jsonb_to_recordset($2::jsonb) AS u(seq int, issues jsonb, action text, target_id int, target_version int) WHERE f.batch_id = $1 AND f.seq = u.seq`,
    [id, JSON.stringify(updates)],
  );
}

/**
 * The batch if `who` may see it: its uploader, an admin or a local tool, and not expired; anyone else
 * is told there is no such import (404), as if it did not exist.
 */
async function ownBatch(pool: pg.Pool, id: number, who: Actor, hours: number): Promise<Record<string, any>> {
  const b = await dbOf(pool).selectFrom('import_batch').selectAll().where('id', '=', String(id))
    .where((eb) => eb.or([eb('status', '<>', 'preview'), eb('created_at', '>=', sql<Date>`now() - make_interval(hours => ${hours})`)]))
    .executeTakeFirst();
  if (!b || !(who.local || b.created_by === who.username || has(who, 'admin'))) throw new ExchangeError(`no import ${id}`, 404, 'not_found', { import: id });
  // an import into military land is seen only with the military grant (the release rule's grant)
  const layer = LAYER_BY_ID.get(b.layer);
  if (layer && !who.local && needsGrant(layer) && !seesSensitive(who)) {
    throw new DomainError('forbidden', `imports into ${layer.id} need the military grant`, { layer: layer.id, role: 'military' });
  }
  return b;
}

export async function loadPreview(pool: pg.Pool, id: number, who: Actor, hours: number, limit = 5000): Promise<Preview> {
  const b = await ownBatch(pool, id, who, hours);
  const rows = (await dbOf(pool).selectFrom('import_feature').select(['seq', 'source_ref', 'attrs', 'issues'])
    .where('batch_id', '=', String(id)).orderBy('seq').execute()) as unknown as { seq: number; source_ref: string; attrs: Record<string, unknown>; issues: Issue[] }[];
  const features: PreviewFeature[] = rows.map((r) => {
    const action = (r.issues.find((i) => i.code === 'action')?.message ?? 'insert') as PreviewFeature['action'];
    return { seq: r.seq, ref: r.source_ref, action, attrs: r.attrs, issues: r.issues.filter((i) => i.code !== 'action') };
  });
  const count = (s: string) => features.reduce((n, f) => n + f.issues.filter((i) => i.severity === s).length, 0);
  // a committed batch keeps its counts, not its rows
  const counts = b.status === 'committed' && b.summary.counts ? b.summary.counts : {
    features: features.length, errors: count('error'), warnings: count('warning'),
    insert: features.filter((f) => f.action === 'insert').length, update: features.filter((f) => f.action === 'update').length,
  };
  return {
    id: Number(b.id), fileName: b.file_name, format: b.format, layer: b.layer,
    crs: { epsg: b.source_epsg, name: b.source_epsg ? crsInfo(b.source_epsg).name : null, source: b.crs_source },
    encoding: b.summary.encoding ?? null, fields: b.summary.fields ?? [], fieldTypes: b.summary.fieldTypes ?? {}, mapping: b.mapping, notes: b.summary.notes ?? [],
    counts,
    status: b.status,
    features: features.slice(0, limit),
  };
}

/** The batch as GeoJSON (EPSG:4490 lon/lat) for the map, each feature with its issues. */
export async function previewFeatures(pool: pg.Pool, id: number, who: Actor, hours: number): Promise<unknown> {
  await ownBatch(pool, id, who, hours);
  const { rows } = await pool.query<{ f: unknown }>(
    `SELECT json_build_object('type', 'Feature', 'id', seq, 'geometry', ST_AsGeoJSON(geom, 9)::json,
            'properties', attrs || jsonb_build_object('_ref', source_ref, '_issues', issues)) AS f
       FROM import_feature WHERE batch_id = $1 ORDER BY seq`, [id]);
  return { type: 'FeatureCollection', features: rows.map((r) => r.f) };
}

// ---- commit ----

export interface CommitResult { id: number; inserted: number; updated: number; layer: string }

/**
 * Write a previewed batch through the core's write path, all or nothing. Each feature becomes a
 * change: an update of the row its code matched, at the version the preview saw (changed since →
 * 412 import_stale), or a create with the batch's defaults. Any refusal names the feature's place
 * in the file and its reason, and nothing is written.
 */
export async function commitImport(pool: pg.Pool, cols: CollectionColumns, id: number, who: Actor, hours: number, reason?: string, statementTimeoutMs?: number): Promise<CommitResult> {
  const b = await ownBatch(pool, id, who, hours);
  if (b.status !== 'preview') {
    throw new ExchangeError(`import ${id} was already committed (${b.committed_at?.toISOString?.() ?? b.committed_at} by ${b.committed_by})`, 409, 'import_committed',
      { import: id, committedBy: b.committed_by });
  }
  const { rows: [{ errors }] } = await pool.query<{ errors: number }>(
    `SELECT count(*)::int AS errors FROM import_feature f, jsonb_array_elements(f.issues) i WHERE f.batch_id = $1 AND i->>'severity' = 'error'`, [id]);
  if (errors > 0) {
    throw new ExchangeError(`import ${id} has ${errors} error(s) in its validation report: fix the file and import it again; nothing was written`, 409, 'import_has_errors',
      { import: id, count: errors });
  }
  const layer = LAYER_BY_ID.get(b.layer)!;
  const defaults = (b.defaults ?? {}) as Record<string, unknown>;
  const rows = await dbOf(pool).selectFrom('import_feature')
    .select(['seq', 'source_ref', 'attrs', sql<boolean>`geom IS NOT NULL`.as('has_geom'), 'target_id', 'target_version'])
    .where('batch_id', '=', String(id)).orderBy('seq').execute();
  const changes: Change[] = [];
  const refused: Refusal[] = [];
  for (const r of rows) {
    const geometry = r.has_geom ? { importBatch: id, seq: r.seq } : undefined;
    try {
      if (r.target_id !== null) {
        const { code: _code, ...attrs } = r.attrs as Record<string, unknown>;
        const props = checkProps(attrs, layer, cols, 'patch', { fromFile: true, sees: true });
        changes.push({ op: 'update', id: r.target_id, version: r.target_version!, props, geometry, ref: r.source_ref });
      } else {
        // the batch's defaults fill what the file leaves empty
        const given: Record<string, unknown> = { ...defaults };
        for (const [k, v] of Object.entries(r.attrs as Record<string, unknown>)) if (v !== null || !(k in defaults)) given[k] = v;
        const props = checkProps(given, layer, cols, 'create', { fromFile: true, sees: true });
        changes.push({ op: 'create', props, geometry: geometry ?? null, ref: r.source_ref });
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      refused.push({ ref: r.source_ref, error: err.code, message: err.message, params: err.params, ...(err.field ? { field: err.field } : {}) });
    }
  }
  if (refused.length) throw refusedBatch(refused, rows.length);
  const results = await writeFeatures({ pool, layer, cols }, who, changes, {
    batch: true,
    statementTimeoutMs,
    reason: reason ?? `import #${id}: ${b.file_name}`,
    finally: async (client) => {
      // the batch is marked in the same transaction, and only if it is still a preview (no second commit)
      // its counts kept in the summary: the preview rows go (the history holds what was written)
      const res = await client.query(
        `UPDATE import_batch SET status = 'committed', committed_at = now(), committed_by = $2,
                summary = summary || jsonb_build_object('counts', jsonb_build_object('features', $3::int, 'errors', 0, 'insert', $4::int, 'update', $5::int,
                  'warnings', (SELECT count(*) FROM import_feature f, jsonb_array_elements(f.issues) i WHERE f.batch_id = $1 AND i->>'severity' = 'warning')::int))
          WHERE id = $1 AND status = 'preview'`,
        [id, who.username, rows.length, changes.filter((c) => c.op === 'create').length, changes.filter((c) => c.op === 'update').length]);
      if (res.rowCount !== 1) throw new ExchangeError(`import ${id} was committed meanwhile`, 409, 'import_committed', { import: id });
      await client.query('DELETE FROM import_feature WHERE batch_id = $1', [id]);
    },
  });
  return {
    id, layer: layer.id,
    inserted: results.filter((r) => r.op === 'create').length,
    updated: results.filter((r) => r.op === 'update').length,
  };
}
