// The layer catalogue (geo/layers.ts) bound to the database: every layer's columns with their types
// read from the database catalog once at start (so the schema stays the one source of truth), the
// attribute fields maps, tiles and exports select (cast to JSON/MVT-friendly types), the derived
// fields styling needs, and every column the feature API reads and writes. Table and column names
// come from geo/layers.ts, never from a request. What a reader may see of them: release.ts.
import type pg from 'pg';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import { M2_PER_MU } from '../../geo/units.ts';
import { vocabulary } from '../../geo/vocabulary.ts';

export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A SQL string literal (for values from geo/ tables, never from a request). */
export const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export type FieldType = 'String' | 'Number' | 'Boolean';

export interface LayerField {
  name: string;
  type: FieldType;
  /** the SELECT expression over the layer's table aliased `t` */
  sql: string;
}

/** The column PostgreSQL keeps a layer's ellipsoidal area in (m², generated on write), if it has one. */
export function storedAreaColumn(layer: LayerDef): string | null {
  if (layer.storesArea) return 'area_m2'; // migration 005
  if (layer.id === 'red_line') return 'red_line_area_m2'; // migration 013
  return null;
}

/** Derived properties some layers carry for styling: computed here so no client has to guess. */
function derivedFields(layer: LayerDef): LayerField[] {
  // area_m2: stored by PostgreSQL on write (migration 005), ellipsoidal. Rounded to 0.01 亩 half up in
  // float8: the same figure as rounding a numeric, at a tenth of a z14 parcel tile's database CPU less
  if (layer.storesArea) return [{ name: 'area_mu', type: 'Number', sql: `floor(t.area_m2 / ${M2_PER_MU} * 100 + 0.5) / 100` }];
  switch (layer.id) {
    case 'red_line':
      return [
        // red_line_area_m2: stored by PostgreSQL on write (migration 013), ellipsoidal, as area_m2 above
        { name: 'area_mu', type: 'Number', sql: `round((t.red_line_area_m2 / ${M2_PER_MU})::numeric, 2)::float8` },
        // 征收进度: land handed over (已交地) against the land target (parcels' stored ellipsoidal areas)
        { name: 'progress_pct', type: 'Number', sql: `CASE WHEN t.land_target_mu > 0 THEN least(100, round((
            (SELECT coalesce(sum(p.area_m2), 0) FROM parcel p
              WHERE p.project_id = t.id AND p.status = 'handed_over') / ${M2_PER_MU} / t.land_target_mu * 100)::numeric, 1))::float8
          ELSE 0 END` },
      ];
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

// ---- every column, for the feature API and the write path ----

export type ColumnKind = 'text' | 'int' | 'number' | 'boolean' | 'date' | 'timestamp' | 'other';

export interface Column {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
  hasDefault: boolean;
  /** SELECT expression over the table aliased `t`, as a JSON-friendly value */
  sql: string;
  /** coded values (key → label) where the column has a vocabulary */
  vocab?: Record<string, { zh: string; en: string }>;
}

export interface CollectionColumns {
  /** the feature's properties in order: stored columns (no geometry), then derived */
  read: { name: string; kind: ColumnKind; sql: string; derived: boolean }[];
  /** the columns a write may set */
  writable: Column[];
  /** properties a client may send back unchanged but never sets (ignored on write) */
  readOnly: Set<string>;
  /** whether rows carry version / updated_at / updated_by (every editable table does) */
  versioned: boolean;
}

const SYSTEM = new Set(['id', 'version', 'updated_at', 'updated_by']);

function kindOf(dataType: string): ColumnKind {
  if (dataType === 'text' || dataType === 'character varying' || dataType === 'character') return 'text';
  if (dataType === 'integer' || dataType === 'smallint' || dataType === 'bigint') return 'int';
  if (dataType === 'numeric' || dataType === 'double precision' || dataType === 'real') return 'number';
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'date') return 'date';
  if (dataType.startsWith('timestamp')) return 'timestamp';
  return 'other';
}

function readSql(name: string, kind: ColumnKind): string {
  const col = `t.${ident(name)}`;
  switch (kind) {
    case 'number': return `${col}::float8`;
    case 'int': return `${col}::int`;
    case 'boolean': return col;
    case 'date': return `to_char(${col}, 'YYYY-MM-DD')`;
    case 'timestamp': return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    default: return `${col}::text`;
  }
}

export type FeatureColumns = ReadonlyMap<string, CollectionColumns>;

/**
 * Columns the database derives from the geometry are no attribute: no one reads them as a property,
 * filters by them or writes them. Most are generated (area_m2, <geometry>_3857: left out below by
 * is_generated); these few a trigger keeps, because a generated column cannot compute them (the label
 * point and its part's area: migrations/functions/60_labels.sql).
 */
export const TRIGGER_DERIVED_COLUMNS: readonly string[] = ['label_point', 'label_area'];

export async function loadFeatureColumns(pool: pg.Pool, layerFields: LayerFields): Promise<FeatureColumns> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND is_generated = 'NEVER' AND column_name <> ALL ($1::text[])
      ORDER BY table_name, ordinal_position`,
    [TRIGGER_DERIVED_COLUMNS],
  );
  const result = new Map<string, CollectionColumns>();
  for (const layer of LAYERS) {
    const cols = rows.filter((r) => r.table_name === layer.table && r.udt_name !== 'geometry' && r.column_name !== 'id');
    const read = cols.map((r) => {
      const kind = kindOf(r.data_type);
      return { name: r.column_name, kind, sql: readSql(r.column_name, kind), derived: false };
    });
    const stored = new Set(read.map((r) => r.name));
    for (const f of layerFields.get(layer.id) ?? []) {
      if (!stored.has(f.name)) read.push({ name: f.name, kind: f.type === 'Number' ? 'number' : f.type === 'Boolean' ? 'boolean' : 'text', sql: f.sql, derived: true });
    }
    const owned = Object.keys(layer.procedureOwned ?? {});
    const writable: Column[] = cols.filter((r) => !SYSTEM.has(r.column_name) && !owned.includes(r.column_name)).map((r) => {
      const kind = kindOf(r.data_type);
      return {
        name: r.column_name, kind, nullable: r.is_nullable === 'YES', hasDefault: r.column_default !== null,
        sql: readSql(r.column_name, kind), vocab: vocabulary(layer.id, r.column_name),
      };
    });
    const readOnly = new Set(['id', ...owned, ...read.filter((r) => r.derived || SYSTEM.has(r.name)).map((r) => r.name)]);
    result.set(layer.id, { read, writable, readOnly, versioned: stored.has('version') });
  }
  return result;
}

/** `json_build_object('name', <sql>, …)` of a collection's properties over the table aliased `t`. */
export function propertiesJson(cols: CollectionColumns): string {
  // json_build_object takes at most 100 arguments: chunk and concatenate
  const pairs = cols.read.map((c) => `'${c.name}', ${c.sql}`);
  if (pairs.length <= 48) return `json_build_object(${pairs.join(', ')})`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 40) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 40).join(', ')})`);
  return chunks.join(' || ');
}

export function layerGeometry(layer: LayerDef): string {
  return `t.${ident(layer.geometryColumn)}`;
}
