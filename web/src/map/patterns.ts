// Fill patterns drawn on a canvas at start-up and added with map.addImage, so that constraint
// layers read apart from each other in print and for colour-blind users (no sprite, no network).

export interface Pattern {
  id: string;
  /** tile size in CSS pixels */
  size: number;
  background: string;
  draw: (ctx: CanvasRenderingContext2D, s: number) => void;
}

const RATIO = 2;

function diagonal(ctx: CanvasRenderingContext2D, s: number, reverse = false): void {
  ctx.beginPath();
  for (const k of [-s, 0, s]) {
    if (reverse) {
      ctx.moveTo(k, 0);
      ctx.lineTo(k + s, s);
    } else {
      ctx.moveTo(k, s);
      ctx.lineTo(k + s, 0);
    }
  }
  ctx.stroke();
}

export const PATTERNS: Pattern[] = [
  {
    // 永久基本农田: yellow with brown diagonal hatch
    id: 'pat-farmland-basic',
    size: 10,
    background: 'rgba(246, 226, 140, 0.75)',
    draw(ctx, s) {
      ctx.strokeStyle = 'rgba(176, 132, 20, 0.9)';
      ctx.lineWidth = 1.1 * RATIO;
      diagonal(ctx, s);
    },
  },
  {
    // 一般耕地: pale yellow with sparse dots
    id: 'pat-farmland-cultivated',
    size: 10,
    background: 'rgba(250, 240, 190, 0.7)',
    draw(ctx, s) {
      ctx.fillStyle = 'rgba(190, 150, 40, 0.8)';
      ctx.beginPath();
      ctx.arc(s / 4, s / 4, 0.9 * RATIO, 0, Math.PI * 2);
      ctx.arc((3 * s) / 4, (3 * s) / 4, 0.9 * RATIO, 0, Math.PI * 2);
      ctx.fill();
    },
  },
  {
    // 双高糖料蔗基地: green with staggered vertical cane strokes
    id: 'pat-cane',
    size: 12,
    background: 'rgba(186, 222, 150, 0.75)',
    draw(ctx, s) {
      ctx.strokeStyle = 'rgba(46, 110, 30, 0.95)';
      ctx.lineWidth = 1.2 * RATIO;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(s * 0.25, s * 0.08);
      ctx.lineTo(s * 0.25, s * 0.42);
      ctx.moveTo(s * 0.75, s * 0.58);
      ctx.lineTo(s * 0.75, s * 0.92);
      ctx.stroke();
    },
  },
  {
    // 军事用地: restricted zone, red crosshatch
    id: 'pat-military',
    size: 9,
    background: 'rgba(255, 225, 225, 0.55)',
    draw(ctx, s) {
      ctx.strokeStyle = 'rgba(200, 30, 30, 0.95)';
      ctx.lineWidth = 1 * RATIO;
      diagonal(ctx, s);
      diagonal(ctx, s, true);
    },
  },
  {
    // 争议地: orange reverse hatch
    id: 'pat-disputed',
    size: 10,
    background: 'rgba(255, 214, 160, 0.3)',
    draw(ctx, s) {
      ctx.strokeStyle = 'rgba(230, 110, 0, 0.6)';
      ctx.lineWidth = 1 * RATIO;
      diagonal(ctx, s, true);
    },
  },
];

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

export const PATTERN_PIXEL_RATIO = RATIO;

/** CSS background for a legend swatch. */
export function patternCss(id: string): string {
  const c = canvasFor(id);
  if (!c) return 'transparent';
  return `url(${c.toDataURL()}) 0 0 / ${c.width / RATIO}px ${c.height / RATIO}px repeat`;
}
