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
    /**
     * the print page's state, which the server's Chromium waits for (server/print): ready, with the
     * map as drawn (zoom, its scale at the frame's centre, the frame in mm), or why it gave up
     */
    __print?: { ready?: boolean; error?: string; zoom?: number; scale?: number; center?: [number, number]; frameMm?: { x: number; y: number; width: number; height: number } };
  }
}

export {};
