// Which source (and source-layer) each data layer's style layers read. Shared by the client, which
// fills the sources (web/src/map/data.ts), and the server's /tiles/style.json, which points them at
// absolute URLs.

import { LABELLED_LAYERS, LAYERS } from '../layers.ts';

/** Layers too large to fetch whole: read as vector tiles (the catalogue's `tiled`). */
export const TILE_LAYERS: ReadonlySet<string> = new Set(LAYERS.filter((l) => l.tiled).map((l) => l.id));

export const sourceId = (layerId: string): string => `zs-${layerId}`;

/** The source a layer's style layers read from (and, once on vector tiles, its source-layer). */
export function sourceFor(layerId: string): { source: string; sourceLayer?: string } {
  return TILE_LAYERS.has(layerId) ? { source: sourceId(layerId), sourceLayer: layerId } : { source: sourceId(layerId) };
}

/** Polygon layers whose labels come from one point per feature (the catalogue's `labelPoints`; web/src/map/labelpoints.ts). */
export const LABELLED_POLYGONS: ReadonlySet<string> = new Set(LABELLED_LAYERS);

/** The point source of a labelled polygon layer's labels. */
export function labelSourceFor(layerId: string): { source: string; sourceLayer?: string } {
  return { source: `${sourceId(layerId)}-label` };
}
