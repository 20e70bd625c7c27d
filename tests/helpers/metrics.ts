// GET /metrics as tests read it: the Prometheus text exposition format (version 0.0.4) parsed, with
// what is wrong with it listed, and sums of samples looked up by name and labels.
//   const m = parseExposition(await (await api('/metrics')).text());
//   expect(m.problems).toEqual([]);
//   sum(m, 'http_request_duration_seconds_count', { route: '/ogc/collections/:id/items' })
//   observationsAbove(m, 'eventloop_delay_seconds', 0.1)   // event-loop stalls over 100 ms so far

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** family name → type (counter, gauge, histogram, summary, untyped) */
  types: Map<string, string>;
  help: Map<string, string>;
  /** every line or family that breaks the format, in words */
  problems: string[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?)|NaN|[-+]?Inf)';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})?[ \\t]+(${VALUE})(?:[ \\t]+-?\\d+)?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const parseValue = (s: string): number => (/^[-+]?Inf$/.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s));
const unescape = (s: string): string => s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** The family a sample belongs to: itself, or the histogram/summary its suffix names. */
function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && ['histogram', 'summary'].includes(types.get(m[1]) ?? '') && (m[2] !== 'bucket' || types.get(m[1]) === 'histogram')) return m[1];
  return name;
}

export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: new Map(), help: new Map(), problems: [] };
  const finished = new Set<string>(); // families whose samples are over (a family's lines are one group)
  const seen = new Set<string>();
  let current: string | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  else out.problems.push('the text does not end with a line feed');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1} "${line.slice(0, 120)}"`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`).exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name, rest = ''] = meta;
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) out.problems.push(`${where}: unknown type`);
        if (out.types.has(name)) out.problems.push(`${where}: a second TYPE for ${name}`);
        if (seen.has(name)) out.problems.push(`${where}: TYPE after the samples of ${name}`);
        out.types.set(name, rest);
      } else {
        if (out.help.has(name)) out.problems.push(`${where}: a second HELP for ${name}`);
        out.help.set(name, rest);
      }
      continue;
    }
    const m = SAMPLE_LINE.exec(line);
    if (!m) {
      out.problems.push(`${where}: not a sample`);
      continue;
    }
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(new RegExp(LABEL, 'g'))) {
      if (l[1] in labels) out.problems.push(`${where}: label ${l[1]} twice`);
      labels[l[1]] = unescape(l[2]);
    }
    const sample = { name: m[1], labels, value: parseValue(m.at(-1)!) };
    const family = familyOf(sample.name, out.types);
    if (family !== current) {
      if (current) finished.add(current);
      if (finished.has(family)) out.problems.push(`${where}: the samples of ${family} are not together`);
      current = family;
    }
    seen.add(family);
    if (!out.types.has(family)) out.problems.push(`${where}: no TYPE for ${family}`);
    if (!out.help.has(family)) out.problems.push(`${where}: no HELP for ${family}`);
    const series = `${sample.name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) out.problems.push(`${where}: the same series twice`);
    seen.add(series);
    if (out.types.get(family) === 'counter' && !(sample.value >= 0)) out.problems.push(`${where}: a counter below 0`);
    out.samples.push(sample);
  }
  for (const [family, type] of out.types) if (type === 'histogram') out.problems.push(...histogramProblems(out, family));
  return out;
}

/** A histogram's buckets: each series' counts never fall as `le` grows, and the +Inf bucket is its _count. */
function histogramProblems(e: Exposition, family: string): string[] {
  const problems: string[] = [];
  const seriesOf = (s: Sample) => JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'le').sort());
  const buckets = new Map<string, Sample[]>();
  for (const s of e.samples.filter((x) => x.name === `${family}_bucket`)) {
    if (s.labels.le === undefined) problems.push(`${family}_bucket without le`);
    buckets.set(seriesOf(s), [...(buckets.get(seriesOf(s)) ?? []), s]);
  }
  for (const [series, list] of buckets) {
    const sorted = [...list].sort((a, b) => parseValue(a.labels.le) - parseValue(b.labels.le));
    if (sorted.some((s, i) => i > 0 && s.value < sorted[i - 1].value)) problems.push(`${family} ${series}: bucket counts fall`);
    const inf = sorted.at(-1);
    const count = e.samples.find((s) => s.name === `${family}_count` && seriesOf(s) === series);
    if (inf?.labels.le !== '+Inf') problems.push(`${family} ${series}: no +Inf bucket`);
    else if (count?.value !== inf.value) problems.push(`${family} ${series}: the +Inf bucket is not the _count`);
  }
  return problems;
}

/** The sum of the samples of this name whose labels include these (0 when there are none). */
export function sum(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** Observations of a histogram above `le` seconds (which must be one of its bucket bounds), labels summed. */
export function observationsAbove(e: Exposition, histogram: string, le: number, labels: Record<string, string> = {}): number {
  const bound = e.samples.filter((s) => s.name === `${histogram}_bucket` && Number(s.labels.le) === le);
  if (!bound.length) throw new Error(`${histogram} has no bucket le="${le}"`);
  return sum(e, `${histogram}_count`, labels) - sum(e, `${histogram}_bucket`, { ...labels, le: bound[0].labels.le });
}
