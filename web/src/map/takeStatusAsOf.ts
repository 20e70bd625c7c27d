// Parcels and houses (地块、房屋) as of a past date on a map (issue #17): each feature's status then,
// from GET /api/progress/features for the view's bbox, set as feature-state `status` on the vector-tile
// sources; style layers copied from the live ones (geo/style dataLayers: the same palette, widths and
// opacities) read that state instead of the tile's today's `status`. A feature that was not on record
// at the date has no state and is not drawn, fill nor outline: the map then did not have it, and a
// grey stand-in would read as 未签约. The view's features are fetched again as it moves (after the move
// ends), for the layers shown at their zoom.
import type { ExpressionSpecification, LayerSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { LAYER_BY_ID } from '../../../geo/layers.ts';
import { sourceFor } from '../../../geo/style/sources.ts';
import { dataLayers } from '../../../geo/style/style.ts';
import { apiJson } from '../http.ts';

export type TakeLayer = 'parcel' | 'house';
export const TAKE_LAYERS: readonly TakeLayer[] = ['parcel', 'house'];

export interface TakeStatuses {
  layer: TakeLayer;
  asOf: string;
  truncated: boolean;
  features: [number, string | null][];
}

/** the live style layers of parcels and houses, and the as-of copies that stand in for them in the past */
export const LIVE_TAKE_LAYERS = ['parcel-fill', 'parcel-line', 'house-fill', 'house-line'] as const;
export const asOfLayerId = (live: string): string => `zs-asof-${live}`;
export const AS_OF_TAKE_LAYERS = LIVE_TAKE_LAYERS.map(asOfLayerId);

const STATE: ExpressionSpecification = ['feature-state', 'status'];
const HAS_STATE: ExpressionSpecification = ['==', ['typeof', STATE], 'string'];

/** the expression with every ['get', 'status'] read from the feature-state instead */
function fromState(v: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length === 2 && v[0] === 'get' && v[1] === 'status') return ['to-string', STATE];
    return v.map(fromState);
  }
  return v;
}

/** a live layer's spec as the as-of copy: colours from the state, drawn only where there is a state */
function asOfSpec(live: LayerSpecification): LayerSpecification {
  const paint = { ...((live as { paint?: Record<string, unknown> }).paint ?? {}) };
  const opacity = live.type === 'line' ? 'line-opacity' : 'fill-opacity';
  for (const [k, v] of Object.entries(paint)) paint[k] = fromState(v);
  paint[opacity] = ['case', HAS_STATE, paint[opacity] ?? 1, 0];
  const { layout: _l, filter: _f, ...rest } = live as LayerSpecification & { layout?: unknown; filter?: unknown };
  return { ...rest, id: asOfLayerId(live.id), paint, metadata: { ...(live.metadata as object), 'zs:asOf': live.id } } as LayerSpecification;
}

export const fetchTakeStatuses = (layer: TakeLayer, asOf: string, bbox: [number, number, number, number], signal?: AbortSignal) =>
  apiJson<TakeStatuses>(`/api/progress/features?${new URLSearchParams({ layer, asOf, bbox: bbox.map((v) => v.toFixed(6)).join(',') })}`, { signal });

export interface TakeColouring {
  /**
   * colour the layers shown (`shown`) as of `asOf` in the current view; null: remove the states. Resolves
   * when the states are set.
   */
  set(asOf: string | null, shown: Record<TakeLayer, boolean>): Promise<void>;
  /** the status set on a feature (null: not on record at the date, or no date) */
  statusOf(layer: TakeLayer, id: number): string | null;
  /** requests on their way (the view moved) */
  readonly pending: number;
  /** did the last answer for the layer leave features out (more in the view than the server gives)? */
  truncated(layer: TakeLayer): boolean;
}

/** Adds the as-of layers (hidden until a date is set) below their live counterparts; call once the map has its layers. */
export function attachTakeColouring(map: MapLibreMap, onPending: (n: number) => void = () => {}): TakeColouring {
  const specs = dataLayers('zh');
  for (const id of LIVE_TAKE_LAYERS) {
    const live = specs.find((s) => s.id === id);
    if (!live || map.getLayer(asOfLayerId(id))) continue;
    map.addLayer({ ...asOfSpec(live), layout: { visibility: 'none' } } as LayerSpecification, map.getLayer(id) ? id : undefined);
  }
  let asOf: string | null = null;
  let shown: Record<TakeLayer, boolean> = { parcel: false, house: false };
  /** per layer, the ids with a state now */
  const set = new Map<TakeLayer, Map<number, string | null>>(TAKE_LAYERS.map((l) => [l, new Map()]));
  const truncated = new Map<TakeLayer, boolean>();
  const inflight = new Map<TakeLayer, AbortController>();
  let pending = 0;
  const busy = (d: number) => { pending += d; onPending(pending); };

  const target = (layer: TakeLayer, id: number) => {
    const { source, sourceLayer } = sourceFor(layer);
    return { source, sourceLayer, id };
  };
  function clear(layer: TakeLayer): void {
    const mine = set.get(layer)!;
    if (map.getSource(sourceFor(layer).source)) for (const id of mine.keys()) map.setFeatureState(target(layer, id), { status: null });
    mine.clear();
  }
  function setVisible(): void {
    for (const layer of TAKE_LAYERS) {
      for (const live of LIVE_TAKE_LAYERS.filter((l) => l.startsWith(`${layer}-`))) {
        const id = asOfLayerId(live);
        if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', asOf !== null && shown[layer] ? 'visible' : 'none');
      }
    }
  }
  const viewBox = (): [number, number, number, number] => {
    const b = map.getBounds();
    return [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())];
  };

  async function load(layer: TakeLayer): Promise<void> {
    inflight.get(layer)?.abort();
    const date = asOf;
    if (date === null || !shown[layer] || map.getZoom() < (LAYER_BY_ID.get(layer)?.minZoom ?? 0)) return;
    const ctl = new AbortController();
    inflight.set(layer, ctl);
    busy(1);
    try {
      const answer = await fetchTakeStatuses(layer, date, viewBox(), ctl.signal);
      if (ctl.signal.aborted || date !== asOf) return;
      const mine = set.get(layer)!;
      for (const [id, status] of answer.features) {
        if (mine.get(id) === status) continue;
        map.setFeatureState(target(layer, id), { status });
        mine.set(id, status);
      }
      truncated.set(layer, answer.truncated);
    } catch (e) {
      if (!ctl.signal.aborted) throw e;
    } finally {
      if (inflight.get(layer) === ctl) inflight.delete(layer);
      busy(-1);
    }
  }

  const loadAll = () => Promise.all(TAKE_LAYERS.map(load)).then(() => {});
  map.on('moveend', () => { if (asOf !== null) loadAll().catch(() => {}); });

  return {
    async set(date, now) {
      const changed = date !== asOf;
      asOf = date;
      shown = { ...now };
      // a new date: the states of the last one go (a feature on record then may not be now)
      if (changed) for (const layer of TAKE_LAYERS) clear(layer);
      setVisible();
      await loadAll();
    },
    statusOf: (layer, id) => (asOf === null ? null : (set.get(layer)!.get(id) ?? null)),
    get pending() { return pending; },
    truncated: (layer) => truncated.get(layer) ?? false,
  };
}
