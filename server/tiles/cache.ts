// Rendered tiles in memory (LRU, bounded in bytes), dropped when a table they draw from changes.
// Each table has a generation number: a tile rendered while its table changed is not stored, so a
// slow render can never put a stale tile back after the invalidation. It counts what it does; the
// metrics capability reads the counts at scrape time.
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface CachedTile {
  body: Buffer;
  etag: string;
  tables: string[];
}

/** A strong ETag: SHA-1 of the body, and the variant (e.g. sensitive attributes withheld) if any. */
export function strongEtag(body: Buffer, variant = ''): string {
  return `"${hash('sha1', body, 'base64url')}${variant}"`;
}

/** What the cache has done since it was made, and what it holds. */
export interface TileCacheCounts {
  hits: number;
  misses: number;
  /** tiles dropped to make room (not those dropped because their data changed) */
  evictions: number;
  entries: number;
  bytes: number;
}

export class TileCache {
  private readonly entries: LRUCache<string, CachedTile>;
  private readonly generations = new Map<string, number>();
  private epoch = 0; // bumped by clear()
  private readonly counted = { hits: 0, misses: 0, evictions: 0 };

  constructor(maxBytes: number) {
    this.entries = new LRUCache<string, CachedTile>({
      maxSize: Math.max(1, maxBytes), sizeCalculation: (t) => Math.max(64, t.body.length),
      dispose: (_tile, _key, reason) => { if (reason === 'evict') this.counted.evictions++; },
    });
  }

  get(key: string): CachedTile | undefined {
    const tile = this.entries.get(key);
    if (tile) this.counted.hits++;
    else this.counted.misses++;
    return tile;
  }

  /** The generation of each table, to hand back to set() when the render is done. */
  snapshot(tables: string[]): number[] {
    return [this.epoch, ...tables.map((t) => this.generations.get(t) ?? 0)];
  }

  set(key: string, tile: CachedTile, snapshot: number[]): void {
    const now = this.snapshot(tile.tables);
    if (now.some((g, i) => g !== snapshot[i])) return;
    this.entries.set(key, tile);
  }

  /** A table changed: forget every tile drawn from it. */
  invalidate(table: string): void {
    this.generations.set(table, (this.generations.get(table) ?? 0) + 1);
    for (const [key, tile] of this.entries.entries()) if (tile.tables.includes(table)) this.entries.delete(key);
  }

  /** Notifications may have been missed (listener reconnected): forget everything. */
  clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  counts(): TileCacheCounts {
    return { ...this.counted, entries: this.entries.size, bytes: this.entries.calculatedSize };
  }
}
