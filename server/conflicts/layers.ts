// The constraint layers a red line is checked against, as SQL: table, filter, attributes. Layer ids and
// titles come from geo/area.ts (CONFLICT_LAYERS, shared with the browser's live panel); tables and
// columns from geo/layers.ts, never from a request.
//
// Sensitive attributes (军事用地: name, unit, use, notes — geo/layers.ts marks them) are handled in ONE
// place: `releaseAttributes` below. Every response, report and export of this capability passes its
// feature attributes through it; the route decides the viewer from the session (military grant).
import { CONFLICT_LAYERS, type ConflictLayerDef } from '../../geo/area.ts';
import { LAYER_BY_ID, type LayerDef } from '../../geo/layers.ts';
import { ident, type LayerFields } from '../layer-sql.ts';

export interface ConflictLayerSql {
  def: ConflictLayerDef;
  layer: LayerDef;
  /** extra WHERE conditions over the table aliased `t` ($n placeholders resolved by the caller) */
  where: string[];
  /** `jsonb_build_object(...)` of the layer's attributes over `t` */
  properties: string;
  geom: string;
}

/** Who is asking, for the sensitive-attribute rule (server/accounts: the military grant). */
export interface Viewer {
  actor: string;
  /** may see sensitive attributes (holds the military grant) */
  mayReadSensitive: boolean;
}

/** Local tools (scripts, the CLI) run with the database's own rights. */
export const DEFAULT_VIEWER: Viewer = { actor: 'system', mayReadSensitive: true };

/** The sensitive attribute names of a conflict layer. */
export function sensitiveAttributes(def: ConflictLayerDef): string[] {
  return LAYER_BY_ID.get(def.mapLayer)?.sensitive ?? [];
}

/**
 * THE place sensitive attributes leave this capability. Returns the attributes a viewer may see and
 * the names of those withheld.
 */
export function releaseAttributes(
  def: ConflictLayerDef, properties: Record<string, unknown>, viewer: Viewer,
): { properties: Record<string, unknown>; withheld: string[] } {
  const sensitive = sensitiveAttributes(def);
  if (viewer.mayReadSensitive || sensitive.length === 0) return { properties, withheld: [] };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) if (!sensitive.includes(k)) out[k] = v;
  return { properties: out, withheld: sensitive.filter((k) => k in properties) };
}

export function conflictLayersSql(fields: LayerFields): ConflictLayerSql[] {
  return CONFLICT_LAYERS.map((def) => {
    const layer = LAYER_BY_ID.get(def.mapLayer);
    if (!layer) throw new Error(`conflict layer ${def.id}: no map layer ${def.mapLayer}`);
    const geom = `t.${ident(layer.geometryColumn)}`;
    const where = [`${geom} IS NOT NULL`];
    if (def.filter) where.push(`t.${ident(def.filter.property)} = '${def.filter.value.replace(/'/g, "''")}'`);
    // stored attributes only: derived ones (a red line's progress) cost a query per feature and say nothing about the overlap
    const f = (fields.get(layer.id) ?? []).filter((x) => layer.attributes.includes(x.name));
    const properties = `jsonb_build_object(${f.map((x) => `'${x.name}', ${x.sql}`).join(', ') || "'id', t.id"})`;
    return { def, layer, where, properties, geom };
  });
}
