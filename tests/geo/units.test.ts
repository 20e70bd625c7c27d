import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/units/areas.json' with { type: 'json' };
import { areaFigures, formatArea, formatMoney, formatMoneyFigure, m2ToMu, moneyInUnit, muToM2, yuanToWan } from '../../geo/units.ts';

describe('area units', () => {
  it.each(fixture.cases)('$m2 m² is $mu 亩 and $hectare 公顷', ({ m2, mu, hectare }) => {
    const f = areaFigures(m2);
    expect(f.mu).toBeCloseTo(mu, 12);
    expect(f.hectare).toBeCloseTo(hectare, 12);
  });

  it('converts 亩 to m² and back without drift', () => {
    expect(m2ToMu(muToM2(123.45))).toBeCloseTo(123.45, 12);
  });

  it('formats 亩 to the hundredth with m² and 公顷 alongside', () => {
    expect(formatArea(14000)).toBe('21.00 亩 (14,000.00 m² · 1.4000 公顷)');
    expect(formatArea(14000, 'en')).toBe('21.00 mu (14,000.00 m² · 1.4000 ha)');
  });
});

describe('money', () => {
  it('is 万元 to two decimals for Chinese readers, millions of yuan for English', () => {
    expect(yuanToWan(1_234_567.89)).toBeCloseTo(123.456789, 12);
    expect(formatMoneyFigure(1_234_567.89)).toBe('123.46');
    expect(formatMoney(1_234_567.89)).toBe('123.46 万元');
    expect(formatMoney(1_234_567.89, 'en')).toBe('¥1.23 M');
    expect(formatMoney(1_448_248_900)).toBe('144,824.89 万元');
  });

  it('rounds a chart figure to the hundredth of its unit', () => {
    expect(moneyInUnit(123_456)).toBe(12.35);
    expect(moneyInUnit(123_456, 'en')).toBe(0.12);
  });
});
