// The fill patterns (geo/style/patterns.ts) drawn on a canvas at start-up, for map.addImage and the
// legend's swatches.
import { PATTERN_PIXEL_RATIO as RATIO, PATTERNS, type Pattern } from '../../../geo/style/patterns.ts';

function render(p: Pattern): HTMLCanvasElement {
  const s = p.size * RATIO;
  const canvas = document.createElement('canvas');
  canvas.width = s;
  canvas.height = s;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, s, s);
  p.draw(ctx, s);
  return canvas;
}

const cache = new Map<string, HTMLCanvasElement>();
function canvasFor(id: string): HTMLCanvasElement | undefined {
  const p = PATTERNS.find((q) => q.id === id);
  if (!p) return undefined;
  let c = cache.get(id);
  if (!c) {
    c = render(p);
    cache.set(id, c);
  }
  return c;
}

/** Pixel data for map.addImage. */
export function patternImage(id: string): { width: number; height: number; data: Uint8Array } | undefined {
  const c = canvasFor(id);
  const ctx = c?.getContext('2d');
  if (!c || !ctx) return undefined;
  const img = ctx.getImageData(0, 0, c.width, c.height);
  return { width: c.width, height: c.height, data: new Uint8Array(img.data.buffer) };
}

/** CSS background for a legend swatch. */
export function patternCss(id: string): string {
  const c = canvasFor(id);
  if (!c) return 'transparent';
  return `url(${c.toDataURL()}) 0 0 / ${c.width / RATIO}px ${c.height / RATIO}px repeat`;
}
