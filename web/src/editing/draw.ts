// Drawing and vertex editing on the MapLibre map with terra-draw: a polygon mode that snaps to the
// corners of neighbouring parcels, a select mode whose vertices can be dragged, added (midpoints) and
// deleted, a line mode for splitting a parcel, an undo stack, and an overlay for a past version.
import { buffer, difference, featureCollection, flatten } from '@turf/turf';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';

type Polygonal = GeoJSON.Polygon | GeoJSON.MultiPolygon;
const SNAP_PX = 10;
const OVERLAY = 'zs-edit-previous';

export interface Drawing {
  draw: TerraDraw;
  /** start drawing a new polygon */
  drawPolygon(): void;
  /**
   * put a geometry on the map for vertex editing; false when it cannot be edited there (several parts
   * or holes: terra-draw edits one ring), and the map's drawing is then empty
   */
  edit(geometry: Polygonal): boolean;
  /** the geometry being edited or drawn, or null */
  current(): Polygonal | null;
  undo(): boolean;
  canUndo(): boolean;
  /** draw a line across the polygon; resolves with the parts it cuts it into */
  split(): Promise<GeoJSON.Polygon[]>;
  /** draw a past version over the current one (null clears) */
  showPrevious(geometry: Polygonal | null): void;
  clear(): void;
  destroy(): void;
  onChange(fn: () => void): void;
}

/** The closest corner of another feature's geometry within SNAP_PX pixels of the pointer. */
function snapper(map: MapLibreMap, neighbours: () => GeoJSON.Feature[]) {
  return (event: { containerX: number; containerY: number }): GeoJSON.Position | undefined => {
    let best: GeoJSON.Position | undefined;
    let bestD = SNAP_PX;
    for (const f of neighbours()) {
      const g = f.geometry;
      if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) continue;
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      for (const poly of polys) for (const ring of poly) for (const p of ring) {
        const px = map.project([p[0], p[1]]);
        const d = Math.hypot(px.x - event.containerX, px.y - event.containerY);
        if (d < bestD) {
          bestD = d;
          best = p;
        }
      }
    }
    return best;
  };
}

export function createDrawing(map: MapLibreMap, neighbours: () => GeoJSON.Feature[]): Drawing {
  const snap = snapper(map, neighbours);
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new TerraDrawPolygonMode({ snapping: { toCoordinate: true, toCustom: snap } }),
      new TerraDrawLineStringMode(),
      new TerraDrawSelectMode({
        flags: {
          polygon: {
            feature: {
              draggable: false,
              coordinates: { draggable: true, midpoints: true, deletable: true, snappable: { toCoordinate: true, toCustom: snap } },
            },
          },
        },
      }),
    ],
  });
  draw.start();
  const undoStack: Polygonal[] = [];
  const listeners: (() => void)[] = [];
  let editingId: string | number | null = null;
  let last: Polygonal | null = null;

  const polygonFeature = () => draw.getSnapshot().find((f) => f.geometry.type === 'Polygon');
  const notify = () => listeners.forEach((fn) => fn());

  draw.on('finish', (id) => {
    const f = draw.getSnapshotFeature(id);
    if (f?.geometry.type === 'Polygon') {
      if (last) undoStack.push(last);
      editingId = id;
      last = f.geometry as GeoJSON.Polygon;
      draw.setMode('select');
      draw.selectFeature(id);
      notify();
    }
  });

  /** terra-draw refuses coordinates finer than its precision (9 decimals, 0.1 mm): a projected survey point has more */
  const round = (p: GeoJSON.Position) => [Number(p[0].toFixed(9)), Number(p[1].toFixed(9))];

  function put(geometry: Polygonal): boolean {
    draw.clear();
    editingId = null;
    last = null;
    const rings = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    if (rings.length !== 1 || rings[0].length !== 1) return false;
    const polygon: GeoJSON.Polygon = { type: 'Polygon', coordinates: [rings[0][0].map(round)] };
    const [result] = draw.addFeatures([{ type: 'Feature', geometry: polygon, properties: { mode: 'polygon' } }]);
    if (!result?.valid) return false;
    editingId = result.id!;
    last = polygon;
    draw.setMode('select');
    draw.selectFeature(editingId);
    return true;
  }

  function showPrevious(geometry: Polygonal | null): void {
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: geometry ? [{ type: 'Feature', geometry, properties: {} }] : [] };
    const src = map.getSource(OVERLAY) as GeoJSONSource | undefined;
    if (src) return void src.setData(data);
    map.addSource(OVERLAY, { type: 'geojson', data });
    map.addLayer({ id: `${OVERLAY}-fill`, type: 'fill', source: OVERLAY, paint: { 'fill-color': '#7b3fa0', 'fill-opacity': 0.12 } });
    map.addLayer({ id: `${OVERLAY}-line`, type: 'line', source: OVERLAY, paint: { 'line-color': '#7b3fa0', 'line-width': 2, 'line-dasharray': [2, 2] } });
  }

  return {
    draw,
    drawPolygon() {
      draw.clear();
      editingId = null;
      last = null;
      undoStack.length = 0;
      draw.setMode('polygon');
    },
    edit(geometry) {
      undoStack.length = 0;
      return put(geometry);
    },
    current() {
      const f = editingId !== null ? draw.getSnapshotFeature(editingId) : polygonFeature();
      return f && f.geometry.type === 'Polygon' ? (f.geometry as GeoJSON.Polygon) : null;
    },
    undo() {
      const previous = undoStack.pop();
      if (!previous) return false;
      put(previous);
      notify();
      return true;
    },
    canUndo: () => undoStack.length > 0,
    split() {
      const target = this.current();
      return new Promise((resolve) => {
        if (!target) return resolve([]);
        draw.setMode('linestring');
        const onFinish = (id: string | number) => {
          const line = draw.getSnapshotFeature(id);
          if (!line || line.geometry.type !== 'LineString') return;
          draw.removeFeatures([id]);
          // cut along the line: the polygon minus a 1 cm-wide strip under it
          const cut = difference(featureCollection([
            { type: 'Feature', geometry: target, properties: {} },
            buffer(line as GeoJSON.Feature<GeoJSON.LineString>, 0.005, { units: 'meters' })!,
          ]));
          const parts = cut ? flatten(cut).features.map((f) => f.geometry) : [];
          if (parts.length > 1) {
            if (last) undoStack.push(last);
            put(parts[0]);
          } else {
            put(target);
          }
          notify();
          resolve(parts.length > 1 ? parts : []);
        };
        draw.on('finish', onFinish);
      });
    },
    showPrevious,
    clear() {
      draw.clear();
      editingId = null;
      last = null;
      undoStack.length = 0;
      showPrevious(null);
    },
    destroy() {
      draw.stop();
      if (map.getLayer(`${OVERLAY}-fill`)) map.removeLayer(`${OVERLAY}-fill`);
      if (map.getLayer(`${OVERLAY}-line`)) map.removeLayer(`${OVERLAY}-line`);
      if (map.getSource(OVERLAY)) map.removeSource(OVERLAY);
    },
    onChange(fn) {
      listeners.push(fn);
      draw.on('change', (_ids, type) => {
        if (type === 'update') {
          const g = this.current();
          if (g && last && JSON.stringify(g) !== JSON.stringify(last)) {
            undoStack.push(last);
            last = g;
          }
        }
        fn();
      });
    },
  };
}
