// Renders a tile of one or more layers: each layer's MVT bytes, concatenated (an MVT tile is a
// sequence of layer messages). Plain function of a pool and the layer fields: testable without HTTP.
import type pg from 'pg';
import type { LayerDef } from '../../geo/layers.ts';
import type { LayerFields } from '../layer-sql.ts';
import { encodeLayer } from './encode.ts';
import { CAN_ENCODE_MVT_SQL, clippedTileSql, nativeTileSql, simplifyTolerance, type TileCoord } from './sql.ts';

export type Encoder = 'postgis' | 'js';

/** Detected once at start: PostGIS's own MVT encoder where it has one, the JavaScript one otherwise. */
export async function detectEncoder(pool: pg.Pool): Promise<Encoder> {
  try {
    await pool.query(CAN_ENCODE_MVT_SQL);
    return 'postgis';
  } catch {
    return 'js';
  }
}

export async function renderLayer(pool: pg.Pool, encoder: Encoder, layer: LayerDef, fields: LayerFields, t: TileCoord): Promise<Buffer> {
  if (t.z < layer.minZoom) return Buffer.alloc(0);
  const params = [t.z, t.x, t.y, simplifyTolerance(t.z)];
  const layerFields = fields.get(layer.id)!;
  if (encoder === 'postgis') {
    const { rows } = await pool.query<{ mvt: Buffer }>(nativeTileSql(layer, layerFields), params);
    return rows[0]?.mvt ?? Buffer.alloc(0);
  }
  const { rows } = await pool.query(clippedTileSql(layer, layerFields), params);
  return Buffer.from(encodeLayer(layer.id, rows));
}

export async function renderTile(pool: pg.Pool, encoder: Encoder, layers: LayerDef[], fields: LayerFields, t: TileCoord): Promise<Buffer> {
  const parts = await Promise.all(layers.map((layer) => renderLayer(pool, encoder, layer, fields, t)));
  return Buffer.concat(parts);
}
