// CQL2 text (OGC API – Features Part 3 filtering): the subset this system answers, parsed to a small
// AST. Isomorphic, so the web client's query builder can parse and check a filter before sending it.
// No well-kept CQL2 parser is on npm (geostyler-cql-parser reads GeoServer's ECQL, not CQL2), and the
// subset is small: a recursive-descent parser over a tokenizer.
//
// Grammar (keywords in any case; `prop` a queryable, bare or "double-quoted"):
//   expr      := and (OR and)*
//   and       := not (AND not)*
//   not       := NOT not | '(' expr ')' | spatial | predicate
//   spatial   := S_INTERSECTS '(' prop ',' geometry ')'      (or geometry first)
//   predicate := prop ( cmp value | cmp prop | [NOT] IN '(' value (',' value)* ')' | [NOT] BETWEEN value AND value
//                      | [NOT] LIKE 'pattern' | IS [NOT] NULL )
//              | value cmp prop
//   cmp       := = | <> | < | > | <= | >=
//   value     := 'string' ('' for a quote) | number | TRUE | FALSE | DATE('…') | TIMESTAMP('…')
//   geometry  := POINT | LINESTRING | POLYGON | MULTIPOINT | MULTILINESTRING | MULTIPOLYGON
//              | GEOMETRYCOLLECTION (WKT, 2D) | BBOX(minx, miny, maxx, maxy)
// Positions are 1-based character positions in the text (what an error names).

export type Cql2Compare = '=' | '<>' | '<' | '>' | '<=' | '>=';

export interface Cql2Property { name: string; pos: number }

export type Cql2Value =
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'boolean'; value: boolean; pos: number }
  | { type: 'date'; value: string; pos: number }
  | { type: 'timestamp'; value: string; pos: number };

export type Cql2Geometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPoint'; coordinates: number[][] }
  | { type: 'MultiLineString'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] }
  | { type: 'GeometryCollection'; geometries: Cql2Geometry[] };

export type Cql2Expr =
  | { op: 'and' | 'or'; args: Cql2Expr[] }
  | { op: 'not'; arg: Cql2Expr }
  | { op: Cql2Compare; property: Cql2Property; value: Cql2Value }
  /** one property compared with another */
  | { op: Cql2Compare; property: Cql2Property; other: Cql2Property }
  | { op: 'in'; property: Cql2Property; values: Cql2Value[] }
  | { op: 'between'; property: Cql2Property; low: Cql2Value; high: Cql2Value }
  | { op: 'like'; property: Cql2Property; pattern: Cql2Value & { type: 'string' } }
  | { op: 'isNull'; property: Cql2Property }
  | { op: 's_intersects'; property: Cql2Property; geometry: Cql2Geometry | { type: 'bbox'; bbox: [number, number, number, number] }; pos: number };

/** A filter the parser cannot read: what was expected, where (1-based), and what was found there. */
export class Cql2Error extends Error {
  readonly position: number;
  readonly expected: string;
  readonly found: string;
  constructor(expected: string, position: number, found: string, context = '') {
    // "after …" reads before the position, "to close …" after it
    const [before, behind] = /^ (?:to|for) /.test(context) ? ['', context] : [context, ''];
    super(`expected ${expected}${before} at position ${position}${behind}${found ? ` (found ${found})` : ' (found the end of the filter)'}`);
    this.position = position;
    this.expected = expected;
    this.found = found;
  }
}

/** The most a filter may nest (parentheses and NOT), so a hostile one cannot exhaust the stack. */
export const MAX_CQL2_DEPTH = 64;

type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'end';
interface Token { kind: TokenKind; text: string; value: string; pos: number }

const PUNCT = ['<>', '<=', '>=', '=', '<', '>', '(', ')', ','];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const pos = i + 1;
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw new Cql2Error(`a closing ${c}`, src.length + 1, '', ` for the ${c === "'" ? 'string' : 'name'} opened at position ${pos}`);
        if (src[j] === c) {
          if (src[j + 1] === c) { value += c; j += 2; continue; }
          break;
        }
        value += src[j++];
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text: src.slice(i, j + 1), value, pos });
      i = j + 1;
      continue;
    }
    const num = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    // a sign is a number's only where a value may start (not after a value: "a -1" is not "a - 1" here)
    if (num && (/[\d.]/.test(c) || !tokens.length || ['punct', 'word'].includes(tokens[tokens.length - 1].kind))) {
      tokens.push({ kind: 'number', text: num[0], value: num[0], pos });
      i += num[0].length;
      continue;
    }
    const word = /^[\p{L}_][\p{L}\p{N}_.:]*/u.exec(src.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], value: word[0], pos });
      i += word[0].length;
      continue;
    }
    const p = PUNCT.find((s) => src.startsWith(s, i));
    if (p) {
      tokens.push({ kind: 'punct', text: p, value: p, pos });
      i += p.length;
      continue;
    }
    throw new Cql2Error('a name, a value, an operator or a parenthesis', pos, `"${c}"`);
  }
  tokens.push({ kind: 'end', text: '', value: '', pos: src.length + 1 });
  return tokens;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'LIKE', 'IS', 'NULL', 'TRUE', 'FALSE', 'DATE', 'TIMESTAMP', 'S_INTERSECTS', 'BBOX']);
const COMPARE = new Set<string>(['=', '<>', '<', '>', '<=', '>=']);
const MIRRORED: Record<Cql2Compare, Cql2Compare> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const GEOMETRY_WORDS: Record<string, Cql2Geometry['type']> = {
  POINT: 'Point', LINESTRING: 'LineString', POLYGON: 'Polygon', MULTIPOINT: 'MultiPoint', MULTILINESTRING: 'MultiLineString', MULTIPOLYGON: 'MultiPolygon',
  GEOMETRYCOLLECTION: 'GeometryCollection',
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** CQL2 text → AST; throws Cql2Error naming the position and what was expected. */
export function parseCql2(text: string): Cql2Expr {
  const tokens = tokenize(text);
  let k = 0;
  let depth = 0;
  const peek = () => tokens[k];
  const found = (t: Token) => (t.kind === 'end' ? '' : t.kind === 'string' ? `'${t.value}'` : `"${t.text}"`);
  const fail = (expected: string, t = peek(), context = ''): never => { throw new Cql2Error(expected, t.pos, found(t), context); };
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.value.toUpperCase() === w;
  const acceptWord = (w: string) => (isWord(peek(), w) ? tokens[k++] : undefined);
  const expectPunct = (p: string, context = '') => {
    if (peek().kind === 'punct' && peek().value === p) return tokens[k++];
    return fail(`"${p}"`, peek(), context);
  };
  const after = (t: Token) => ` after "${t.text}"`;

  const property = (context: string): Cql2Property => {
    const t = peek();
    if (t.kind === 'quoted') { k++; return { name: t.value, pos: t.pos }; }
    if (t.kind === 'word' && !KEYWORDS.has(t.value.toUpperCase()) && !GEOMETRY_WORDS[t.value.toUpperCase()]) { k++; return { name: t.value, pos: t.pos }; }
    return fail('a property name', t, context);
  };

  const value = (context: string): Cql2Value => {
    const t = peek();
    if (t.kind === 'string') { k++; return { type: 'string', value: t.value, pos: t.pos }; }
    if (t.kind === 'number') { k++; return { type: 'number', value: Number(t.value), pos: t.pos }; }
    if (isWord(t, 'TRUE') || isWord(t, 'FALSE')) { k++; return { type: 'boolean', value: t.value.toUpperCase() === 'TRUE', pos: t.pos }; }
    if (isWord(t, 'DATE') || isWord(t, 'TIMESTAMP')) {
      k++;
      const kind = t.value.toUpperCase() === 'DATE' ? 'date' : 'timestamp';
      const open = expectPunct('(', after(t));
      const s = peek();
      if (s.kind !== 'string') fail(`a quoted ${kind}`, s, after(open));
      k++;
      if (kind === 'date' ? !ISO_DATE.test(s.value) : !ISO_TIMESTAMP.test(s.value)) {
        fail(kind === 'date' ? 'a date as YYYY-MM-DD' : 'a timestamp as YYYY-MM-DDThh:mm:ssZ', s);
      }
      expectPunct(')', ` to close ${t.value.toUpperCase()}(`);
      return { type: kind, value: s.value, pos: t.pos };
    }
    return fail('a value', t, context);
  };

  const coordinate = (context: string): number[] => {
    const xs: number[] = [];
    while (peek().kind === 'number') xs.push(Number(tokens[k++].value));
    if (xs.length !== 2) {
      if (xs.length > 2) throw new Cql2Error('two numbers per point (x y)', tokens[k - xs.length + 2].pos, `"${tokens[k - xs.length + 2].text}"`);
      fail(xs.length === 0 ? 'a point (two numbers x y)' : 'the second number of the point', peek(), context);
    }
    return xs;
  };
  const list = <T>(item: (context: string) => T, context: string): T[] => {
    const open = expectPunct('(', context);
    const items = [item(after(open))];
    while (peek().kind === 'punct' && peek().value === ',') { const comma = tokens[k++]; items.push(item(after(comma))); }
    expectPunct(')', ` to close the "(" at position ${open.pos}`);
    return items;
  };

  const geometry = (context: string): Cql2Geometry | { type: 'bbox'; bbox: [number, number, number, number] } => {
    const t = peek();
    const word = t.kind === 'word' ? t.value.toUpperCase() : '';
    if (word === 'BBOX') {
      k++;
      const nums = list((c) => {
        const n = peek();
        if (n.kind !== 'number') fail('a number', n, c);
        k++;
        return Number(n.value);
      }, after(t));
      if (nums.length !== 4) throw new Cql2Error('four numbers in BBOX (minx, miny, maxx, maxy)', t.pos, `${nums.length} numbers`);
      return { type: 'bbox', bbox: nums as [number, number, number, number] };
    }
    if (!GEOMETRY_WORDS[word]) return fail('a geometry (POINT, LINESTRING, POLYGON, MULTIPOLYGON … or BBOX)', t, context);
    return shape(context);
  };

  /** A WKT geometry (no BBOX). */
  const shape = (context: string): Cql2Geometry => {
    const t = peek();
    const type = GEOMETRY_WORDS[t.kind === 'word' ? t.value.toUpperCase() : ''];
    if (!type) return fail('a WKT geometry (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION)', t, context);
    k++;
    const ctx = after(t);
    // the shape rules PostGIS would otherwise refuse with an internal error: named here, with the place
    const line = (c: string) => {
      const at = peek();
      const points = list(coordinate, c);
      if (points.length < 2) throw new Cql2Error('at least two points in a line', at.pos, `${points.length} point`);
      return points;
    };
    const ring = (c: string) => {
      const at = peek();
      const points = list(coordinate, c);
      const [first, last] = [points[0], points[points.length - 1]];
      if (points.length < 4) throw new Cql2Error('at least four points in a polygon ring', at.pos, `${points.length} points`);
      if (first[0] !== last[0] || first[1] !== last[1]) throw new Cql2Error('a closed ring (its last point equal to its first)', at.pos, `last point ${last.join(' ')}`);
      return points;
    };
    switch (type) {
      case 'Point': {
        const points = list(coordinate, ctx);
        if (points.length !== 1) throw new Cql2Error('one point in POINT (use MULTIPOINT for more)', t.pos, `${points.length} points`);
        return { type, coordinates: points[0] };
      }
      case 'LineString': return { type, coordinates: line(ctx) };
      case 'MultiPoint': return { type, coordinates: list((c) => (peek().kind === 'punct' && peek().value === '(' ? list(coordinate, c)[0] : coordinate(c)), ctx) };
      case 'Polygon': return { type, coordinates: list(ring, ctx) };
      case 'MultiLineString': return { type, coordinates: list(line, ctx) };
      case 'MultiPolygon': return { type, coordinates: list((c) => list(ring, c), ctx) };
      case 'GeometryCollection': {
        if (++depth > MAX_CQL2_DEPTH) throw new Cql2Error(`at most ${MAX_CQL2_DEPTH} levels of nesting`, t.pos, found(t));
        try {
          return { type, geometries: list(shape, ctx) };
        } finally {
          depth--;
        }
      }
    }
  };

  const spatial = (fn: Token): Cql2Expr => {
    const open = expectPunct('(', after(fn));
    const t = peek();
    const geometryFirst = t.kind === 'word' && (GEOMETRY_WORDS[t.value.toUpperCase()] || t.value.toUpperCase() === 'BBOX');
    let prop: Cql2Property;
    let geom: ReturnType<typeof geometry>;
    if (geometryFirst) {
      geom = geometry(after(open));
      const comma = expectPunct(',', ' between the two arguments of S_INTERSECTS');
      prop = property(after(comma));
    } else {
      prop = property(after(open));
      const comma = expectPunct(',', ' between the two arguments of S_INTERSECTS');
      geom = geometry(after(comma));
    }
    expectPunct(')', ' to close S_INTERSECTS(');
    return { op: 's_intersects', property: prop, geometry: geom, pos: fn.pos };
  };

  const startsValue = (t: Token) => t.kind === 'string' || t.kind === 'number' || ['TRUE', 'FALSE', 'DATE', 'TIMESTAMP'].some((w) => isWord(t, w));
  const startsProperty = (t: Token) => t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.value.toUpperCase()) && !GEOMETRY_WORDS[t.value.toUpperCase()]);

  const predicate = (): Cql2Expr => {
    // a value first ('signed' = status) reads as the property first, the comparison turned round
    if (startsValue(peek())) {
      const v = value('');
      const t = peek();
      if (!(t.kind === 'punct' && COMPARE.has(t.value))) return fail('a comparison (=, <>, <, >, <=, >=)', t, after(tokens[k - 1]));
      k++;
      return { op: MIRRORED[t.value as Cql2Compare], property: property(after(t)), value: v };
    }
    const prop = property('');
    const t = peek();
    if (t.kind === 'punct' && COMPARE.has(t.value)) {
      k++;
      if (startsProperty(peek())) return { op: t.value as Cql2Compare, property: prop, other: property('') };
      return { op: t.value as Cql2Compare, property: prop, value: value(after(t)) };
    }
    if (isWord(t, 'IS')) {
      k++;
      const not = acceptWord('NOT');
      if (!acceptWord('NULL')) fail('NULL', peek(), after(not ?? t));
      const e: Cql2Expr = { op: 'isNull', property: prop };
      return not ? { op: 'not', arg: e } : e;
    }
    const not = acceptWord('NOT');
    const kw = peek();
    let e: Cql2Expr;
    if (isWord(kw, 'IN')) {
      k++;
      e = { op: 'in', property: prop, values: list(value, after(kw)) };
    } else if (isWord(kw, 'BETWEEN')) {
      k++;
      const low = value(after(kw));
      const and = peek();
      if (!acceptWord('AND')) fail('AND', and, ' between the two bounds of BETWEEN');
      e = { op: 'between', property: prop, low, high: value(after(and)) };
    } else if (isWord(kw, 'LIKE')) {
      k++;
      const p = peek();
      if (p.kind !== 'string') fail("a quoted pattern (% any text, _ one character)", p, after(kw));
      k++;
      e = { op: 'like', property: prop, pattern: { type: 'string', value: p.value, pos: p.pos } };
    } else {
      return fail(not ? 'IN, BETWEEN or LIKE' : 'an operator (=, <>, <, >, <=, >=, IN, BETWEEN, LIKE, IS NULL)', kw, after(not ?? tokens[k - 1]));
    }
    return not ? { op: 'not', arg: e } : e;
  };

  const primary = (): Cql2Expr => {
    if (++depth > MAX_CQL2_DEPTH) throw new Cql2Error(`at most ${MAX_CQL2_DEPTH} levels of nesting`, peek().pos, found(peek()));
    try {
      const t = peek();
      if (isWord(t, 'NOT')) { k++; return { op: 'not', arg: primary() }; }
      if (t.kind === 'punct' && t.value === '(') {
        k++;
        const e = or();
        expectPunct(')', ` to close the "(" at position ${t.pos}`);
        return e;
      }
      if (isWord(t, 'S_INTERSECTS')) { k++; return spatial(t); }
      if (t.kind === 'end') return fail('a condition', t, k > 0 ? after(tokens[k - 1]) : '');
      return predicate();
    } finally {
      depth--;
    }
  };
  const chain = (word: 'AND' | 'OR', next: () => Cql2Expr): Cql2Expr => {
    const args = [next()];
    while (acceptWord(word)) args.push(next());
    return args.length === 1 ? args[0] : { op: word === 'AND' ? 'and' : 'or', args };
  };
  const and = () => chain('AND', primary);
  const or = () => chain('OR', and);

  if (tokens[0].kind === 'end') throw new Cql2Error('a condition', 1, '');
  const expr = or();
  if (peek().kind !== 'end') fail('AND, OR or the end of the filter', peek(), after(tokens[k - 1]));
  return expr;
}
