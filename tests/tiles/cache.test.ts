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

// With read replicas (server/db/replicas.ts) each invalidation carries its commit's WAL position,
// known a moment after it arrives; a tile rendered from a replica at replay position R is kept only
// if R is at or past every invalidation that touches it.
describe('TileCache with read replicas', () => {
  const at = (n: number) => BigInt(n);

  it('does not keep a replica render a change touches that the replica has not replayed, or whose position is not known yet', () => {
    const cache = new TileCache(1 << 20);
    const commit = { lsn: null as bigint | null };
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(0)], commit });
    cache.set('unknown', tile(), cache.snapshot(), at(100));
    expect(cache.has('unknown')).toBe(false);
    commit.lsn = at(200);
    cache.set('behind', tile(), cache.snapshot(), at(199));
    expect(cache.has('behind')).toBe(false);
    cache.set('caught-up', tile(), cache.snapshot(), at(200));
    expect(cache.has('caught-up')).toBe(true);
    // the primary is current: its renders are kept as without replicas
    cache.set('primary', tile(), cache.snapshot(), null);
    expect(cache.has('primary')).toBe(true);
  });

  it('keeps a replica render that only changes elsewhere, of other layers, or already replayed, missed', () => {
    const cache = new TileCache(1 << 20);
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(0)], commit: { lsn: at(50) } });
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(5)], commit: { lsn: at(300) } });
    cache.invalidate({ layer: 'house', boxes: null, commit: { lsn: null } });
    cache.set('here', tile(), cache.snapshot(), at(60));
    expect(cache.has('here')).toBe(true);
  });

  it('after a reset keeps no replica render until the replica has what the primary had when listening resumed', () => {
    const cache = new TileCache(1 << 20);
    const floor = { lsn: null as bigint | null };
    cache.clear(floor);
    cache.set('a', tile(['farmland']), cache.snapshot(), at(10));
    expect(cache.has('a')).toBe(false);
    floor.lsn = at(20);
    cache.set('b', tile(['farmland']), cache.snapshot(), at(19));
    expect(cache.has('b')).toBe(false);
    cache.set('c', tile(['farmland']), cache.snapshot(), at(20));
    expect(cache.has('c')).toBe(true);
  });

  it('keeps no replica render when invalidations it may lack are no longer remembered', () => {
    const cache = new TileCache(1 << 20);
    cache.invalidate({ layer: 'parcel', boxes: [boxAt(0)], commit: { lsn: at(1_000) } });
    for (let i = 0; i < 2_000; i++) cache.invalidate({ layer: 'house', boxes: [boxAt(9)], commit: { lsn: at(2_000 + i) } });
    // the parcel change at 1000 was forgotten: a replica at 500 may lack it, one at 1500 has it
    cache.set('here', tile(), cache.snapshot(), at(500));
    expect(cache.has('here')).toBe(false);
    cache.set('here', tile(), cache.snapshot(), at(1_500));
    expect(cache.has('here')).toBe(true); // the later house changes it lacks do not touch a parcel tile
  });
});
