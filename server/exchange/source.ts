// What an export reads: one layer's features, filtered (project, command area, status, bbox), in the
// requested CRS, in id order, a batch at a time. Two ways, memory bounded either way:
//  - one binary COPY streamed from a connection of its own (PostgreSQL sends the rows without stopping,
//    TCP back-pressure paces it; ints, floats and WKB arrive as bytes, nothing is printed as text and
//    parsed back), for formats that write a temporary file and so read the source to the end at their
//    own speed (a slow download cannot hold the connection), on a pool that can spare a connection;
//  - keyset pages of 2,000 (the next fetched while the current one is written): no long statement,
//    and the embedded PGlite's single session stays free between batches.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Cql2Expr } from '../../geo/cql2.ts';
import { crsInfo, type CrsInfo, gaussKrugerEpsg, zoneForLongitude } from '../../geo/crs.ts';
import type { LayerDef } from '../../geo/layers.ts';
import type { Geometry } from '../../geo/formats/geometry.ts';
import { parseWkb } from '../../geo/formats/wkb.ts';
import { vocabulary, codeOf } from '../../geo/vocabulary.ts';
import { ident, type LayerField, selectFields } from '../core/catalogue.ts';
import { compileFilter, type FilterContext } from '../core/filter.ts';
import { ExchangeError } from './formats-known.ts';

export { ExchangeError } from './formats-known.ts';

export interface ExportFilters {
  project?: string;       // id or code
  commandArea?: string;   // id or code (guicheng / gangcheng / outer)
  status?: string[];      // keys or Chinese labels
  bbox?: [number, number, number, number];
  /** only ids up to this (benchmarks and batch jobs cut a run of rows this way) */
  maxId?: number;
  /** a CQL2 filter, checked against the reader's queryables (server/core/filter.ts); plain data for a worker thread */
  cql2?: FilterContext & { expr: Cql2Expr };
}

/** 'EPSG:4524' / '4524' / 'gk' (zone from the data) / 'gk-noprefix' */
export type CrsRequest = number | 'gk' | 'gk-noprefix';

export const EXPORT_EPSG = [4490, 4326, 4524, 4525, 4545, 4546] as const;

export function parseCrsRequest(raw: string | undefined): CrsRequest | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = raw.trim().toLowerCase();
  if (v === 'gk' || v === 'gk-noprefix') return v;
  if (v === 'crs84' || v === 'ogc:crs84') return 4490;
  const m = /^(?:epsg:)?(\d{4,5})$/.exec(v);
  if (!m) throw new ExchangeError(`crs "${raw}" is not understood: give EPSG:4490, 4326, 4524, 4525, 4545, 4546, gk or gk-noprefix`);
  const epsg = Number(m[1]);
  try { crsInfo(epsg); } catch { throw new ExchangeError(`crs EPSG:${epsg} is not one this system exports (4490, 4326, CGCS2000 3° GK zones)`); }
  if (epsg === 3857) throw new ExchangeError('EPSG:3857 is a display projection: areas and lengths in it are wrong; export 4490 or a Gauss–Krüger zone');
  return epsg;
}

export interface ExportFeature {
  id: number;
  props: Record<string, unknown>;
  /** little-endian WKB in the export CRS (x = easting / longitude) */
  wkb: Buffer;
  /** ellipsoidal area (GRS80), m² — when the format asked for areas */
  areaM2?: number;
  /** Gauss–Krüger planar area in the export zone, m² — when asked */
  planarM2?: number;
  /** extra columns the format asked for (e.g. project name) */
  extra: Record<string, unknown>;
}

export const geometryOf = (f: ExportFeature): Geometry => parseWkb(f.wkb);

export interface ExportSource {
  layer: LayerDef;
  fields: LayerField[];
  crs: CrsInfo;
  /** the 3° zone planar areas and TXT coordinates use */
  zone: number;
  count: number;
  /** max UTF-8 byte length of each String field over the selected rows (dBase widths) */
  textWidths: Record<string, number>;
  /**
   * The features in id order, a batch at a time. A batch, its feature objects and their `props`, `extra`
   * and `wkb` included, is valid until the next batch is asked for (they may then be reused): writers
   * copy what they keep.
   */
  batches(): AsyncGenerator<ExportFeature[]>;
}

export interface SourceOptions {
  layer: LayerDef;
  fields: LayerField[];
  filters: ExportFilters;
  crs: CrsRequest;
  areas?: boolean;
  extra?: Record<string, string>; // name → SQL over t
  textWidths?: boolean;
  batchSize?: number;
  /** the reader consumes the source to its end without waiting on a client: it may hold a connection (COPY) */
  spools?: boolean;
  /** called after each batch is handed to the writer: features so far, of count */
  onProgress?(done: number, total: number): void;
}

interface Where { sql: string[]; params: unknown[] }

function filterSql(layer: LayerDef, f: ExportFilters): Where {
  const geom = `t.${ident(layer.geometryColumn)}`;
  const w: Where = { sql: [`${geom} IS NOT NULL`], params: [] };
  const p = (v: unknown) => { w.params.push(v); return `$${w.params.length}`; };
  const has = (col: string) => layer.attributes.includes(col);
  if (f.project !== undefined) {
    const project = `(SELECT id FROM project WHERE id::text = ${p(f.project)} OR code = ${p(f.project)})`;
    if (layer.table === 'project') w.sql.push(`t.id IN ${project}`);
    else if (has('project_id')) w.sql.push(`t.project_id IN ${project}`);
    else w.sql.push(`EXISTS (SELECT 1 FROM project pr WHERE pr.id IN ${project} AND ST_Intersects(pr.red_line, ${geom}))`);
  }
  if (f.commandArea !== undefined) {
    const ca = `(SELECT id FROM command_area WHERE id::text = ${p(f.commandArea)} OR code = ${p(f.commandArea)} OR name = ${p(f.commandArea)})`;
    if (layer.table === 'command_area') w.sql.push(`t.id IN ${ca}`);
    else if (has('command_area_id')) w.sql.push(`t.command_area_id IN ${ca}`);
    else if (has('project_id')) w.sql.push(`t.project_id IN (SELECT id FROM project WHERE command_area_id IN ${ca})`);
    else w.sql.push(`EXISTS (SELECT 1 FROM command_area c WHERE c.id IN ${ca} AND ST_Intersects(c.geom, ${geom}))`);
  }
  if (f.status?.length) {
    if (!has('status')) throw new ExchangeError(`layer ${layer.id} has no status to filter by`);
    const vocab = vocabulary(layer.id, 'status');
    w.sql.push(`t.status = ANY(${p(f.status.map((s) => (vocab && codeOf(vocab, s)) ?? s))}::text[])`);
  }
  if (f.bbox) {
    const [a, b, c, d] = f.bbox;
    w.sql.push(`${geom} && ST_MakeEnvelope(${p(a)}, ${p(b)}, ${p(c)}, ${p(d)}, 4490)`);
  }
  if (f.maxId !== undefined) w.sql.push(`t.id <= ${p(f.maxId)}`);
  if (f.cql2) w.sql.push(compileFilter(f.cql2.expr, f.cql2, p));
  return w;
}

/**
 * One scan of the selected rows: how many, the longitude of their centre (a GK request without a zone
 * takes the zone there), and, when asked, the longest UTF-8 value of each text field (dBase widths).
 */
async function scanSelection(pool: pg.Pool, layer: LayerDef, w: Where, req: CrsRequest, strings: LayerField[]): Promise<{ crs: CrsInfo; zone: number; count: number; widths: number[] }> {
  const geom = `t.${ident(layer.geometryColumn)}`;
  const widths = strings.map((f, i) => `coalesce(max(octet_length(${f.sql})), 0)::int AS w${i}`);
  const { rows } = await pool.query<Record<string, number | null>>(
    `SELECT c::int AS n, (ST_XMin(e) + ST_XMax(e)) / 2 AS cx${strings.map((_, i) => `, w${i}`).join('')}
       FROM (SELECT count(*) AS c, ST_Extent(${geom}) AS e${widths.map((x) => `, ${x}`).join('')}
               FROM ${ident(layer.table)} t WHERE ${w.sql.join(' AND ')}) s`,
    w.params,
  );
  const count = rows[0]?.n ?? 0;
  const centreZone = zoneForLongitude(rows[0]?.cx ?? 109.6);
  const found = strings.map((_, i) => rows[0]?.[`w${i}`] ?? 0);
  if (req === 'gk' || req === 'gk-noprefix') {
    return { crs: crsInfo(gaussKrugerEpsg(centreZone, req === 'gk')), zone: centreZone, count, widths: found };
  }
  const crs = crsInfo(req);
  return { crs, zone: crs.zone ?? centreZone, count, widths: found };
}

export async function openSource(pool: pg.Pool, opts: SourceOptions): Promise<ExportSource> {
  const { layer, fields } = opts;
  const w = filterSql(layer, opts.filters);
  const strings = opts.textWidths ? fields.filter((f) => f.type === 'String') : [];
  const { crs, zone, count, widths } = await scanSelection(pool, layer, w, opts.crs, strings);
  const textWidths: Record<string, number> = {};
  strings.forEach((f, i) => { textWidths[f.name] = widths[i]; });
  const geom = `t.${ident(layer.geometryColumn)}`;
  const gkEpsg = gaussKrugerEpsg(zone, true);
  const out = crs.geographic ? geom : `ST_Transform(${geom}, ${crs.epsg})`;
  const cols = [selectFields(fields), `ST_AsBinary(${out}, 'NDR') AS "_wkb"`];  // (keyset pages)
  if (opts.areas) cols.push(`ST_Area(${geom}::geography) AS "_area"`, `ST_Area(ST_Transform(${geom}, ${gkEpsg})) AS "_planar"`);
  for (const [name, sql] of Object.entries(opts.extra ?? {})) cols.push(`${sql} AS ${ident(`_x_${name}`)}`);

  const batchSize = opts.batchSize ?? 2000;
  const fieldNames = fields.map((f) => f.name);
  const extraNames = Object.keys(opts.extra ?? {});
  // a pool of one is the embedded database's single session: never held for a whole export
  const copy = opts.spools === true && (pool.options.max ?? 10) > 1;

  async function* pages(): AsyncGenerator<ExportFeature[]> {
    const keyParam = `$${w.params.length + 1}`;
    const sql = `SELECT ${cols.join(', ')} FROM ${ident(layer.table)} t
      WHERE ${[...w.sql, `t.id > ${keyParam}`].join(' AND ')} ORDER BY t.id LIMIT ${batchSize}`;
    let last = 0;
    let done = 0;
    let next: Promise<pg.QueryResult> | undefined = pool.query(sql, [...w.params, last]);
    while (next) {
      const { rows }: pg.QueryResult = await next;
      if (rows.length === 0) break;
      last = rows[rows.length - 1].id;
      // fetch the next batch while this one is written
      next = rows.length === batchSize ? pool.query(sql, [...w.params, last]) : undefined;
      done += rows.length;
      yield rows.map((r: Record<string, any>) => {
        const props: Record<string, unknown> = {};
        for (const n of fieldNames) props[n] = r[n];
        const extra: Record<string, unknown> = {};
        for (const n of extraNames) extra[n] = r[`_x_${n}`];
        return { id: r.id, props, wkb: r._wkb, areaM2: r._area, planarM2: r._planar, extra };
      });
      opts.onProgress?.(done, count);
    }
  }

  async function* copied(): AsyncGenerator<ExportFeature[]> {
    // every column cast to a type whose binary form the reader knows; COPY takes no parameters, so the
    // filter's values are written into the statement as escaped literals
    const kinds: ColumnKind[] = ['int8'];
    const sel = ['t.id::int8'];
    for (const f of fields) {
      const kind: ColumnKind = f.type === 'String' ? 'text' : f.type === 'Boolean' ? 'bool' : f.sql.endsWith('::int') ? 'int4' : 'float8';
      kinds.push(kind);
      sel.push(`(${f.sql})::${kind}`);
    }
    kinds.push('bytea');
    sel.push(`ST_AsBinary(${out}, 'NDR')`);
    if (opts.areas) {
      kinds.push('float8', 'float8');
      sel.push(`ST_Area(${geom}::geography)`, `ST_Area(ST_Transform(${geom}, ${gkEpsg}))`);
    }
    for (const sql of Object.values(opts.extra ?? {})) { kinds.push('text'); sel.push(`(${sql})::text`); }
    const statement = `COPY (SELECT ${sel.join(', ')} FROM ${ident(layer.table)} t WHERE ${inline(w.sql.join(' AND '), w.params)} ORDER BY t.id) TO STDOUT (FORMAT binary)`;
    const nFields = fieldNames.length;
    const geomAt = 1 + nFields;
    const client = await pool.connect();
    const stream = client.query(copyTo(statement, { highWaterMark: 1 << 20 }));
    const reader = new CopyBinaryReader(kinds);
    const row: unknown[] = new Array(kinds.length); // filled by the reader, tuple after tuple
    let failed: unknown;
    let done = 0;
    try {
      // The batch's feature objects are reused from batch to batch (a batch is valid until the next one
      // is asked for): per row, nothing new for the collector but the text values.
      const batch: ExportFeature[] = [];
      let n = 0;
      for await (const chunk of stream) {
        reader.push(chunk as Buffer);
        while (reader.next(row)) {
          let f = batch[n];
          if (!f) batch.push(f = { id: 0, props: {}, wkb: row[geomAt] as Buffer, extra: {} });
          f.id = row[0] as number;
          for (let i = 0; i < nFields; i++) f.props[fieldNames[i]] = row[1 + i];
          for (let i = 0; i < extraNames.length; i++) f.extra[extraNames[i]] = row[geomAt + (opts.areas ? 3 : 1) + i];
          f.wkb = row[geomAt] as Buffer;
          if (opts.areas) { f.areaM2 = row[geomAt + 1] as number; f.planarM2 = row[geomAt + 2] as number; }
          if (++n === batchSize) {
            done += n;
            yield batch;
            // the writer asked for more: it is done with that batch, its objects and WKB space are reused
            reader.resetArena();
            n = 0;
            opts.onProgress?.(done, count);
          }
        }
      }
      reader.end();
      if (n) {
        done += n;
        batch.length = n;
        yield batch;
        opts.onProgress?.(done, count);
      }
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      // a COPY left half read (the writer stopped, or an error) leaves the connection unusable: drop it
      const complete = reader.finished && failed === undefined;
      if (!complete) stream.destroy();
      client.release(complete ? undefined : true);
    }
  }

  const batches = copy ? copied : pages;
  return { layer, fields, crs, zone, count, textWidths, batches };
}

/** `$n` placeholders replaced by escaped literals (COPY takes no parameters). */
function inline(sql: string, params: unknown[]): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ExchangeError(`not a finite number: ${v}`);
      return String(v);
    }
    if (Array.isArray(v)) return `ARRAY[${v.map(literal).join(', ')}]::text[]`;
    return pg.escapeLiteral(String(v));
  };
  return sql.replace(/\$(\d+)(::text\[\])?/g, (_m, n: string) => literal(params[Number(n) - 1]));
}

type ColumnKind = 'int8' | 'int4' | 'float8' | 'bool' | 'text' | 'bytea';

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Tuples of PostgreSQL's binary COPY format from a stream of chunks (a tuple may span chunks): per
 * tuple an int16 field count, then per field an int32 length (-1 = NULL) and the value in the type's
 * binary form, all big-endian. Memory is reused, not churned: chunks are copied into one input buffer
 * (compacted as tuples are read), and bytea values into one arena per batch, reused once the writer
 * asks for the next batch (resetArena). So the chunks die young and the process does not collect
 * megabytes of dead buffers between garbage collections: memory stays flat however many rows.
 */
export class CopyBinaryReader {
  private buf: Buffer = Buffer.allocUnsafeSlow(1 << 18);
  private pos = 0;
  private filled = 0;
  private arena: Buffer = Buffer.allocUnsafeSlow(1 << 20);
  private arenaUsed = 0;
  private started = false;
  /** the trailer (field count -1) was read */
  finished = false;

  constructor(private readonly kinds: ColumnKind[]) {}

  push(chunk: Buffer): void {
    const left = this.filled - this.pos;
    if (left + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, left + chunk.length));
      this.buf.copy(bigger, 0, this.pos, this.filled);
      this.buf = bigger;
    } else if (this.pos > 0 && left > 0) this.buf.copyWithin(0, this.pos, this.filled);
    this.pos = 0;
    this.filled = left;
    chunk.copy(this.buf, this.filled);
    this.filled += chunk.length;
  }

  /** The bytea values handed out so far may be overwritten: their batch is done. */
  resetArena(): void {
    this.arenaUsed = 0;
  }

  private bytes(from: number, len: number): Buffer {
    if (this.arenaUsed + len > this.arena.length) {
      // the rows already read keep the old arena alive until their batch is done
      this.arena = Buffer.allocUnsafeSlow(Math.max(this.arena.length * 2, len));
      this.arenaUsed = 0;
    }
    const at = this.arenaUsed;
    this.buf.copy(this.arena, at, from, from + len);
    this.arenaUsed += len;
    return this.arena.subarray(at, at + len);
  }

  /** The next complete tuple into `row`; false when more bytes are needed (or the trailer was read). */
  next(row: unknown[]): boolean {
    const b = this.buf;
    const end = this.filled;
    let p = this.pos;
    if (!this.started) {
      if (end - p < 19) return false;
      if (!b.subarray(p, p + 11).equals(COPY_SIGNATURE)) throw new Error('COPY: not PostgreSQL binary COPY data');
      const ext = b.readUInt32BE(p + 15);
      if (end - p < 19 + ext) return false;
      p += 19 + ext;
      this.pos = p;
      this.started = true;
    }
    if (this.finished || end - p < 2) return false;
    const n = b.readInt16BE(p);
    if (n === -1) { this.finished = true; this.pos = p + 2; return false; }
    if (n !== this.kinds.length) throw new Error(`COPY: a tuple of ${n} fields, ${this.kinds.length} expected`);
    // is the whole tuple here?
    let q = p + 2;
    for (let i = 0; i < n; i++) {
      if (end - q < 4) return false;
      const len = b.readInt32BE(q);
      q += 4 + (len > 0 ? len : 0);
    }
    if (q > end) return false;
    q = p + 2;
    for (let i = 0; i < n; i++) {
      const len = b.readInt32BE(q);
      q += 4;
      if (len < 0) { row[i] = null; continue; }
      switch (this.kinds[i]) {
        case 'int8': row[i] = b.readInt32BE(q) * 4294967296 + b.readUInt32BE(q + 4); break;
        case 'int4': row[i] = b.readInt32BE(q); break;
        case 'float8': row[i] = b.readDoubleBE(q); break;
        case 'bool': row[i] = b[q] !== 0; break;
        case 'text': row[i] = b.toString('utf8', q, q + len); break;
        default: row[i] = this.bytes(q, len);
      }
      q += len;
    }
    this.pos = q;
    return true;
  }

  /** After the last chunk: the stream must have ended with the trailer, nothing half read. */
  end(): void {
    if (!this.finished) throw new Error('COPY: the data ended before its trailer (connection lost?)');
  }
}
