// Filtering features by their attributes (属性筛选), one rule for every way a client asks: the feature
// API's `?name=value` (Part 3 queryables as query parameters), its CQL2 `filter` (Part 3 filtering),
// and the export's `filter`. A filter names queryables — the attributes the reader may read (the
// columns are release-filtered before they get here, so a hidden one is simply not there) — and
// compares them as the reader sees them (each queryable's SELECT expression, so a value withheld on a
// row is NULL to its filter too). Values are always parameters; names only ever come from queryables.
// Here, not in a capability: the feature API and the exchange both compile filters.
import { Cql2Error, type Cql2Expr, type Cql2Geometry, type Cql2Property, type Cql2Value, parseCql2 } from '../../geo/cql2.ts';
import type { Label } from '../../geo/domain.ts';
import { codeOf } from '../../geo/vocabulary.ts';
import type { CollectionColumns, ColumnKind } from './catalogue.ts';
import { DomainError } from './errors.ts';

/** An attribute a filter may name: its kind, its SELECT expression over `t`, its coded values. */
export interface Queryable {
  name: string;
  kind: ColumnKind;
  sql: string;
  vocab?: Record<string, Label>;
}

/** The queryable the primary geometry goes by (Part 3: the queryables document lists it so). */
export const GEOMETRY_QUERYABLE = 'geometry';

/** The filter languages served: CQL2 text only. */
export const FILTER_LANGS = ['cql2-text'] as const;

/** The feature id as a queryable: a selection (选择集) is `id IN (…)`, for items, sums and exports alike. */
export const ID_QUERYABLE: Queryable = { name: 'id', kind: 'int', sql: 't.id' };

/**
 * The attributes of a collection as the reader may read them: the id, the stored columns and the
 * derived values (a parcel's area_mu: "parcels larger than 5 亩" is the first question a command post asks).
 */
export function queryablesOf(cols: CollectionColumns): Queryable[] {
  const vocab = new Map(cols.writable.map((c) => [c.name, c.vocab]));
  return [ID_QUERYABLE, ...cols.read.map((r) => ({ name: r.name, kind: r.kind, sql: r.sql, ...(vocab.get(r.name) ? { vocab: vocab.get(r.name) } : {}) }))];
}

/** One key of a `sortby` (OGC API – Features Part 5 / Records): a queryable, ascending unless `-`. */
export interface SortKey { queryable: Queryable; descending: boolean }

/**
 * `sortby=+area_mu,-name`: each property one the reader may read (a withheld one is unknown, as in a
 * filter), or `invalid_input` naming the parameter and the bad property.
 */
export function parseSortby(raw: string, queryables: Queryable[]): SortKey[] {
  const byName = new Map(queryables.map((q) => [q.name, q]));
  const keys: SortKey[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*([+-]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(part);
    // '+' arrives as a space when a client does not percent-encode it: the same as no sign
    if (!m) throw new DomainError('invalid_input', `sortby: "${part}" is not [+|-]property (e.g. sortby=-area_mu,name)`, { parameter: 'sortby', field: 'sortby', property: part.trim() }, { field: 'sortby' });
    const q = byName.get(m[2]);
    if (!q) {
      throw new DomainError('invalid_input', `sortby: unknown property "${m[2]}": sort by one of ${queryables.map((r) => r.name).join(', ')} (see /queryables)`,
        { parameter: 'sortby', field: 'sortby', property: m[2] }, { field: 'sortby' });
    }
    if (keys.some((k) => k.queryable.name === q.name)) throw new DomainError('invalid_input', `sortby: "${q.name}" is given twice`, { parameter: 'sortby', field: 'sortby', property: q.name }, { field: 'sortby' });
    keys.push({ queryable: q, descending: m[1] === '-' });
  }
  return keys;
}

/** ORDER BY of sort keys over `t`, always ending in the id: equal values keep one order, so pages with offset neither repeat nor skip a row. */
export function orderSql(keys: SortKey[]): string {
  const parts = keys.filter((k) => k.queryable.name !== 'id').map((k) => `${operandSql(k.queryable)} ${k.descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST'}`);
  const id = keys.find((k) => k.queryable.name === 'id');
  return [...parts, `t.id ${id?.descending ? 'DESC' : 'ASC'}`].join(', ');
}

/** A value ready to compare: the stored form (a code, a number …) and the SQL type it is compared as. */
export interface FilterValue { value: string | number | boolean; cast: string }

const CAST: Record<ColumnKind, string> = { text: 'text', other: 'text', int: 'int', number: 'float8', boolean: 'boolean', date: 'date', timestamp: 'timestamptz' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const vocabList = (vocab: Record<string, Label>) => Object.entries(vocab).map(([k, l]) => `${k} (${l.zh})`).join(', ');

/**
 * THE rule for a value given for a queryable (a coded value as its key or its Chinese or English label,
 * a number, true/false, a date): the value to compare, or what is wrong with it. `?name=value` gives
 * every value as a string; CQL2 gives typed literals.
 */
export function filterValue(q: Queryable, given: Pick<Cql2Value, 'type' | 'value'>): FilterValue | string {
  const raw = String(given.value);
  if (q.vocab) {
    const code = given.type === 'string' ? codeOf(q.vocab, raw) : undefined;
    return code ? { value: code, cast: 'text' } : `${q.name} must be one of ${vocabList(q.vocab)} (got "${raw}")`;
  }
  const cast = CAST[q.kind];
  switch (q.kind) {
    case 'int':
    case 'number': {
      const n = given.type === 'number' ? given.value as number : given.type === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (q.kind === 'int' && !Number.isInteger(n))) return `${q.name} must be a number (got "${raw}")`;
      return { value: n, cast };
    }
    case 'boolean':
      if (given.type === 'boolean') return { value: given.value as boolean, cast };
      if (given.type === 'string' && (raw === 'true' || raw === 'false')) return { value: raw === 'true', cast };
      return `${q.name} must be true or false (got "${raw}")`;
    case 'date':
      if ((given.type === 'date' || given.type === 'string') && DATE.test(raw)) return { value: raw, cast };
      return `${q.name} must be a date YYYY-MM-DD (got "${raw}")`;
    case 'timestamp':
      if ((given.type === 'timestamp' || given.type === 'date' || given.type === 'string') && TIMESTAMP.test(raw)) return { value: raw, cast };
      return `${q.name} must be a date and time such as 2024-05-01T08:00:00Z (got "${raw}")`;
    default:
      if (given.type === 'string') return { value: raw, cast };
      return `${q.name} is text: quote the value ('${raw}')`;
  }
}

/** Adds a value to the statement's parameters and answers its placeholder ($n). */
export type Param = (value: unknown) => string;

/** A queryable as compared: its SELECT expression in the SQL type of its values. */
export const operandSql = (q: Queryable): string => `(${q.sql})::${CAST[q.kind]}`;

/** `name = value` (the `?name=value` form). */
export const equalsSql = (q: Queryable, v: FilterValue, param: Param): string => `${operandSql(q)} = ${param(v.value)}::${v.cast}`;

/** The CRS of a filter's spatial literals: its SRID, and whether the text gives the second axis first. */
export interface FilterCrs { srid: number; flip: boolean; geographic: boolean }

/** What a CQL2 filter is compiled against: plain data, so an export's worker thread can take it. */
export interface FilterContext {
  queryables: Queryable[];
  /** the layer's geometry over `t` (stored in EPSG:4490) */
  geometry: string;
  crs: FilterCrs;
}

function filterError(message: string, position: number, params: Record<string, string | number> = {}): DomainError {
  return new DomainError('invalid_filter', `filter: ${message}`, { field: 'filter', position, ...params }, { field: 'filter' });
}

/** CQL2 text → AST; a syntax error as `invalid_filter` naming the position and what was expected. */
export function parseFilter(text: string): Cql2Expr {
  try {
    return parseCql2(text);
  } catch (err) {
    if (err instanceof Cql2Error) throw filterError(err.message, err.position, { expected: err.expected, ...(err.found ? { found: err.found } : {}) });
    throw err;
  }
}

/** `filter-lang`: only cql2-text (the default). */
export function checkFilterLang(raw: string | undefined): void {
  if (raw !== undefined && !(FILTER_LANGS as readonly string[]).includes(raw)) {
    throw new DomainError('invalid_input', `filter-lang must be ${FILTER_LANGS.join(' or ')} (got "${raw}")`, { field: 'filter-lang', allowed: [...FILTER_LANGS] }, { field: 'filter-lang' });
  }
}

const ORDERED: ReadonlySet<string> = new Set(['<', '>', '<=', '>=']);
const describe = (q: Queryable) => (q.vocab ? 'coded' : q.kind === 'int' ? 'number' : q.kind);

/** A CQL2 AST → a boolean SQL expression over `t`; values through `param`. Refuses names that are no queryable. */
export function compileFilter(expr: Cql2Expr, ctx: FilterContext, param: Param): string {
  const byName = new Map(ctx.queryables.map((q) => [q.name, q]));
  const names = () => [...ctx.queryables.map((q) => q.name), GEOMETRY_QUERYABLE].join(', ');

  const property = (p: Cql2Property, use: string): Queryable => {
    const q = byName.get(p.name);
    if (q) return q;
    // an attribute the reader may not read is answered exactly as one that does not exist (no oracle)
    if (p.name !== GEOMETRY_QUERYABLE) throw filterError(`unknown property "${p.name}" at position ${p.pos}: filter by one of ${names()} (see /queryables)`, p.pos, { property: p.name });
    throw filterError(`${GEOMETRY_QUERYABLE} at position ${p.pos} can only be used in S_INTERSECTS, not ${use}`, p.pos, { property: p.name });
  };
  const value = (q: Queryable, v: Cql2Value): FilterValue => {
    const r = filterValue(q, v);
    if (typeof r === 'string') throw filterError(`${r} at position ${v.pos}`, v.pos, { property: q.name });
    return r;
  };
  const ordered = (q: Queryable, p: Cql2Property, op: string) => {
    if (q.vocab || q.kind === 'boolean') {
      throw filterError(`${q.name} at position ${p.pos} has no order: compare it with =, <> or IN, not ${op}`, p.pos, { property: q.name });
    }
  };
  const placed = (v: FilterValue) => `${param(v.value)}::${v.cast}`;

  const spatial = (g: Cql2Geometry | { type: 'bbox'; bbox: [number, number, number, number] }, pos: number): string => {
    const { srid, flip, geographic } = ctx.crs;
    const xy = (c: number[]): number[] => (flip ? [c[1], c[0]] : c);
    const check = (c: number[]) => {
      if (geographic && (Math.abs(c[0]) > 180 || Math.abs(c[1]) > 90)) {
        throw filterError(`the geometry at position ${pos} has a point (${c.join(' ')}) outside longitude ±180, latitude ±90: ${flip ? 'this filter-crs gives latitude first' : 'CRS84 gives longitude first'}`, pos);
      }
      return c;
    };
    const toStored = (sql: string) => (srid === 4490 ? sql : `ST_Transform(${sql}, 4490)`);
    if (g.type === 'bbox') {
      const [a0, b0, a1, b1] = g.bbox;
      const [x0, y0, x1, y1] = flip ? [b0, a0, b1, a1] : [a0, b0, a1, b1];
      if (x0 > x1 || y0 > y1) throw filterError(`BBOX at position ${pos} has a lower corner above its upper corner`, pos);
      check([x0, y0]);
      check([x1, y1]);
      return toStored(`ST_MakeEnvelope(${param(x0)}::float8, ${param(y0)}::float8, ${param(x1)}::float8, ${param(y1)}::float8, ${srid})`);
    }
    const walk = (c: unknown): unknown => (typeof (c as number[])[0] === 'number' ? check(xy(c as number[])) : (c as unknown[]).map(walk));
    const placedShape = (s: Cql2Geometry): unknown => (s.type === 'GeometryCollection'
      ? { type: s.type, geometries: s.geometries.map(placedShape) }
      : { type: s.type, coordinates: walk(s.coordinates) });
    const json = JSON.stringify(placedShape(g));
    return toStored(`ST_SetSRID(ST_GeomFromGeoJSON(${param(json)}::text), ${srid})`);
  };

  const c = (e: Cql2Expr): string => {
    switch (e.op) {
      case 'and':
      case 'or':
        return `(${e.args.map(c).join(e.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${c(e.arg)})`;
      case 'isNull':
        return `((${property(e.property, 'IS NULL').sql}) IS NULL)`;
      case 'in': {
        const q = property(e.property, 'IN');
        const values = e.values.map((v) => value(q, v));
        return `(${operandSql(q)} = ANY(${param(values.map((v) => v.value))}::${values[0].cast}[]))`;
      }
      case 'between': {
        const q = property(e.property, 'BETWEEN');
        ordered(q, e.property, 'BETWEEN');
        return `(${operandSql(q)} BETWEEN ${placed(value(q, e.low))} AND ${placed(value(q, e.high))})`;
      }
      case 'like': {
        const q = property(e.property, 'LIKE');
        if (q.vocab || (q.kind !== 'text' && q.kind !== 'other')) {
          throw filterError(`LIKE at position ${e.property.pos} applies to text, and ${q.name} is ${q.vocab ? 'coded: use = or IN with its values' : `a ${q.kind}`}`, e.property.pos, { property: q.name });
        }
        // CQL2's wildcards are SQL's: % any run of characters, _ one character, \ escapes
        return `(${operandSql(q)} LIKE ${param(e.pattern.value)}::text)`;
      }
      case 's_intersects': {
        if (e.property.name !== GEOMETRY_QUERYABLE) {
          if (byName.has(e.property.name)) throw filterError(`S_INTERSECTS at position ${e.pos} takes the geometry, "${GEOMETRY_QUERYABLE}" (got "${e.property.name}")`, e.property.pos, { property: e.property.name });
          property(e.property, 'S_INTERSECTS');
        }
        return `ST_Intersects(${ctx.geometry}, ${spatial(e.geometry, e.pos)})`;
      }
      default: {
        const q = property(e.property, e.op);
        if (ORDERED.has(e.op)) ordered(q, e.property, e.op);
        if ('value' in e) return `(${operandSql(q)} ${e.op} ${placed(value(q, e.value))})`;
        const other = property(e.other, e.op);
        if (ORDERED.has(e.op)) ordered(other, e.other, e.op);
        if (CAST[q.kind] !== CAST[other.kind] || !q.vocab !== !other.vocab) {
          throw filterError(`${q.name} and ${other.name} at position ${e.property.pos} are not comparable (${describe(q)}, ${describe(other)})`, e.property.pos, { property: other.name });
        }
        return `(${operandSql(q)} ${e.op} ${operandSql(other)})`;
      }
    }
  };
  return c(expr);
}

/** Checks a filter against its context without a statement (the refusals compileFilter would make), before any work starts. */
export function checkFilter(expr: Cql2Expr, ctx: FilterContext): void {
  let n = 0;
  compileFilter(expr, ctx, () => `$${++n}`);
}
