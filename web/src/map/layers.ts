// The map controller: creates the MapLibre map with the local style, adds the pattern images, the
// sources and the style layers, and applies what the layer panel and the language switch change.
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
// MapLibre finds its worker next to its own module, which a bundle moves: point it at the copy
// Vite emits (same origin, no CDN).
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Lang } from '../i18n/i18n.svelte.ts';
import { app, type LayerEntry } from '../state.svelte.ts';
import { FeatureLoader, type District } from './data.ts';
import { PATTERNS, PATTERN_PIXEL_RATIO } from '../../../geo/style/patterns.ts';
import { LOCAL_IDEOGRAPH_FONT, OPACITY_PROPS, baseStyle, dataLayers, styleLayerDependsOn, styleLayerShown, textFields } from '../../../geo/style/style.ts';
import { patternImage } from './patterns.ts';
import { attachInteractions } from './interactions.ts';
import { attachLiveMap, type LiveMap } from './live.ts';
import { attachSelectionHighlight } from './selection.ts';
import { tick } from 'svelte';
import { fitPadding } from '../layout/docks.svelte.ts';

type Opacity = number | unknown[];

export interface MapController {
  map: MapLibreMap;
  loader: FeatureLoader;
  /** keeps the map in step with the change stream; `apply` shows the editor's own saves at once */
  live: LiveMap;
  setVisible(id: string, visible: boolean): void;
  setOpacity(id: string, opacity: number): void;
  setLang(lang: Lang): void;
  zoomToDistrict(): void;
  zoomToLayer(id: string): void;
  /** fly to a feature's bbox and select it (project search) */
  flyToFeature(layerId: string, id: number, bbox: [number, number, number, number]): void;
  /** highlight the selection (选择集) on the map; kept as tiles load */
  showSelection(selection: typeof app.selection): void;
}

setWorkerUrl(workerUrl);

export function createMap(container: HTMLElement, district: District, entries: LayerEntry[], lang: Lang): MapController {
  const map = new MapLibreMap({
    container,
    style: baseStyle(),
    bounds: district.bbox,
    // fits land in the part of the map the docks leave visible (web/src/layout/docks.svelte.ts)
    fitBoundsOptions: { padding: fitPadding(container) },
    maxBounds: [
      [district.bbox[0] - 1.5, district.bbox[1] - 1.2],
      [district.bbox[2] + 1.5, district.bbox[3] + 1.2],
    ],
    minZoom: 7,
    maxZoom: 19,
    localIdeographFontFamily: LOCAL_IDEOGRAPH_FONT,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ maxWidth: 140, unit: 'metric' }), 'bottom-right');

  const loader = new FeatureLoader(
    map,
    (id, state) => {
      const e = app.layers.find((l) => l.info.id === id);
      if (e) e.load = state;
    },
  );

  // base opacity of each style layer's paint properties, scaled by the slider
  const baseOpacity = new Map<string, Record<string, Opacity>>();
  const styleLayersOf = new Map<string, string[]>();

  const setup = () => {
    for (const p of PATTERNS) {
      const img = patternImage(p.id);
      if (img && !map.hasImage(p.id)) map.addImage(p.id, img, { pixelRatio: PATTERN_PIXEL_RATIO });
    }
    const known = new Set(entries.map((e) => e.info.id));
    loader.addSources([...known]);
    for (const spec of dataLayers(lang)) {
      const id = spec.metadata['zs:layer'];
      if (!known.has(id)) continue;
      map.addLayer(spec);
      const list = styleLayersOf.get(id) ?? [];
      list.push(spec.id);
      styleLayersOf.set(id, list);
      const paint = (spec as { paint?: Record<string, Opacity> }).paint ?? {};
      const base: Record<string, Opacity> = {};
      for (const prop of OPACITY_PROPS[spec.type] ?? []) base[prop] = paint[prop] ?? 1;
      baseOpacity.set(spec.id, base);
    }
    addDistrictMask(map, district);
    for (const e of entries) {
      applyVisibility(e.info.id, e.visible);
      if (e.opacity !== 1) applyOpacity(e.info.id, e.opacity);
    }
    highlight = attachSelectionHighlight(map);
    ready = true;
    highlight(selectionShown);
  };
  let highlight: ReturnType<typeof attachSelectionHighlight> | null = null;
  /** setup() has added the style layers */
  let ready = false;
  /** the selection last asked for: shown once the sources are there */
  let selectionShown: typeof app.selection = null;

  function applyVisibility(id: string, visible: boolean): void {
    const e = entries.find((x) => x.info.id === id);
    if (e) e.visible = visible;
    const shown = (layerId: string) => entries.find((x) => x.info.id === layerId)?.visible ?? false;
    // this layer's style layers, and the labels that give way to it (geo/style/style.ts)
    for (const sl of [...styleLayersOf.values()].flat()) {
      const spec = map.getLayer(sl);
      if (spec && styleLayerDependsOn(spec, id)) map.setLayoutProperty(sl, 'visibility', styleLayerShown(spec, shown) ? 'visible' : 'none');
    }
    loader.setWanted(id, visible);
  }

  function applyOpacity(id: string, o: number): void {
    for (const sl of styleLayersOf.get(id) ?? []) {
      const base = baseOpacity.get(sl) ?? {};
      for (const [prop, b] of Object.entries(base)) {
        const v = typeof b === 'number' ? b * o : ['*', o, b];
        map.setPaintProperty(sl, prop as 'fill-opacity', v as unknown as number);
      }
    }
  }

  map.once('load', setup);

  const ctl: MapController = {
    map,
    loader,
    live: attachLiveMap(map, loader),
    setVisible: (id, v) => {
      // before the style layers are added the choice is kept in the entry, which setup() applies
      // (map.loaded() and isStyleLoaded() are false whenever tiles are loading: no guide here)
      const e = entries.find((x) => x.info.id === id);
      if (e) e.visible = v;
      if (ready) applyVisibility(id, v);
    },
    setOpacity: (id, o) => applyOpacity(id, o),
    setLang: (l) => {
      for (const [sl, field] of Object.entries(textFields(l))) if (map.getLayer(sl)) map.setLayoutProperty(sl, 'text-field', field);
    },
    zoomToDistrict: () => map.fitBounds(district.bbox, { padding: fitPadding(container) }),
    zoomToLayer: (id) => {
      const b = app.layers.find((l) => l.info.id === id)?.info.bbox;
      if (b) map.fitBounds(b, { padding: fitPadding(container), maxZoom: 16 });
    },
    flyToFeature: (layerId, id, bbox) => {
      // after the page has shown what the pick opens (a search opens the project's 征地程序 in the right dock)
      void tick().then(() => {
        map.fitBounds(bbox, { padding: fitPadding(container), maxZoom: 16 });
        map.once('moveend', () => interactions.selectFeature(layerId, id));
      });
    },
    showSelection: (selection) => {
      selectionShown = selection;
      highlight?.(selection);
    },
  };
  const interactions = attachInteractions(ctl);
  return ctl;
}

/** Dims everything outside the district's extent and draws its edge. */
function addDistrictMask(map: MapLibreMap, district: District): void {
  const [w, s, e, n] = district.bbox;
  const edge = [[w, s], [e, s], [e, n], [w, n], [w, s]];
  map.addSource('zs-district-mask', {
    type: 'geojson',
    data: {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]], edge.slice().reverse()] },
    },
  });
  const before = map.getStyle().layers.find((l) => l.type === 'symbol')?.id;
  map.addLayer({ id: 'district-mask', type: 'fill', source: 'zs-district-mask', paint: { 'fill-color': '#c9c4ba', 'fill-opacity': 0.45 } }, before);
  map.addLayer({
    id: 'district-edge', type: 'line', source: 'zs-district-mask',
    paint: { 'line-color': '#5d5346', 'line-width': 1.2, 'line-opacity': 0.6 },
  }, before);
}
