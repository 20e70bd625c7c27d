// Click-to-identify (popup with the feature's attributes), selection highlight, hover cursor and
// the cursor's coordinates for the status bar.
import { Popup, type MapGeoJSONFeature, type PointLike } from 'maplibre-gl';
import { mount, tick, unmount } from 'svelte';
import IdentifyPopup from '../panels/IdentifyPopup.svelte';
import { app, type Hit } from '../state.svelte.ts';
import { TILE_LAYERS, sourceFor } from '../../../geo/style/sources.ts';
import { IDENTIFY_ORDER } from '../../../geo/style/style.ts';
import type { MapController } from './layers.ts';
import { asOfLayerId } from './takeStatusAsOf.ts';
import { timeView } from './timeview.svelte.ts';
import { coveredEdges, identifySlotShown } from '../layout/docks.svelte.ts';

const TOLERANCE = 4; // px around the click

function layerOf(f: MapGeoJSONFeature): string {
  return (f.layer.metadata as { 'zs:layer'?: string } | undefined)?.['zs:layer'] ?? f.layer.id;
}

/** Wires identify, selection and hover; returns how others select a feature (e.g. after a search). */
export function attachInteractions(ctl: MapController): { selectFeature(layerId: string, id: number): void } {
  const { map, loader } = ctl;
  let popup: Popup | null = null;
  let component: ReturnType<typeof mount> | null = null;
  /** the element the identify result is mounted in (inside the popup, or the phone sheet's slot) */
  let shown: HTMLElement | null = null;
  let selected: { source: string; sourceLayer?: string; id: string | number } | null = null;

  const shows = (id: string) => !!map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none';
  // in the past, parcels and houses are drawn by their as-of copies (takeStatusAsOf.ts), in the same place of the order
  const queryable = () => IDENTIFY_ORDER.flatMap((id) => [id, asOfLayerId(id)]).filter(shows);
  /** the live style layer a hit's layer stands for */
  const liveOf = (f: MapGeoJSONFeature): string => (f.layer.metadata as { 'zs:asOf'?: string } | undefined)?.['zs:asOf'] ?? f.layer.id;

  function clearSelection(): void {
    if (selected) map.setFeatureState(selected, { selected: false });
    selected = null;
  }

  function select(hit: Hit | undefined): void {
    clearSelection();
    if (!hit || hit.feature.id === undefined || hit.feature.id === null) return;
    const { source, sourceLayer } = sourceFor(hit.layerId);
    if (!map.getSource(source)) return;
    selected = sourceLayer ? { source, sourceLayer, id: hit.feature.id } : { source, id: hit.feature.id };
    map.setFeatureState(selected, { selected: true });
  }

  function close(): void {
    clearSelection();
    if (component) void unmount(component);
    component = null;
    shown?.remove();
    shown = null;
    const p = popup;
    popup = null;
    p?.remove();
    app.identify = null;
  }

  map.on('click', (e) => {
    if (app.drawing) return;
    const box: [PointLike, PointLike] = [
      [e.point.x - TOLERANCE, e.point.y - TOLERANCE],
      [e.point.x + TOLERANCE, e.point.y + TOLERANCE],
    ];
    const found = map.queryRenderedFeatures(box, { layers: queryable() });
    const seen = new Set<string>();
    const hits: Hit[] = [];
    // top-most first, as rendered; then by the identify order for features on the same level
    const rank = (f: MapGeoJSONFeature) => IDENTIFY_ORDER.indexOf(liveOf(f));
    for (const f of [...found].sort((a, b) => rank(a) - rank(b))) {
      const layerId = layerOf(f);
      const past = liveOf(f) !== f.layer.id;
      const status = (f.state as { status?: string | null }).status ?? null;
      // a feature not on record at the date is not drawn there: nothing to identify
      if (past && status === null) continue;
      const key = `${layerId}:${String(f.id)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const original = loader.feature(layerId, f.id);
      hits.push({
        layerId,
        styleLayer: f.layer.id,
        feature: original ?? { type: 'Feature', id: f.id, properties: f.properties, geometry: f.geometry },
        ...(past && timeView.asOf !== null ? { asOf: { date: timeView.asOf, status } } : {}),
      });
    }
    close();
    if (!hits.length) return;
    const identify = { lngLat: [e.lngLat.lng, e.lngLat.lat] as [number, number], hits, index: 0 };
    app.identify = identify;
    // a tile holds only part of a large feature: fetch the whole one (for its measured area)
    hits.forEach((h, i) => {
      if (!TILE_LAYERS.has(h.layerId) || h.feature.id === undefined || h.feature.id === null) return;
      void loader.fetchFeature(h.layerId, h.feature.id, identify.lngLat).then((full) => {
        if (full && app.identify && app.identify.hits[i]?.feature.id === h.feature.id && app.identify.lngLat[0] === identify.lngLat[0] && app.identify.lngLat[1] === identify.lngLat[1]) {
          app.identify.hits[i] = { ...h, feature: full };
        }
      }).catch(() => {});
    });
    select(hits[0]);
    const target = document.createElement('div');
    component = mount(IdentifyPopup, {
      target,
      props: {
        onpick: (i: number) => {
          if (app.identify) {
            app.identify.index = i;
            select(app.identify.hits[i]);
          }
        },
      },
    });
    shown = target;
    const slot = identifySlotShown();
    if (slot) {
      slot.replaceChildren(target);
      // the sheet has come up over the map: keep the tapped place in sight, in the middle of the map above it
      void tick().then(() => map.panTo(e.lngLat, { offset: [0, -coveredEdges(map.getContainer()).bottom / 2] }));
      return;
    }
    // the popup keeps out from under the docks and the bottom tools
    popup = new Popup({ maxWidth: '380px', className: 'zs-popup', focusAfterOpen: false, padding: coveredEdges(map.getContainer(), 8) })
      .setLngLat(e.lngLat)
      .setDOMContent(target)
      .addTo(map);
    popup.on('close', () => {
      if (popup) close();
    });
  });

  // hover highlight through feature-state on the topmost feature under the pointer
  let hovered: { source: string; sourceLayer?: string; id: string | number } | null = null;
  function setHover(f: MapGeoJSONFeature | undefined): void {
    const next = f && f.id !== undefined && f.id !== null
      ? (f.sourceLayer ? { source: f.source, sourceLayer: f.sourceLayer, id: f.id } : { source: f.source, id: f.id })
      : null;
    if (hovered && next && hovered.source === next.source && hovered.id === next.id) return;
    if (hovered && map.getSource(hovered.source)) map.setFeatureState(hovered, { hover: false });
    hovered = next;
    if (hovered) map.setFeatureState(hovered, { hover: true });
  }

  let hoverFrame = 0;
  map.on('mousemove', (e) => {
    app.cursor = [e.lngLat.lng, e.lngLat.lat];
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      const over = map.queryRenderedFeatures(e.point, {
        layers: queryable().filter((l) => !['village-fill', 'command_area-fill', 'built_up-fill', 'water-fill'].includes(l)),
      });
      map.getCanvas().style.cursor = over.length ? 'pointer' : '';
      setHover(over[0]);
    });
  });
  map.on('mouseout', () => {
    app.cursor = null;
    setHover(undefined);
  });
  map.on('zoomend', () => {
    app.zoom = map.getZoom();
  });
  map.on('load', () => {
    app.zoom = map.getZoom();
  });
  return {
    selectFeature: (layerId, id) => {
      close();
      select({ layerId, feature: { id } } as unknown as Hit);
    },
  };
}
