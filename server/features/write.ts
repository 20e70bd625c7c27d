// Writes: create, replace, patch, delete and restore, each in one transaction that says who is
// writing (set_config('zs.changed_by', …, true)), so the history trigger (migrations/functions/20_history.sql)
// records the change with its before and after; the layer-change NOTIFY (30_layer_notify.sql) announces
// it to the tile caches.
// Optimistic concurrency: the row is locked, its version compared with If-Match, and only then written.
import type pg from 'pg';
import { TAKE_STATUS, TAKE_STATUS_NEXT } from '../../geo/domain.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { withTransaction } from '../db/transaction.ts';
import { declareWriter, outOfScopeMessage, type Writer } from '../db/writer.ts';
import { ident } from '../layer-sql.ts';
import type { CheckedBody } from './body.ts';
import type { CollectionColumns } from './columns.ts';
import { FeatureError, fromPgError } from './errors.ts';

export interface WriteTarget {
  pool: pg.Pool;
  layer: LayerDef;
  cols: CollectionColumns;
  /** who writes, and within which command areas */
  writer: Writer;
}

export interface WriteResult {
  id: number;
  version: number;
}

type Status = keyof typeof TAKE_STATUS;

const geomCol = (layer: LayerDef) => ident(layer.geometryColumn);

/** The stored geometry from a checked body's GeoJSON ($n) in its SRID. */
function geometrySql(param: number, srid: number): string {
  const g = `ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON($${param})), ${srid})`;
  return `ST_Multi(${srid === 4490 ? g : `ST_Transform(${g}, 4490)`})`;
}

/** A geometry held in change_log JSON (GeoJSON object, or hex EWKB from older writers). */
export const jsonGeometrySql = (expr: string): string =>
  `(CASE jsonb_typeof(${expr}) WHEN 'object' THEN ST_SetSRID(ST_GeomFromGeoJSON((${expr})::text), 4490)
     WHEN 'string' THEN ST_SetSRID(((${expr}) #>> '{}')::geometry, 4490) END)`;

async function inTransaction<T>(target: WriteTarget, reason: string | undefined, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(target.pool, async (client) => {
      await declareWriter(client, target.writer, reason);
      return fn(client);
    });
  } catch (err) {
    const outOfScope = outOfScopeMessage(err);
    if (outOfScope) throw new FeatureError(403, 'out_of_scope', outOfScope);
    throw fromPgError(err, target.layer.table);
  }
}

/** Refuse an invalid geometry with PostGIS's reason and location (ST_IsValidDetail). */
async function checkValidity(client: pg.PoolClient, geometry: NonNullable<CheckedBody['geometry']>): Promise<void> {
  const { rows } = await client.query<{ valid: boolean; reason: string | null; x: number | null; y: number | null }>(
    `SELECT d.valid, d.reason, ST_X(d.location) x, ST_Y(d.location) y FROM ST_IsValidDetail(${geometrySql(1, geometry.srid)}) d`,
    [geometry.geojson],
  );
  const d = rows[0];
  if (d && !d.valid) {
    const location: [number, number] | undefined = d.x !== null ? [d.x, d.y!] : undefined;
    const self = /self-intersection|ring self/i.test(d.reason ?? '');
    throw new FeatureError(422, self ? 'self_intersection' : 'invalid_geometry',
      `the geometry is not valid: ${d.reason}${location ? ` at longitude ${location[0].toFixed(7)}, latitude ${location[1].toFixed(7)}` : ''}`,
      { path: 'geometry', location });
  }
}

interface Current {
  version: number;
  row: Record<string, unknown>;
}

async function lockRow(client: pg.PoolClient, target: WriteTarget, id: number, requireGeometry: boolean): Promise<Current | null> {
  const { layer } = target;
  const { rows } = await client.query<Current>(
    `SELECT t.version, to_jsonb(t) - '${layer.geometryColumn}' AS row FROM ${ident(layer.table)} t
      WHERE t.id = $1 ${requireGeometry ? `AND t.${geomCol(layer)} IS NOT NULL` : ''} FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

function checkVersion(current: Current | null, id: number, ifMatch: number, layer: LayerDef): asserts current is Current {
  if (!current) throw new FeatureError(404, 'not_found', `${layer.id} has no feature ${id}`);
  if (current.version !== ifMatch) {
    throw new FeatureError(412, 'stale_version',
      `feature ${id} is at version ${current.version}, not ${ifMatch}: someone changed it since you read it; read it again and redo your change`,
      { currentVersion: current.version });
  }
}

/** Parcel workflow: an impossible jump is refused with the allowed next states. */
function checkWorkflow(layer: LayerDef, current: Current, props: Map<string, unknown>): void {
  if (layer.id !== 'parcel' || !props.has('status')) return;
  const from = current.row.status as Status;
  const to = props.get('status') as Status | undefined;
  if (to === undefined || to === from) return;
  const allowed = TAKE_STATUS_NEXT[from] ?? [];
  if (!allowed.includes(to)) {
    const label = (s: Status) => `${TAKE_STATUS[s].zh} (${s})`;
    throw new FeatureError(422, 'status_transition',
      `status cannot go from ${label(from)} to ${label(to)}; ${allowed.length ? `allowed next: ${allowed.map(label).join(', ')}` : `${label(from)} is final`}`,
      { field: 'status', path: 'properties.status', from, to, allowed });
  }
  // the date of the step, when not given
  const dated: Partial<Record<Status, string>> = { signed: 'signed_on', paid: 'paid_on', handed_over: 'handed_over_on', court: 'court_filed_on' };
  const dateCol = dated[to];
  if (dateCol && !props.has(dateCol) && current.row[dateCol] == null) props.set(dateCol, new Date().toISOString().slice(0, 10));
}

export async function createFeature(target: WriteTarget, body: CheckedBody): Promise<WriteResult> {
  const { layer } = target;
  return inTransaction(target, body.reason, async (client) => {
    await checkValidity(client, body.geometry!);
    const cols: string[] = [];
    const values: string[] = [];
    const params: unknown[] = [body.geometry!.geojson];
    for (const [name, value] of body.props) {
      if (value === undefined) continue;
      params.push(value);
      cols.push(ident(name));
      values.push(`$${params.length}`);
    }
    params.push(target.writer.actor);
    cols.push('updated_by', geomCol(layer));
    values.push(`$${params.length}`, geometrySql(1, body.geometry!.srid));
    const { rows } = await client.query<WriteResult>(
      `INSERT INTO ${ident(layer.table)} (${cols.join(', ')}) VALUES (${values.join(', ')}) RETURNING id, version`, params,
    );
    return rows[0];
  });
}

export async function updateFeature(target: WriteTarget, id: number, ifMatch: number, body: CheckedBody): Promise<WriteResult> {
  const { layer } = target;
  return inTransaction(target, body.reason, async (client) => {
    const current = await lockRow(client, target, id, true);
    checkVersion(current, id, ifMatch, layer);
    if (body.geometry) await checkValidity(client, body.geometry);
    checkWorkflow(layer, current, body.props);
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [name, value] of body.props) {
      if (value === undefined) {
        sets.push(`${ident(name)} = DEFAULT`);
      } else {
        params.push(value);
        sets.push(`${ident(name)} = $${params.length}`);
      }
    }
    if (body.geometry) {
      params.push(body.geometry.geojson);
      sets.push(`${geomCol(layer)} = ${geometrySql(params.length, body.geometry.srid)}`);
    }
    if (sets.length === 0) sets.push('version = version'); // a no-op patch is still a recorded write
    const { rows } = await client.query<WriteResult>(
      `UPDATE ${ident(layer.table)} SET ${sets.join(', ')} WHERE id = $1 RETURNING id, version`, params,
    );
    return rows[0];
  });
}

/** Delete (a red line is removed from its project, which stays). History keeps every version. */
export async function deleteFeature(target: WriteTarget, id: number, ifMatch: number, reason?: string): Promise<void> {
  const { layer } = target;
  await inTransaction(target, reason, async (client) => {
    const current = await lockRow(client, target, id, true);
    checkVersion(current, id, ifMatch, layer);
    if (layer.id === 'red_line') await client.query(`UPDATE project SET red_line = NULL WHERE id = $1`, [id]);
    else await client.query(`DELETE FROM ${ident(layer.table)} WHERE id = $1`, [id]);
  });
}

/**
 * Make a past version current again: a new write (recorded like any other). A deleted feature comes
 * back under its id. The status workflow does not apply: a restore undoes, it does not progress.
 */
export async function restoreVersion(target: WriteTarget, id: number, version: number, ifMatch: number | undefined, reason?: string): Promise<WriteResult> {
  const { layer, cols } = target;
  const geom = layer.geometryColumn;
  return inTransaction(target, reason ?? `restore of version ${version}`, async (client) => {
    const { rows: entries } = await client.query<{ after: Record<string, unknown> }>(
      `SELECT after FROM change_log WHERE layer = $1 AND feature_id = $2 AND version = $3 AND after IS NOT NULL
        ORDER BY id DESC LIMIT 1`,
      [layer.table, id, version],
    );
    if (!entries[0]) throw new FeatureError(404, 'not_found', `${layer.id} feature ${id} has no version ${version} in its history`);
    const current = await lockRow(client, target, id, false);
    const names = cols.writable.map((c) => ident(c.name));
    const from = `jsonb_populate_record(NULL::${ident(layer.table)}, $2::jsonb - '${geom}')`;
    if (current) {
      if (ifMatch === undefined) {
        throw new FeatureError(428, 'precondition_required', `restoring over feature ${id} needs If-Match with its current ETag ("${current.version}")`, { currentVersion: current.version });
      }
      checkVersion(current, id, ifMatch, layer);
      const { rows } = await client.query<WriteResult>(
        `UPDATE ${ident(layer.table)} t SET (${names.join(', ')}) = (SELECT ${names.map((n) => `r.${n}`).join(', ')} FROM ${from} r),
                ${ident(geom)} = ${jsonGeometrySql(`$2::jsonb -> '${geom}'`)}
          WHERE t.id = $1 RETURNING id, version`,
        [id, entries[0].after],
      );
      return rows[0];
    }
    const { rows } = await client.query<WriteResult>(
      `INSERT INTO ${ident(layer.table)} (id, ${names.join(', ')}, ${ident(geom)}, version, updated_by)
       SELECT $1::int, ${names.map((n) => `r.${n}`).join(', ')}, ${jsonGeometrySql(`$2::jsonb -> '${geom}'`)},
              (SELECT coalesce(max(version), 0) + 1 FROM change_log WHERE layer = $3 AND feature_id = $1::int), $4
         FROM ${from} r RETURNING id, version`,
      [id, entries[0].after, layer.table, target.writer.actor],
    );
    return rows[0];
  });
}
