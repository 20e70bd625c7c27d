// SQL pieces every capability uses to read a map layer (map data, tiles, and later features and
// exports): attribute columns cast to JSON/MVT-friendly types, and the derived attributes styling
// needs. Table and column names come from geo/layers.ts, never from a request; column types are read
// from the database catalog once at start, so the schema stays the one source of truth.
import type pg from 'pg';
import { LAYERS, type LayerDef } from '../geo/layers.ts';
import { M2_PER_MU } from '../geo/units.ts';

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A SQL string literal (for values from geo/ tables, never from a request). */
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export type FieldType = 'String' | 'Number' | 'Boolean';

export interface LayerField {
  name: string;
  type: FieldType;
  /** the SELECT expression over the layer's table aliased `t` */
  sql: string;
}

/** Derived properties some layers carry for styling: computed here so no client has to guess. */
function derivedFields(layer: LayerDef): LayerField[] {
  switch (layer.id) {
    case 'red_line':
      return [
        { name: 'area_mu', type: 'Number', sql: `round((ST_Area(t.red_line::geography) / ${M2_PER_MU})::numeric, 2)::float8` },
        // 征收进度: land handed over (已交地) against the land target (parcels' stored ellipsoidal areas)
        { name: 'progress_pct', type: 'Number', sql: `CASE WHEN t.land_target_mu > 0 THEN least(100, round((
            (SELECT coalesce(sum(p.area_m2), 0) FROM parcel p
              WHERE p.project_id = t.id AND p.status = 'handed_over') / ${M2_PER_MU} / t.land_target_mu * 100)::numeric, 1))::float8
          ELSE 0 END` },
      ];
    case 'parcel':
    case 'farmland':
    case 'cane_base':
      // area_m2: stored by PostgreSQL on write (migration 005), ellipsoidal. Rounded to 0.01 亩 half up in
      // float8: the same figure as rounding a numeric, at a tenth of a z14 parcel tile's database CPU less
      return [{ name: 'area_mu', type: 'Number', sql: `floor(t.area_m2 / ${M2_PER_MU} * 100 + 0.5) / 100` }];
    case 'resettlement_site':
      return [{ name: 'overdue_months', type: 'Number', sql: `greatest(0,
          (extract(year FROM age(coalesce(t.actual_delivery_on, current_date), t.planned_delivery_on)) * 12
          + extract(month FROM age(coalesce(t.actual_delivery_on, current_date), t.planned_delivery_on))))::int` }];
    default:
      return [];
  }
}

/** A stored column as a plain value: numeric → float8 (not a string), date → 'YYYY-MM-DD' text. */
function storedField(name: string, dataType: string): LayerField {
  const col = `t.${ident(name)}`;
  if (dataType === 'numeric' || dataType === 'double precision' || dataType === 'real') return { name, type: 'Number', sql: `${col}::float8` };
  if (dataType === 'integer' || dataType === 'smallint' || dataType === 'bigint') return { name, type: 'Number', sql: `${col}::int` };
  if (dataType === 'boolean') return { name, type: 'Boolean', sql: col };
  if (dataType === 'date') return { name, type: 'String', sql: `to_char(${col}, 'YYYY-MM-DD')` };
  if (dataType.startsWith('timestamp')) return { name, type: 'String', sql: `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` };
  return { name, type: 'String', sql: `${col}::text` };
}

export type LayerFields = ReadonlyMap<string, LayerField[]>;

/** The SELECT expression of a field for a reader without the military grant, or null to leave it out. */
export function withheldSql(layer: LayerDef, name: string, sql: string): string | null {
  if (layer.sensitive?.includes(name)) return null;
  const where = layer.sensitiveWhere;
  if (where?.fields.includes(name)) return `(CASE WHEN t.${ident(where.column)} = ${literal(where.value)} THEN NULL ELSE ${sql} END)`;
  return sql;
}

/** A layer's fields as one reader may see them: without the sensitive ones (军事用地) unless granted. */
export function releasedFields(fields: LayerField[], layer: LayerDef, seesSensitive: boolean): LayerField[] {
  if (seesSensitive || (!layer.sensitive?.length && !layer.sensitiveWhere)) return fields;
  return fields.flatMap((f) => {
    const sql = withheldSql(layer, f.name, f.sql);
    return sql === null ? [] : [{ ...f, sql }];
  });
}

/** Every layer's fields (stored and derived), with types from the catalog. */
export async function loadLayerFields(pool: pg.Pool): Promise<LayerFields> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const types = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
  const result = new Map<string, LayerField[]>();
  for (const layer of LAYERS) {
    const stored = layer.attributes.map((a) => {
      const dataType = types.get(`${layer.table}.${a}`);
      if (!dataType) throw new Error(`layer ${layer.id}: column ${layer.table}.${a} is not in the database (migrations out of step with geo/layers.ts?)`);
      return storedField(a, dataType);
    });
    result.set(layer.id, [...stored, ...derivedFields(layer)]);
  }
  return result;
}

/** `t.id, <field sql> AS "<name>", …` for a SELECT over the layer's table aliased `t`. */
export function selectFields(fields: LayerField[]): string {
  return ['t.id', ...fields.map((f) => `${f.sql} AS ${ident(f.name)}`)].join(', ');
}

/**
 * Tables whose changes change a layer's features: its own table, plus those its derived fields read
 * (a red line's progress comes from its parcels). Caches are invalidated by these.
 */
export function layerDependencies(layer: LayerDef): string[] {
  return layer.id === 'red_line' ? [layer.table, 'parcel'] : [layer.table];
}
