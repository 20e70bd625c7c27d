// 地图打印 (issue #17): the print layout's paper, map frame and scale rules, in one place for the print
// page (web/src/print), the print route (server/print) and the tests. Lengths on paper are millimetres;
// the browser lays the page out at CSS 96 px per inch, so one CSS px is 25.4/96 mm on paper.
//
// MapLibre draws Web Mercator with 512-px tiles: at zoom z the world is 512·2^z CSS px wide. On the
// GRS80/WGS84 ellipsoid (centimetres apart here) a CSS px at latitude φ covers 2π·N·cosφ / (512·2^z)
// metres east–west and 2π·M·cosφ / (512·2^z) north–south (N, M the ellipsoid's radii of curvature:
// spherical Mercator on ellipsoidal latitudes is not conformal, and the two differ by 0.57 % at 23°N).
// The zoom is chosen on their geometric mean √(MN), so each direction is within 0.3 % of the scale.
import { GRS80 } from './measure.ts';

export type Paper = 'A4' | 'A3';
export type Orientation = 'portrait' | 'landscape';

export const PAPERS: readonly Paper[] = ['A4', 'A3'];
export const ORIENTATIONS: readonly Orientation[] = ['landscape', 'portrait'];

/** ISO 216 sizes, short side × long side, mm. */
const PAPER_MM: Record<Paper, [number, number]> = { A4: [210, 297], A3: [297, 420] };

/** The scales the dialog offers (the denominators); any whole number from MIN to MAX may be typed. */
export const SCALE_PRESETS = [2000, 5000, 10000, 25000, 50000] as const;
export const MIN_SCALE = 2000;
export const MAX_SCALE = 50000;
/** "fit to view" of a wide view may need a smaller scale than the presets (the whole district ≈ 1:250,000) */
export const MAX_FIT_SCALE = 1_000_000;

/** CSS px per mm at 96 px per inch. */
export const PX_PER_MM = 96 / 25.4;
/** MapLibre's tile size: the world is 512·2^z CSS px at zoom z. */
export const TILE_SIZE = 512;

/** The page's layout, mm (origin top left). */
export const MARGIN_MM = 10;
export const TITLE_MM = 14;
export const GAP_MM = 4;
/** landscape: the legend and notes stand right of the map */
export const SIDE_MM = 66;
/** portrait: the legend and notes stand below the map */
export const FOOT_MM = 62;

export interface Rect { x: number; y: number; width: number; height: number }

export function pageSize(paper: Paper, orientation: Orientation): { width: number; height: number } {
  const [short, long] = PAPER_MM[paper];
  return orientation === 'portrait' ? { width: short, height: long } : { width: long, height: short };
}

/** The map frame on the page, mm. */
export function mapFrame(paper: Paper, orientation: Orientation): Rect {
  const page = pageSize(paper, orientation);
  const x = MARGIN_MM;
  const y = MARGIN_MM + TITLE_MM;
  const width = page.width - 2 * MARGIN_MM - (orientation === 'landscape' ? SIDE_MM + GAP_MM : 0);
  const height = page.height - y - MARGIN_MM - (orientation === 'portrait' ? FOOT_MM + GAP_MM : 0);
  return { x, y, width, height };
}

/** The ellipsoid's mean radius of curvature √(M·N) at a latitude, metres. */
export function meanRadiusAt(latDeg: number): number {
  const e2 = GRS80.f * (2 - GRS80.f);
  const s = Math.sin((latDeg * Math.PI) / 180);
  const w = 1 - e2 * s * s;
  const n = GRS80.a / Math.sqrt(w);
  const m = (GRS80.a * (1 - e2)) / (w * Math.sqrt(w));
  return Math.sqrt(m * n);
}

/** Ground metres per CSS px at zoom z and latitude φ (MapLibre's Web Mercator, the mean of both directions). */
export function metresPerPixel(zoom: number, latDeg: number): number {
  return (2 * Math.PI * meanRadiusAt(latDeg) * Math.cos((latDeg * Math.PI) / 180)) / (TILE_SIZE * 2 ** zoom);
}

/** Ground metres per CSS px on paper at 1:scale (96 CSS px to the inch). */
export const groundPerPixel = (scale: number): number => (scale * 0.0254) / 96;

/** The zoom at which the map at latitude φ is at 1:scale on paper. */
export function zoomForScale(scale: number, latDeg: number): number {
  return Math.log2(metresPerPixel(0, latDeg) / groundPerPixel(scale));
}

/** The scale 1:n of a map drawn at zoom z, latitude φ (the inverse of zoomForScale). */
export function scaleAtZoom(zoom: number, latDeg: number): number {
  return (metresPerPixel(zoom, latDeg) * 96) / 0.0254;
}

const mercatorY = (lat: number): number => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));

/**
 * The scale that shows a lon/lat box whole in a frame (mm), rounded up to two significant figures
 * (1:12,345 → 1:13,000), at least MIN_SCALE; the box's centre (in Mercator) is the map's centre.
 */
export function fitScale(bbox: [number, number, number, number], frame: { width: number; height: number }): { scale: number; center: [number, number] } {
  const [w, s, e, n] = bbox;
  const yc = (mercatorY(s) + mercatorY(n)) / 2;
  const latC = (Math.atan(Math.sinh(yc)) * 180) / Math.PI;
  // zoom-0 CSS px spanned by the box, and the metres each covers at the centre
  const dx = ((e - w) / 360) * TILE_SIZE;
  const dy = ((mercatorY(n) - mercatorY(s)) / (2 * Math.PI)) * TILE_SIZE;
  const m0 = metresPerPixel(0, latC);
  const needed = Math.max((dx * m0) / (frame.width / 1000), (dy * m0) / (frame.height / 1000));
  return { scale: Math.min(MAX_FIT_SCALE, Math.max(MIN_SCALE, roundUp2(needed))), center: [(w + e) / 2, latC] };
}

/** Rounded up to two significant figures. */
function roundUp2(v: number): number {
  if (!(v > 0)) return MIN_SCALE;
  const unit = 10 ** (Math.floor(Math.log10(v)) - 1);
  return Math.ceil(v / unit - 1e-9) * unit;
}

/**
 * The scale bar (比例尺): the longest round ground length (1, 2 or 5 × 10^k m) that is at most
 * `maxMm` on paper, its length on paper, and the ticks' labels (0, half, whole; km from 1000 m).
 */
export function scaleBar(scale: number, maxMm = 40): { metres: number; mm: number; unit: 'm' | 'km'; ticks: { mm: number; label: string }[] } {
  const maxMetres = (maxMm / 1000) * scale;
  const k = 10 ** Math.floor(Math.log10(maxMetres));
  const metres = [5, 2, 1].map((f) => f * k).find((v) => v <= maxMetres) ?? k;
  const mm = (metres / scale) * 1000;
  const unit = metres >= 1000 ? 'km' : 'm';
  const label = (m: number) => String(unit === 'km' ? m / 1000 : m);
  return { metres, mm, unit, ticks: [0, 0.5, 1].map((f) => ({ mm: mm * f, label: label(metres * f) })) };
}

/** 1:10,000 — the numeric scale as printed. */
export const scaleText = (scale: number): string => `1:${Math.round(scale).toLocaleString('en-US')}`;
