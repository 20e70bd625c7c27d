// The release rule (发布规则): what a reader may see of a layer. Military land's names, units, uses
// and notes (`sensitive` in geo/layers.ts), and on some rows further columns (`sensitiveWhere`: the
// owner's name of a parcel an army unit owns, the text of a problem about military land) leave the
// server only to readers with the military grant. Every read goes through here: tiles, map data and
// labels, the feature API (items, item, history, HTML, queryables), exports, conflict results and
// reports, the problem log and the audit. SQL reads ask for the fields' SELECT expressions
// (releasedFields); reads that already hold rows as objects ask releaseProperties.
import type { LayerChangeEvent } from '../../geo/api.ts';
import { mercatorToLonLatBox, unionBox } from '../../geo/bbox.ts';
import type { LayerDef } from '../../geo/layers.ts';
import { seesSensitiveOf, type Grantee } from '../../geo/roles.ts';
import { type CollectionColumns, ident, literal } from './catalogue.ts';

/** Who is reading, as far as the rule cares. */
export type Reader = Grantee | null | undefined;

/** Does the reader see sensitive attributes (holds the military grant)? */
export const seesSensitive = (reader: Reader): boolean => seesSensitiveOf(reader);

/** Whether anything of this layer is ever withheld (then caches keep a variant per kind of reader). */
export const hasSensitive = (layer: LayerDef): boolean => !!layer.sensitive?.length || !!layer.sensitiveWhere;

/** The columns of a layer withheld on every row (military land's name, unit, use, notes). */
export const sensitiveColumns = (layer: LayerDef): readonly string[] => layer.sensitive ?? [];

/** A layer whose own attributes are restricted: writing it, or handling an import of it, needs the grant. */
export const needsGrant = (layer: LayerDef): boolean => sensitiveColumns(layer).length > 0;

/** The SELECT expression of a field for a reader without the grant (table aliased `t`), or null to leave it out. */
export function withheldSql(layer: LayerDef, name: string, sql: string): string | null {
  if (layer.sensitive?.includes(name)) return null;
  const where = layer.sensitiveWhere;
  if (where?.fields.includes(name)) return `(CASE WHEN t.${ident(where.column)} = ${literal(where.value)} THEN NULL ELSE ${sql} END)`;
  return sql;
}

/** A layer's fields (anything with a name and a SELECT expression) as `sees` may read them. */
export function releasedFields<F extends { name: string; sql: string }>(fields: F[], layer: LayerDef, sees: boolean): F[] {
  if (sees || !hasSensitive(layer)) return fields;
  return fields.flatMap((f) => {
    const sql = withheldSql(layer, f.name, f.sql);
    return sql === null ? [] : [{ ...f, sql }];
  });
}

/** A collection's columns as `sees` may read and write them (the feature API's and the filters' view). */
export function releasedColumns(cols: CollectionColumns, layer: LayerDef, sees: boolean): CollectionColumns {
  if (sees) return cols;
  return { ...cols, read: releasedFields(cols.read, layer, false), writable: writableBy(cols.writable, layer, false) };
}

/**
 * A row already read (history, conflict results, the problem log) as `sees` may read it: sensitive
 * columns left out, row-wise ones set to null. `withheld` names what was taken, for the client to say so.
 */
export function releaseProperties<P extends Record<string, unknown>>(layer: LayerDef, properties: P, sees: boolean): { properties: P; withheld: string[] } {
  if (sees || !hasSensitive(layer)) return { properties, withheld: [] };
  const out: Record<string, unknown> = { ...properties };
  const withheld: string[] = [];
  for (const name of sensitiveColumns(layer)) {
    if (name in out) {
      delete out[name];
      withheld.push(name);
    }
  }
  const where = layer.sensitiveWhere;
  if (where && out[where.column] === where.value) {
    for (const name of where.fields) {
      if (name in out && out[name] !== null) {
        out[name] = null;
        withheld.push(name);
      }
    }
  }
  return { properties: out as P, withheld };
}

/** The columns a writer without the grant may set: never a sensitive one. */
export const writableBy = <C extends { name: string }>(columns: C[], layer: LayerDef, sees: boolean): C[] =>
  sees ? columns : columns.filter((c) => !sensitiveColumns(layer).includes(c.name));

/**
 * A layer change as the change stream sends it (GET /api/changes): which feature of which layer, its
 * version and where it is — never an attribute. Readers refetch what changed through the reads above,
 * which release to each what is theirs; so the event is the same for every reader, and a military
 * land's change tells a reader without the grant no more than its tiles do (an id and a place).
 */
export function releasedChange(change: { layer: string; op: LayerChangeEvent['op']; id: number | null; version: number | null; boxes: [number, number, number, number][] }): LayerChangeEvent {
  const bbox = unionBox(change.boxes);
  return { layer: change.layer, id: change.id, version: change.version, op: change.op, bbox: bbox && mercatorToLonLatBox(bbox) };
}
