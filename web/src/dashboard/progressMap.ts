// Colouring red lines (项目红线, their fill) and command areas (片区, their outline: the areas tile the
// whole district, and a fill there tints everything) by % complete as of a date, with MapLibre
// feature-state: the sources stay as they are (GeoJSON or vector tiles), only the state changes per
// date, so moving the time slider re-renders nothing but the paint. Works on any map whose red-line and
// command-area sources carry the feature id (project id / command_area id), e.g. the main map's
// 'zs-red_line' and 'zs-command_area' sources.
import type { ExpressionSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { COLORS } from '../../../geo/style/style.ts';
import { fetchMapProgress, type MapProgress } from './api.ts';

/** grey without a figure; then the main map's own progress ramp (0 % red → 100 % green) */
export const PCT_COLOR: ExpressionSpecification = [
  'case',
  ['==', ['typeof', ['feature-state', 'pct']], 'number'],
  ['interpolate', ['linear'], ['feature-state', 'pct'], ...COLORS.progress.flat()],
  '#bdbdbd',
] as unknown as ExpressionSpecification;

export interface ProgressColouring {
  /** colour the map as of `asOf` (YYYY-MM-DD); resolves with the figures used */
  setAsOf(asOf: string): Promise<MapProgress>;
  /** the last figures applied */
  current(): MapProgress | null;
  remove(): void;
}

export interface ColouringOptions {
  redLineSource: string;
  areaSource: string;
  /** for vector-tile sources */
  redLineSourceLayer?: string;
  areaSourceLayer?: string;
  /** insert the colours below this style layer (e.g. the red-line outline) */
  beforeId?: string;
  redLineOpacity?: number;
  /** width of the command areas' coloured outline, px */
  areaLineWidth?: number;
}

export const PROGRESS_LAYER_IDS = ['zs-progress-command_area-line', 'zs-progress-red_line-fill'] as const;

export function attachProgressColouring(map: MapLibreMap, o: ColouringOptions): ProgressColouring {
  const before = o.beforeId && map.getLayer(o.beforeId) ? o.beforeId : undefined;
  const from = (source: string, sourceLayer: string | undefined) => ({ source, ...(sourceLayer ? { 'source-layer': sourceLayer } : {}) });
  if (!map.getLayer(PROGRESS_LAYER_IDS[0])) {
    map.addLayer({ id: PROGRESS_LAYER_IDS[0], type: 'line', ...from(o.areaSource, o.areaSourceLayer),
      paint: { 'line-color': PCT_COLOR, 'line-width': o.areaLineWidth ?? 2.5 } }, before);
  }
  if (!map.getLayer(PROGRESS_LAYER_IDS[1])) {
    map.addLayer({ id: PROGRESS_LAYER_IDS[1], type: 'fill', ...from(o.redLineSource, o.redLineSourceLayer),
      paint: { 'fill-color': PCT_COLOR, 'fill-opacity': o.redLineOpacity ?? 0.75 } }, before);
  }
  let last: MapProgress | null = null;
  let seq = 0;
  const apply = (data: MapProgress) => {
    const set = (source: string, sourceLayer: string | undefined, id: number, pct: number | null) =>
      map.setFeatureState({ source, id, ...(sourceLayer ? { sourceLayer } : {}) }, { pct });
    // features absent at this date (projects not started yet) lose their colour
    if (last) {
      const now = new Set(data.projects.map((p) => p.id));
      for (const p of last.projects) if (!now.has(p.id)) set(o.redLineSource, o.redLineSourceLayer, p.id, null);
    }
    for (const p of data.projects) set(o.redLineSource, o.redLineSourceLayer, p.id, p.pct);
    for (const a of data.areas) set(o.areaSource, o.areaSourceLayer, a.id, a.pct);
    last = data;
  };
  return {
    async setAsOf(asOf) {
      const mine = ++seq;
      const data = await fetchMapProgress(asOf);
      if (mine === seq) apply(data); // only the latest request paints
      return data;
    },
    current: () => last,
    remove() {
      for (const id of PROGRESS_LAYER_IDS) if (map.getLayer(id)) map.removeLayer(id);
    },
  };
}
