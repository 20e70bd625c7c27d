// Fill patterns, so that constraint layers read apart from each other in print and for colour-blind
// users (no sprite, no network). Here only their ids and how to draw them on a 2D context: the style
// names them by id; the client draws them on a canvas (web/src/map/patterns.ts).

export interface Pattern {
  id: string;
  /** tile size in CSS pixels */
  size: number;
  background: string;
  draw: (ctx: CanvasRenderingContext2D, s: number) => void;
}

/** Pattern images are drawn at twice their CSS size (crisp on high-DPI screens). */
export const PATTERN_PIXEL_RATIO = 2;
const RATIO = PATTERN_PIXEL_RATIO;

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
    // 生态保护红线: translucent green with sparse reverse diagonals (reads through to what lies under)
    id: 'pat-eco',
    size: 14,
    background: 'rgba(46, 125, 50, 0.08)',
    draw(ctx, s) {
      ctx.strokeStyle = 'rgba(46, 125, 50, 0.55)';
      ctx.lineWidth = 0.8 * RATIO;
      diagonal(ctx, s, true);
    },
  },
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
