// 分享链接: the page's URL holds what the user looks at, so that a copied link opens the same map for
// someone else, as far as their account may read it. In the query string, beside the older deep links
// (App.svelte openDeepLink: ?layer=&feature=&history=1, ?project=) and the map's date (?asOf=, written
// by TimeControl.svelte):
//   map=15.25/23.093100/109.598200[/30]   zoom / latitude / longitude [/ bearing], as OSM and MapLibre write it
//   layers=parcel,red_line,…              the layers shown
//   sel=parcel:2n.1~4.a                   the selection (选择集): layer and ids, compact (encodeIds)
//   sel=parcel:query                      … a selection too long for a link: the attribute table's query
//   table=parcel&where=<CQL2 text>        the attribute table's layer and query
// Opening such a link restores each part that is there; what the reader may not read (an unknown
// layer, an id not there any more or not readable, a query on attributes withheld from them) is
// dropped without a word: the rest of the link still works.
// Plain functions, no state: restoring the selection is selection.ts's restoreSelection.

export interface LinkView {
  center: [number, number];
  zoom: number;
  bearing: number;
}

export interface LinkState {
  view?: LinkView;
  layers?: string[];
  selection?: { layerId: string; ids: number[] } | { layerId: string; byQuery: true };
  table?: { layerId: string; filter: string };
}

/** the query-string keys this module owns */
export const LINK_KEYS = ['map', 'layers', 'sel', 'table', 'where'] as const;

/** a selection longer than this (characters encoded) goes into the link as the table's query, or not at all */
export const SELECTION_MAX_CHARS = 3000;

// ---- ids, compact ----

/**
 * Ascending ids as base-36 gaps from the previous id, '.'-separated; a run of consecutive ids is the
 * gap to its first and '~' with the run's length less one: [3, 4, 5, 6, 40] → "3~3.y". URL-safe as is.
 */
export function encodeIds(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push((sorted[i] - prev).toString(36) + (j > i ? `~${(j - i).toString(36)}` : ''));
    prev = sorted[j];
    i = j + 1;
  }
  return out.join('.');
}

/** The ids of encodeIds' text; null when it is not such a text. */
export function decodeIds(text: string, max = 1_000_000): number[] | null {
  if (text === '') return [];
  const ids: number[] = [];
  let prev = 0;
  for (const token of text.split('.')) {
    const m = /^([0-9a-z]{1,7})(?:~([0-9a-z]{1,7}))?$/.exec(token);
    if (!m) return null;
    const first = prev + parseInt(m[1], 36);
    const run = m[2] ? parseInt(m[2], 36) : 0;
    if (first <= prev || ids.length + run + 1 > max) return null;
    for (let k = 0; k <= run; k++) ids.push(first + k);
    prev = first + run;
  }
  return ids;
}

// ---- the URL ----

/** What a link's query string says, with unknown layers and malformed parts left out. */
export function readLink(search: string, known: ReadonlySet<string>): LinkState {
  const q = new URLSearchParams(search);
  const state: LinkState = {};
  const m = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)(?:\/(-?\d+(?:\.\d+)?))?$/.exec(q.get('map') ?? '');
  if (m) {
    const [zoom, lat, lng, bearing] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
    if (zoom <= 24 && Math.abs(lat) <= 85 && Math.abs(lng) <= 180) state.view = { center: [lng, lat], zoom, bearing };
  }
  const layers = q.get('layers');
  if (layers !== null) state.layers = layers.split(',').filter((id) => known.has(id));
  const table = q.get('table');
  if (table && known.has(table)) state.table = { layerId: table, filter: q.get('where') ?? '' };
  const sel = /^([a-z_]+):(.*)$/.exec(q.get('sel') ?? '');
  if (sel && known.has(sel[1])) {
    if (sel[2] === 'query') state.selection = { layerId: sel[1], byQuery: true };
    else {
      const ids = decodeIds(sel[2]);
      if (ids?.length) state.selection = { layerId: sel[1], ids };
    }
  }
  return state;
}

/** How a selection goes into a link: its ids, the table's query instead, or not at all (too long). */
export function selectionParam(selection: { layerId: string; ids: number[] } | null, table: LinkState['table'] | null): { value: string | null; as: 'ids' | 'query' | 'left_out' | 'none' } {
  if (!selection || selection.ids.length === 0) return { value: null, as: 'none' };
  const ids = encodeIds(selection.ids);
  if (ids.length <= SELECTION_MAX_CHARS) return { value: `${selection.layerId}:${ids}`, as: 'ids' };
  if (table && table.layerId === selection.layerId && table.filter) return { value: `${selection.layerId}:query`, as: 'query' };
  return { value: null, as: 'left_out' };
}

const fixed = (n: number, d: number) => String(Number(n.toFixed(d)));

/** The map view as `map=` says it. */
export const viewParam = (v: LinkView): string =>
  `${fixed(v.zoom, 2)}/${v.center[1].toFixed(6)}/${v.center[0].toFixed(6)}${Math.round(v.bearing) ? `/${fixed(v.bearing, 1)}` : ''}`;

/** Writes this module's keys into `url` (the others stay as they are); call it last on the URL. */
export function writeLink(url: URL, state: { view: LinkView; layers: string[]; selection: string | null; table: LinkState['table'] | null }): void {
  const p = url.searchParams;
  p.set('map', viewParam(state.view));
  p.set('layers', state.layers.join(','));
  if (state.selection) p.set('sel', state.selection);
  else p.delete('sel');
  if (state.table) {
    p.set('table', state.table.layerId);
    if (state.table.filter) p.set('where', state.table.filter);
    else p.delete('where');
  } else {
    p.delete('table');
    p.delete('where');
  }
  // URLSearchParams escapes '/', ',', ':' and '~', which a query may hold as they are (RFC 3986): the
  // link stays readable and a selection's runs stay short
  url.search = url.search.replace(/%2F/gi, '/').replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%7E/gi, '~');
}
