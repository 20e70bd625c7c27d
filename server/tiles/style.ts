// GET /tiles/style.json: the client's MapLibre style, built by the same module the client builds it
// with (geo/style/style.ts), its sources made absolute: vector tiles for the dense layers, GeoJSON
// from the map-data API for the rest and for the label points. No glyphs URL: MapLibre draws every
// label with the machine's own fonts (localIdeographFontFamily), so nothing comes from the internet.
// The fill patterns (geo/style/patterns.ts) are images the client draws on a canvas; other
// consumers get their ids in metadata and can supply their own.
import type { StyleSpecification } from 'maplibre-gl';
import { LAYERS, TILE_MAX_ZOOM } from '../../geo/layers.ts';
import { PATTERNS } from '../../geo/style/patterns.ts';
import { LABELLED_POLYGONS, labelSourceFor, sourceId, TILE_LAYERS } from '../../geo/style/sources.ts';
import { baseStyle, dataLayers, LOCAL_IDEOGRAPH_FONT, styleLayerShown } from '../../geo/style/style.ts';

export function buildStyle(origin: string, lang: 'zh' | 'en'): StyleSpecification {
  const style = baseStyle();
  for (const layer of LAYERS) {
    style.sources[sourceId(layer.id)] = TILE_LAYERS.has(layer.id)
      ? { type: 'vector', tiles: [`${origin}/tiles/${layer.id}/{z}/{x}/{y}.mvt`], minzoom: layer.minZoom, maxzoom: TILE_MAX_ZOOM }
      : { type: 'geojson', data: `${origin}/api/layers/${layer.id}/features?limit=50000` };
    if (LABELLED_POLYGONS.has(layer.id)) {
      style.sources[labelSourceFor(layer.id).source] = { type: 'geojson', data: `${origin}/api/layers/${layer.id}/labels` };
    }
  }
  // every layer shown: a label that gives way to another (a town named by 地名) starts hidden
  style.layers.push(...dataLayers(lang).map((l) => (styleLayerShown(l, () => true) ? l : { ...l, layout: { ...l.layout, visibility: 'none' as const } })));
  style.metadata = {
    'zs:synthetic': true,
    'zs:localIdeographFontFamily': LOCAL_IDEOGRAPH_FONT,
    'zs:patternImages': PATTERNS.map((p) => p.id),
  };
  return style;
}
