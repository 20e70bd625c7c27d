// The tile capability: GET /tiles/{layer[,layer…]}/{z}/{x}/{y}.mvt and GET /tiles/{layer}.json (TileJSON 3.0).
// Cached in memory with strong ETags; a change drops exactly the tiles it touches, in every process
// (server/core/changes.ts: LISTEN/NOTIFY), or the changed layer's tiles when told to (`invalidation: 'layer'`).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { DISTRICT_BBOX, LAYER_BY_ID, type LayerDef, TILE_MAX_ZOOM } from '../../geo/layers.ts';
import { DomainError } from '../core/errors.ts';
import { seesSensitive } from '../core/release.ts';
import { layerPath, NO_NUL, object } from '../core/schemas.ts';
import type { LayerFields } from '../core/catalogue.ts';
import { strongEtag, TileCache } from './cache.ts';
import { detectEncoder, type Encoder, hasSensitiveVariant, renderTile, tileFields } from './render.ts';
import { parseTileCoord } from '../../geo/bbox.ts';
import { buildStyle } from './style.ts';

declare module 'fastify' {
  interface FastifyInstance {
    tiles: { encoder: Encoder; cache: TileCache };
  }
}

export interface TilesOptions {
  /** in-memory tile cache size; 0 turns caching off (benchmarks of cold tiles) */
  cacheBytes: number;
  /**
   * 'precise' (default): a change drops the tiles its feature's place touches; 'layer': every tile of
   * the changed layer (what the server did before; kept to measure the difference against)
   */
  invalidation?: 'precise' | 'layer';
}

const MVT_TYPE = 'application/vnd.mapbox-vector-tile';

const noLayer = (name: string) => new DomainError('not_found', `no layer "${name}"`, { layer: name });
/** A tile coordinate as the path has it: parseTileCoord says what is wrong with it. */
const coordPart = { type: 'string', maxLength: 32, pattern: NO_NUL } as const;
/** Tile clients may add their own query parameters (cache busters): taken, and ignored, when they are text. */
const anyQuery = { type: 'object', additionalProperties: { type: 'string', maxLength: 1000, pattern: NO_NUL } } as const;

/** A requested layer list, resolved once per distinct list. */
interface LayerList {
  layers: LayerDef[];
  /** the cache key's first part: the layer ids */
  ids: string;
  /** whether a reader without the sensitive grant gets a different tile */
  variant: boolean;
}

export const tilesPlugin = fp<TilesOptions>(async (app, opts) => {
  const cache = new TileCache(opts.cacheBytes);
  const precise = (opts.invalidation ?? 'precise') === 'precise';
  // a derived layer's changes come as its own (op 'derived', at the derived feature's place)
  const unsubscribe = app.changes.subscribe((entry) => {
    if ('reset' in entry) return cache.clear(entry.commit);
    const { layer, op, boxes, commit } = entry.change;
    cache.invalidate({ layer, boxes: precise && op !== 'bulk' ? boxes : null, commit });
  });
  app.addHook('onClose', async () => void unsubscribe());
  const state = { encoder: 'js' as Encoder, cache };
  app.decorate('tiles', state);
  app.addHook('onReady', async () => {
    state.encoder = await detectEncoder(app.pg.pool);
    app.log.info(`tiles encoded by ${state.encoder === 'postgis' ? 'PostGIS (ST_AsMVT)' : 'JavaScript (PostGIS clips, vt-pbf encodes)'}`);
  });

  // per-request work done once: layer lists resolved, fields read from the catalog once
  const lists = new Map<string, LayerList>();
  const resolve = (names: string): LayerList | string => {
    const known = lists.get(names);
    if (known) return known;
    const layers: LayerDef[] = [];
    for (const name of names.split(',')) {
      const layer = LAYER_BY_ID.get(name);
      if (!layer) return name;
      if (!layers.includes(layer)) layers.push(layer);
    }
    const list = {
      layers, ids: layers.map((l) => l.id).join(','),
      variant: hasSensitiveVariant(layers),
    };
    if (lists.size < 1000) lists.set(names, list);
    return list;
  };
  let fields: LayerFields | undefined;
  const caching = opts.cacheBytes > 0;

  const routes: FastifyPluginAsync = async (r) => {
    r.get<{ Params: { layers: string; z: string; x: string; y: string } }>('/tiles/:layers/:z/:x/:y.mvt', {
      schema: { params: object({ layers: { type: 'string', pattern: '^[a-z_]{1,64}(,[a-z_]{1,64}){0,31}$' }, z: coordPart, x: coordPart, y: coordPart }, ['layers', 'z', 'x', 'y']), querystring: anyQuery },
    }, async (request, reply) => {
      const { layers: names, z, x, y } = request.params;
      const list = resolve(names);
      if (typeof list === 'string') throw noLayer(list);
      const coord = parseTileCoord(z, x, y);
      if (typeof coord === 'string') throw new DomainError('invalid_input', coord, { z, x, y });

      // a reader without the sensitive grant gets its own variant: its own cache entry and ETag
      const restricted = list.variant && !seesSensitive(request.user);
      const key = `${list.ids}/${coord.z}/${coord.x}/${coord.y}${restricted ? '/r' : ''}`;
      let tile = caching ? cache.get(key) : undefined;
      const hit = tile !== undefined;
      if (!tile) {
        const snapshot = caching ? cache.snapshot() : undefined;
        fields ??= await app.layerFields();
        // a replica for this route (accounts/policy.ts), unless this user's last write is not there yet
        const reader = await request.reader();
        const body = await renderTile(reader.pool, state.encoder, list.layers, fields, coord, { sensitive: !restricted, prepared: app.preparedStatements });
        tile = { body, etag: strongEtag(body, restricted ? '-r' : ''), layers: list.layers.map((l) => l.id), coord };
        // from a replica, kept only if it had replayed every change known here that touches the tile
        if (snapshot) cache.set(key, tile, snapshot, reader.replayLsn);
      }
      // x-cache: whether this process had it rendered already (the benchmarks' hit ratio, from outside)
      reply.headers({ etag: tile.etag, 'cache-control': 'no-cache', 'content-type': MVT_TYPE, 'x-cache': hit ? 'HIT' : 'MISS' });
      if (request.headers['if-none-match'] === tile.etag) return reply.code(304).send();
      return reply.send(tile.body);
    });

    r.get<{ Querystring: { lang?: 'zh' | 'en' } }>('/tiles/style.json', {
      schema: { querystring: object({ lang: { type: 'string', enum: ['zh', 'en'] } }) },
    }, async (request) => buildStyle(`${request.protocol}://${request.host}`, request.query.lang ?? 'zh'));

    r.get<{ Params: { layer: string } }>('/tiles/:layer.json', { schema: { params: object({ layer: layerPath }, ['layer']), querystring: anyQuery } }, async (request) => {
      const layer = LAYER_BY_ID.get(request.params.layer);
      if (!layer) throw noLayer(request.params.layer);
      const layerFields = tileFields(layer, await app.layerFields(), seesSensitive(request.user));
      const { rows } = await (await request.reader()).pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
        `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent("${layer.geometryColumn}") e FROM "${layer.table}") s`);
      const b = rows[0]?.x0 != null ? [rows[0].x0, rows[0].y0, rows[0].x1, rows[0].y1] : DISTRICT_BBOX;
      const origin = `${request.protocol}://${request.host}`;
      return {
        tilejson: '3.0.0',
        name: layer.title.zh,
        description: `${layer.title.zh} / ${layer.title.en}（演示数据 synthetic demo data）`,
        attribution: '征收一张图 · 演示数据',
        scheme: 'xyz',
        tiles: [`${origin}/tiles/${layer.id}/{z}/{x}/{y}.mvt`],
        minzoom: layer.minZoom,
        maxzoom: TILE_MAX_ZOOM,
        bounds: b,
        center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, Math.max(layer.minZoom, 11)],
        vector_layers: [{
          id: layer.id,
          description: layer.title.zh,
          minzoom: layer.minZoom,
          maxzoom: TILE_MAX_ZOOM,
          fields: Object.fromEntries(layerFields.map((f) => [f.name, f.type])),
        }],
      };
    });
  };
  await app.register(routes);
}, { name: 'tiles', dependencies: ['database', 'change-feed'] });
