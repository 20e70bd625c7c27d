// The dashboard map's look in its two themes: light (the page) and dark (大屏). The district-wide
// command areas get a neutral fill (they tile the whole district, so a progress tint there painted
// everything salmon); progress colours go on the red lines' fill and the command areas' outline only.
// The chosen command area is outlined in the selection colour. Labels: command areas and red lines by name.
import type { ExpressionSpecification, LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { COLORS, FONT_FAMILIES, textFields } from '../../../geo/style/style.ts';

export type Theme = 'light' | 'dark';
type Lang = 'zh' | 'en';

/** Colours per theme; the progress ramp (COLORS.progress) is the same in both. */
export const THEMES: Record<Theme, { background: string; areaFill: string; areaFillOpacity: number; text: string; halo: string; redLineText: string; problemStroke: string; selected: string }> = {
  light: { background: COLORS.background, areaFill: '#ffffff', areaFillOpacity: 0.35, text: '#333333', halo: 'rgba(255,255,255,0.92)', redLineText: '#7a0000', problemStroke: '#ffffff', selected: COLORS.selection },
  dark: { background: '#0b1626', areaFill: '#16263d', areaFillOpacity: 0.6, text: '#e6edf3', halo: 'rgba(8,17,31,0.9)', redLineText: '#ffb3a7', problemStroke: '#08111f', selected: '#4fc3f7' },
};

export const SOURCES = { area: 'dash-command_area', areaLabel: 'dash-command_area-label', redLine: 'dash-red_line', redLineLabel: 'dash-red_line-label', problem: 'dash-problem' } as const;

export const LAYERS = {
  areaFill: 'dash-area-fill', areaLine: 'dash-area-line', areaSelected: 'dash-area-selected', redLine: 'dash-red-line',
  problem: 'dash-problem', areaLabel: 'dash-area-label', redLineLabel: 'dash-red-line-label',
} as const;

/** The base style: the background only (no remote tiles, sprite or glyphs: labels use local fonts). */
export function dashboardStyle(theme: Theme): StyleSpecification {
  return { version: 8, name: '征收进度调度看板', sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': THEMES[theme].background } }] };
}

/** The layers below the progress colours (neutral area fill) and above them (outlines, problems, labels). */
export function dashboardLayers(theme: Theme, lang: Lang): { below: LayerSpecification[]; above: LayerSpecification[] } {
  const c = THEMES[theme];
  const label = (size: number) => ({ 'text-font': FONT_FAMILIES, 'text-size': size, 'text-max-width': 9, 'text-padding': 4 });
  return {
    below: [
      { id: LAYERS.areaFill, type: 'fill', source: SOURCES.area, paint: { 'fill-color': c.areaFill, 'fill-opacity': c.areaFillOpacity } },
    ],
    above: [
      { id: LAYERS.redLine, type: 'line', source: SOURCES.redLine, paint: { 'line-color': COLORS.redLine, 'line-width': 1.2 } },
      // the chosen command area: hidden until one is chosen (filter on its id)
      { id: LAYERS.areaSelected, type: 'line', source: SOURCES.area, filter: ['==', ['id'], -1], paint: { 'line-color': c.selected, 'line-width': 4 } },
      {
        id: LAYERS.problem, type: 'circle', source: SOURCES.problem,
        paint: {
          'circle-radius': 5, 'circle-stroke-color': c.problemStroke, 'circle-stroke-width': 1.5,
          'circle-color': ['match', ['get', 'status'], 'open', COLORS.problem.open, 'in_progress', COLORS.problem.in_progress, COLORS.problem.resolved],
        },
      },
      {
        id: LAYERS.redLineLabel, type: 'symbol', source: SOURCES.redLineLabel, minzoom: 10,
        layout: { ...label(11), 'text-field': ['coalesce', ['get', 'name'], ''], 'symbol-sort-key': ['-', 0, ['get', '_area']] as unknown as ExpressionSpecification },
        paint: { 'text-color': c.redLineText, 'text-halo-color': c.halo, 'text-halo-width': 1.4 },
      },
      {
        id: LAYERS.areaLabel, type: 'symbol', source: SOURCES.areaLabel,
        // the two central areas are small at the district's zoom: their names move aside rather than overprint
        layout: {
          ...label(15), 'text-field': textFields(lang)['command_area-label'], 'text-letter-spacing': 0.1,
          'text-variable-anchor': ['center', 'right', 'left', 'top', 'bottom'], 'text-radial-offset': 0.6, 'text-justify': 'auto',
        },
        paint: { 'text-color': c.text, 'text-halo-color': c.halo, 'text-halo-width': 1.8 },
      },
    ],
  };
}

/** Switch a live map between themes by paint properties (no reload: the sources and feature-state stay). */
export function applyTheme(map: MapLibreMap, theme: Theme): void {
  const c = THEMES[theme];
  const paint: [string, string, unknown][] = [
    ['background', 'background-color', c.background],
    [LAYERS.areaFill, 'fill-color', c.areaFill], [LAYERS.areaFill, 'fill-opacity', c.areaFillOpacity],
    [LAYERS.areaSelected, 'line-color', c.selected], [LAYERS.problem, 'circle-stroke-color', c.problemStroke],
    [LAYERS.redLineLabel, 'text-color', c.redLineText], [LAYERS.redLineLabel, 'text-halo-color', c.halo],
    [LAYERS.areaLabel, 'text-color', c.text], [LAYERS.areaLabel, 'text-halo-color', c.halo],
  ];
  for (const [layer, prop, value] of paint) if (map.getLayer(layer)) map.setPaintProperty(layer, prop as never, value as never);
}

/** Command-area labels in the interface language. */
export function applyLang(map: MapLibreMap, lang: Lang): void {
  if (map.getLayer(LAYERS.areaLabel)) map.setLayoutProperty(LAYERS.areaLabel, 'text-field', textFields(lang)['command_area-label']);
}
