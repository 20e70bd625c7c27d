// 地图时间轴 (issue #17): the main map as of a past date. Red lines (fill) and command areas (outline)
// take their colours from /api/progress/map for that date, with the dashboard's own feature-state
// colouring (dashboard/progressMap.ts) on the main map's sources; the style layers whose colours or
// text are today's (the red lines' live progress fill and label, parcels' and houses' status fills)
// are filtered out meanwhile, so nothing on the map claims a state it did not have on that date.
// `timeView.asOf` is null at today (live map); editing waits for it to be null again.
import type { FilterSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { sourceId } from '../../../geo/style/sources.ts';
import { beijingDate } from '../../../geo/time.ts';
import type { MapProgress } from '../dashboard/api.ts';
import { attachProgressColouring, PROGRESS_LAYER_IDS, type ProgressColouring } from '../dashboard/progressMap.ts';

export const timeView = $state<{ asOf: string | null }>({ asOf: null });

/** style layers that show today's state: hidden while the map is in the past */
export const LIVE_ONLY_LAYERS = ['red_line-fill', 'red_line-label', 'parcel-fill', 'house-fill'] as const;

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
export interface Shown { red_line: boolean; command_area: boolean }

export interface TimeViewController {
  /**
   * show the map as of `asOf` (null: today, live), the as-of colours where the layer panel shows the
   * layer; resolves with the figures used (null at today)
   */
  show(asOf: string | null, shown: Shown): Promise<MapProgress | null>;
}

/** a filter no feature passes: today's colours are filtered out (not hidden), so the layer panel's
 * visibility switches, which set the style layers' visibility, cannot bring them back while in the past */
const NOTHING: FilterSpecification = ['boolean', false];

export function attachTimeView(map: MapLibreMap): TimeViewController {
  let colouring: ProgressColouring | null = null;
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
  return {
    async show(asOf, shown) {
      const mine = ++seq;
      await ready;
      if (mine !== seq) return null;
      if (asOf === null) {
        setProgressVisible(null, shown);
        for (const [id, f] of filtered) if (map.getLayer(id)) map.setFilter(id, f);
        filtered.clear();
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
      colouring ??= attachProgressColouring(map, {
        redLineSource: sourceId('red_line'), areaSource: sourceId('command_area'), beforeId: 'red_line-casing', redLineOpacity: 0.55, areaLineWidth: 3,
      });
      setProgressVisible(asOf, shown);
      return colouring.setAsOf(asOf);
    },
  };
}
