// The constraint layers a red line is checked against, as SQL: table, filter, attributes. Layer ids and
// titles come from geo/area.ts (CONFLICT_LAYERS, shared with the browser's live panel); tables and
// columns from geo/layers.ts, never from a request.
//
// What a viewer may see of the features taken is decided by the release rule (server/core/release.ts).
import { CONFLICT_LAYERS, type ConflictLayerDef } from '../../geo/area.ts';
import { LAYER_BY_ID, type LayerDef } from '../../geo/layers.ts';
import { ident, type LayerFields } from '../core/catalogue.ts';
import { releaseProperties, sensitiveColumns } from '../core/release.ts';

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
  const layer = LAYER_BY_ID.get(def.mapLayer);
  return layer ? [...sensitiveColumns(layer)] : [];
}

/** A taken feature's attributes as the viewer may see them, and the names of those withheld. */
export function releaseAttributes(def: ConflictLayerDef, properties: Record<string, unknown>, viewer: Viewer): { properties: Record<string, unknown>; withheld: string[] } {
  const layer = LAYER_BY_ID.get(def.mapLayer);
  return layer ? releaseProperties(layer, properties, viewer.mayReadSensitive) : { properties, withheld: [] };
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
