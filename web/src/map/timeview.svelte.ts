// 地图时间轴 (issue #17): the main map as of a past date. Red lines (fill) and command areas (outline)
// take their colours from /api/progress/map for that date, with the dashboard's own feature-state
// colouring (dashboard/progressMap.ts) on the main map's sources; parcels and houses their status then
// from /api/progress/features (takeStatusAsOf.ts). The style layers whose colours or text are today's
// (the red lines' live progress fill and label, parcels' and houses' status fills and outlines) are
// filtered out meanwhile, so nothing on the map claims a state it did not have on that date.
// `timeView.asOf` is null at today (live map); `timeView.compare` holds the second date of the swipe
// compare (CompareView.svelte), null when not comparing. Editing waits until no date shown is past.
import type { FilterSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { sourceId } from '../../../geo/style/sources.ts';
import { beijingDate } from '../../../geo/time.ts';
import type { MapProgress } from '../dashboard/api.ts';
import { attachProgressColouring, PROGRESS_LAYER_IDS, type ProgressColouring } from '../dashboard/progressMap.ts';
import { AS_OF_TAKE_LAYERS, attachTakeColouring, LIVE_TAKE_LAYERS, type TakeColouring } from './takeStatusAsOf.ts';

export const timeView = $state<{
  asOf: string | null;
  /** comparing: the right-hand date (null: today); null when not comparing */
  compare: { asOf: string | null } | null;
  /** as-of requests on their way (the view moved) */
  pending: number;
  /** the view holds more parcels or houses than one answer gives: some are not coloured as of the date */
  truncated: boolean;
}>({ asOf: null, compare: null, pending: 0, truncated: false });

/** the layers the as-of colours go on, as the layer panel shows them */
export const shownBy = (isShown: (id: string) => boolean): Shown =>
  ({ red_line: isShown('red_line'), command_area: isShown('command_area'), parcel: isShown('parcel'), house: isShown('house') });

/** does the page show any date in the past (then nothing is edited)? */
export const showsPast = (): boolean => timeView.asOf !== null || (timeView.compare !== null && timeView.compare.asOf !== null);

/** style layers that show today's state: hidden while the map is in the past */
export const LIVE_ONLY_LAYERS = ['red_line-fill', 'red_line-label', ...LIVE_TAKE_LAYERS] as const;

/** style layers the time view adds: the as-of colours */
const AS_OF_LAYERS: readonly string[] = [...PROGRESS_LAYER_IDS, ...AS_OF_TAKE_LAYERS];

/** the earliest date the time control offers (the progress history starts with 2021) */
export const FIRST_MONTH = '2021-01';

/**
 * `?asOf=` from a URL: null when absent or today; an error text (English, for the log) when it is no
 * date, before FIRST_MONTH or after today.
 */
export function parseAsOf(search: string, today = beijingDate()): { asOf: string | null } | { error: string } {
  const v = new URLSearchParams(search).get('asOf');
  if (v === null || v === '') return { asOf: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== v) return { error: v };
  if (v < `${FIRST_MONTH}-01` || v > today) return { error: v };
  return { asOf: v === today ? null : v };
}

/** which of the layers the as-of colours go on the layer panel shows */
export interface Shown { red_line: boolean; command_area: boolean; parcel: boolean; house: boolean }

export interface TimeViewController {
  /**
   * show the map as of `asOf` (null: today, live), the as-of colours where the layer panel shows the
   * layer; resolves with the figures used (null at today)
   */
  show(asOf: string | null, shown: Shown): Promise<MapProgress | null>;
  /** the parcels' and houses' colouring as of the date (once the map first went into the past) */
  take(): TakeColouring | null;
  /**
   * the map's style as the live map has it (for a second map that shows another date): today's
   * layers with their own filters, without the as-of layers (the second map adds its own)
   */
  liveStyle(): StyleSpecification;
}

/** a filter no feature passes: today's colours are filtered out (not hidden), so the layer panel's
 * visibility switches, which set the style layers' visibility, cannot bring them back while in the past */
const NOTHING: FilterSpecification = ['boolean', false];

/** the controller of each map with a time view (the compare view reads the main map's live style through it) */
const controllers = new WeakMap<MapLibreMap, TimeViewController>();
export const timeViewOf = (map: MapLibreMap): TimeViewController | undefined => controllers.get(map);

export function attachTimeView(map: MapLibreMap, onPending: (n: number) => void = () => {}): TimeViewController {
  let colouring: ProgressColouring | null = null;
  let take: TakeColouring | null = null;
  /** the live layers' filters before the map went into the past */
  const filtered = new Map<string, FilterSpecification | null>();
  // the main map adds its sources and layers on 'load' (layers.ts)
  const ready = new Promise<void>((resolve) => (map.getSource(sourceId('red_line')) ? resolve() : map.once('load', () => resolve())));
  const setProgressVisible = (asOf: string | null, shown: Shown) => {
    const [area, redLine] = PROGRESS_LAYER_IDS;
    const set = (id: string, v: boolean) => { if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v ? 'visible' : 'none'); };
    set(area, asOf !== null && shown.command_area);
    set(redLine, asOf !== null && shown.red_line);
  };
  let seq = 0;
  const controller: TimeViewController = {
    async show(asOf, shown) {
      const mine = ++seq;
      await ready;
      if (mine !== seq) return null;
      if (asOf === null) {
        setProgressVisible(null, shown);
        for (const [id, f] of filtered) if (map.getLayer(id)) map.setFilter(id, f);
        filtered.clear();
        await take?.set(null, shown);
        return null;
      }
      if (filtered.size === 0) {
        for (const id of LIVE_ONLY_LAYERS) {
          if (!map.getLayer(id)) continue;
          filtered.set(id, (map.getFilter(id) as FilterSpecification | undefined) ?? null);
          map.setFilter(id, NOTHING);
        }
      }
      // made once and kept: its feature-state follows every date (features absent at a date lose their colour)
      // under the parcels and houses, as the live red-line fill is: their status colours stay the legend's
      colouring ??= attachProgressColouring(map, {
        redLineSource: sourceId('red_line'), areaSource: sourceId('command_area'), beforeId: 'parcel-fill', redLineOpacity: 0.55, areaLineWidth: 3,
      });
      take ??= attachTakeColouring(map, onPending);
      setProgressVisible(asOf, shown);
      const [progress] = await Promise.all([colouring.setAsOf(asOf), take.set(asOf, shown)]);
      return progress;
    },
    take: () => take,
    liveStyle() {
      const style = map.getStyle();
      style.layers = style.layers
        .filter((l) => !AS_OF_LAYERS.includes(l.id))
        .map((l) => {
          if (!filtered.has(l.id)) return l;
          const f = filtered.get(l.id);
          const { filter: _f, ...rest } = l as typeof l & { filter?: unknown };
          return (f ? { ...rest, filter: f } : rest) as typeof l;
        });
      return style;
    },
  };
  controllers.set(map, controller);
  return controller;
}
