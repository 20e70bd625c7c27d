// Where the map's data comes from. Everything that talks to the map-data API lives here, so that
// moving the large layers to vector tiles later means changing this module only: `sourceFor`
// tells the style which source (and source-layer) a layer reads, `FeatureLoader` fills the sources.
import type { GeoJSONSource, Map as MapLibreMap, SourceSpecification } from 'maplibre-gl';
import type { Label } from '../../../geo/domain.ts';
import type { GeometryKind, LayerDef } from '../../../geo/layers.ts';
import { labelPoints } from './labelpoints.ts';

export type BBox = [number, number, number, number];

export interface District {
  name: string;
  synthetic: boolean;
  bbox: BBox;
  center: [number, number];
}

export interface LayerInfo {
  id: string;
  title: Label;
  geometry: GeometryKind;
  group: LayerDef['group'];
  count: number;
  bbox: BBox | null;
}

export interface FeatureCollection extends GeoJSON.FeatureCollection {
  numberReturned?: number;
  truncated?: boolean;
}

/** Layers too large to fetch whole: fetched for the current view from this zoom on. */
export const VIEW_LAYERS: ReadonlySet<string> = new Set(['parcel', 'farmland', 'cane_base', 'house']);
export const VIEW_MIN_ZOOM = 12;
const VIEW_LIMIT = 20000;
const FULL_LIMIT = 50000;

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export const fetchDistrict = (): Promise<District> => getJson<District>('/api/district');

export async function fetchLayers(): Promise<LayerInfo[]> {
  const body = await getJson<{ layers: LayerInfo[] }>('/api/layers');
  return body.layers;
}

export function featuresUrl(id: string, bbox?: BBox, limit = FULL_LIMIT): string {
  const q = new URLSearchParams();
  if (bbox) q.set('bbox', bbox.map((v) => v.toFixed(6)).join(','));
  q.set('limit', String(limit));
  return `/api/layers/${encodeURIComponent(id)}/features?${q}`;
}

export const sourceId = (layerId: string): string => `zs-${layerId}`;

/** The source a layer's style layers read from (and, once on vector tiles, its source-layer). */
export function sourceFor(layerId: string): { source: string; sourceLayer?: string } {
  return { source: sourceId(layerId) };
}

/** Polygon layers whose labels come from one point per feature (see labelpoints.ts). */
export const LABELLED_POLYGONS: ReadonlySet<string> = new Set([
  'water', 'command_area', 'township', 'village', 'park', 'red_line', 'resettlement_site', 'disputed_land',
]);

/** The point source of a labelled polygon layer's labels. */
export function labelSourceFor(layerId: string): { source: string; sourceLayer?: string } {
  return { source: `${sourceId(layerId)}-label` };
}

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

function sourceSpec(): SourceSpecification {
  // numeric top-level ids from the API: used for feature-state (selection highlight)
  return { type: 'geojson', data: EMPTY, attribution: '' };
}

/** What the layer panel shows about a layer's data. */
export interface LoadState {
  status: 'idle' | 'loading' | 'ready' | 'error' | 'zoom';
  returned: number;
  truncated: boolean;
  error?: string;
}

function contains(outer: BBox, inner: BBox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}

function padded(b: BBox, f: number): BBox {
  const dx = (b[2] - b[0]) * f;
  const dy = (b[3] - b[1]) * f;
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
}

/**
 * Fills one GeoJSON source per layer: small layers once, whole; view layers for the current view
 * (padded) whenever the view leaves what was fetched. Only visible layers are fetched.
 */
export class FeatureLoader {
  private map: MapLibreMap;
  private wanted = new Set<string>();
  private full = new Set<string>();
  private viewBox = new Map<string, BBox>();
  private inflight = new Map<string, AbortController>();
  private onState: (id: string, state: LoadState) => void;
  private onData: (id: string, fc: FeatureCollection) => void;

  constructor(
    map: MapLibreMap,
    onState: (id: string, state: LoadState) => void,
    onData: (id: string, fc: FeatureCollection) => void = () => {},
  ) {
    this.map = map;
    this.onState = onState;
    this.onData = onData;
    map.on('moveend', () => this.refreshView());
  }

  addSources(ids: string[]): void {
    for (const id of ids) {
      if (!this.map.getSource(sourceId(id))) this.map.addSource(sourceId(id), sourceSpec());
      const label = labelSourceFor(id).source;
      if (LABELLED_POLYGONS.has(id) && !this.map.getSource(label)) this.map.addSource(label, sourceSpec());
    }
  }

  /** The features last fetched for a layer (for popups and name look-ups). */
  features(id: string): GeoJSON.Feature[] {
    return this.data.get(id)?.features ?? [];
  }

  feature(id: string, featureId: string | number | undefined): GeoJSON.Feature | undefined {
    if (featureId === undefined) return undefined;
    return this.index.get(id)?.get(Number(featureId));
  }

  /** Start (or stop) wanting a layer's data; call when its visibility changes. */
  setWanted(id: string, wanted: boolean): void {
    if (wanted) {
      this.wanted.add(id);
      if (VIEW_LAYERS.has(id)) this.loadView(id);
      else if (!this.full.has(id)) void this.loadFull(id);
    } else {
      this.wanted.delete(id);
    }
  }

  reload(id: string): void {
    this.full.delete(id);
    this.viewBox.delete(id);
    if (this.wanted.has(id)) this.setWanted(id, true);
  }

  private data = new Map<string, GeoJSON.FeatureCollection>();
  private index = new Map<string, Map<number, GeoJSON.Feature>>();

  private setData(id: string, fc: GeoJSON.FeatureCollection): void {
    this.data.set(id, fc);
    this.index.set(id, new Map(fc.features.map((f) => [Number(f.id ?? f.properties?.id), f])));
    (this.map.getSource(sourceId(id)) as GeoJSONSource | undefined)?.setData(fc);
    if (LABELLED_POLYGONS.has(id)) {
      (this.map.getSource(labelSourceFor(id).source) as GeoJSONSource | undefined)?.setData(labelPoints(fc));
    }
  }

  private async fetchInto(id: string, url: string): Promise<FeatureCollection | null> {
    this.inflight.get(id)?.abort();
    const ctl = new AbortController();
    this.inflight.set(id, ctl);
    this.onState(id, { status: 'loading', returned: 0, truncated: false });
    try {
      const fc = await getJson<FeatureCollection>(url, ctl.signal);
      if (ctl.signal.aborted) return null;
      this.setData(id, fc);
      this.onData(id, fc);
      this.onState(id, {
        status: 'ready',
        returned: fc.numberReturned ?? fc.features.length,
        truncated: fc.truncated === true,
      });
      return fc;
    } catch (e) {
      if (ctl.signal.aborted) return null;
      this.onState(id, { status: 'error', returned: 0, truncated: false, error: String(e) });
      return null;
    } finally {
      if (this.inflight.get(id) === ctl) this.inflight.delete(id);
    }
  }

  private async loadFull(id: string): Promise<void> {
    this.full.add(id);
    const fc = await this.fetchInto(id, featuresUrl(id));
    if (!fc) this.full.delete(id);
  }

  private currentBBox(): BBox {
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  private loadView(id: string): void {
    if (this.map.getZoom() < VIEW_MIN_ZOOM) {
      this.inflight.get(id)?.abort();
      if (this.viewBox.has(id)) this.setData(id, EMPTY);
      this.viewBox.delete(id);
      this.onState(id, { status: 'zoom', returned: 0, truncated: false });
      return;
    }
    const view = this.currentBBox();
    const have = this.viewBox.get(id);
    if (have && contains(have, view)) return;
    const want = padded(view, 0.35);
    this.viewBox.set(id, want);
    void this.fetchInto(id, featuresUrl(id, want, VIEW_LIMIT)).then((fc) => {
      if (!fc) this.viewBox.delete(id);
      else if (fc.truncated) this.viewBox.set(id, view); // refetch as soon as the view moves
    });
  }

  private refreshView(): void {
    for (const id of this.wanted) if (VIEW_LAYERS.has(id)) this.loadView(id);
  }

  /** Resolves once no request is in flight (tests and "loading" indicators). */
  get busy(): boolean {
    return this.inflight.size > 0;
  }
}
