import type { Map as MapLibreMap } from 'maplibre-gl';
import type { MapController } from './map/layers.ts';
import type { app } from './state.svelte.ts';

declare global {
  interface Window {
    /** the MapLibre map, for tests and the console */
    __map?: MapLibreMap;
    /** the second map while the time control compares two dates (CompareView.svelte) */
    __compare?: MapLibreMap;
    __zs?: { controller: MapController; app: typeof app; idle: () => Promise<void> };
  }
}

export {};
