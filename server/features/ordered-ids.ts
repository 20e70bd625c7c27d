// The attribute table (web/src/table) scrolls a sorted result page by page, at any depth. With OFFSET
// every page sorts the whole result again: 130–350 ms per page for 120k parcels by 亩 or by name (the
// sort, not the page, is the cost; bench/table.bench.ts). So the first page of a sorted query keeps the
// result's ids in order, and the following pages are slices of it: a page is then 100 rows by id.
// (Pages in id order are not kept: the primary key pages them in ~15 ms at any depth.)
//
// An ordering is dropped as soon as its layer changes (a change of this process's feed: any process's
// write, through LISTEN/NOTIFY; on the embedded database, a write through this process), when the feed
// was reset (changes may have been missed), and after
// MAX_AGE_MS whatever happens: a list read from a replica that had not yet replayed a change heard
// here is at most that old. Rows themselves are always read fresh; only order and membership are kept.
import type { FeedEntry } from '../core/changes.ts';

/** sorted results longer than this are not kept (each id is 4 bytes) */
const MAX_IDS = 500_000;
/** at most this many orderings; the least recently used goes first */
const MAX_ENTRIES = 24;
const MAX_AGE_MS = 60_000;

interface Ordering { layer: string; ids: Int32Array; at: number }

export class OrderedIds {
  private readonly kept = new Map<string, Ordering>();
  /** per layer, bumped by every change: an ordering computed across a change is not kept */
  private readonly generation = new Map<string, number>();
  private resets = 0;

  /** what `store` needs to know the ordering is still current when it is stored */
  mark(layer: string): number {
    return (this.generation.get(layer) ?? 0) * 1e6 + this.resets;
  }

  get(key: string): Int32Array | undefined {
    const o = this.kept.get(key);
    if (!o) return undefined;
    if (Date.now() - o.at > MAX_AGE_MS) {
      this.kept.delete(key);
      return undefined;
    }
    this.kept.delete(key); // most recently used last
    this.kept.set(key, o);
    return o.ids;
  }

  store(key: string, layer: string, ids: Int32Array, mark: number): void {
    if (ids.length > MAX_IDS || mark !== this.mark(layer)) return;
    if (this.kept.size >= MAX_ENTRIES) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { layer, ids, at: Date.now() });
  }

  /** the feed's entry (server/core/changes.ts): a change drops its layer's orderings, a reset all */
  heard(entry: FeedEntry): void {
    if ('change' in entry) {
      const layer = entry.change.layer;
      this.generation.set(layer, (this.generation.get(layer) ?? 0) + 1);
      for (const [k, o] of this.kept) if (o.layer === layer) this.kept.delete(k);
    } else {
      this.resets++;
      this.kept.clear();
    }
  }

  get size(): number {
    return this.kept.size;
  }
}
