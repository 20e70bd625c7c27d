// Numbers as the command posts write them: 亩 to the hundredth, m² whole, money in 万元.
import { formatArea } from '../../../geo/units.ts';

const nf = (digits: number) => new Intl.NumberFormat('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mu = (v: number): string => `${nf(2).format(v)} 亩`;
export const m2 = (v: number): string => `${nf(0).format(v)} m²`;
export const wan = (yuan: number): string => `${nf(2).format(yuan / 10000)} 万元`;
export const pct = (v: number | null): string => (v === null ? '—' : `${nf(1).format(v)}%`);
export const int = (v: number): string => nf(0).format(v);
/** a land area given in m², in the three units (for tooltips) */
export const areaOfM2 = (v: number): string => formatArea(v);
