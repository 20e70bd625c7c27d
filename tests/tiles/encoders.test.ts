// The two encoders must agree: PostGIS's ST_AsMVT (PostgreSQL backend) and the JavaScript encoder
// (embedded backend). Same tiles, same features, ids and attributes; geometry within one tile unit.
// Needs a PostGIS built with protobuf-c, so it runs in the DATABASE_URL pass of the suite.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, inject, it } from 'vitest';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { loadLayerFields } from '../../server/core/catalogue.ts';
import { detectEncoder, renderTile } from '../../server/tiles/render.ts';
import { useTestPool } from '../helpers/db.ts';
import { tileOver } from '../helpers/tiles.ts';

const pool = useTestPool();
const onPostgres = inject('backend') === 'postgres';
if (!onPostgres) console.log('encoders.test: skipped on the embedded backend (its PostGIS has no ST_AsMVT); runs with DATABASE_URL');

interface Decoded {
  [layer: string]: Map<number, { properties: Record<string, unknown>; rings: [number, number][][] }>;
}

function decode(body: Buffer): Decoded {
  const tile = new VectorTile(new PbfReader(new Uint8Array(body)));
  const out: Decoded = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = new Map();
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      out[name].set(Number(f.id), { properties: f.properties, rings: f.loadGeometry().map((r) => r.map((p) => [p.x, p.y] as [number, number])) });
    }
  }
  return out;
}

const cases: [string, string, number, string?, string?][] = [
  ['parcel', 'parcel', 15],
  ['parcel', 'parcel', 13],
  ['farmland', 'farmland', 13],
  ['cane_base', 'cane_base', 12],
  ['red_line', 'project', 12, 'red_line IS NOT NULL', 'red_line'],
  ['road', 'road', 11],
  ['place', 'place', 12],
  ['command_area', 'command_area', 9],
];

describe.skipIf(!onPostgres)('ST_AsMVT and the JavaScript encoder agree', () => {
  it('detects PostGIS’s encoder on this backend', async () => {
    expect(await detectEncoder(pool)).toBe('postgis');
  });

  it.each(cases)('%s (table %s) at z%i', async (layerId, table, z, where, geom) => {
    const layer = LAYER_BY_ID.get(layerId)!;
    const t = await tileOver(pool, table, z, where, geom);
    const fields = await loadLayerFields(pool);
    const native = decode(await renderTile(pool, 'postgis', [layer], fields, t, { sensitive: true }));
    const js = decode(await renderTile(pool, 'js', [layer], fields, t, { sensitive: true }));
    expect(Object.keys(js)).toEqual(Object.keys(native));
    const a = native[layerId];
    const b = js[layerId];
    expect(a.size).toBeGreaterThan(0);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [id, fa] of a) {
      const fb = b.get(id)!;
      expect(fb.properties, `${layerId} ${id}`).toEqual(fa.properties);
      const toWkt = (rings: [number, number][][]) =>
        `MULTILINESTRING(${rings.map((r) => `(${(r.length === 1 ? [r[0], r[0]] : r).map((p) => p.join(' ')).join(',')})`).join(',')})`;
      const { rows } = await pool.query('SELECT ST_HausdorffDistance(ST_GeomFromText($1), ST_GeomFromText($2)) AS d',
        [toWkt(fa.rings), toWkt(fb.rings)]);
      expect(rows[0].d, `${layerId} ${id}`).toBeLessThanOrEqual(1.0001);
    }
  });
});
