// The tile cache alone: what a change drops, and what a render under way during a change may store.
import { describe, expect, it } from 'vitest';
import { TileCache, touches } from '../../server/tiles/cache.ts';
import { tileBounds } from '../../server/tiles/sql.ts';

const coord = { z: 16, x: 53426, y: 28506 };
const b = tileBounds(coord);
const size = b.xmax - b.xmin;
/** a 10 m box centred in the tile, shifted by whole tiles */
const boxAt = (dx: number, dy = 0): [number, number, number, number] => {
  const cx = (b.xmin + b.xmax) / 2 + dx * size;
  const cy = (b.ymin + b.ymax) / 2 + dy * size;
  return [cx - 5, cy - 5, cx + 5, cy + 5];
};
const tile = (layers = ['parcel']) => ({ body: Buffer.from('x'), etag: '"x"', layers, coord });

describe('TileCache', () => {
  it('counts a change within the tile buffer as touching, and one a tile away as not', () => {
    const margin = (size * 64) / 4096;
    expect(touches(coord, [boxAt(0)])).toBe(true);
    expect(touches(coord, [[b.xmax + margin - 1, b.ymin, b.xmax + margin + 10, b.ymin + 10]])).toBe(true);
    expect(touches(coord, [[b.xmax + margin + 1, b.ymin, b.xmax + margin + 10, b.ymin + 10]])).toBe(false);
    expect(touches(coord, [boxAt(2)])).toBe(false);
  });

  it('drops a cached tile a change touches and keeps one it does not', () => {
    const cache = new TileCache(1 << 20);
    cache.set('here', tile(), cache.snapshot());
    cache.set('other-layer', tile(['farmland']), cache.snapshot());
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(3)] });
    expect(cache.has('here')).toBe(true);
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(0)] });
    expect(cache.has('here')).toBe(false);
    expect(cache.has('other-layer')).toBe(true);
    cache.invalidate({ layer: 'farmland', boxes: null });
    expect(cache.has('other-layer')).toBe(false);
    expect(cache.counts().invalidated).toBe(2);
  });

  it('does not store a render a change touched while it was under way', () => {
    const cache = new TileCache(1 << 20);
    const since = cache.snapshot();
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(0)] });
    cache.set('here', tile(), since);
    expect(cache.has('here')).toBe(false);
  });

  it('stores a render that only changes elsewhere, or of other layers, happened during', () => {
    const cache = new TileCache(1 << 20);
    const since = cache.snapshot();
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(-4)] });
    cache.invalidate({ layer: 'house', boxes: null });
    cache.set('here', tile(), since);
    expect(cache.has('here')).toBe(true);
  });

  it('does not store a render begun before everything was dropped', () => {
    const cache = new TileCache(1 << 20);
    const since = cache.snapshot();
    cache.clear();
    cache.set('here', tile(), since);
    expect(cache.has('here')).toBe(false);
  });
});
