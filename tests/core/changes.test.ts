// The change feed alone: notifications as the database sends them (migrations/functions/30_layer_notify.sql)
// read into the catalogue's layers, and what a reader who was away is given back.
import { describe, expect, it } from 'vitest';
import { ChangeFeed, parseNotification } from '../../server/core/changes.ts';

describe('parseNotification', () => {
  it('reads a parcel row as a change of the parcel layer and a derived change of its red line', () => {
    const changes = parseNotification('{"t":"parcel","op":"update","id":14,"v":5,"o":[1,2,3,4],"n":[5,6,7,8],"d":[{"b":[0,0,9,9],"t":"project","id":3}]}');
    expect(changes).toEqual([
      { layer: 'parcel', op: 'update', id: 14, version: 5, boxes: [[1, 2, 3, 4], [5, 6, 7, 8]] },
      { layer: 'red_line', op: 'derived', id: 3, version: null, boxes: [[0, 0, 9, 9]] },
    ]);
  });

  it('reads a project row as a change of the red line layer (the layer of its table)', () => {
    expect(parseNotification('{"t":"project","op":"delete","id":3,"v":2,"o":[1,2,3,4]}'))
      .toEqual([{ layer: 'red_line', op: 'delete', id: 3, version: 2, boxes: [[1, 2, 3, 4]] }]);
  });

  it('makes a bulk change of a table a bulk change of its layer and of the layers derived from it', () => {
    expect(parseNotification('{"t" : "parcel", "op" : "bulk"}').map((c) => [c.layer, c.op])).toEqual([['parcel', 'bulk'], ['red_line', 'bulk']]);
  });

  it('takes an unreadable payload naming a table as a bulk change, and a table with no layer as nothing', () => {
    expect(parseNotification('farmland').map((c) => [c.layer, c.op])).toEqual([['farmland', 'bulk']]);
    expect(parseNotification('{"t":"fund_transfer","op":"insert","id":1,"v":1}')).toEqual([]);
  });
});

describe('ChangeFeed', () => {
  const change = (id: number) => ({ layer: 'parcel', op: 'update' as const, id, version: 1, boxes: [] });

  it('gives a reader what came after the position it names', () => {
    const feed = new ChangeFeed(10);
    feed.publish([change(1)]);
    const at = feed.position;
    feed.publish([change(2), change(3)]);
    expect(feed.since(at)!.map((e) => ('change' in e ? e.change.id : 'reset'))).toEqual([2, 3]);
    expect(feed.since(feed.position)).toEqual([]);
  });

  it('says it cannot (null) once what was missed is no longer kept, or for a position it never had', () => {
    const feed = new ChangeFeed(3);
    feed.publish([change(1), change(2), change(3), change(4), change(5)]);
    expect(feed.since(1)).toBeNull();
    expect(feed.since(2)!.length).toBe(3);
    expect(feed.since(99)).toBeNull();
  });

  it('keeps a reset in line: a reader whose gap spans it is told to refresh', () => {
    const feed = new ChangeFeed(10);
    const seen: string[] = [];
    feed.subscribe((e) => seen.push('reset' in e ? 'reset' : `change ${e.change.id}`));
    const at = feed.position;
    feed.publish([change(1)]);
    feed.reset();
    expect(seen).toEqual(['change 1', 'reset']);
    expect(feed.since(at)!.some((e) => 'reset' in e)).toBe(true);
  });
});

describe('ChangeFeed.seen', () => {
  const change = (id: number, version: number) => ({ layer: 'parcel', op: 'update' as const, id, version, boxes: [] });

  it('resolves at once for a change already in the feed, and for a later version', async () => {
    const feed = new ChangeFeed();
    feed.publish([change(7, 3)]);
    await expect(feed.seen('parcel', 7, 3, 1000)).resolves.toBe(true);
    await expect(feed.seen('parcel', 7, 2, 1000)).resolves.toBe(true);
  });

  it('waits for the change to arrive', async () => {
    const feed = new ChangeFeed();
    const seen = feed.seen('parcel', 8, 1, 1000);
    feed.publish([change(9, 1)]);
    feed.publish([change(8, 1)]);
    await expect(seen).resolves.toBe(true);
    expect(feed.subscribers).toBe(0);
  });

  it('gives up after its time when the change never comes', async () => {
    const feed = new ChangeFeed();
    await expect(feed.seen('parcel', 10, 1, 20)).resolves.toBe(false);
    expect(feed.subscribers).toBe(0);
  });
});
