// Numbers as the command posts write them: 亩 to the hundredth, m² whole, money in 万元; in English
// "mu", m² and millions of yuan (¥12.34 M). Read the interface language on every call (the charts re-derive).
import { formatArea, formatMoney, moneyInUnit } from '../../../geo/units.ts';
import { i18n, locale } from '../i18n/i18n.svelte.ts';

const nf = (digits: number) => new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mu = (v: number): string => `${nf(2).format(v)} ${i18n.lang === 'zh' ? '亩' : 'mu'}`;
export const m2 = (v: number): string => `${nf(0).format(v)} m²`;
/** money in the reader's unit (万元 / million yuan) to two decimals, as a number for charts (geo/units.ts) */
export const money = (yuan: number): number => moneyInUnit(yuan, i18n.lang);
export const wan = (yuan: number): string => formatMoney(yuan, i18n.lang);
export const pct = (v: number | null): string => (v === null ? '—' : `${nf(1).format(v)}%`);
export const int = (v: number): string => nf(0).format(v);
/** a land area given in m², in the three units (for tooltips) */
export const areaOfM2 = (v: number): string => formatArea(v, i18n.lang);
