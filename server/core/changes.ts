// 变更: what changed on the map, as every server process learns it. The database announces each
// committed row of a map table on zs_layer_changed with its place before and after
// (migrations/functions/30_layer_notify.sql); here each announcement becomes changes of the
// catalogue's layers — the layer of the table and the layers derived from it (geo/layers.ts dependsOn:
// a parcel's red line) — kept in a short, numbered feed that the tile cache (server/tiles) and the
// change stream to browsers (server/changes, GET /api/changes) both read.
import { randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import { LAYERS, type LayerDef } from '../../geo/layers.ts';
import type { LayerChangeEvent } from '../../geo/api.ts';
import { listen } from '../db/notifications.ts';
import type { Lsn } from '../db/replicas.ts';

export const CHANNEL = 'zs_layer_changed';

/** An envelope in Web-Mercator metres: [xmin, ymin, xmax, ymax]. */
export type MercatorBox = [number, number, number, number];

/**
 * Where a change's commit ends in the WAL, or null until known. Only with read replicas: a
 * notification comes after its commit, so the primary's WAL position read after it arrives is at or
 * past that commit; until that answer comes the change counts as not yet on any replica. One mark is
 * shared by the changes of every notification that arrived before the position was asked for.
 */
export interface CommitMark {
  lsn: Lsn | null;
}

export interface LayerChange {
  /** where its commit ends in the WAL (read replicas only: server/db/replicas.ts) */
  commit?: CommitMark;
  layer: string;
  op: LayerChangeEvent['op'];
  id: number | null;
  version: number | null;
  /** where the feature was and is (Web Mercator); empty for a bulk change (the whole layer) */
  boxes: MercatorBox[];
}

/** What the feed hands its readers: a change, or word that changes were missed (refresh everything). */
export type FeedEntry = { seq: number; change: LayerChange } | { seq: number; reset: true; commit?: CommitMark };

interface Notification {
  t: string;
  op: 'insert' | 'update' | 'delete' | 'bulk';
  id?: number;
  v?: number;
  o?: MercatorBox;
  n?: MercatorBox;
  d?: { t: string; id: number; b?: MercatorBox }[];
}

const layersOfTable = (table: string): LayerDef[] => LAYERS.filter((l) => l.table === table);
const derivedFrom = (table: string): LayerDef[] => LAYERS.filter((l) => l.dependsOn?.includes(table));

const isBox = (b: unknown): b is MercatorBox => Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * One notification → the layer changes it means. Anything unreadable (an older server's bare table
 * name, a payload cut short) is taken as a bulk change of the table it names, never dropped.
 */
export function parseNotification(payload: string): LayerChange[] {
  let n: Notification;
  try {
    n = JSON.parse(payload) as Notification;
  } catch {
    n = { t: payload.trim(), op: 'bulk' };
  }
  if (typeof n !== 'object' || n === null || typeof n.t !== 'string') return [];
  const table = n.t;
  const bulk = (layer: LayerDef): LayerChange => ({ layer: layer.id, op: 'bulk', id: null, version: null, boxes: [] });
  if (n.op === 'bulk' || typeof n.id !== 'number') {
    return [...layersOfTable(table), ...derivedFrom(table)].map(bulk);
  }
  const own = [n.o, n.n].filter(isBox);
  const changes: LayerChange[] = layersOfTable(table).map((l) => ({
    layer: l.id, op: n.op, id: n.id!, version: typeof n.v === 'number' ? n.v : null, boxes: own,
  }));
  for (const layer of derivedFrom(table)) {
    for (const d of n.d ?? []) {
      if (d.t !== layer.table) continue;
      changes.push({ layer: layer.id, op: 'derived', id: d.id, version: null, boxes: isBox(d.b) ? [d.b] : [] });
    }
  }
  return changes;
}

/**
 * The changes this process has seen, numbered, the last `capacity` of them kept so that a reader who
 * was away briefly can be given what it missed. A reset (the listener lost its connection, so
 * changes may have been missed) is kept in line with the changes: a reader whose gap spans one must
 * refresh everything.
 */
export class ChangeFeed {
  /** tells this process's numbering from another's (or from before a restart) */
  readonly boot = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly kept: FeedEntry[] = [];
  private readonly readers = new Set<(entry: FeedEntry) => void>();

  constructor(private readonly capacity = 10_000) {}

  /** the number of the newest entry (0 before the first) */
  get position(): number {
    return this.seq;
  }

  publish(changes: LayerChange[]): void {
    for (const change of changes) this.push({ seq: ++this.seq, change });
  }

  /** `commit`: with read replicas, the primary's position once listening again (what a replica must have replayed to have every missed change) */
  reset(commit?: CommitMark): void {
    this.push({ seq: ++this.seq, reset: true, ...(commit ? { commit } : {}) });
  }

  /** every entry after `seq`, or null when some are no longer kept */
  since(seq: number): FeedEntry[] | null {
    if (seq > this.seq || seq < 0) return null;
    if (seq === this.seq) return [];
    const first = this.kept[0]?.seq ?? this.seq + 1;
    if (seq + 1 < first) return null;
    return this.kept.slice(seq + 1 - first);
  }

  subscribe(reader: (entry: FeedEntry) => void): () => void {
    this.readers.add(reader);
    return () => this.readers.delete(reader);
  }

  /**
   * Resolves true once this process has seen the change of `layer`'s feature `id` at `version` or
   * later (or a reset, which drops every cache), false after `ms`. A writer waits for its own change so
   * that its answer leaves this process's tile cache already without the old feature: the editor's map
   * asks for the touched tiles as soon as the answer comes, before the change stream brings the change.
   */
  seen(layer: string, id: number, version: number, ms: number): Promise<boolean> {
    const matches = (e: FeedEntry) => !('change' in e) || (e.change.layer === layer && e.change.id === id && (e.change.version ?? 0) >= version);
    for (let i = this.kept.length - 1; i >= Math.max(0, this.kept.length - 1000); i--) if (matches(this.kept[i])) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(false); }, ms);
      const off = this.subscribe((e) => {
        if (!matches(e)) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  get subscribers(): number {
    return this.readers.size;
  }

  private push(entry: FeedEntry): void {
    this.kept.push(entry);
    if (this.kept.length > this.capacity) this.kept.splice(0, this.kept.length - this.capacity);
    for (const reader of this.readers) reader(entry);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the layer changes this process has seen (server/core/changes.ts) */
    changes: ChangeFeed;
  }
}

/** Listens once per process and publishes into app.changes; starts when the app is ready. */
export const changeFeedPlugin = fp(async (app) => {
  const feed = new ChangeFeed();
  app.decorate('changes', feed);
  const replicas = app.replicas;
  // with read replicas every change carries its commit's WAL position (CommitMark), asked of the
  // primary after the notifications came: one question for all that came before it was asked
  let pending: CommitMark | null = null;
  let asking = false;
  let closed = false;
  const ask = async (): Promise<void> => {
    const mark = pending;
    pending = null;
    if (!mark || !replicas) return;
    asking = true;
    while (!closed) {
      try {
        mark.lsn = await replicas.primaryLsn();
        break;
      } catch (err) {
        // until it is known, replica-rendered tiles the change touches are not cached
        app.log.warn({ err }, 'could not read the primary WAL position of a change; asking again');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    asking = false;
    if (pending) void ask();
  };
  const marked = (): CommitMark | undefined => {
    if (!replicas) return undefined;
    const mark = (pending ??= { lsn: null });
    if (!asking) void ask();
    return mark;
  };
  app.addHook('onClose', async () => void (closed = true));
  const listener = listen({
    backend: app.databaseInfo.backend,
    url: app.databaseDirectUrl,
    pool: app.pg.pool,
    channel: CHANNEL,
    onMessage: (payload) => {
      const changes = parseNotification(payload);
      const commit = marked();
      if (commit) for (const c of changes) c.commit = commit;
      feed.publish(changes);
    },
    onReset: () => feed.reset(marked()),
    log: app.log,
  });
  app.addHook('onReady', () => listener.start());
  app.addHook('onClose', () => listener.close());
}, { name: 'change-feed', dependencies: ['database'] });
