// Every served table's columns, typed from the database catalog once: what a feature's properties
// are (stored columns, then the derived ones from server/layer-sql.ts) and what a write may set.
import type pg from 'pg';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import { ident, type LayerFields } from '../layer-sql.ts';
import { vocabulary } from './collections.ts';

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

export async function loadFeatureColumns(pool: pg.Pool, layerFields: LayerFields): Promise<FeatureColumns> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = current_schema() AND is_generated = 'NEVER'
      ORDER BY table_name, ordinal_position`,
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
    const writable: Column[] = cols.filter((r) => !SYSTEM.has(r.column_name)).map((r) => {
      const kind = kindOf(r.data_type);
      return {
        name: r.column_name, kind, nullable: r.is_nullable === 'YES', hasDefault: r.column_default !== null,
        sql: readSql(r.column_name, kind), vocab: vocabulary(layer.id, r.column_name),
      };
    });
    const readOnly = new Set(['id', ...read.filter((r) => r.derived || SYSTEM.has(r.name)).map((r) => r.name)]);
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
