// Area units of Chinese land administration. 亩 is exactly 10000/15 m², so 15 亩 = 1 公顷 (ha)
// and 1 km² = 1500 亩. Figures of record keep full precision; rounding happens only for display.

export const M2_PER_MU = 10000 / 15; // 666.666… m² per 亩
export const M2_PER_HECTARE = 10000;
export const MU_PER_HECTARE = 15;

export const m2ToMu = (m2: number): number => (m2 * 15) / 10000;
export const muToM2 = (mu: number): number => (mu * 10000) / 15;
export const m2ToHectare = (m2: number): number => m2 / M2_PER_HECTARE;
export const hectareToM2 = (ha: number): number => ha * M2_PER_HECTARE;
export const muToHectare = (mu: number): number => mu / MU_PER_HECTARE;

/** One area in the three units every screen and report shows side by side. */
export interface AreaFigures {
  m2: number;
  mu: number;
  hectare: number;
}

export function areaFigures(m2: number): AreaFigures {
  return { m2, mu: m2ToMu(m2), hectare: m2ToHectare(m2) };
}

/** '12.35 亩 (8,233.33 m² · 0.8233 公顷)': 亩 to the hundredth, as land records give it. */
export function formatArea(m2: number, locale: 'zh' | 'en' = 'zh'): string {
  const f = areaFigures(m2);
  const n = (v: number, digits: number) =>
    v.toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const mu = locale === 'zh' ? '亩' : 'mu';
  const ha = locale === 'zh' ? '公顷' : 'ha';
  return `${n(f.mu, 2)} ${mu} (${n(f.m2, 2)} m² · ${n(f.hectare, 4)} ${ha})`;
}
