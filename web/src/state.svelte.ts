// The client's shared, reactive state: district, layer list with visibility/opacity/load status,
// the identify result and the cursor position. The map controller writes it; panels read it.
import { LAYER_BY_ID, type LayerDef } from '../../geo/layers.ts';
import type { District, LayerInfo, LoadState } from './map/data.ts';

export interface LayerEntry {
  info: LayerInfo;
  def: LayerDef | undefined;
  visible: boolean;
  opacity: number;
  load: LoadState;
}

export interface Hit {
  layerId: string;
  styleLayer: string;
  feature: GeoJSON.Feature;
  /** hit on the map as of a past date: that date and the feature's status then (its properties are today's) */
  asOf?: { date: string; status: string | null };
}

export interface Identify {
  lngLat: [number, number];
  hits: Hit[];
  index: number;
}

export const app = $state({
  district: null as District | null,
  layers: [] as LayerEntry[],
  error: null as string | null,
  identify: null as Identify | null,
  cursor: null as [number, number] | null,
  zoom: 0,
  /** a drawing tool owns the map's clicks (identify pauses meanwhile) */
  drawing: false,
  /** the feature whose history panel is open (popup's 历史版本, or the audit page's link) */
  history: null as { layerId: string; id: number } | null,
  /** the project whose 征地程序 panel is open (the popup's 征地程序, a project picked in the search, or /?project=) */
  procedure: null as number | null,
  /**
   * the selection (选择集): features of one layer, picked on the map (click, box, lasso) or in the
   * attribute table; the map highlights it and the table marks its rows
   */
  selection: null as { layerId: string; ids: number[] } | null,
  /**
   * a new feature's shape handed to the editor from elsewhere (the conflict panel's survey table: 界址点
   * typed or pasted), which the editor opens as a new feature to fill in and save
   */
  draft: null as { layerId: 'red_line'; geometry: GeoJSON.Polygon; points: number } | null,
  /** the raster basemap shown (its id in GET /api/basemaps), null for the offline synthetic map (the map print prints it too) */
  basemap: null as string | null,
  /** the attribute table (属性表): the layer it shows and its query (CQL2 text, '' for all), or null when closed */
  table: null as { layerId: string; filter: string } | null,
});

/**
 * Layers hidden at start unless the user has shown them (everything else is on): the 三调 land use,
 * and the 三区三线 lines, reference layers whose patterns and labels cost the first view about a tenth
 * of its time (bench/first-view.bench.ts); the conflict panel measures against them either way.
 */
const HIDDEN_AT_START = new Set<string>(['land_use', 'eco_redline', 'urban_boundary']);
const SHOWN_KEY = 'zs.layers.shown';

/** The user's own choices of layer visibility (layer id → shown), kept in this browser. */
function shownByUser(): Record<string, boolean> {
  try {
    const saved = JSON.parse(window.localStorage.getItem(SHOWN_KEY) ?? '{}') as unknown;
    return saved && typeof saved === 'object' ? (saved as Record<string, boolean>) : {};
  } catch {
    return {};
  }
}

/** Remember a layer shown or hidden by the user (the layer panel), for the next visit. */
export function rememberShown(id: string, shown: boolean): void {
  try {
    window.localStorage.setItem(SHOWN_KEY, JSON.stringify({ ...shownByUser(), [id]: shown }));
  } catch {
    // no storage: the defaults next time
  }
}

export function makeEntries(infos: LayerInfo[]): LayerEntry[] {
  const shown = typeof window === 'undefined' ? {} : shownByUser();
  return infos.map((info) => ({
    info,
    def: LAYER_BY_ID.get(info.id),
    visible: shown[info.id] ?? !HIDDEN_AT_START.has(info.id),
    opacity: 1,
    load: { status: 'idle', returned: 0, truncated: false },
  }));
}

export function entry(id: string): LayerEntry | undefined {
  return app.layers.find((l) => l.info.id === id);
}
