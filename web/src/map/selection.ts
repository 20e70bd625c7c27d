// 选择集 on the map: the features in app.selection drawn highlighted (translucent fill and outline over
// their layer), and the server's answer to "which features does this shape select" (box, lasso, a
// shared link's ids). The ids always come from the server (GET /ogc/collections/{layer}/ids), never
// from the loaded tiles: a tile holds only what is in view at its zoom, the database holds all.
import type { ExpressionSpecification, FilterSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { LAYER_BY_ID } from '../../../geo/layers.ts';
import { COLORS } from '../../../geo/style/style.ts';
import { sourceFor } from '../../../geo/style/sources.ts';
import { api, apiError } from '../http.ts';
import { app } from '../state.svelte.ts';
import type { LinkState } from './permalink.ts';

export interface SelectedIds {
  ids: number[];
  numberMatched: number;
  /** more matched than the server answers at once (server/features/sql.ts MAX_IDS) */
  truncated: boolean;
}

/** what /ids takes: a CQL2 text filter, and/or the ids to keep of those that are there */
export interface IdsQuery {
  filter?: string;
  ids?: number[];
}

/** the most ids one /ids request checks (server/features/index.ts MAX_ASKED_IDS) */
const IDS_PER_REQUEST = 2000;

async function idsOnce(layerId: string, q: IdsQuery): Promise<SelectedIds> {
  const params = new URLSearchParams();
  if (q.filter) params.set('filter', q.filter);
  if (q.ids) params.set('ids', q.ids.join(','));
  const res = await api(`/ogc/collections/${encodeURIComponent(layerId)}/ids?${params}`, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw await apiError(res);
  const body = (await res.json()) as SelectedIds;
  return { ids: body.ids, numberMatched: body.numberMatched, truncated: body.truncated };
}

/** The ids of `layerId`'s features the query selects, as this user may read them now. */
export async function fetchIds(layerId: string, q: IdsQuery): Promise<SelectedIds> {
  if (!q.ids || q.ids.length <= IDS_PER_REQUEST) return idsOnce(layerId, q);
  const out: SelectedIds = { ids: [], numberMatched: 0, truncated: false };
  for (let i = 0; i < q.ids.length; i += IDS_PER_REQUEST) {
    const part = await idsOnce(layerId, { ...q, ids: q.ids.slice(i, i + IDS_PER_REQUEST) });
    out.ids.push(...part.ids);
    out.numberMatched += part.numberMatched;
  }
  return out;
}

/** A closed lon/lat ring as a CQL2 text filter: the features that intersect it. 7 decimals: about 1 cm. */
export function intersectsFilter(ring: number[][]): string {
  const pts = [...ring];
  const [f, l] = [pts[0], pts[pts.length - 1]];
  if (f[0] !== l[0] || f[1] !== l[1]) pts.push(f);
  return `S_INTERSECTS(geometry, POLYGON((${pts.map((p) => `${p[0].toFixed(7)} ${p[1].toFixed(7)}`).join(', ')})))`;
}

/** The ids after a shape's result: replace, add (shift) or remove (alt/ctrl). Ascending. */
export function combine(before: number[], picked: number[], how: 'replace' | 'add' | 'remove'): number[] {
  if (how === 'replace') return [...new Set(picked)].sort((a, b) => a - b);
  const set = new Set(before);
  for (const id of picked) {
    if (how === 'add') set.add(id);
    else set.delete(id);
  }
  return [...set].sort((a, b) => a - b);
}

// ---- the highlight ----

const FILL = 'zs-selection-fill';
const LINE = 'zs-selection-line';
const CIRCLE = 'zs-selection-circle';
const NONE: FilterSpecification = ['boolean', false];

/**
 * Draws app.selection over its layer and keeps it drawn: a filter on the feature id (the tiles' and the
 * GeoJSON's ids are the rows' ids), so tiles that load or reload later are highlighted as they come.
 * Call once the map's sources are there (after the map's 'load').
 */
export function attachSelectionHighlight(map: MapLibreMap): (selection: typeof app.selection) => void {
  let shownOn: string | null = null;
  const remove = () => {
    for (const id of [CIRCLE, LINE, FILL]) if (map.getLayer(id)) map.removeLayer(id);
    shownOn = null;
  };
  const add = (layerId: string) => {
    const { source, sourceLayer } = sourceFor(layerId);
    if (!map.getSource(source)) return false;
    const on = sourceLayer ? { source, 'source-layer': sourceLayer } : { source };
    const kind = LAYER_BY_ID.get(layerId)?.geometry;
    if (kind === 'point') {
      map.addLayer({ id: CIRCLE, type: 'circle', ...on, filter: NONE,
        paint: { 'circle-radius': 8, 'circle-color': COLORS.selection, 'circle-opacity': 0.45, 'circle-stroke-color': COLORS.selection, 'circle-stroke-width': 2.5 } });
    } else {
      if (kind === 'polygon') map.addLayer({ id: FILL, type: 'fill', ...on, filter: NONE, paint: { 'fill-color': COLORS.selection, 'fill-opacity': 0.35 } });
      map.addLayer({ id: LINE, type: 'line', ...on, filter: NONE, paint: { 'line-color': COLORS.selection, 'line-width': kind === 'line' ? 5 : 2.5 } });
    }
    shownOn = layerId;
    return true;
  };
  return (selection) => {
    if (!selection || selection.ids.length === 0) {
      for (const id of [FILL, LINE, CIRCLE]) if (map.getLayer(id)) map.setFilter(id, NONE);
      return;
    }
    if (shownOn !== selection.layerId) {
      remove();
      if (!add(selection.layerId)) return;
    }
    // `match` looks the id up (a literal `in` list would be scanned for every feature)
    const filter: ExpressionSpecification = ['match', ['id'], [...new Set(selection.ids)], true, false];
    for (const id of [FILL, LINE, CIRCLE]) if (map.getLayer(id)) map.setFilter(id, filter);
  };
}

// ---- opening a shared link (permalink.ts) ----

/**
 * The attribute table's query and the selection of a link, checked with the server as this user:
 * a query the server refuses for them (an attribute withheld from them) opens the table without it;
 * the selection keeps the ids that are there and readable. Nothing here is an error for the user.
 */
export async function restoreSelection(link: LinkState): Promise<void> {
  let tableIds: number[] | null = null;
  if (link.table) {
    const { layerId, filter } = link.table;
    try {
      if (filter) tableIds = (await fetchIds(layerId, { filter })).ids;
      app.table = { layerId, filter };
    } catch {
      app.table = { layerId, filter: '' };
    }
  }
  const sel = link.selection;
  if (!sel) return;
  try {
    let ids: number[] = [];
    if ('ids' in sel) ids = (await fetchIds(sel.layerId, { ids: sel.ids })).ids;
    else if (tableIds && link.table?.layerId === sel.layerId) ids = tableIds;
    if (ids.length) app.selection = { layerId: sel.layerId, ids };
  } catch {
    // a layer this user may not read: no selection
  }
}
