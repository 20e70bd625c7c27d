// CQL2 text the attribute table writes (属性表的查询): the query builder's conditions, a column's quick
// filter, a selection as `id IN (…)`. Pure functions; the server parses and checks what they write
// (geo/cql2.ts, server/core/filter.ts), and the text box shows it, editable.

/** What the builder knows of a queryable: its kind and, for a coded one, its codes. */
export interface Field { name: string; type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'date-time'; codes?: string[] }

export type Operator = '=' | '<>' | '<' | '>' | '<=' | '>=' | 'IN' | 'BETWEEN' | 'LIKE';

export interface Condition {
  field: string;
  op: Operator;
  /** one value; IN: several; BETWEEN: two */
  values: string[];
  not?: boolean;
}

const NUMERIC = new Set(['number', 'integer']);

/** A literal for a field: numbers bare, booleans TRUE/FALSE, everything else quoted ('' doubles a quote). */
export function literal(field: Field, raw: string): string {
  const v = raw.trim();
  if (NUMERIC.has(field.type)) {
    if (v === '' || !Number.isFinite(Number(v))) throw new Error(`not a number: ${raw}`);
    return String(Number(v));
  }
  if (field.type === 'boolean') return /^(true|是|1)$/i.test(v) ? 'TRUE' : 'FALSE';
  return `'${v.replace(/'/g, "''")}'`;
}

/** One condition as CQL2 text. */
export function conditionText(c: Condition, field: Field): string {
  const lit = (s: string) => literal(field, s);
  let text: string;
  switch (c.op) {
    case 'IN':
      text = `${c.field} IN (${c.values.filter((v) => v.trim() !== '').map(lit).join(', ')})`;
      break;
    case 'BETWEEN':
      text = `${c.field} BETWEEN ${lit(c.values[0] ?? '')} AND ${lit(c.values[1] ?? '')}`;
      break;
    case 'LIKE':
      // a plain word means "contains"; a pattern with % or _ is taken as written
      text = `${c.field} LIKE ${literal({ ...field, type: 'string' }, /[%_]/.test(c.values[0] ?? '') ? c.values[0] : `%${c.values[0] ?? ''}%`)}`;
      break;
    default:
      text = `${c.field} ${c.op} ${lit(c.values[0] ?? '')}`;
  }
  return c.not ? `NOT (${text})` : text;
}

/** Conditions joined by AND or OR. */
export function queryText(conditions: { text: string }[], join: 'AND' | 'OR'): string {
  const parts = conditions.map((c) => c.text).filter(Boolean);
  if (parts.length <= 1) return parts[0] ?? '';
  return parts.map((p) => (/ (AND|OR) /i.test(p) && !/^NOT \(.*\)$/.test(p) ? `(${p})` : p)).join(` ${join} `);
}

/** The query with one more condition ANDed to it (a column's quick filter). */
export function andText(query: string, clause: string): string {
  const q = query.trim();
  if (!q) return clause;
  return `(${q}) AND ${clause}`;
}

/**
 * A column's quick filter as typed: for a number `>5`, `<=3`, `5` or `2..8`; for text a word (contains)
 * or a pattern with %; for a coded field its code. Null when there is nothing to filter by.
 */
export function quickFilter(field: Field, typed: string): string | null {
  const v = typed.trim();
  if (!v) return null;
  if (field.codes) return conditionText({ field: field.name, op: '=', values: [v] }, field);
  if (NUMERIC.has(field.type) || field.type === 'date' || field.type === 'date-time') {
    const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(v);
    if (range) return conditionText({ field: field.name, op: 'BETWEEN', values: [range[1], range[2]] }, field);
    const m = /^(<>|<=|>=|<|>|=)?\s*(.+)$/.exec(v)!;
    return conditionText({ field: field.name, op: (m[1] ?? '=') as Operator, values: [m[2]] }, field);
  }
  if (field.type === 'boolean') return conditionText({ field: field.name, op: '=', values: [v] }, field);
  return conditionText({ field: field.name, op: 'LIKE', values: [v] }, { ...field, type: 'string' });
}

/** A selection (选择集) as a filter: `id IN (…)`. */
export const idsFilter = (ids: readonly number[]): string => `id IN (${[...ids].sort((a, b) => a - b).join(',')})`;

/** sortby for a column's header clicks: none → ascending → descending → none. */
export function nextSort(current: { key: string; desc: boolean } | null, key: string): { key: string; desc: boolean } | null {
  if (!current || current.key !== key) return { key, desc: false };
  return current.desc ? null : { key, desc: true };
}
