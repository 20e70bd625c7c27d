// Renders a tile of one or more layers. Plain function of a pool and the layer fields: testable
// without HTTP.
// - PostGIS encoder: one statement for the whole tile (every layer's MVT message, concatenated),
//   prepared once per connection under a name derived from its text, so PostgreSQL parses and plans
//   it once per connection instead of once per tile (unnamed behind a transaction-pooling PgBouncer,
//   which would hand the next tile another server connection: DATABASE_PREPARED_STATEMENTS=false).
// - JavaScript encoder (PGlite): one clipping query per layer, encoded here. Unnamed statements: the
//   embedded database is one session shared by every connection, where a name would collide.
// The statement texts are built once per (encoder, layers, sensitive) and kept.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { LayerDef } from '../../geo/layers.ts';
import type { LayerField, LayerFields } from '../core/catalogue.ts';
import { hasSensitive, releasedFields } from '../core/release.ts';
import { encodeLayer } from './encode.ts';
import { CAN_ENCODE_MVT_SQL, clippedTileSql, nativeTileSql, type TileCoord } from './sql.ts';

export type Encoder = 'postgis' | 'js';

export interface RenderOptions {
  /**
   * May this reader see sensitive attributes (server/core/release.ts: e.g. military land's name, unit,
   * use and notes)? When false those columns are neither selected nor encoded; ids and geometry are.
   */
  sensitive: boolean;
  /** name the PostGIS statement (prepared once per connection); false behind a transaction pooler. Default true. */
  prepared?: boolean;
}

/** Detected once at start: PostGIS's own MVT encoder where it has one, the JavaScript one otherwise. */
export async function detectEncoder(pool: pg.Pool): Promise<Encoder> {
  try {
    await pool.query(CAN_ENCODE_MVT_SQL);
    return 'postgis';
  } catch {
    return 'js';
  }
}

/** A layer's fields as this reader may see them (the sensitive ones withheld unless allowed). */
export function tileFields(layer: LayerDef, fields: LayerFields, sensitive: boolean): LayerField[] {
  return releasedFields(fields.get(layer.id)!, layer, sensitive);
}

/** Does this tile have a variant without sensitive attributes? (Then caches and ETags tell them apart.) */
export function hasSensitiveVariant(layers: LayerDef[]): boolean {
  return layers.some(hasSensitive);
}

export interface Statement {
  name?: string;
  text: string;
}

/** Prepared statements per connection are bounded: past this many, statements run unnamed. */
const MAX_NAMED = 64;
const compiled = new WeakMap<LayerFields, Map<string, Statement>>();
let named = 0;

function statementFor(fields: LayerFields, key: string, build: () => string, prepare: boolean): Statement {
  let byKey = compiled.get(fields);
  if (!byKey) compiled.set(fields, (byKey = new Map()));
  let s = byKey.get(key);
  if (!s) {
    const text = build();
    const name = prepare && named < MAX_NAMED
      ? `zs_tile_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` : undefined;
    if (name) named++;
    s = name ? { name, text } : { text };
    if (byKey.size < 4096) byKey.set(key, s);
  }
  return s;
}

/** The layers that have features at this zoom (below its minimum zoom a layer is no bytes at all). */
function drawnAt(layers: LayerDef[], z: number): LayerDef[] {
  return layers.every((l) => z >= l.minZoom) ? layers : layers.filter((l) => z >= l.minZoom);
}

function nativeStatement(drawn: LayerDef[], fields: LayerFields, sensitive: boolean, prepared = true): Statement {
  const key = `postgis|${sensitive ? 1 : 0}|${prepared ? 1 : 0}|${drawn.map((l) => l.id).join(',')}`;
  return statementFor(fields, key, () => nativeTileSql(drawn.map((layer) => ({ layer, fields: tileFields(layer, fields, sensitive) }))), prepared);
}

export async function renderTile(pool: pg.Pool, encoder: Encoder, layers: LayerDef[], fields: LayerFields, t: TileCoord, opts: RenderOptions): Promise<Buffer> {
  const drawn = drawnAt(layers, t.z);
  if (drawn.length === 0) return Buffer.alloc(0);
  const sensitive = opts.sensitive || !hasSensitiveVariant(drawn);
  if (encoder === 'postgis') return queryTile(pool, nativeStatement(drawn, fields, sensitive, opts.prepared), t);
  const parts = await Promise.all(drawn.map(async (layer) => {
    const s = statementFor(fields, `js|${sensitive ? 1 : 0}|${layer.id}`, () => clippedTileSql(layer, tileFields(layer, fields, sensitive)), false);
    const { rows } = await pool.query({ text: s.text, values: [t.z, t.x, t.y] });
    return Buffer.from(encodeLayer(layer.id, rows));
  }));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * A tile from its PostGIS statement (tileStatement), as the server fetches it: the query, and the
 * tile's bytes out of the base64 text it comes as (sql.ts nativeTileSql).
 */
export async function queryTile(db: pg.Pool | pg.Client, s: Statement, t: TileCoord): Promise<Buffer> {
  const { rows } = await db.query<{ mvt: string }>({ name: s.name, text: s.text, values: [t.z, t.x, t.y] });
  return Buffer.from(rows[0]?.mvt ?? '', 'base64');
}

/**
 * The statement a tile is rendered with on the PostGIS encoder (name, text; values [z, x, y]):
 * benchmarks time it alone (queryTile), exactly as the server sends it. Undefined when no layer is
 * drawn at z.
 */
export function tileStatement(layers: LayerDef[], fields: LayerFields, z: number, opts: RenderOptions): Statement | undefined {
  const drawn = drawnAt(layers, z);
  return drawn.length ? nativeStatement(drawn, fields, opts.sensitive || !hasSensitiveVariant(drawn), opts.prepared) : undefined;
}
