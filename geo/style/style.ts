// The map's cartography: a base style with no remote resources (no basemap, sprite or glyphs URL:
// MapLibre draws every label locally from the fonts installed on the machine), and the style
// layers of each data layer in draw order. Colours here are also what the legend shows.
import type {
  DataDrivenPropertyValueSpecification, ExpressionSpecification, LayerSpecification, StyleSpecification,
} from 'maplibre-gl';
import { COMMAND_AREA, TAKE_STATUS, type Label } from '../domain.ts';
import { labelSourceFor, sourceFor } from './sources.ts';

type Lang = keyof Label;

/** Local font families, first match wins (Windows, macOS, Linux). Chinese and Latin alike. */
export const FONT_FAMILIES = ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'sans-serif'];
const FONT = FONT_FAMILIES;
// the first name only tells MapLibre the weight; it falls through to the real families
const FONT_BOLD = ['Bold', ...FONT_FAMILIES];

export const COLORS = {
  background: '#f2efe9',
  builtUp: '#e4dfd6',
  builtUpLine: '#d5cdbf',
  water: '#a5cdea',
  waterLine: '#7fb3d8',
  waterText: '#2a6496',
  park: '#ece4f6',
  parkLine: '#8e6cc0',
  township: '#7d7264',
  village: '#a39a8c',
  road: {
    expressway: '#f0a04b',
    expresswayCasing: '#c0782c',
    arterial: '#fcd98a',
    arterialCasing: '#c9a75a',
    secondary: '#ffffff',
    secondaryCasing: '#bfb4a2',
    local: '#ffffff',
    localCasing: '#cfc6b8',
    railway: '#8a8a8a',
  },
  command: { guicheng: '#8e24aa', gangcheng: '#1565c0', outer: '#00838f' } as Record<string, string>,
  farmlandLine: '#c9a227',
  caneLine: '#3f8a26',
  military: '#c62828',
  disputed: '#ef6c00',
  reserved: '#00897b',
  reservedFill: '#80cbc4',
  redLine: '#e10000',
  ecoRedline: '#2e7d32',
  urbanBoundary: '#6a1b9a',
  /** 三调 land use by first-level class (01 耕地 … 12 其他土地), after the survey's own map colours */
  landUse: {
    '01': '#f6e8a6', '02': '#d4e59a', '03': '#86c27c', '04': '#c6e3a4', '05': '#f2948a', '06': '#c7a2d8',
    '07': '#f7b96f', '08': '#f3a6c4', '09': '#b47b63', '10': '#c4c4c4', '11': '#92cbe8', '12': '#e2d8c9',
  } as Record<string, string>,
  progress: [
    [0, '#d7301f'],
    [50, '#fdae61'],
    [80, '#d9ef8b'],
    [100, '#1a9850'],
  ] as [number, string][],
  parcel: {
    unsigned: '#c9c9c9',
    signed: '#ffe066',
    paid: '#ffa94d',
    handed_over: '#69c36d',
    court: '#b57bd6',
  } as Record<keyof typeof TAKE_STATUS, string>,
  house: {
    unsigned: '#8c8c8c',
    signed: '#e6b800',
    paid: '#e8590c',
    handed_over: '#2b8a3e',
    court: '#7b2fa6',
  } as Record<keyof typeof TAKE_STATUS, string>,
  resettlement: '#3f51b5',
  overdue: '#d50000',
  problem: { open: '#d50000', in_progress: '#f76707', resolved: '#8c8c8c' } as Record<string, string>,
  selection: '#00b8d9',
  hover: '#ff8f00',
  halo: 'rgba(255,255,255,0.92)',
};

/** The empty base style: background only. Sources and layers are added once the data is known. */
export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    name: '征收一张图',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': COLORS.background } }],
  };
}

export const LOCAL_IDEOGRAPH_FONT = FONT_FAMILIES.map((f) => (f.includes(' ') ? `"${f}"` : f)).join(', ');

type Spec = LayerSpecification & { metadata: { 'zs:layer': string } };
type DistOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type LayerInput = DistOmit<Exclude<LayerSpecification, { type: 'background' }>, 'source' | 'metadata'>;

const matchStatus = (colors: Record<string, string>, fallback: string): ExpressionSpecification => [
  'match', ['get', 'status'],
  ...Object.entries(colors).flat(),
  fallback,
] as unknown as ExpressionSpecification;

const progressColor: ExpressionSpecification = [
  'interpolate', ['linear'], ['coalesce', ['to-number', ['get', 'progress_pct']], 0],
  ...COLORS.progress.flat(),
] as unknown as ExpressionSpecification;

const zoomWidth = (stops: [number, number][]): ExpressionSpecification =>
  ['interpolate', ['exponential', 1.5], ['zoom'], ...stops.flat()] as unknown as ExpressionSpecification;

const selected: ExpressionSpecification = ['boolean', ['feature-state', 'selected'], false];
const hovered: ExpressionSpecification = ['boolean', ['feature-state', 'hover'], false];

/** The words the map's labels add to the data; the client's interface text (UI) reuses them. */
export const MAP_TEXT = {
  progressLabel: { zh: '进度 {p}%', en: '{p}% done' },
  overdueShort: { zh: '逾期{n}个月', en: '{n} mo overdue' },
  militaryRestricted: { zh: '军事管理区（属性受限）', en: 'Military zone (restricted)' },
} as const satisfies Record<string, Label>;

/** Text fields that depend on the interface language. */
export function textFields(lang: Lang): Record<string, DataDrivenPropertyValueSpecification<string>> {
  const progress = MAP_TEXT.progressLabel[lang].split('{p}');
  const overdue = MAP_TEXT.overdueShort[lang].split('{n}');
  return {
    'command_area-label': [
      'match', ['get', 'code'],
      ...Object.entries(COMMAND_AREA).flatMap(([code, l]) => [code, l[lang]]),
      ['coalesce', ['get', 'name'], ''],
    ] as unknown as ExpressionSpecification,
    'red_line-label': [
      'format',
      ['coalesce', ['get', 'name'], ''], {},
      '\n', {},
      ['concat', progress[0], ['to-string', ['round', ['coalesce', ['to-number', ['get', 'progress_pct']], 0]]], progress[1]],
      { 'font-scale': 0.85, 'text-color': '#7a0000' },
    ] as unknown as ExpressionSpecification,
    // without the military grant the server withholds the name: the zone is labelled as restricted
    'military_land-label': ['coalesce', ['get', 'name'], MAP_TEXT.militaryRestricted[lang]] as unknown as ExpressionSpecification,
    'resettlement_site-label': [
      'case',
      ['>', ['coalesce', ['to-number', ['get', 'overdue_months']], 0], 0],
      [
        'format',
        ['coalesce', ['get', 'name'], ''], {},
        '\n', {},
        ['concat', overdue[0], ['to-string', ['get', 'overdue_months']], overdue[1]],
        { 'font-scale': 0.9, 'text-color': COLORS.overdue },
      ],
      ['coalesce', ['get', 'name'], ''],
    ] as unknown as ExpressionSpecification,
  };
}

function withSource(layerId: string, spec: LayerInput, label = false): Spec {
  const src = label ? labelSourceFor(layerId) : sourceFor(layerId);
  const out = { ...spec, source: src.source, metadata: { 'zs:layer': layerId } } as Spec;
  if (src.sourceLayer) (out as { 'source-layer'?: string })['source-layer'] = src.sourceLayer;
  return out;
}

/**
 * Labels that give way to another layer's: the 地名 gazetteer (place) names every town and village at
 * its seat, so while it is shown the township and village boundaries do not name them a second time.
 * Hide 地名 and the boundaries name themselves again.
 */
const GIVES_WAY_TO: Readonly<Record<string, string>> = { 'township-label': 'place', 'village-label': 'place' };

/** Is this style layer drawn, given which data layers are shown? (its own layer shown, and no label it gives way to) */
export function styleLayerShown(spec: { id: string; metadata?: unknown }, shown: (layerId: string) => boolean): boolean {
  const own = (spec.metadata as { 'zs:layer'?: string } | undefined)?.['zs:layer'];
  if (own !== undefined && !shown(own)) return false;
  const over = GIVES_WAY_TO[spec.id];
  return over === undefined || !shown(over);
}

/** Does showing or hiding `layerId` change whether this style layer is drawn? */
export const styleLayerDependsOn = (spec: { id: string; metadata?: unknown }, layerId: string): boolean =>
  (spec.metadata as { 'zs:layer'?: string } | undefined)?.['zs:layer'] === layerId || GIVES_WAY_TO[spec.id] === layerId;

const labelLayout = (size: number | ExpressionSpecification, bold = false) => ({
  'text-font': bold ? FONT_BOLD : FONT,
  'text-size': size,
  'text-max-width': 8,
  'text-padding': 4,
});

/**
 * Every style layer in draw order (bottom first). Layers of the same data layer share
 * metadata['zs:layer'], which the layer panel uses for visibility and opacity.
 */
export function dataLayers(lang: Lang): Spec[] {
  const tf = textFields(lang);
  const L: Spec[] = [];
  const add = (id: string, spec: LayerInput, label = false) =>
    L.push(withSource(id, spec, label));

  // base: the 三调 land use (off at start; under everything, as it describes the same ground), built-up
  // areas, parks, farmland, water
  add('land_use', {
    id: 'land_use-fill', type: 'fill',
    paint: {
      'fill-color': ['match', ['slice', ['coalesce', ['get', 'class_code'], ''], 0, 2], ...Object.entries(COLORS.landUse).flat(), '#eeeeee'] as unknown as ExpressionSpecification,
      'fill-opacity': 0.75,
    },
  });
  add('land_use', { id: 'land_use-line', type: 'line', minzoom: 14, paint: { 'line-color': '#8d8373', 'line-width': 0.5, 'line-opacity': 0.7 } });
  add('built_up', { id: 'built_up-fill', type: 'fill', paint: { 'fill-color': COLORS.builtUp, 'fill-outline-color': COLORS.builtUpLine, 'fill-opacity': 1 } });
  add('park', { id: 'park-fill', type: 'fill', paint: { 'fill-color': COLORS.park, 'fill-opacity': 0.75 } });
  add('farmland', {
    id: 'farmland-fill', type: 'fill',
    paint: { 'fill-pattern': ['match', ['get', 'kind'], 'permanent_basic', 'pat-farmland-basic', 'pat-farmland-cultivated'], 'fill-opacity': 1 },
  });
  add('farmland', { id: 'farmland-line', type: 'line', minzoom: 13, paint: { 'line-color': COLORS.farmlandLine, 'line-width': 0.6, 'line-opacity': 0.8 } });
  add('cane_base', { id: 'cane_base-fill', type: 'fill', paint: { 'fill-pattern': 'pat-cane', 'fill-opacity': 1 } });
  add('cane_base', { id: 'cane_base-line', type: 'line', paint: { 'line-color': COLORS.caneLine, 'line-width': 1.2, 'line-opacity': 0.9 } });
  add('water', { id: 'water-fill', type: 'fill', paint: { 'fill-color': COLORS.water, 'fill-opacity': 1 } });
  add('water', { id: 'water-line', type: 'line', paint: { 'line-color': COLORS.waterLine, 'line-width': 0.8, 'line-opacity': 1 } });

  // admin outlines (faint); the transparent fill makes a village clickable
  add('village', { id: 'village-fill', type: 'fill', minzoom: 10.5, paint: { 'fill-color': '#000000', 'fill-opacity': 0 } });
  add('village', { id: 'village-line', type: 'line', minzoom: 10.5, paint: { 'line-color': COLORS.village, 'line-width': 0.6, 'line-dasharray': [3, 2], 'line-opacity': 0.6 } });
  add('township', { id: 'township-line', type: 'line', paint: { 'line-color': COLORS.township, 'line-width': zoomWidth([[9, 0.8], [14, 1.6]]), 'line-dasharray': [6, 2, 1, 2], 'line-opacity': 0.7 } });

  // constraints
  add('reserved_land', { id: 'reserved_land-fill', type: 'fill', paint: { 'fill-color': COLORS.reservedFill, 'fill-opacity': 0.4 } });
  add('reserved_land', { id: 'reserved_land-line', type: 'line', paint: { 'line-color': COLORS.reserved, 'line-width': 1.4, 'line-opacity': 1 } });
  add('disputed_land', { id: 'disputed_land-fill', type: 'fill', paint: { 'fill-pattern': 'pat-disputed', 'fill-opacity': 1 } });
  add('disputed_land', { id: 'disputed_land-line', type: 'line', paint: { 'line-color': COLORS.disputed, 'line-width': 1.8, 'line-dasharray': [2, 1.5], 'line-opacity': 1 } });
  add('military_land', { id: 'military_land-fill', type: 'fill', paint: { 'fill-pattern': 'pat-military', 'fill-opacity': 1 } });
  add('military_land', { id: 'military_land-line', type: 'line', paint: { 'line-color': COLORS.military, 'line-width': 2.2, 'line-dasharray': [3, 1.5], 'line-opacity': 1 } });

  // roads: casings, then lines
  const R = COLORS.road;
  const byClass = (key: 'w' | 'casing' | 'color', extra = 0): ExpressionSpecification => {
    if (key === 'w') {
      return ['interpolate', ['exponential', 1.5], ['zoom'],
        8, ['match', ['get', 'class'], 'expressway', 1.6 + extra, 'arterial', 1 + extra, 'secondary', 0.5 + extra * 0.6, 'railway', 1, 0.3],
        12, ['match', ['get', 'class'], 'expressway', 3.5 + extra, 'arterial', 2.6 + extra, 'secondary', 1.6 + extra, 'railway', 1.6, 1 + extra * 0.6],
        16, ['match', ['get', 'class'], 'expressway', 12 + extra, 'arterial', 10 + extra, 'secondary', 7 + extra, 'railway', 3, 4.5 + extra],
      ] as unknown as ExpressionSpecification;
    }
    const cols = key === 'casing'
      ? ['expressway', R.expresswayCasing, 'arterial', R.arterialCasing, 'secondary', R.secondaryCasing, R.localCasing]
      : ['expressway', R.expressway, 'arterial', R.arterial, 'secondary', R.secondary, R.local];
    return ['match', ['get', 'class'], ...cols] as unknown as ExpressionSpecification;
  };
  const notRail: ExpressionSpecification = ['!=', ['get', 'class'], 'railway'];
  const minorFilter: ExpressionSpecification = ['any', ['in', ['get', 'class'], ['literal', ['expressway', 'arterial']]], ['>=', ['zoom'], 11]];
  add('road', {
    id: 'road-casing', type: 'line', filter: ['all', notRail, minorFilter],
    layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': ['match', ['get', 'class'], 'expressway', 4, 'arterial', 3, 'secondary', 2, 1] },
    paint: { 'line-color': byClass('casing'), 'line-width': byClass('w', 1.6), 'line-opacity': 1 },
  });
  add('road', {
    id: 'road-line', type: 'line', filter: ['all', notRail, minorFilter],
    layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': ['match', ['get', 'class'], 'expressway', 4, 'arterial', 3, 'secondary', 2, 1] },
    paint: { 'line-color': byClass('color'), 'line-width': byClass('w'), 'line-opacity': 1 },
  });
  add('road', {
    id: 'road-rail', type: 'line', filter: ['==', ['get', 'class'], 'railway'],
    paint: { 'line-color': R.railway, 'line-width': zoomWidth([[8, 1.2], [14, 2.5]]), 'line-opacity': 1 },
  });
  add('road', {
    id: 'road-rail-ties', type: 'line', filter: ['==', ['get', 'class'], 'railway'],
    paint: { 'line-color': '#ffffff', 'line-width': zoomWidth([[8, 0.6], [14, 1.4]]), 'line-dasharray': [3, 3], 'line-opacity': 1 },
  });

  // 三区三线: the ecological red line hatched green, the urban development boundary a purple dash
  add('eco_redline', { id: 'eco_redline-fill', type: 'fill', paint: { 'fill-pattern': 'pat-eco', 'fill-opacity': 1 } });
  add('eco_redline', { id: 'eco_redline-line', type: 'line', paint: { 'line-color': COLORS.ecoRedline, 'line-width': zoomWidth([[9, 1.2], [14, 2.4]]), 'line-opacity': 0.9 } });
  add('urban_boundary', { id: 'urban_boundary-fill', type: 'fill', paint: { 'fill-color': '#000000', 'fill-opacity': 0 } });
  add('urban_boundary', {
    id: 'urban_boundary-line', type: 'line', layout: { 'line-join': 'round' },
    paint: { 'line-color': COLORS.urbanBoundary, 'line-width': zoomWidth([[9, 1.4], [14, 2.6]]), 'line-dasharray': [5, 2], 'line-opacity': 0.9 },
  });

  // projects: red-line fill by progress, parcels and houses by status, red-line outline on top
  add('red_line', { id: 'red_line-fill', type: 'fill', paint: { 'fill-color': progressColor, 'fill-opacity': 0.3 } });
  add('parcel', { id: 'parcel-fill', type: 'fill', paint: { 'fill-color': matchStatus(COLORS.parcel, '#cccccc'), 'fill-opacity': 0.85 } });
  add('parcel', { id: 'parcel-line', type: 'line', minzoom: 13, paint: { 'line-color': '#ffffff', 'line-width': zoomWidth([[13, 0.4], [17, 1.5]]), 'line-opacity': 0.9 } });
  add('house', { id: 'house-fill', type: 'fill', paint: { 'fill-color': matchStatus(COLORS.house, '#888888'), 'fill-opacity': 0.95 } });
  add('house', { id: 'house-line', type: 'line', minzoom: 14, paint: { 'line-color': '#3d3d3d', 'line-width': 0.6, 'line-opacity': 0.8 } });
  add('resettlement_site', { id: 'resettlement_site-fill', type: 'fill', paint: { 'fill-color': COLORS.resettlement, 'fill-opacity': 0.22 } });
  add('resettlement_site', {
    id: 'resettlement_site-line', type: 'line',
    paint: {
      'line-color': ['case', ['>', ['coalesce', ['to-number', ['get', 'overdue_months']], 0], 0], COLORS.overdue, COLORS.resettlement],
      'line-width': ['case', ['>', ['coalesce', ['to-number', ['get', 'overdue_months']], 0], 0], 3, 1.6],
      'line-opacity': 1,
    },
  });
  add('red_line', {
    id: 'red_line-casing', type: 'line',
    paint: { 'line-color': '#ffffff', 'line-width': zoomWidth([[9, 2.5], [15, 4.5]]), 'line-opacity': 0.8 },
  });
  add('red_line', {
    id: 'red_line-line', type: 'line',
    paint: { 'line-color': COLORS.redLine, 'line-width': zoomWidth([[9, 1.4], [15, 2.6]]), 'line-opacity': 1 },
  });

  // command areas on top of the fills, as outlined zones
  const cmdColor = ['match', ['get', 'code'], ...Object.entries(COLORS.command).flat(), '#555555'] as unknown as ExpressionSpecification;
  add('command_area', { id: 'command_area-fill', type: 'fill', paint: { 'fill-color': cmdColor, 'fill-opacity': 0.05 } });
  add('command_area', {
    id: 'command_area-line', type: 'line', layout: { 'line-join': 'round' },
    paint: { 'line-color': cmdColor, 'line-width': zoomWidth([[8, 2], [11, 3], [14, 2.5]]), 'line-opacity': 0.7, 'line-dasharray': [4, 1.5] },
  });
  add('park', { id: 'park-line', type: 'line', paint: { 'line-color': COLORS.parkLine, 'line-width': 1.4, 'line-dasharray': [4, 2], 'line-opacity': 0.9 } });

  // problems as points
  add('problem', {
    id: 'problem-circle', type: 'circle',
    paint: {
      'circle-radius': zoomWidth([[9, 4], [14, 7]]),
      'circle-color': ['match', ['get', 'status'], ...Object.entries(COLORS.problem).flat(), COLORS.problem.open] as unknown as ExpressionSpecification,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.6,
      'circle-opacity': 1,
      'circle-stroke-opacity': 1,
    },
  });

  // selection and hover outlines (feature-state, on the data sources)
  for (const id of ['parcel', 'house', 'red_line', 'resettlement_site', 'farmland', 'cane_base', 'military_land', 'disputed_land', 'reserved_land',
    'eco_redline', 'urban_boundary', 'land_use', 'park', 'village', 'township', 'command_area', 'built_up', 'water']) {
    add(id, {
      id: `${id}-selected`, type: 'line',
      paint: {
        'line-color': ['case', selected, COLORS.selection, COLORS.hover],
        'line-width': ['case', selected, 3.5, hovered, 2.5, 0],
        'line-opacity': 1,
      },
    });
  }
  add('problem', {
    id: 'problem-selected', type: 'circle',
    paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': ['case', selected, COLORS.selection, COLORS.hover], 'circle-stroke-width': ['case', selected, 3, hovered, 2, 0], 'circle-opacity': 1, 'circle-stroke-opacity': 1 },
  });
  add('road', {
    id: 'road-selected', type: 'line',
    paint: { 'line-color': COLORS.selection, 'line-width': ['case', selected, 4, 0], 'line-opacity': 0.8 },
  });

  // labels
  const halo = { 'text-halo-color': COLORS.halo, 'text-halo-width': 1.4, 'text-halo-blur': 0.5 };
  add('water', {
    id: 'water-label', type: 'symbol', minzoom: 9,
    // the river from the overview on, lakes from 11, ponds only close up
    filter: ['all', ['has', 'name'], ['>=', ['zoom'], ['match', ['get', 'kind'], 'river', 9, 'lake', 11, 13]]],
    layout: { ...labelLayout(zoomWidth([[9, 12], [14, 16]])), 'text-field': ['get', 'name'], 'text-letter-spacing': 0.3, 'symbol-sort-key': ['-', 0, ['get', '_area']] },
    paint: { 'text-color': COLORS.waterText, ...halo, 'text-opacity': 1 },
  }, true);
  add('village', {
    id: 'village-label', type: 'symbol', minzoom: 12.5,
    layout: { ...labelLayout(11), 'text-field': ['get', 'name'] },
    paint: { 'text-color': '#7a7064', ...halo, 'text-opacity': 1 },
  }, true);
  add('township', {
    id: 'township-label', type: 'symbol', minzoom: 9.5, maxzoom: 13.5,
    layout: { ...labelLayout(12), 'text-field': ['get', 'name'], 'text-letter-spacing': 0.15 },
    paint: { 'text-color': '#5e5548', ...halo, 'text-opacity': 1 },
  }, true);
  add('park', {
    id: 'park-label', type: 'symbol', minzoom: 10,
    layout: { ...labelLayout(12), 'text-field': ['get', 'name'] },
    paint: { 'text-color': '#5e3f93', ...halo, 'text-opacity': 1 },
  }, true);
  add('eco_redline', {
    id: 'eco_redline-label', type: 'symbol', minzoom: 10,
    layout: { ...labelLayout(11), 'text-field': ['get', 'name'] },
    paint: { 'text-color': '#1b5e20', ...halo, 'text-opacity': 1 },
  }, true);
  add('urban_boundary', {
    id: 'urban_boundary-label', type: 'symbol', minzoom: 10,
    layout: { ...labelLayout(11), 'text-field': ['get', 'name'] },
    paint: { 'text-color': COLORS.urbanBoundary, ...halo, 'text-opacity': 1 },
  }, true);
  add('disputed_land', {
    id: 'disputed_land-label', type: 'symbol', minzoom: 12,
    layout: { ...labelLayout(11), 'text-field': ['get', 'name'] },
    paint: { 'text-color': '#a84a00', ...halo, 'text-opacity': 1 },
  }, true);
  add('road', {
    id: 'road-label', type: 'symbol', minzoom: 11, filter: ['all', ['has', 'name'], ['!=', ['get', 'class'], 'local']],
    layout: {
      ...labelLayout(zoomWidth([[11, 10.5], [16, 13]])),
      'text-field': ['get', 'name'], 'symbol-placement': 'line', 'text-rotation-alignment': 'map',
      'symbol-spacing': 400, 'text-max-angle': 35,
    },
    paint: { 'text-color': '#4a4036', ...halo, 'text-opacity': 1 },
  });
  add('resettlement_site', {
    id: 'resettlement_site-label', type: 'symbol', minzoom: 11,
    layout: { ...labelLayout(11.5, true), 'text-field': tf['resettlement_site-label'] },
    paint: { 'text-color': '#283593', ...halo, 'text-opacity': 1 },
  }, true);
  add('red_line', {
    id: 'red_line-label', type: 'symbol', minzoom: 11,
    layout: { ...labelLayout(12, true), 'text-field': tf['red_line-label'], 'text-max-width': 10 },
    paint: { 'text-color': '#b00000', ...halo, 'text-opacity': 1 },
  }, true);
  add('place', {
    id: 'place-label', type: 'symbol',
    filter: ['any', ['in', ['get', 'kind'], ['literal', ['city', 'town']]], ['>=', ['zoom'], 12]],
    layout: {
      ...labelLayout(['match', ['get', 'kind'], 'city', 17, 'town', 13.5, 'station', 11.5, 'landmark', 11.5, 11.5] as unknown as ExpressionSpecification, false),
      'text-font': ['match', ['get', 'kind'], ['city', 'town'], ['literal', FONT_BOLD], ['literal', FONT]] as unknown as ExpressionSpecification,
      'text-field': ['get', 'name'],
      'symbol-sort-key': ['coalesce', ['to-number', ['get', 'rank']], 5],
      'text-letter-spacing': ['match', ['get', 'kind'], 'city', 0.25, 0.05] as unknown as ExpressionSpecification,
      'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'],
    },
    paint: {
      'text-color': ['match', ['get', 'kind'], 'city', '#1f1a14', 'town', '#3b332a', '#5a5046'] as unknown as ExpressionSpecification,
      'text-halo-color': COLORS.halo, 'text-halo-width': 1.8, 'text-halo-blur': 0.3,
      'text-opacity': 1,
    },
  });
  add('problem', {
    id: 'problem-label', type: 'symbol', minzoom: 14,
    layout: { ...labelLayout(11), 'text-field': ['get', 'title'], 'text-anchor': 'left', 'text-offset': [1, 0], 'text-optional': true },
    paint: { 'text-color': '#8a1c1c', ...halo, 'text-opacity': 1 },
  });
  add('command_area', {
    id: 'command_area-label', type: 'symbol', maxzoom: 12.5,
    layout: { ...labelLayout(zoomWidth([[8, 14], [12, 20]]), true), 'text-field': tf['command_area-label'], 'text-letter-spacing': 0.3, 'text-allow-overlap': false },
    paint: { 'text-color': cmdColor, ...halo, 'text-halo-width': 2, 'text-opacity': 0.9 },
  }, true);
  // last, so placed first: a restricted zone is always said to be one (it wins over nearby names)
  add('military_land', {
    id: 'military_land-label', type: 'symbol', minzoom: 11,
    layout: { ...labelLayout(11.5, true), 'text-field': tf['military_land-label'] },
    paint: { 'text-color': COLORS.military, ...halo, 'text-opacity': 1 },
  }, true);

  return L;
}

/** The style layers (ids) that can be clicked for a popup, top first. */
export const IDENTIFY_ORDER = [
  'problem-circle', 'house-fill', 'parcel-fill', 'resettlement_site-fill', 'red_line-fill', 'military_land-fill',
  'disputed_land-fill', 'reserved_land-fill', 'cane_base-fill', 'farmland-fill', 'eco_redline-fill', 'urban_boundary-fill', 'park-fill', 'road-line', 'road-rail',
  'water-fill', 'land_use-fill', 'built_up-fill', 'village-fill', 'command_area-fill',
];

/** Paint properties scaled by the layer panel's opacity slider. */
export const OPACITY_PROPS: Record<string, string[]> = {
  fill: ['fill-opacity'],
  line: ['line-opacity'],
  circle: ['circle-opacity', 'circle-stroke-opacity'],
  symbol: ['text-opacity'],
};
