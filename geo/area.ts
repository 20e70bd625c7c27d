// Areas for the red-line conflict analysis (压占分析), on the server and in the browser alike.
//
// Three kinds of figure, never mixed up:
//  - ellipsoidal: on GRS80 (the CGCS2000 ellipsoid) — PostGIS `geography` computes it on the server;
//    figures of record (图斑椭球面积);
//  - planar: in the Gauss–Krüger plane of a CGCS2000 3° zone, from the projected vertices by the
//    shoelace formula — what boundary surveys (勘测定界) compute; proj4 here, PROJ/cs2cs in the tests;
//  - live: Turf's spherical area (a sphere of the mean radius, turf.earthRadius = 6,371,008.8 m) scaled
//    to the ellipsoid at the feature's latitude; for feedback while drawing only, within 0.01 % of the
//    ellipsoidal figure for fields and red lines of this district (plain Turf is ~0.24 % high at 23°N).
//
// The browser's live overlaps (LiveOverlaps) use the constraint features already loaded for the view.
import * as turf from '@turf/turf';
import proj4 from 'proj4';
import { gaussKrugerEpsg, zoneForLongitude } from './crs.ts';
import { signedArea2 } from './formats/geometry.ts';
import { overlapArea, RingIndex } from './overlap.ts';
import { areaFigures, type AreaFigures } from './units.ts';

export type Ring = number[][];
export type PolygonCoords = Ring[];
export type AreaGeometry = GeoJSON.Polygon | GeoJSON.MultiPolygon;

/** The polygons of a Polygon or MultiPolygon, as coordinate arrays. */
export function polygonsOf(g: AreaGeometry): PolygonCoords[] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function vertexCount(g: AreaGeometry): number {
  let n = 0;
  for (const p of polygonsOf(g)) for (const r of p) n += r.length;
  return n;
}

// ---- planar (Gauss–Krüger) ----

/** Signed shoelace area of a ring of planar [x, y], relative to its first point (keeps 8-digit eastings exact). */
export const shoelace = (ring: Ring): number => signedArea2(ring) / 2;

/** Area of polygons already in planar coordinates: outer rings minus holes. */
export function planarAreaOfProjected(polys: PolygonCoords[]): number {
  let total = 0;
  for (const p of polys) {
    p.forEach((ring, i) => {
      const a = Math.abs(shoelace(ring));
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

const converters = new Map<number, proj4.Converter>();
function gkConverter(zone: number): proj4.Converter {
  let c = converters.get(zone);
  if (!c) {
    c = proj4('EPSG:4490', `EPSG:${gaussKrugerEpsg(zone, true)}`);
    converters.set(zone, c);
  }
  return c;
}

/** Project lon/lat polygons into the zone's Gauss–Krüger plane (EPSG:4513+…, zone prefix in the easting). */
export function projectToGaussKruger(g: AreaGeometry, zone: number): PolygonCoords[] {
  const c = gkConverter(zone);
  return polygonsOf(g).map((p) => p.map((r) => r.map((pt) => c.forward([pt[0], pt[1]]))));
}

/** Gauss–Krüger planar area (m²) of a lon/lat (EPSG:4490) polygon in the given 3° zone. */
export function planarArea(g: AreaGeometry, zone: number): number {
  return planarAreaOfProjected(projectToGaussKruger(g, zone));
}

/** Area-weighted centroid longitude of lon/lat polygons (planar in degrees, like ST_Centroid). */
export function centroidLongitude(g: AreaGeometry): number {
  let a = 0, cx = 0;
  for (const p of polygonsOf(g)) {
    p.forEach((ring, ri) => {
      const [x0, y0] = ring[0];
      let ra = 0, rx = 0;
      for (let i = 1; i < ring.length - 1; i++) {
        const ax = ring[i][0] - x0, ay = ring[i][1] - y0, bx = ring[i + 1][0] - x0, by = ring[i + 1][1] - y0;
        const cr = ax * by - bx * ay;
        ra += cr;
        rx += (ax + bx) * cr;
      }
      const sign = Math.sign(ra) * (ri === 0 ? 1 : -1);
      const abs = Math.abs(ra) / 2;
      if (abs === 0) return;
      a += sign * abs;
      cx += sign * abs * (x0 + rx / (3 * ra));
    });
  }
  if (a === 0) {
    const first = polygonsOf(g)[0]?.[0]?.[0];
    return first ? first[0] : NaN;
  }
  return cx / a;
}

/** The 3° zone a red line is measured in: the override when given, else the zone of its centroid. */
export function zoneForGeometry(g: AreaGeometry, override?: number): number {
  return override ?? zoneForLongitude(centroidLongitude(g));
}

// ---- spherical / live ----

const GRS80_A = 6378137; // semi-major axis of GRS80, m
const GRS80_E2 = 0.00669438002290; // first eccentricity squared of GRS80

/**
 * Ratio of the ellipsoid's area element to that of Turf's sphere (radius R = turf.earthRadius, the
 * mean radius) at a latitude: M·N / R² = (a / R)² · (1 − e²) / (1 − e² sin²φ)².
 */
export function ellipsoidAreaFactor(latDeg: number): number {
  const s = Math.sin((latDeg * Math.PI) / 180);
  const w = 1 - GRS80_E2 * s * s;
  const r = GRS80_A / turf.earthRadius;
  return (r * r * (1 - GRS80_E2)) / (w * w);
}

/** Turf's spherical area (m²): quick, for feedback only. */
export function sphericalArea(g: AreaGeometry): number {
  return turf.area(g);
}

function midLatitude(g: AreaGeometry): number {
  let lo = Infinity, hi = -Infinity;
  for (const p of polygonsOf(g)) for (const pt of p[0] ?? []) {
    if (pt[1] < lo) lo = pt[1];
    if (pt[1] > hi) hi = pt[1];
  }
  return Number.isFinite(lo) ? (lo + hi) / 2 : 0;
}

/** Turf's spherical area scaled to GRS80 at the geometry's latitude: the live figure while drawing. */
export function liveArea(g: AreaGeometry): number {
  return turf.area(g) * ellipsoidAreaFactor(midLatitude(g));
}

/**
 * Parcels of one project (one red line) may overlap each other by at most this many m² (ellipsoidal):
 * shared edges and rounding slivers pass. The server refuses more (server/core/write.ts, error
 * parcel_overlap); the editor warns while a parcel is drawn (liveParcelOverlaps).
 */
export const PARCEL_OVERLAP_TOLERANCE_M2 = 1;

/** The width (m) of the band along a neighbour's outline in which the live check ignores overlap: tile rounding. */
const LIVE_SLIVER_M = 0.1;

/** A neighbour a parcel being drawn overlaps: its id and code, and by how much (live m²). */
export interface ParcelOverlap {
  id: number;
  code: string | null;
  m2: number;
}

/**
 * The parcels among `neighbours` (as the map has them from its tiles) that `g` overlaps by more than
 * PARCEL_OVERLAP_TOLERANCE_M2 (and a tile-rounding band), most first: same project only, the parcel itself left out. Live figures
 * (Turf's sphere scaled to the ellipsoid, geo/overlap.ts); a parcel cut into pieces by tile edges counts
 * its largest piece's overlap, so a figure may be low, never high.
 */
export function liveParcelOverlaps(g: AreaGeometry, neighbours: readonly GeoJSON.Feature[], projectId: unknown, selfId: number | null): ParcelOverlap[] {
  if (projectId === null || projectId === undefined || projectId === '') return [];
  const polys = polygonsOf(g).filter((p) => p[0] && p[0].length >= 4);
  if (!polys.length) return [];
  const index = new RingIndex(polys);
  const factor = ellipsoidAreaFactor(midLatitude(g));
  const best = new Map<number, ParcelOverlap>();
  for (const f of neighbours) {
    const id = Number(f.id ?? f.properties?.id);
    if (!Number.isFinite(id) || id === selfId || String(f.properties?.project_id) !== String(projectId)) continue;
    if (!f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) continue;
    const m2 = overlapArea(index, new RingIndex(polygonsOf(f.geometry))) * factor;
    // a tile's vertices are rounded to its grid (centimetres): a shared edge may seem to overlap by a
    // sliver that wide along it, so a live overlap counts past LIVE_SLIVER_M wide along the neighbour's outline
    const slack = PARCEL_OVERLAP_TOLERANCE_M2 + LIVE_SLIVER_M * turf.length(turf.polygonToLine(f.geometry as GeoJSON.Polygon), { units: 'meters' });
    if (m2 > slack && m2 > (best.get(id)?.m2 ?? 0)) best.set(id, { id, code: f.properties?.code == null ? null : String(f.properties.code), m2 });
  }
  return [...best.values()].sort((a, b) => b.m2 - a.m2);
}

/** Both figures of an area, labelled, as the API returns them. */
export interface DualArea {
  ellipsoidal: AreaFigures;
  planar: AreaFigures;
}

export function dualArea(ellipsoidalM2: number, planarM2: number): DualArea {
  return { ellipsoidal: areaFigures(ellipsoidalM2), planar: areaFigures(planarM2) };
}

// ---- the constraint layers of the analysis ----

export interface ConflictLayerDef {
  /** key in responses and in the live panel */
  id: string;
  /** the map layer (geo/layers.ts) whose features it reads */
  mapLayer: string;
  /** for layers split by an attribute (farmland by kind) */
  filter?: { property: string; value: string };
  title: { zh: string; en: string };
  color: string;
}

/** The layers a red line is checked against, in the order reports list them. */
export const CONFLICT_LAYERS: readonly ConflictLayerDef[] = [
  { id: 'cane_base', mapLayer: 'cane_base', title: { zh: '双高糖料蔗基地', en: 'Cane bases' }, color: '#b8860b' },
  { id: 'permanent_basic_farmland', mapLayer: 'farmland', filter: { property: 'kind', value: 'permanent_basic' },
    title: { zh: '永久基本农田', en: 'Permanent basic farmland' }, color: '#2e8b57' },
  { id: 'cultivated_farmland', mapLayer: 'farmland', filter: { property: 'kind', value: 'cultivated' },
    title: { zh: '一般耕地', en: 'Cultivated land' }, color: '#9acd32' },
  { id: 'eco_redline', mapLayer: 'eco_redline', title: { zh: '生态保护红线', en: 'Ecological protection red line' }, color: '#2e7d32' },
  { id: 'military_land', mapLayer: 'military_land', title: { zh: '军事用地', en: 'Military land' }, color: '#8b0000' },
  { id: 'red_line', mapLayer: 'red_line', title: { zh: '其他项目红线', en: 'Other projects’ red lines' }, color: '#e0245e' },
  { id: 'reserved_land', mapLayer: 'reserved_land', title: { zh: '留用地', en: 'Reserved land' }, color: '#8a2be2' },
  { id: 'disputed_land', mapLayer: 'disputed_land', title: { zh: '争议地', en: 'Disputed land' }, color: '#ff8c00' },
  { id: 'resettlement_site', mapLayer: 'resettlement_site', title: { zh: '安置区', en: 'Resettlement sites' }, color: '#1e90ff' },
];

/**
 * Layers read with the conflict layers but not conflicts themselves: what the land is (三调 land use,
 * broken down by class) and where the urban development boundary runs (inside or outside decides how
 * the approval goes). The analysis reports them apart (server/conflicts/analysis.ts).
 */
export const SURVEY_LAYERS: readonly ConflictLayerDef[] = [
  { id: 'land_use', mapLayer: 'land_use', title: { zh: '土地利用现状（三调）', en: 'Land use (3rd survey)' }, color: '#8d8373' },
  { id: 'urban_boundary', mapLayer: 'urban_boundary', title: { zh: '城镇开发边界', en: 'Urban development boundary' }, color: '#6a1b9a' },
];

export const CONFLICT_LAYER_BY_ID: ReadonlyMap<string, ConflictLayerDef> = new Map(CONFLICT_LAYERS.map((l) => [l.id, l]));

/** Which conflict layer a loaded map feature belongs to, or undefined. */
export function conflictLayerOf(mapLayer: string, properties: Record<string, unknown> | null | undefined): ConflictLayerDef | undefined {
  for (const l of CONFLICT_LAYERS) {
    if (l.mapLayer !== mapLayer) continue;
    if (!l.filter || properties?.[l.filter.property] === l.filter.value) return l;
  }
  return undefined;
}

// ---- live overlaps in the browser ----

type BBox = [number, number, number, number];

interface Part {
  /** index in CONFLICT_LAYERS, or -1 for a survey layer's part */
  layer: number;
  /** a survey layer's part: land_use by its class code, or the urban development boundary */
  survey?: { layer: 'land_use' | 'urban_boundary'; key: string };
  featureId: string | number | undefined;
  poly: GeoJSON.Polygon;
  bbox: BBox;
  /** Turf's spherical area of the whole part (scaled to the ellipsoid per computation) */
  sphere: number;
  /** its rings indexed for overlapArea, on its first cut */
  index?: RingIndex;
}

interface Chunk {
  bbox: BBox;
}

const CHUNK = 24; // red-line segments per bounding box

function ringBbox(ring: Ring, from = 0, to = ring.length - 1): BBox {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = from; i <= to; i++) {
    const [x, y] = ring[i];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

const overlaps = (a: BBox, b: BBox): boolean => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/** Even–odd point in polygon over every ring of every polygon (holes included). */
function pointInPolygons(x: number, y: number, polys: PolygonCoords[]): boolean {
  let inside = false;
  for (const p of polys) for (const ring of p) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

export interface LiveLayerResult {
  id: string;
  title: { zh: string; en: string };
  m2: number;
  mu: number;
  count: number;
}

export interface LiveResult {
  redLineM2: number;
  layers: LiveLayerResult[];
  /**
   * What the red line takes of the survey layers (SURVEY_LAYERS), live m²: land_use by class code, and
   * the part inside the urban development boundary. Null when the land use under the red line is not
   * all loaded (no land_use given, or the red line leaves the box it was loaded for).
   */
  survey: { classes: Record<string, number>; urbanM2: number } | null;
  ms: number;
}

/**
 * Overlaps of a red line with the constraint features loaded for the view, computed with Turf on
 * every edit. Features are indexed once (setFeatures); each compute() skips everything whose box
 * misses the red line, counts fields wholly inside it at their own area, and measures only the fields
 * its boundary crosses — their common area without clipping (geo/overlap.ts: Turf's measure, the edges
 * of each found through boxed runs, so a 1,000-vertex red line or a 10,000-vertex zone costs little).
 *
 * The survey layers (SURVEY_LAYERS: 三调 land use, the urban development boundary) are measured the same
 * way, summed by land class, for the live land-class table and 三区三线 result (geo/landuse.ts
 * liveLandUse). Every area of one computation is Turf's spherical area scaled to the ellipsoid at the
 * red line's latitude, so the pieces of the red line add up to the red line.
 */
export class LiveOverlaps {
  private parts: Part[] = [];
  private layers: ConflictLayerDef[] = [...CONFLICT_LAYERS];
  private landUseBox: BBox | undefined;

  /** overlaps below this (m²) are slivers, left out as the server leaves them out of its totals */
  constructor(private readonly toleranceM2 = 1) {}

  /**
   * Features by map layer id (as loaded for the view). `landUseBox`: the box within which the given
   * land_use features are all there are (the view they were fetched for); without it, or for a red line
   * that leaves it, no land-class figures (LiveResult.survey is null).
   */
  setFeatures(byMapLayer: Record<string, GeoJSON.Feature[]>, excludeRedLineId?: string | number, landUseBox?: BBox): void {
    const parts: Part[] = [];
    for (const [mapLayer, features] of Object.entries(byMapLayer)) {
      const surveyLayer = SURVEY_LAYERS.find((l) => l.mapLayer === mapLayer);
      for (const f of features) {
        if (!f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) continue;
        const def = conflictLayerOf(mapLayer, f.properties);
        let survey: Part['survey'];
        if (surveyLayer?.id === 'land_use') survey = { layer: 'land_use', key: String(f.properties?.class_code ?? '') };
        else if (surveyLayer?.id === 'urban_boundary') survey = { layer: 'urban_boundary', key: 'inside' };
        if (!def && !survey) continue;
        const featureId = (f.id ?? f.properties?.id) as string | number | undefined;
        if (def?.id === 'red_line' && excludeRedLineId !== undefined && String(featureId) === String(excludeRedLineId)) continue;
        const layer = def ? this.layers.indexOf(def) : -1;
        for (const coords of polygonsOf(f.geometry)) {
          if (!coords[0] || coords[0].length < 4) continue;
          const poly: GeoJSON.Polygon = { type: 'Polygon', coordinates: coords };
          parts.push({ layer, survey, featureId, poly, bbox: ringBbox(coords[0]), sphere: turf.area(poly) });
        }
      }
    }
    this.parts = parts;
    this.landUseBox = byMapLayer.land_use ? landUseBox : undefined;
    this.cache.clear();
  }

  get size(): number {
    return this.parts.length;
  }

  /** part index → the chunk versions its cut was made with, and the cut's spherical m² */
  private cache = new Map<number, { key: string; sphere: number }>();
  private prevChunks: { structure: string; coords: number[][]; versions: number[] } | undefined;
  private versionSeq = 0;

  /** The red line's boundary in runs of CHUNK segments, each with its box and a version that changes with its vertices. */
  private chunksOf(polys: PolygonCoords[]): (Chunk & { version: number })[] {
    const runs: { bbox: BBox; flat: number[] }[] = [];
    for (const p of polys) for (const ring of p) {
      for (let i = 0; i < ring.length - 1; i += CHUNK) {
        const end = Math.min(i + CHUNK, ring.length - 1);
        const flat: number[] = [];
        for (let k = i; k <= end; k++) flat.push(ring[k][0], ring[k][1]);
        runs.push({ bbox: ringBbox(ring, i, end), flat });
      }
    }
    const structure = polys.map((p) => p.map((r) => r.length).join('.')).join('|');
    const prev = this.prevChunks;
    const same = prev && prev.structure === structure;
    const versions = runs.map((r, i) => {
      if (same) {
        const old = prev.coords[i];
        let equal = old.length === r.flat.length;
        for (let k = 0; equal && k < old.length; k++) equal = old[k] === r.flat[k];
        if (equal) return prev.versions[i];
      }
      return ++this.versionSeq;
    });
    this.prevChunks = { structure, coords: runs.map((r) => r.flat), versions };
    return runs.map((r, i) => ({ bbox: r.bbox, version: versions[i] }));
  }

  /** Overlap (Turf's spherical m²) of the red line with one field whose box its boundary enters. */
  private cut(redLine: RingIndex, part: Part): number {
    part.index ??= new RingIndex([part.poly.coordinates]);
    return overlapArea(redLine, part.index);
  }

  compute(redLine: AreaGeometry): LiveResult {
    const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
    const polys = polygonsOf(redLine).filter((p) => p[0] && p[0].length >= 4);
    const sums = this.layers.map(() => ({ m2: 0, ids: new Set<string | number | undefined>() }));
    const classes: Record<string, number> = {};
    let urbanM2 = 0;
    let redLineM2 = 0;
    let box: BBox | undefined;
    if (polys.length) {
      const rl: AreaGeometry = { type: 'MultiPolygon', coordinates: polys };
      // one scale for every area of this computation: the red line's pieces add up to the red line
      const factor = ellipsoidAreaFactor(midLatitude(rl));
      redLineM2 = turf.area(rl) * factor;
      const chunks = this.chunksOf(polys);
      let rlIndex: RingIndex | undefined;
      box = ringBbox(polys.flatMap((p) => p[0]));
      for (let pi = 0; pi < this.parts.length; pi++) {
        const part = this.parts[pi];
        if (!overlaps(part.bbox, box)) continue;
        let key = '';
        for (let ci = 0; ci < chunks.length; ci++) if (overlaps(chunks[ci].bbox, part.bbox)) key += `${ci}:${chunks[ci].version},`;
        let sphere = 0;
        if (key === '') {
          // the boundary is nowhere near: the field is wholly inside or wholly outside
          const [x, y] = part.poly.coordinates[0][0];
          if (pointInPolygons(x, y, polys)) sphere = part.sphere;
        } else {
          // the overlap depends only on the red line's edges within the field's box (for a simple
          // polygon the inside is on the same side of them): unchanged chunks, unchanged overlap
          const cached = this.cache.get(pi);
          if (cached && cached.key === key) sphere = cached.sphere;
          else {
            sphere = this.cut((rlIndex ??= new RingIndex(polys)), part);
            this.cache.set(pi, { key, sphere });
          }
        }
        const m2 = sphere * factor;
        if (part.survey) {
          // survey layers: every piece counts (the table sums to the red line), as on the server
          if (m2 > 0) {
            if (part.survey.layer === 'land_use') classes[part.survey.key] = (classes[part.survey.key] ?? 0) + m2;
            else urbanM2 += m2;
          }
        } else if (m2 >= this.toleranceM2) {
          sums[part.layer].m2 += m2;
          sums[part.layer].ids.add(part.featureId);
        }
      }
    }
    const lb = this.landUseBox;
    const surveyed = lb !== undefined && box !== undefined && box[0] >= lb[0] && box[1] >= lb[1] && box[2] <= lb[2] && box[3] <= lb[3];
    const ms = (typeof performance !== 'undefined' ? performance.now() : Date.now()) - t0;
    return {
      redLineM2,
      ms,
      layers: this.layers.map((l, i) => ({ id: l.id, title: l.title, m2: sums[i].m2, mu: areaFigures(sums[i].m2).mu, count: sums[i].ids.size })),
      survey: surveyed ? { classes, urbanM2 } : null,
    };
  }
}
