// Rendered tiles in memory (LRU, bounded in bytes), dropped when a change touches them: a change of a
// layer drops the tiles of that layer whose buffered bounds meet the feature's place before or after
// (server/core/changes.ts); a bulk change drops the layer's tiles. A render that was under way when a
// change touched its tile is not stored, so a slow render never puts a stale tile back after the
// invalidation. It counts what it does; the metrics capability reads the counts at scrape time.
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CommitMark, MercatorBox } from '../core/changes.ts';
import type { Lsn } from '../db/replicas.ts';
import { BUFFER, EXTENT, type TileCoord, tileBounds } from './sql.ts';

export interface CachedTile {
  body: Buffer;
  etag: string;
  /** the layers drawn in it (a change of any of them may touch it) */
  layers: string[];
  coord: TileCoord;
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
  /** tiles dropped because a change touched them */
  invalidated: number;
  entries: number;
  bytes: number;
}

/** A layer's change as the cache takes it: where (Web Mercator), or null for the whole layer. */
export interface TileInvalidation {
  layer: string;
  boxes: MercatorBox[] | null;
  /** with read replicas: where the change's commit ends in the WAL (a replica short of it renders the tile without it) */
  commit?: CommitMark;
}

/** Where a render began: handed back to set() so that a change since then keeps its tile out. */
export interface RenderSnapshot {
  epoch: number;
  seq: number;
}

/** Does a change at these places show in this tile? Its bounds plus the buffer every tile carries. */
export function touches(coord: TileCoord, boxes: MercatorBox[]): boolean {
  const b = tileBounds(coord);
  const margin = ((b.xmax - b.xmin) * BUFFER) / EXTENT;
  return boxes.some(([x0, y0, x1, y1]) =>
    x0 <= b.xmax + margin && x1 >= b.xmin - margin && y0 <= b.ymax + margin && y1 >= b.ymin - margin);
}

/** Invalidations remembered for the renders under way (many more than can happen during one). */
const RECENT = 2_000;

export class TileCache {
  private readonly entries: LRUCache<string, CachedTile>;
  private epoch = 0; // bumped by clear()
  private seq = 0; // bumped by invalidate()
  private readonly recent: (TileInvalidation & { seq: number })[] = [];
  /** with read replicas: the newest commit among invalidations no longer in `recent` */
  private forgotten: CommitMark | undefined;
  /** with read replicas: what a replica must have replayed since the last clear() (changes may have been missed) */
  private floor: CommitMark | undefined;
  private readonly counted = { hits: 0, misses: 0, evictions: 0, invalidated: 0 };

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

  /** Taken before a render, handed to set() after it. */
  snapshot(): RenderSnapshot {
    return { epoch: this.epoch, seq: this.seq };
  }

  /**
   * Keeps a rendered tile, unless a change since `since` touched it — or, rendered from a read replica
   * that had replayed `replayLsn` (a lower bound), unless a change it touches is not known to be in that
   * replay yet: such a tile is served but not kept, and rendered again on the next request.
   */
  set(key: string, tile: CachedTile, since: RenderSnapshot, replayLsn: Lsn | null = null): void {
    if (since.epoch !== this.epoch) return;
    if (replayLsn !== null && this.staleOnReplica(tile, replayLsn)) return;
    if (since.seq < this.seq) {
      // forgotten invalidations may have touched it: keep it out
      if (this.recent.length === 0 || this.recent[0].seq > since.seq + 1) return;
      for (let i = this.recent.length - 1; i >= 0 && this.recent[i].seq > since.seq; i--) if (this.hits(tile, this.recent[i])) return;
    }
    this.entries.set(key, tile);
  }

  /** A layer changed here (or everywhere): forget the tiles it touches. */
  invalidate(inv: TileInvalidation): void {
    this.recent.push({ ...inv, seq: ++this.seq });
    if (this.recent.length > RECENT) this.forgotten = this.recent.splice(0, this.recent.length - RECENT).at(-1)!.commit;
    for (const [key, tile] of this.entries.entries()) {
      if (this.hits(tile, inv)) {
        this.entries.delete(key);
        this.counted.invalidated++;
      }
    }
  }

  /** Notifications may have been missed (listener reconnected): forget everything. */
  clear(floor?: CommitMark): void {
    if (floor) this.floor = floor;
    this.epoch++;
    this.entries.clear();
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  counts(): TileCacheCounts {
    return { ...this.counted, entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  /**
   * Whether a tile rendered at replay position `replayLsn` may miss a change that touches it. The
   * invalidations arrive in commit order and their positions grow with it, so the walk back stops at
   * the first one the replica has.
   */
  private staleOnReplica(tile: CachedTile, replayLsn: Lsn): boolean {
    const missing = (c: CommitMark | undefined) => c !== undefined && (c.lsn === null || c.lsn > replayLsn);
    if (missing(this.floor)) return true;
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const inv = this.recent[i];
      if (!missing(inv.commit)) return false;
      if (this.hits(tile, inv)) return true;
    }
    return missing(this.forgotten);
  }

  private hits(tile: CachedTile, inv: TileInvalidation): boolean {
    return tile.layers.includes(inv.layer) && (inv.boxes === null || touches(tile.coord, inv.boxes));
  }
}
