// The import's two sides as the panel shows them: the layer's columns a file field may fill (from the
// collection's schema, the same columns the server's import writes), their types beside the file
// fields' types, and the columns a new feature needs a value for (the defaults offered).
import type { FeatureSchema, SchemaProperty } from '../editing/api.ts';
import type { FileFieldType } from './api.ts';

export interface LayerColumn {
  name: string;
  property: SchemaProperty;
  type: FileFieldType;
  required: boolean;
}

/** A schema property's type in the file fields' terms (a coded value is text). */
export function columnType(p: SchemaProperty): FileFieldType {
  const t = Array.isArray(p.type) ? p.type.find((x) => x !== 'null') : p.type;
  if (t === 'integer' || t === 'number' || t === 'boolean') return t;
  if (p.format === 'date' || p.format === 'date-time') return 'date';
  return 'string';
}

/**
 * The columns an import may fill: written by a feature write (not read-only), not the geometry, not
 * those the legal procedure records (the server refuses a mapping onto them).
 */
export function importColumns(schema: FeatureSchema): LayerColumn[] {
  return Object.entries(schema.properties)
    .filter(([name, p]) => name !== 'geometry' && !p.readOnly && !p['x-zs-recorded-by'])
    .map(([name, p]) => ({ name, property: p, type: columnType(p), required: schema.required.includes(name) }));
}

/**
 * The columns offered a default for new features: the required ones (but the code, which is each
 * feature's own and unique) and the coded ones (status, owner type …), references (the project) first.
 */
export function defaultColumns(columns: LayerColumn[]): LayerColumn[] {
  return columns
    .filter((c) => c.name !== 'code' && (c.required || c.property.oneOf))
    .sort((a, b) => Number(!!b.property['x-zs-references']) - Number(!!a.property['x-zs-references']));
}
