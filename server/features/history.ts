// A feature's versions from change_log: who (the login and the account's display name), when, what
// changed, the version a restore brought back, the row before and after (as GeoJSON features, CRS84).
// Deleted features keep their history.
import type pg from 'pg';
import type { HistoryEntry, HistoryFeature } from '../../geo/api.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { releaseProperties } from '../core/release.ts';
import { jsonGeometrySql } from '../core/write.ts';

export type { HistoryEntry, HistoryFeature };

const BOOKKEEPING = new Set(['version', 'updated_at', 'updated_by']);
/** columns the database derives from the geometry (area_m2 of the layers that store their area): a changed shape says it */
const derivedOf = (layer: LayerDef): ReadonlySet<string> => new Set(layer.storesArea ? ['area_m2'] : []);

/** The versions of a feature, newest first, as `sees` may read them (server/core/release.ts). */
export async function featureHistory(pool: pg.Pool, layer: LayerDef, id: number, sees: boolean): Promise<HistoryEntry[]> {
  const g = layer.geometryColumn;
  const { rows } = await pool.query<{
    entry: string; op: HistoryEntry['op']; version: number; changed_at: string; changed_by: string; changed_by_name: string | null;
    reason: string | null; restored_from: number | null;
    before_props: Record<string, unknown> | null; after_props: Record<string, unknown> | null;
    before_geom: string | null; after_geom: string | null;
  }>(
    `SELECT c.id AS entry, c.op, c.version, c.changed_by, nullif(u.display_name, '') AS changed_by_name, c.reason, c.restored_from,
            to_char(c.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS changed_at,
            c.before - $3::text AS before_props, c.after - $3::text AS after_props,
            ST_AsGeoJSON(${jsonGeometrySql(`c.before -> '${g}'`)}, 9, 0) AS before_geom,
            ST_AsGeoJSON(${jsonGeometrySql(`c.after -> '${g}'`)}, 9, 0) AS after_geom
       FROM change_log c LEFT JOIN app_user u ON u.username = c.changed_by
      WHERE c.layer = $1 AND c.feature_id = $2
      ORDER BY c.changed_at DESC, c.id DESC`,
    [layer.table, id, g],
  );
  const feature = (props: Record<string, unknown> | null, geom: string | null): HistoryFeature | null => {
    if (!props) return null;
    return { type: 'Feature', id, geometry: geom ? JSON.parse(geom) : null, properties: releaseProperties(layer, props, sees).properties };
  };
  const derived = derivedOf(layer);
  return rows.map((r) => {
    const changed: string[] = [];
    const keys = new Set([...Object.keys(r.before_props ?? {}), ...Object.keys(r.after_props ?? {})]);
    for (const k of keys) {
      if (BOOKKEEPING.has(k) || derived.has(k) || k === 'id') continue;
      if (JSON.stringify(r.before_props?.[k] ?? null) !== JSON.stringify(r.after_props?.[k] ?? null)) changed.push(k);
    }
    if (r.before_geom !== r.after_geom) changed.push('geometry');
    return {
      entry: Number(r.entry), version: r.version, op: r.op, changedAt: r.changed_at, changedBy: r.changed_by, changedByName: r.changed_by_name,
      reason: r.reason, restoredFrom: r.restored_from,
      changed, before: feature(r.before_props, r.before_geom), after: feature(r.after_props, r.after_geom),
    };
  });
}
