// Where the map's data comes from. Everything that talks to the map-data API lives here:
// `FeatureLoader` fills the sources that geo/style/sources.ts names for each layer.
// Small layers come whole as GeoJSON from /api/layers/{id}/features; the large ones (parcels,
// farmland, cane bases, houses) are vector tiles from /tiles/{id}/{z}/{x}/{y}.mvt, drawn from the
// zoom level geo/layers.ts gives them.
import { api, apiError } from '../http.ts';
import type { GeoJSONSource, Map as MapLibreMap, SourceSpecification } from 'maplibre-gl';
import type { Label } from '../../../geo/domain.ts';
import { LAYER_BY_ID, TILE_MAX_ZOOM, type GeometryKind, type LayerDef } from '../../../geo/layers.ts';
import { LABELLED_POLYGONS, labelSourceFor, sourceId, TILE_LAYERS } from '../../../geo/style/sources.ts';
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

const FULL_LIMIT = 50000;

/** The zoom level from which a layer is drawn (tiled layers only have tiles from there on). */
export function minZoomOf(id: string): number {
  return TILE_LAYERS.has(id) ? (LAYER_BY_ID.get(id)?.minZoom ?? 12) : 0;
}

async function getJson<T>(url: string, signal?: AbortSignal, cache?: RequestCache): Promise<T> {
  const res = await api(url, { signal, cache, headers: { accept: 'application/json' } });
  if (!res.ok) throw await apiError(res);
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

/**
 * A whole feature as the map's reads give it, looked for among those that meet the bbox (undefined:
 * not there any more, or not readable by this user). Never from the browser's cache.
 */
export async function fetchFeatureIn(id: string, featureId: string | number, bbox: BBox): Promise<GeoJSON.Feature | undefined> {
  const fc = await getJson<FeatureCollection>(featuresUrl(id, bbox, FULL_LIMIT), undefined, 'no-store');
  return fc.features.find((f) => Number(f.id ?? f.properties?.id) === Number(featureId));
}

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

function sourceSpec(layerId?: string): SourceSpecification {
  if (layerId && TILE_LAYERS.has(layerId)) {
    // tile feature ids are the rows' ids, as in the GeoJSON: feature-state works the same
    return {
      type: 'vector',
      tiles: [`${window.location.origin}/tiles/${layerId}/{z}/{x}/{y}.mvt`],
      minzoom: minZoomOf(layerId),
      maxzoom: TILE_MAX_ZOOM,
    };
  }
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

/**
 * Adds one source per layer and fills the GeoJSON ones, once and whole, when the layer is first
 * shown. Tiled layers load themselves; the loader reports whether they show at the current zoom.
 */
export class FeatureLoader {
  private map: MapLibreMap;
  private wanted = new Set<string>();
  private full = new Set<string>();
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
      if (!this.map.getSource(sourceId(id))) this.map.addSource(sourceId(id), sourceSpec(id));
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

  /**
   * The whole feature (a tile holds only its clipped part), fetched for a small box around a point
   * that lies on it.
   */
  async fetchFeature(id: string, featureId: string | number, at: [number, number]): Promise<GeoJSON.Feature | undefined> {
    const d = 1e-5;
    return this.fetchFeatureIn(id, featureId, [at[0] - d, at[1] - d, at[0] + d, at[1] + d]);
  }

  fetchFeatureIn(id: string, featureId: string | number, bbox: BBox): Promise<GeoJSON.Feature | undefined> {
    return fetchFeatureIn(id, featureId, bbox);
  }

  /** Start (or stop) wanting a layer's data; call when its visibility changes. */
  setWanted(id: string, wanted: boolean): void {
    if (wanted) {
      this.wanted.add(id);
      if (TILE_LAYERS.has(id)) this.tileState(id);
      else if (!this.full.has(id)) void this.loadFull(id);
    } else {
      this.wanted.delete(id);
    }
  }

  reload(id: string): void {
    this.full.delete(id);
    if (this.wanted.has(id)) this.setWanted(id, true);
  }

  /**
   * The layer's data changed (web/src/map/live.ts): a GeoJSON layer that is shown is fetched again,
   * quietly (the old data stays on the map until the new has come, feature-state kept); one not shown
   * is fetched when it is shown next. Tiled layers refresh their tiles themselves.
   */
  refresh(id: string): void {
    if (TILE_LAYERS.has(id) || !this.map.getSource(sourceId(id))) return;
    if (!this.wanted.has(id)) {
      this.full.delete(id);
      return;
    }
    this.full.add(id);
    void this.fetchInto(id, featuresUrl(id), true);
  }

  private data = new Map<string, GeoJSON.FeatureCollection>();
  private index = new Map<string, Map<number, GeoJSON.Feature>>();

  private setData(id: string, fc: GeoJSON.FeatureCollection): void {
    this.data.set(id, fc);
    this.index.set(id, new Map(fc.features.map((f) => [Number(f.id ?? f.properties?.id), f])));
    (this.map.getSource(sourceId(id)) as GeoJSONSource | undefined)?.setData(fc);
    if (LABELLED_POLYGONS.has(id)) {
      (this.map.getSource(labelSourceFor(id).source) as GeoJSONSource | undefined)?.setData(this.labelPointsOf(id, fc));
    }
  }

  /** each labelled layer's label points by feature id, with the geometry they were found for */
  private labels = new Map<string, Map<number, { geometry: string; point: GeoJSON.Feature<GeoJSON.Point> }>>();

  /**
   * The layer's label points. Finding one takes long on a detailed shape (a red line: tens of ms), so a
   * layer fetched again (a live change) keeps the points of the features whose shape is the same and
   * finds only the others'; the properties are always the new ones.
   */
  private labelPointsOf(id: string, fc: GeoJSON.FeatureCollection): GeoJSON.FeatureCollection<GeoJSON.Point> {
    const before = this.labels.get(id) ?? new Map();
    const after = new Map<number, { geometry: string; point: GeoJSON.Feature<GeoJSON.Point> }>();
    const out: GeoJSON.Feature<GeoJSON.Point>[] = [];
    const todo: GeoJSON.Feature[] = [];
    const shapes = new Map<number, string>();
    for (const f of fc.features) {
      const fid = Number(f.id ?? f.properties?.id);
      const geometry = JSON.stringify(f.geometry);
      const known = before.get(fid);
      if (known && known.geometry === geometry) {
        const point = { ...known.point, properties: { ...f.properties, _area: known.point.properties?._area } };
        after.set(fid, { geometry, point });
        out.push(point);
      } else {
        shapes.set(fid, geometry);
        todo.push(f);
      }
    }
    for (const point of labelPoints({ type: 'FeatureCollection', features: todo }).features) {
      const fid = Number(point.id ?? point.properties?.id);
      after.set(fid, { geometry: shapes.get(fid) ?? '', point });
      out.push(point);
    }
    this.labels.set(id, after);
    return { type: 'FeatureCollection', features: out };
  }

  private async fetchInto(id: string, url: string, quiet = false): Promise<FeatureCollection | null> {
    this.inflight.get(id)?.abort();
    const ctl = new AbortController();
    this.inflight.set(id, ctl);
    if (!quiet) this.onState(id, { status: 'loading', returned: 0, truncated: false });
    try {
      const fc = await getJson<FeatureCollection>(url, ctl.signal, quiet ? 'no-store' : undefined);
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
      // a quiet refresh that fails keeps what the map shows; the next change or reset tries again
      if (quiet) {
        this.full.delete(id);
        return null;
      }
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

  /** Tiled layers have nothing to load here; the panel only needs to know whether they show. */
  private tileState(id: string): void {
    const below = this.map.getZoom() < minZoomOf(id);
    this.onState(id, { status: below ? 'zoom' : 'ready', returned: 0, truncated: false });
  }

  private refreshView(): void {
    for (const id of this.wanted) if (TILE_LAYERS.has(id)) this.tileState(id);
  }

  /** Resolves once no request is in flight (tests and "loading" indicators). */
  get busy(): boolean {
    return this.inflight.size > 0;
  }
}
