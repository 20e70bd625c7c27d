// Raster basemaps under the data: 天地图 (vector, imagery, terrain, each with its annotation) when
// TIANDITU_KEY is set, and any XYZ or WMTS (KVP, web-mercator grid) source listed in BASEMAPS. The
// offline synthetic map stays the default; these are choices in the client's basemap switcher.
//
// The tiles come through this server (GET /basemaps/{layer}/{z}/{x}/{y}): the client never sees an
// upstream URL, so the 天地图 key (tk=…) reaches no client at all, logged in or not, and an upstream
// that needs a key in its URL can be configured the same way. The price is the tiles' bytes passing
// through the server (browsers cache them for a day); a 天地图 key for it must be a server-side key
// (服务端), not a browser key bound to a domain.
//
// Every source declares its datum. CGCS2000 and WGS84 line up with this data (centimetres apart);
// GCJ-02 (Gaode/Amap, Tencent) and BD-09 (Baidu) are shifted by hundreds of metres on purpose and are
// refused at start, so a red line is never checked against a basemap that sits beside it.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { BasemapInfo } from '../geo/api.ts';
import { ConfigError } from './config-error.ts';
import { DomainError } from './core/errors.ts';
import { noQuery, object, text } from './core/schemas.ts';
import { parseTileCoord } from '../geo/bbox.ts';

/** One raster layer of a basemap and where its tiles come from (the URL is the server's secret). */
export interface BasemapLayer {
  id: string;
  /** upstream template: {z} {x} {y}; {s} = a subdomain digit 0–7 (天地图's t0…t7) */
  url: string;
}

export interface Basemap extends Omit<BasemapInfo, 'tiles'> {
  layers: BasemapLayer[];
}

export const DATUMS = ['CGCS2000', 'WGS84'] as const;

/** Datums refused, with why. Keys are normalised (upper case, no '-', '_' or spaces). */
const REFUSED_DATUMS: Record<string, string> = {
  GCJ02: 'GCJ-02 (火星坐标, the datum of Gaode/Amap and Tencent maps) is shifted from CGCS2000 by hundreds of metres at Guigang (an obfuscation, not a survey datum): its tiles would sit beside the red lines and parcels',
  BD09: 'BD-09 (the datum of Baidu maps, GCJ-02 shifted again) is offset from CGCS2000 by hundreds of metres at Guigang: its tiles would sit beside the red lines and parcels',
};
const DATUM_ALIASES: Record<string, (typeof DATUMS)[number]> = {
  CGCS2000: 'CGCS2000', EPSG4490: 'CGCS2000', WGS84: 'WGS84', EPSG4326: 'WGS84',
};
const normDatum = (s: string) => s.toUpperCase().replace(/[-_:\s]/g, '');

// ---- 天地图 ----

/** 天地图's web-mercator (EPSG:3857, TILEMATRIXSET=w) services: each map with its annotation layer. */
export const TIANDITU = [
  { id: 'tianditu_vec', layers: ['vec', 'cva'], title: { zh: '天地图 矢量', en: 'Tianditu map' }, maxzoom: 18 },
  { id: 'tianditu_img', layers: ['img', 'cia'], title: { zh: '天地图 影像', en: 'Tianditu imagery' }, maxzoom: 18 },
  { id: 'tianditu_ter', layers: ['ter', 'cta'], title: { zh: '天地图 地形', en: 'Tianditu terrain' }, maxzoom: 14 },
] as const;
export const TIANDITU_ATTRIBUTION = '© 天地图 国家地理信息公共服务平台 www.tianditu.gov.cn';

/**
 * The official WMTS GetTile URL (KVP) of a 天地图 layer in the web-mercator grid:
 * https://t{0-7}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}
 * &STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}
 */
export function tiandituTemplate(layer: string, key: string): string {
  return `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
    `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`;
}

function tiandituBasemaps(key: string): Basemap[] {
  return TIANDITU.map((t) => ({
    id: t.id,
    title: { ...t.title },
    attribution: TIANDITU_ATTRIBUTION,
    datum: 'CGCS2000',
    tileSize: 256,
    // the web-mercator matrix set starts at level 1
    minzoom: 1,
    maxzoom: t.maxzoom,
    layers: t.layers.map((l) => ({ id: `tianditu_${l}`, url: tiandituTemplate(l, key) })),
  }));
}

/** The URL of one tile from a layer's template. */
export function upstreamUrl(template: string, z: number, x: number, y: number): string {
  return template
    .replace(/\{s\}/g, String((x + y) % 8))
    .replace(/\{(z|TileMatrix)\}/gi, String(z))
    .replace(/\{(x|TileCol)\}/gi, String(x))
    .replace(/\{(y|TileRow)\}/gi, String(y));
}

// ---- BASEMAPS ----

const ID = /^[a-z][a-z0-9_]{0,31}$/;

/** One BASEMAPS entry, checked: what is wrong is said with the entry's place and id. */
function parseEntry(raw: unknown, i: number): Basemap {
  const at = (id?: unknown) => `BASEMAPS[${i}]${typeof id === 'string' ? ` ("${id}")` : ''}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${at()} must be an object with id, title, url, attribution and datum`);
  const e = raw as Record<string, unknown>;
  const where = at(e.id);
  const known = new Set(['id', 'title', 'url', 'tileSize', 'attribution', 'datum', 'minzoom', 'maxzoom']);
  const unknown = Object.keys(e).filter((k) => !known.has(k));
  if (unknown.length) throw new ConfigError(`${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  if (typeof e.id !== 'string' || !ID.test(e.id)) throw new ConfigError(`${where}: id must be 1–32 lower-case letters, digits or _ starting with a letter (got ${JSON.stringify(e.id)})`);
  if (e.id.startsWith('tianditu')) throw new ConfigError(`${where}: ids starting with "tianditu" are the built-in 天地图 basemaps (set TIANDITU_KEY for them)`);

  // the datum first: a refused datum is refused whatever else the entry says
  if (typeof e.datum !== 'string' || !e.datum.trim()) {
    throw new ConfigError(`${where}: datum is required: the datum the tiles are drawn in, CGCS2000 or WGS84 (GCJ-02 and BD-09 are refused)`);
  }
  const d = normDatum(e.datum);
  if (REFUSED_DATUMS[d]) throw new ConfigError(`${where}: datum ${e.datum} is refused: ${REFUSED_DATUMS[d]}. Use a CGCS2000 or WGS84 source such as 天地图 (TIANDITU_KEY)`);
  const datum = DATUM_ALIASES[d];
  if (!datum) throw new ConfigError(`${where}: datum "${e.datum}" is not one of ${DATUMS.join(', ')}`);

  const title = typeof e.title === 'string' ? { zh: e.title, en: e.title } : e.title as Record<string, unknown> | undefined;
  if (!title || typeof title !== 'object' || typeof title.zh !== 'string' || typeof title.en !== 'string' || !title.zh.trim() || !title.en.trim()) {
    throw new ConfigError(`${where}: title must be {"zh": "…", "en": "…"} (or one string for both)`);
  }
  if (typeof e.url !== 'string' || !/^https?:\/\/[^/\s]+/.test(e.url)) throw new ConfigError(`${where}: url must be an http:// or https:// tile URL template`);
  const placeholders = [...e.url.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const bad = placeholders.filter((p) => !/^(z|x|y|TileMatrix|TileRow|TileCol)$/i.test(p));
  if (bad.length) throw new ConfigError(`${where}: url has {${bad[0]}}: the placeholders are {z} {x} {y} (XYZ) or {TileMatrix} {TileRow} {TileCol} (WMTS)`);
  for (const [xyz, wmts] of [['z', 'TileMatrix'], ['x', 'TileCol'], ['y', 'TileRow']]) {
    if (!placeholders.some((p) => p.toLowerCase() === xyz || p.toLowerCase() === wmts.toLowerCase())) {
      throw new ConfigError(`${where}: url needs {${xyz}} (or {${wmts}}) where the tile's ${xyz === 'z' ? 'zoom' : xyz === 'x' ? 'column' : 'row'} goes`);
    }
  }
  if (typeof e.attribution !== 'string' || !e.attribution.trim()) throw new ConfigError(`${where}: attribution is required (the map shows it, e.g. "© 某某测绘院")`);
  const tileSize = e.tileSize ?? 256;
  if (tileSize !== 256 && tileSize !== 512) throw new ConfigError(`${where}: tileSize must be 256 or 512 (got ${JSON.stringify(e.tileSize)})`);
  const zoom = (name: 'minzoom' | 'maxzoom', fallback: number) => {
    const v = e[name] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 24) throw new ConfigError(`${where}: ${name} must be a whole number from 0 to 24 (got ${JSON.stringify(e[name])})`);
    return v as number;
  };
  const minzoom = zoom('minzoom', 0);
  const maxzoom = zoom('maxzoom', 18);
  if (minzoom > maxzoom) throw new ConfigError(`${where}: minzoom ${minzoom} is above maxzoom ${maxzoom}`);
  return {
    id: e.id, title: { zh: title.zh, en: title.en }, attribution: e.attribution, datum, tileSize, minzoom, maxzoom,
    layers: [{ id: e.id, url: e.url }],
  };
}

/** The basemaps of the environment: 天地图's three when TIANDITU_KEY is set, then BASEMAPS' entries. */
export function loadBasemaps(env: NodeJS.ProcessEnv): Basemap[] {
  const out: Basemap[] = [];
  const key = env.TIANDITU_KEY;
  if (key) {
    if (!/^[A-Za-z0-9]{16,64}$/.test(key)) throw new ConfigError('TIANDITU_KEY must be the key 天地图 issued (16–64 letters and digits, e.g. 32 hex digits)');
    out.push(...tiandituBasemaps(key));
  }
  const raw = env.BASEMAPS;
  if (raw && raw.trim()) {
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(`BASEMAPS is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(list)) throw new ConfigError('BASEMAPS must be a JSON array of sources: [{"id": …, "title": {"zh": …, "en": …}, "url": …, "attribution": …, "datum": "CGCS2000"}]');
    list.forEach((entry, i) => {
      const b = parseEntry(entry, i);
      if (out.some((o) => o.id === b.id)) throw new ConfigError(`BASEMAPS[${i}] ("${b.id}"): the id is used twice`);
      out.push(b);
    });
  }
  return out;
}

// ---- the routes ----

export interface BasemapsOptions {
  basemaps: Basemap[];
  /** how long an upstream may take for one tile */
  timeoutMs?: number;
}

/** A tile larger than this is not a tile: refused rather than relayed. */
const MAX_TILE_BYTES = 4 * 1024 * 1024;

/**
 * What a client sees of a basemap: its proxy paths, never the upstream's URL. Paths, not URLs: the
 * browser puts its own origin in front, which is right behind a reverse proxy too.
 */
export function basemapInfo(b: Basemap): BasemapInfo {
  const { layers, ...rest } = b;
  return { ...rest, tiles: layers.map((l) => `/basemaps/${l.id}/{z}/{x}/{y}`) };
}

const infoSchema = {
  type: 'object',
  required: ['id', 'title', 'attribution', 'datum', 'tileSize', 'minzoom', 'maxzoom', 'tiles'],
  properties: {
    id: { type: 'string' },
    title: { type: 'object', required: ['zh', 'en'], properties: { zh: { type: 'string' }, en: { type: 'string' } } },
    attribution: { type: 'string' },
    datum: { type: 'string' },
    tileSize: { type: 'integer' },
    minzoom: { type: 'integer' },
    maxzoom: { type: 'integer' },
    tiles: { type: 'array', items: { type: 'string' } },
  },
} as const;

const coordPart = text(32, 1);

export const basemapsPlugin = fp<BasemapsOptions>(async (app, opts) => {
  const layers = new Map(opts.basemaps.flatMap((b) => b.layers.map((l) => [l.id, { layer: l, basemap: b }] as const)));
  const timeoutMs = opts.timeoutMs ?? 10_000;

  app.get('/api/basemaps', {
    schema: { querystring: noQuery, response: { 200: object({ basemaps: { type: 'array', items: infoSchema } }, ['basemaps']) } },
  }, async () => ({ basemaps: opts.basemaps.map((b) => basemapInfo(b)) }));

  app.get<{ Params: { layer: string; z: string; x: string; y: string } }>('/basemaps/:layer/:z/:x/:y', {
    schema: { params: object({ layer: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$' }, z: coordPart, x: coordPart, y: coordPart }, ['layer', 'z', 'x', 'y']), querystring: noQuery },
  }, async (request, reply) => {
    const { layer: id, z, x, y } = request.params;
    const found = layers.get(id);
    if (!found) throw new DomainError('not_found', `no basemap layer "${id}"`, { layer: id });
    const coord = parseTileCoord(z, x, y);
    if (typeof coord === 'string') throw new DomainError('invalid_input', coord, { z, x, y });
    // the upstream's URL (with its key) stays here: neither the reply nor the log names it
    const unavailable = (why: string, status?: number) => new DomainError('basemap_unavailable',
      `basemap "${found.basemap.id}" tile ${coord.z}/${coord.x}/${coord.y}: ${why}`, { basemap: found.basemap.id, ...(status ? { status } : {}) });
    let res: Response;
    try {
      res = await fetch(upstreamUrl(found.layer.url, coord.z, coord.x, coord.y), {
        headers: { accept: 'image/*', 'user-agent': 'zhengshou-yizhangtu (basemap proxy)' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw unavailable((err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the tile server cannot be reached');
    }
    if (res.status === 404 || res.status === 204) {
      await res.body?.cancel();
      throw new DomainError('not_found', `basemap "${found.basemap.id}" has no tile ${coord.z}/${coord.x}/${coord.y}`, { layer: id });
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      await res.body?.cancel();
      throw unavailable(`the tile server answered ${res.status}`, res.status);
    }
    // 天地图 answers a wrong or exhausted key with 200 and an XML or HTML page
    if (!/^image\//i.test(type)) {
      await res.body?.cancel();
      throw unavailable(`the tile server answered ${type || 'no content type'}, not an image (a wrong key?)`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_TILE_BYTES) {
      await res.body?.cancel();
      throw unavailable(`a tile of ${length} bytes`);
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_TILE_BYTES) throw unavailable(`a tile of ${body.length} bytes`);
    reply.headers({ 'content-type': type, 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff' });
    return reply.send(body);
  });
}, { name: 'basemaps' });
