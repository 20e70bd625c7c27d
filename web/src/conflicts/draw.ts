// Drawing and editing a red line on the map, without a drawing library: click to add corners,
// double-click (or finish()) to close, drag a corner to move it, Alt-click a corner to delete it.
// Every change calls onChange (the caller throttles to one computation per frame); onSettle fires
// when an edit ends (mouse up, finish), which is when the server is asked. A red line of several parts
// or with holes (a project's, a file's, a survey table's) is shown read-only (showFixed): the tool edits
// one ring. A ring that crosses itself (a bow-tie) is drawn grey with a marker at each crossing; Esc
// cancels a drawing in progress.
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { ringSelfIntersections } from '../../../geo/validate.ts';

export interface DrawCallbacks {
  onChange(ring: number[][] | null): void;
  onSettle(ring: number[][] | null): void;
}

const SRC = 'zs-conflict-draw';
const VERTICES = 'zs-conflict-draw-vertices';
const CROSSINGS = 'zs-conflict-draw-crossings';
/** crossings marked on the map at most (a scribble can have hundreds; the first ones say enough) */
const MAX_CROSSINGS = 50;
const LAYERS = ['zs-conflict-draw-crossing', 'zs-conflict-draw-vertex', 'zs-conflict-draw-line', 'zs-conflict-draw-fill'];

export type Crossing = { point: [number, number]; edges: [number, number] };

export class RedLineDraw {
  private points: number[][] = [];
  private closed = false;
  private active = false;
  private dragging = -1;
  private hover: number[] | null = null;
  private fixed: GeoJSON.Polygon | GeoJSON.MultiPolygon | null = null;
  /** where the ring crosses itself (empty for a simple ring) */
  crossings: Crossing[] = [];

  constructor(private readonly map: MapLibreMap, private readonly cb: DrawCallbacks) {
    const empty = { type: 'FeatureCollection' as const, features: [] };
    if (!map.getSource(SRC)) map.addSource(SRC, { type: 'geojson', data: empty });
    if (!map.getSource(VERTICES)) map.addSource(VERTICES, { type: 'geojson', data: empty });
    if (!map.getSource(CROSSINGS)) map.addSource(CROSSINGS, { type: 'geojson', data: empty });
    if (!map.getLayer('zs-conflict-draw-fill')) {
      const colour: ExpressionSpecification = ['case', ['boolean', ['get', 'crossed'], false], '#777777', '#e0245e'];
      map.addLayer({ id: 'zs-conflict-draw-fill', type: 'fill', source: SRC, paint: { 'fill-color': colour, 'fill-opacity': 0.12 } });
      // the outline from line features of its own: a bow-tie's two lobes cancel to zero area, and a
      // polygon of zero area is dropped when the source is tiled (the fill vanishes, the outline stays)
      map.addLayer({ id: 'zs-conflict-draw-line', type: 'line', source: SRC, filter: ['has', 'outline'],
        paint: { 'line-color': colour, 'line-width': 2.5, 'line-dasharray': [2, 1] } });
      map.addLayer({ id: 'zs-conflict-draw-vertex', type: 'circle', source: VERTICES,
        paint: { 'circle-radius': 5, 'circle-color': '#fff', 'circle-stroke-color': '#e0245e', 'circle-stroke-width': 2 } });
      // a crossing: a red dot ringed in white, above the corners
      map.addLayer({ id: 'zs-conflict-draw-crossing', type: 'circle', source: CROSSINGS,
        paint: { 'circle-radius': 7, 'circle-color': '#d40000', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2.5 } });
    }
    window.addEventListener('keydown', this.onKey);
    map.on('click', this.onClick);
    map.on('dblclick', this.onDblClick);
    map.on('mousedown', this.onDown);
    map.on('mousemove', this.onMove);
    map.on('mouseup', this.onUp);
  }

  /** Whether a red line is being drawn now (its clicks belong to the tool). */
  get drawing(): boolean {
    return this.active;
  }

  /** Start a new red line (clears the old one). */
  start(): void {
    this.fixed = null;
    this.points = [];
    this.closed = false;
    this.active = true;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    this.render();
  }

  /** Close the ring being drawn. */
  finish(): void {
    if (this.points.length >= 3) this.closed = true;
    this.active = false;
    this.map.getCanvas().style.cursor = '';
    this.map.doubleClickZoom.enable();
    this.render();
    this.cb.onSettle(this.ring());
  }

  /** Load a red line (e.g. a stored project's) for editing. */
  load(ring: number[][]): void {
    this.fixed = null;
    this.points = ring.slice(0, -1).map((p) => [p[0], p[1]]);
    this.closed = true;
    this.active = false;
    this.render();
    this.cb.onSettle(this.ring());
  }

  /** Show a red line that cannot be edited here (several parts, holes); no callbacks: the caller analyses it. */
  showFixed(geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon): void {
    this.points = [];
    this.closed = false;
    this.active = false;
    this.hover = null;
    this.fixed = geometry;
    this.map.getCanvas().style.cursor = '';
    this.map.doubleClickZoom.enable();
    this.renderShape();
  }

  clear(): void {
    this.fixed = null;
    this.points = [];
    this.closed = false;
    this.active = false;
    this.render();
    this.cb.onSettle(null);
  }

  /** The closed ring (first point repeated), or null while fewer than 3 corners. */
  ring(): number[][] | null {
    const pts = this.closed || !this.hover ? this.points : [...this.points, this.hover];
    return pts.length >= 3 ? [...pts, pts[0]] : null;
  }

  destroy(): void {
    window.removeEventListener('keydown', this.onKey);
    this.map.off('click', this.onClick);
    this.map.off('dblclick', this.onDblClick);
    this.map.off('mousedown', this.onDown);
    this.map.off('mousemove', this.onMove);
    this.map.off('mouseup', this.onUp);
    for (const id of LAYERS) if (this.map.getLayer(id)) this.map.removeLayer(id);
    for (const id of [SRC, VERTICES, CROSSINGS]) if (this.map.getSource(id)) this.map.removeSource(id);
  }

  /** Esc: a red line being drawn is dropped (a finished one stays; 清除 removes it). */
  private onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.active) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
    this.clear();
  };

  private vertexAt(e: MapMouseEvent): number {
    const hits = this.map.queryRenderedFeatures(e.point, { layers: ['zs-conflict-draw-vertex'] });
    const i = hits[0]?.properties?.i;
    return typeof i === 'number' ? i : -1;
  }

  private onClick = (e: MapMouseEvent) => {
    if (this.closed && e.originalEvent.altKey) {
      const i = this.vertexAt(e);
      if (i >= 0 && this.points.length > 3) {
        this.points.splice(i, 1);
        this.render();
        this.cb.onSettle(this.ring());
      }
      return;
    }
    if (!this.active) return;
    this.points.push([e.lngLat.lng, e.lngLat.lat]);
    this.render();
  };

  private onDblClick = (e: MapMouseEvent) => {
    if (!this.active) return;
    e.preventDefault();
    this.points.pop(); // the double-click's second click added a duplicate corner
    this.finish();
  };

  private onDown = (e: MapMouseEvent) => {
    if (!this.closed || e.originalEvent.altKey) return;
    const i = this.vertexAt(e);
    if (i < 0) return;
    e.preventDefault();
    this.dragging = i;
    this.map.dragPan.disable();
  };

  private onMove = (e: MapMouseEvent) => {
    if (this.dragging >= 0) {
      this.points[this.dragging] = [e.lngLat.lng, e.lngLat.lat];
      this.render();
    } else if (this.active && this.points.length) {
      this.hover = [e.lngLat.lng, e.lngLat.lat];
      this.render();
    }
  };

  private onUp = () => {
    if (this.dragging < 0) return;
    this.dragging = -1;
    this.map.dragPan.enable();
    this.cb.onSettle(this.ring());
  };

  private renderShape(): void {
    this.crossings = [];
    const f = this.fixed;
    (this.map.getSource(SRC) as GeoJSONSource).setData({
      type: 'FeatureCollection', features: f ? [
        { type: 'Feature', properties: {}, geometry: f },
        { type: 'Feature', properties: { outline: true }, geometry: { type: 'MultiLineString', coordinates: (f.type === 'Polygon' ? [f.coordinates] : f.coordinates).flat() } },
      ] : [],
    });
    (this.map.getSource(VERTICES) as GeoJSONSource).setData({ type: 'FeatureCollection', features: [] });
    (this.map.getSource(CROSSINGS) as GeoJSONSource).setData({ type: 'FeatureCollection', features: [] });
  }

  private render(): void {
    const ring = this.ring();
    this.crossings = ring ? ringSelfIntersections(ring, MAX_CROSSINGS) : [];
    const crossed = this.crossings.length > 0;
    const shape: GeoJSON.Feature[] = ring
      ? [{ type: 'Feature', properties: { crossed }, geometry: { type: 'Polygon', coordinates: [ring] } },
        { type: 'Feature', properties: { crossed, outline: true }, geometry: { type: 'LineString', coordinates: ring } }]
      : this.points.length >= 2 ? [{ type: 'Feature', properties: { crossed, outline: true }, geometry: { type: 'LineString', coordinates: this.points } }] : [];
    (this.map.getSource(CROSSINGS) as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: this.crossings.map((c) => ({ type: 'Feature', properties: { a: c.edges[0] + 1, b: c.edges[1] + 1 }, geometry: { type: 'Point', coordinates: c.point } })),
    });
    (this.map.getSource(SRC) as GeoJSONSource).setData({ type: 'FeatureCollection', features: shape });
    (this.map.getSource(VERTICES) as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: this.points.map((p, i) => ({ type: 'Feature', properties: { i }, geometry: { type: 'Point', coordinates: p } })),
    });
    this.cb.onChange(ring);
  }
}
