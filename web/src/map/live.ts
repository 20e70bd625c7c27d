// The live map: one EventSource on the change stream (GET /api/changes, geo/api.ts CHANGE_STREAM) per
// page, and what a change does to the map that shows it:
// - a tiled layer (vector source) re-requests only the loaded tiles the change's bbox touches, at every
//   zoom, with the server's tile buffer; MapLibre sends the tile's ETag, so an untouched tile is a 304;
// - a GeoJSON layer (FeatureLoader) is fetched again, several changes within 100 ms in one fetch;
// - `bulk` refreshes the whole layer, `reset` (changes were missed) every layer.
// The editor's own save goes through `apply` at once, without waiting for the stream.
// Listeners (the identify popup, the status bar, the dashboard) subscribe to the same stream.
import type { Map as MapLibreMap } from 'maplibre-gl';
import { CHANGE_STREAM, type LayerChangeEvent } from '../../../geo/api.ts';
import { lonLatToWorld } from '../../../geo/bbox.ts';
import { LAYERS, TILE_MAX_ZOOM } from '../../../geo/layers.ts';
import { sourceId, TILE_LAYERS } from '../../../geo/style/sources.ts';
import type { FeatureLoader } from './data.ts';

export type { LayerChangeEvent };
export type BBox = [number, number, number, number];

/**
 * The server cuts tiles with a margin of 64 units of 4096 (server/tiles/sql.ts BUFFER / EXTENT): a
 * feature that close to a tile's edge is in the neighbouring tile too. A few units more for the snap
 * to the tile grid.
 */
export const TILE_MARGIN = (64 + 4) / 4096;
/** Beyond this many tiles for one change and source, the whole source is refreshed instead. */
const MAX_TILES = 400;
/** Changes to a GeoJSON layer within this time come in one fetch. */
export const GEOJSON_COALESCE_MS = 100;
/** A dropped stream shows in the status bar only when it stays down longer than this. */
export const DOWN_NOTICE_MS = 3000;

// ---- tiles a change touches ----

/** The bbox in world fractions: [x0, y0 (north), x1, y1 (south)]. */
function world(b: BBox): BBox {
  const [x0, y0] = lonLatToWorld(b[0], b[3]);
  const [x1, y1] = lonLatToWorld(b[2], b[1]);
  return [x0, y0, x1, y1];
}

/** Whether tile z/x/y, with the server's margin, meets the bbox (lon/lat). */
export function tileTouches(b: BBox, z: number, x: number, y: number): boolean {
  const [x0, y0, x1, y1] = world(b);
  const n = 2 ** z;
  return (x - TILE_MARGIN) / n <= x1 && (x + 1 + TILE_MARGIN) / n >= x0 && (y - TILE_MARGIN) / n <= y1 && (y + 1 + TILE_MARGIN) / n >= y0;
}

/**
 * The tiles from minZoom to maxZoom that hold (part of) what lies in the bbox, the server's margin
 * included; null when there are more than `max` (refresh the whole source then).
 */
export function tilesTouching(b: BBox, minZoom: number, maxZoom: number, max = MAX_TILES): { z: number; x: number; y: number }[] | null {
  const [x0, y0, x1, y1] = world(b);
  const out: { z: number; x: number; y: number }[] = [];
  for (let z = Math.max(0, minZoom); z <= maxZoom; z++) {
    const n = 2 ** z;
    const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
    const xa = clamp(Math.floor(x0 * n - TILE_MARGIN));
    const xb = clamp(Math.floor(x1 * n + TILE_MARGIN));
    const ya = clamp(Math.floor(y0 * n - TILE_MARGIN));
    const yb = clamp(Math.floor(y1 * n + TILE_MARGIN));
    if (out.length + (xb - xa + 1) * (yb - ya + 1) > max) return null;
    for (let x = xa; x <= xb; x++) for (let y = ya; y <= yb; y++) out.push({ z, x, y });
  }
  return out;
}

/** The bbox of GeoJSON geometries (lon/lat), null if none has coordinates. */
export function bboxOf(...geometries: (GeoJSON.Geometry | null | undefined)[]): BBox | null {
  let b: BBox | null = null;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      const [x, y] = c as number[];
      if (!b) b = [x, y, x, y];
      else b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
      return;
    }
    for (const x of c) visit(x);
  };
  for (const g of geometries) {
    if (!g) continue;
    if (g.type === 'GeometryCollection') g.geometries.forEach((x) => visit((x as { coordinates?: unknown }).coordinates));
    else visit(g.coordinates);
  }
  return b;
}

/** The change an editor's own save makes (the stream sends the same a moment later). */
export function savedChange(
  layer: string, op: 'insert' | 'update' | 'delete', id: number, version: number | null,
  before: GeoJSON.Geometry | null | undefined, after: GeoJSON.Geometry | null | undefined,
): LayerChangeEvent {
  return { layer, id, version, op, bbox: bboxOf(before, after) };
}

/** Layers whose features change when `layer` changes (the catalogue's dependsOn, by table). */
export function dependantsOf(layer: string): string[] {
  const table = LAYERS.find((l) => l.id === layer)?.table;
  return LAYERS.filter((l) => l.dependsOn?.some((d) => d === layer || d === table)).map((l) => l.id);
}

// ---- the stream ----

export type LiveStatus = 'connecting' | 'live' | 'down';
type ChangeListener = (change: LayerChangeEvent, local: boolean) => void;

/**
 * The change stream of this page. EventSource reconnects by itself and resumes with Last-Event-ID;
 * when it gives up (the server answered the reconnect with an error), a new one is opened after a
 * pause, and since a new EventSource cannot resume, everything is refreshed once it is connected.
 */
export class ChangeStream {
  private source: EventSource | null = null;
  private changes = new Set<ChangeListener>();
  private resets = new Set<() => void>();
  private statuses = new Set<(s: LiveStatus) => void>();
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private missed = false;
  private closed = false;
  status: LiveStatus = 'connecting';
  /** the last event id seen (the stream's position) */
  lastEventId = '';

  constructor(private readonly url: string = CHANGE_STREAM.path) {
    this.open();
  }

  private open(): void {
    if (this.closed) return;
    const es = new EventSource(this.url);
    this.source = es;
    es.addEventListener('open', () => {
      this.retryMs = 1000;
      this.setStatus('live');
    });
    es.addEventListener(CHANGE_STREAM.hello, (e) => {
      this.lastEventId = (e as MessageEvent).lastEventId || this.lastEventId;
      this.setStatus('live');
      if (this.missed) {
        this.missed = false;
        this.emitReset();
      }
    });
    es.addEventListener(CHANGE_STREAM.change, (e) => {
      const m = e as MessageEvent<string>;
      this.lastEventId = m.lastEventId || this.lastEventId;
      let change: LayerChangeEvent;
      try {
        change = JSON.parse(m.data) as LayerChangeEvent;
      } catch {
        return;
      }
      if (!change || typeof change.layer !== 'string') return;
      this.emit(change, false);
    });
    es.addEventListener(CHANGE_STREAM.reset, (e) => {
      this.lastEventId = (e as MessageEvent).lastEventId || this.lastEventId;
      this.emitReset();
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        // refused (an error status, a restart answered with 5xx, a lost session): open a new one later;
        // it starts from now, so whatever was missed meanwhile is refreshed whole
        es.close();
        if (this.source === es) this.source = null;
        this.missed = true;
        this.setStatus('down');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.open(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
      } else {
        // reconnecting by itself (with Last-Event-ID)
        this.setStatus('down');
      }
    });
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    for (const f of this.statuses) f(s);
  }

  private emit(change: LayerChangeEvent, local: boolean): void {
    for (const f of this.changes) {
      try {
        f(change, local);
      } catch (err) {
        console.error('change listener failed', err);
      }
    }
  }

  private emitReset(): void {
    for (const f of this.resets) {
      try {
        f();
      } catch (err) {
        console.error('reset listener failed', err);
      }
    }
  }

  /**
   * A change made here (the editor's save): applied at once, as if it had come on the stream. The
   * stream brings it again a moment later; applied twice, its tiles are asked for twice, which also
   * covers a tile asked for before the server had dropped its cached copy.
   */
  apply(change: LayerChangeEvent): void {
    this.emit(change, true);
  }

  onChange(f: ChangeListener): () => void {
    this.changes.add(f);
    return () => this.changes.delete(f);
  }

  /** Changes were missed: refresh everything. */
  onReset(f: () => void): () => void {
    this.resets.add(f);
    return () => this.resets.delete(f);
  }

  onStatus(f: (s: LiveStatus) => void): () => void {
    this.statuses.add(f);
    f(this.status);
    return () => this.statuses.delete(f);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }
}

let shared: ChangeStream | null = null;

/** This page's change stream (opened on first use). */
export function changeStream(): ChangeStream {
  shared ??= new ChangeStream();
  return shared;
}

// ---- the main map ----

/** Collects keys for `ms` from the first one, then calls `run` once with all of them. */
export function coalescer(ms: number, run: (keys: Set<string>) => void): (key: string) => void {
  let keys = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (key) => {
    keys.add(key);
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      const k = keys;
      keys = new Set();
      run(k);
    }, ms);
  };
}

/** What the map does with changes; returned by attachLiveMap for the editor's own saves and tests. */
export interface LiveMap {
  /** apply a change: the editor's own save (local: its dependants too), or one from the stream */
  apply(change: LayerChangeEvent, local?: boolean): void;
  /** refresh every layer (a reset) */
  refreshAll(): void;
  detach(): void;
}

/**
 * Keeps a map's tiled and GeoJSON layers in step with the change stream. Each change is applied as it
 * comes: the tiles at once, the GeoJSON layers within GEOJSON_COALESCE_MS.
 */
export function attachLiveMap(map: MapLibreMap, loader: FeatureLoader, stream: ChangeStream = changeStream()): LiveMap {
  const geojson = coalescer(GEOJSON_COALESCE_MS, (ids) => {
    for (const id of ids) loader.refresh(id);
  });
  /** tiles that were on their way when a change touched them: asked again once they arrive */
  const pending = new Set<string>();

  const tileManager = (src: string) => map.style?.tileManagers?.[src];

  function refreshTiles(layer: string, bbox: BBox | null): void {
    const src = sourceId(layer);
    if (!map.getSource(src)) return;
    const minZoom = LAYERS.find((l) => l.id === layer)?.minZoom ?? 0;
    // tiles shown overzoomed (map zoom above TILE_MAX_ZOOM) are the z16 tiles: the same ids
    const ids = bbox ? tilesTouching(bbox, minZoom, TILE_MAX_ZOOM) : null;
    if (!ids) {
      map.refreshTiles(src); // every tile, and the cache of tiles out of view
      return;
    }
    map.refreshTiles(src, ids);
    const tm = tileManager(src);
    if (!tm || !bbox) return;
    const touches = (t: { tileID: { canonical: { z: number; x: number; y: number } } }) => {
      const c = t.tileID.canonical;
      return tileTouches(bbox, c.z, c.x, c.y);
    };
    // tiles kept for panning back are stale too: forget them (MapLibre's refreshTiles reloads the
    // tiles in view only)
    tm._outOfViewCache?.filter((t) => !touches(t));
    // a tile still loading may bring what was there before: ask again once it is in
    for (const id of tm._inViewTiles?.getAllIds() ?? []) {
      const t = tm._inViewTiles.getTileById(id);
      if (t && t.state === 'loading' && touches(t)) pending.add(`${src}/${id}`);
    }
    if (pending.size > 1000) pending.clear(); // tiles that never came (panned away)
  }

  const onData = (e: { sourceId?: string; tile?: { tileID: { key: string; canonical: { z: number; x: number; y: number } }; state: string } }) => {
    if (!pending.size || !e.sourceId || !e.tile || e.tile.state !== 'loaded') return;
    const key = `${e.sourceId}/${e.tile.tileID.key}`;
    if (!pending.has(key)) return;
    pending.delete(key);
    const c = e.tile.tileID.canonical;
    map.refreshTiles(e.sourceId, [{ z: c.z, x: c.x, y: c.y }]);
  };
  map.on('sourcedata', onData);

  function applyOne(layer: string, bbox: BBox | null): void {
    if (TILE_LAYERS.has(layer)) refreshTiles(layer, bbox);
    else geojson(layer);
  }

  const live: LiveMap = {
    apply(change, local = true) {
      const bbox = change.op === 'bulk' ? null : change.bbox;
      applyOne(change.layer, bbox);
      // the server sends a dependant's change as its own `derived` event; a local save does not wait for it
      if (local && change.op !== 'derived') for (const d of dependantsOf(change.layer)) applyOne(d, bbox);
    },
    refreshAll() {
      pending.clear();
      for (const l of LAYERS) {
        if (TILE_LAYERS.has(l.id)) {
          if (map.getSource(sourceId(l.id))) map.refreshTiles(sourceId(l.id));
        } else geojson(l.id);
      }
    },
    detach() {
      offChange();
      offReset();
      map.off('sourcedata', onData);
    },
  };
  const offChange = stream.onChange((c, local) => live.apply(c, local));
  const offReset = stream.onReset(() => live.refreshAll());
  return live;
}
