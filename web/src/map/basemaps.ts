// The raster basemaps' layers on a MapLibre map (the switcher's and the print page's one rule): each
// of the basemap's tile paths (this server's /basemaps proxy) becomes a raster source and layer, under
// every data layer.
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { BasemapInfo } from '../../../geo/api.ts';

export const BASEMAP_PREFIX = 'zs-basemap-';

export function removeBasemapLayers(map: MapLibreMap): void {
  for (const l of map.getStyle().layers.filter((x) => x.id.startsWith(BASEMAP_PREFIX))) map.removeLayer(l.id);
  for (const id of Object.keys(map.getStyle().sources).filter((s) => s.startsWith(BASEMAP_PREFIX))) map.removeSource(id);
}

export function addBasemapLayers(map: MapLibreMap, b: BasemapInfo): void {
  // under every data layer: before the first layer above the background
  const before = map.getStyle().layers.find((l) => l.type !== 'background')?.id;
  b.tiles.forEach((url, i) => {
    const source = `${BASEMAP_PREFIX}${b.id}-${i}`;
    map.addSource(source, {
      // MapLibre's workers need absolute URLs (new URL() would escape the braces)
      type: 'raster', tiles: [location.origin + url], tileSize: b.tileSize, minzoom: b.minzoom, maxzoom: b.maxzoom,
      ...(i === 0 ? { attribution: b.attribution } : {}),
    });
    map.addLayer({ id: source, type: 'raster', source }, before);
  });
}
