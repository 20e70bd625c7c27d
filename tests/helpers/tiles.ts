// Decoding tiles the way a client does (@mapbox/vector-tile), and finding tiles with data in them.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type pg from 'pg';

export interface DecodedFeature {
  id: number;
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: any };
}

export function decodeTile(body: ArrayBuffer | Uint8Array, z: number, x: number, y: number): Record<string, DecodedFeature[]> {
  const tile = new VectorTile(new PbfReader(body instanceof Uint8Array ? body : new Uint8Array(body)));
  const out: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const gj = f.toGeoJSON(x, y, z);
      out[name].push({ id: Number(f.id), properties: f.properties, geometry: gj.geometry as DecodedFeature['geometry'] });
    }
  }
  return out;
}

/** The z/x/y tile that holds a lon/lat. */
export function tileAt(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z, x, y };
}

/** A tile at zoom z over the middle of some row of `table` (optionally filtered). */
export async function tileOver(pool: pg.Pool, table: string, z: number, where = 'true', geom = 'geom'): Promise<{ z: number; x: number; y: number; id: number }> {
  const { rows } = await pool.query(
    `SELECT id, ST_X(p) lon, ST_Y(p) lat FROM (SELECT id, ST_PointOnSurface(${geom}) p FROM ${table} WHERE ${geom} IS NOT NULL AND ${where} ORDER BY id LIMIT 1) s`);
  if (!rows.length) throw new Error(`no row in ${table} where ${where}`);
  return { ...tileAt(rows[0].lon, rows[0].lat, z), id: rows[0].id };
}
