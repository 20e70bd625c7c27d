// What the print page prints, from its URL (server/print writes it): the view, the sheet, the layers.
import { LAYER_BY_ID } from '../../../geo/layers.ts';
import { MAX_FIT_SCALE, MIN_SCALE, ORIENTATIONS, type Orientation, PAPERS, type Paper } from '../../../geo/print.ts';

export interface PrintJob {
  center: [number, number];
  scale: number;
  paper: Paper;
  orientation: Orientation;
  title: string;
  layers: string[];
  lang: 'zh' | 'en';
  /** the Beijing day the print is dated (the server's, so the file name and the sheet agree) */
  date: string;
  asOf: string | null;
  /** the raster basemap (GET /api/basemaps id), null for the offline synthetic map */
  basemap: string | null;
}

export function readPrintJob(search: string): PrintJob | { error: string } {
  const q = new URLSearchParams(search);
  const center = (q.get('center') ?? '').split(',').map(Number);
  const scale = Number(q.get('scale'));
  const paper = q.get('paper') as Paper;
  const orientation = q.get('orientation') as Orientation;
  const date = q.get('date') ?? '';
  if (center.length !== 2 || !center.every(Number.isFinite)) return { error: 'center' };
  if (!Number.isFinite(scale) || scale < MIN_SCALE || scale > MAX_FIT_SCALE) return { error: 'scale' };
  if (!PAPERS.includes(paper) || !ORIENTATIONS.includes(orientation)) return { error: 'paper' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { error: 'date' };
  const layers = (q.get('layers') ?? '').split(',').filter((id) => LAYER_BY_ID.has(id));
  const asOf = q.get('asOf');
  const basemap = q.get('basemap');
  return {
    center: center as [number, number], scale, paper, orientation, date, layers,
    title: q.get('title') ?? '', lang: q.get('lang') === 'en' ? 'en' : 'zh',
    asOf: asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : null,
    basemap: basemap || null,
  };
}
