// The map print capability (地图打印, issue #17):
//   POST /api/print {center, scale | bbox, paper, orientation, title, layers, lang, asOf?, basemap?} → application/pdf
// The server's headless Chromium opens the web client's print page (web/print.html) with the
// requesting user's cookies — so the map it draws is read under that user's session and the same
// release rule as their own map — waits until the page says it is ready, and prints it at the paper
// size. One print at a time per process (a map page in Chromium takes a core and ~300 MB), the rest
// wait their turn up to PRINT_WAIT_S; a page not ready within PRINT_TIMEOUT_S is 502 print_failed.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { DISTRICT_BBOX, LAYERS } from '../../geo/layers.ts';
import {
  fitScale, mapFrame, MAX_SCALE, MIN_SCALE, ORIENTATIONS, type Orientation, pageSize, type Paper, PAPERS, PX_PER_MM,
} from '../../geo/print.ts';
import { beijingDate, fileStamp } from '../../geo/time.ts';
import { DomainError } from '../core/errors.ts';
import { PdfRenderer } from '../core/pdf.ts';
import { dateOrNull, noQuery, text } from '../core/schemas.ts';
import { Slots } from '../core/worker-slots.ts';

/** Chromium renders the map at twice the CSS resolution: a sharp raster (≈ 190 dpi on paper). */
export const PRINT_DEVICE_SCALE = 2;
/** one print at a time in this process, whichever app it is for (a Chromium page is not a worker thread: not in its metrics) */
const printing = new Slots('print', 1);

const lonLat = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', minimum: -180, maximum: 180 } } as const;
const printBody = {
  type: 'object',
  additionalProperties: false,
  required: ['paper', 'orientation', 'layers'],
  properties: {
    center: lonLat,
    scale: { type: ['integer', 'null'], minimum: MIN_SCALE, maximum: MAX_SCALE },
    /** fit to view: the view's lon/lat box instead of a scale */
    bbox: { type: ['array', 'null'], minItems: 4, maxItems: 4, items: { type: 'number', minimum: -180, maximum: 180 } },
    paper: { type: 'string', enum: PAPERS },
    orientation: { type: 'string', enum: ORIENTATIONS },
    title: text(100),
    layers: { type: 'array', maxItems: LAYERS.length, uniqueItems: true, items: { type: 'string', enum: LAYERS.map((l) => l.id) } },
    lang: { type: 'string', enum: ['zh', 'en'] },
    asOf: dateOrNull,
    /** a raster basemap of GET /api/basemaps (the print page looks it up as the requester), null = the offline map */
    basemap: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]{0,31}$' },
  },
} as const;

interface PrintBody {
  center?: [number, number];
  scale?: number | null;
  bbox?: [number, number, number, number] | null;
  paper: Paper;
  orientation: Orientation;
  title?: string;
  layers: string[];
  lang?: 'zh' | 'en';
  asOf?: string | null;
  basemap?: string | null;
}

const invalid = (message: string, field: string) => new DomainError('invalid_input', message, { field }, { field });

/** Within the map's own bounds (the district ± 1°; the main map goes no further). */
function inReach([lon, lat]: [number, number]): boolean {
  const [w, s, e, n] = DISTRICT_BBOX;
  return lon >= w - 1 && lon <= e + 1 && lat >= s - 1 && lat <= n + 1;
}

/** The center and scale printed: given, or fitted to the view's box. */
export function resolveView(b: PrintBody): { center: [number, number]; scale: number } {
  if (b.bbox) {
    const [w, s, e, n] = b.bbox;
    if (!(w < e && s < n) || !inReach([w, s]) || !inReach([e, n])) throw invalid('bbox must be west, south, east, north around the district', 'bbox');
    return fitScale(b.bbox, mapFrame(b.paper, b.orientation));
  }
  if (!b.center || typeof b.scale !== 'number') throw invalid('give center and scale, or bbox to fit the view', b.center ? 'scale' : 'center');
  if (!inReach(b.center)) throw invalid('center must be in the district', 'center');
  return { center: b.center, scale: b.scale };
}

/** The address Chromium reaches this server at: the listening socket, loopback when it listens on all. */
function ownOrigin(app: FastifyInstance): string {
  const a = app.server.address() as AddressInfo | null;
  if (!a || typeof a !== 'object') throw new DomainError('pdf_unavailable', 'the server is not listening on a TCP port: the print page cannot be opened', {});
  const host = a.address === '0.0.0.0' || a.address === '::' ? (a.family === 'IPv6' ? '[::1]' : '127.0.0.1') : a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

/** A file name people can keep: the title (without characters file systems refuse) and the Beijing date. */
export function printFileName(title: string, date: string): string {
  const clean = title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '').trim().slice(0, 60) || '地图';
  return `${clean}-${fileStamp(date)}.pdf`;
}

export interface PrintOptions {
  /** PRINT_TIMEOUT_S: a page not ready by then is 502 print_failed */
  timeoutMs?: number;
  /** PRINT_WAIT_S: a print that waits longer for its turn is 503 print_busy */
  waitMs?: number;
}

export const printPlugin: FastifyPluginAsync<PrintOptions> = async (app, opts) => {
  const TIMEOUT_MS = opts.timeoutMs ?? 90_000;
  const WAIT_MS = opts.waitMs ?? 120_000;
  const pdf = new PdfRenderer();
  app.addHook('onClose', () => pdf.close());

  app.post<{ Body: PrintBody }>('/api/print', { schema: { querystring: noQuery, body: printBody } }, async (request, reply) => {
    const b = request.body;
    const { center, scale } = resolveView(b);
    const date = beijingDate();
    const q = new URLSearchParams({
      center: center.map((v) => v.toFixed(7)).join(','), scale: String(scale), paper: b.paper, orientation: b.orientation,
      layers: b.layers.join(','), lang: b.lang ?? 'zh', date, title: b.title ?? '',
    });
    if (b.asOf) q.set('asOf', b.asOf);
    if (b.basemap) q.set('basemap', b.basemap);
    const page = pageSize(b.paper, b.orientation);
    const release = await printing.acquire({
      ms: WAIT_MS,
      error: () => new DomainError('print_busy', `another map print did not finish within ${WAIT_MS / 1000} s`, { waitSeconds: WAIT_MS / 1000 }),
    });
    let file: Buffer;
    try {
      file = await pdf.renderPage({
        url: `${ownOrigin(app)}/print.html?${q}`,
        cookies: Object.entries(request.cookies ?? {}).filter((c): c is [string, string] => typeof c[1] === 'string').map(([name, value]) => ({ name, value })),
        viewport: { width: Math.ceil(page.width * PX_PER_MM), height: Math.ceil(page.height * PX_PER_MM) },
        deviceScaleFactor: PRINT_DEVICE_SCALE,
        ready: () => {
          const state = (globalThis as { __print?: { ready?: boolean; error?: string } }).__print;
          return state && (state.ready || state.error) ? state : null;
        },
        timeoutMs: TIMEOUT_MS,
        paper: { width: `${page.width}mm`, height: `${page.height}mm` },
      });
    } finally {
      release();
    }
    const name = printFileName(b.title ?? '', date);
    return reply.type('application/pdf')
      .header('Content-Disposition', `attachment; filename="map-${fileStamp(date)}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('x-print-scale', String(scale))
      .header('access-control-expose-headers', 'x-print-scale, content-disposition')
      .send(file);
  });
};
