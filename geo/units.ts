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

// Money (金额). Records keep 元 (the database keeps 分); people read 万元 to two decimals in every
// report, sheet and panel, the unit named in the column header. English shows millions of yuan.
export const YUAN_PER_WAN = 10_000;
export const YUAN_PER_MILLION = 1_000_000;
/** Decimals of a 万元 (or million-yuan) figure wherever it is shown. */
export const MONEY_DIGITS = 2;

export const yuanToWan = (yuan: number): number => yuan / YUAN_PER_WAN;

/** The money unit a reader of `locale` sees: 万元 (zh) or million yuan (en), in yuan. */
export const moneyUnitYuan = (locale: 'zh' | 'en' = 'zh'): number => (locale === 'zh' ? YUAN_PER_WAN : YUAN_PER_MILLION);

/** yuan → the reader's unit to two decimals, as a number (chart data): 123456 → 12.35 (万元). */
export const moneyInUnit = (yuan: number, locale: 'zh' | 'en' = 'zh'): number =>
  Math.round((yuan / moneyUnitYuan(locale)) * 10 ** MONEY_DIGITS) / 10 ** MONEY_DIGITS;

/** yuan → '12.35' (万元) or '0.12' (million yuan), grouped, without the unit: for tables whose header names it. */
export function formatMoneyFigure(yuan: number, locale: 'zh' | 'en' = 'zh'): string {
  return (yuan / moneyUnitYuan(locale)).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-US',
    { minimumFractionDigits: MONEY_DIGITS, maximumFractionDigits: MONEY_DIGITS });
}

/** yuan → '12.35 万元' or '¥0.12 M', for running text and panels. */
export function formatMoney(yuan: number, locale: 'zh' | 'en' = 'zh'): string {
  return locale === 'zh' ? `${formatMoneyFigure(yuan, 'zh')} 万元` : `¥${formatMoneyFigure(yuan, 'en')} M`;
}
