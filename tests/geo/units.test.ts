import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/units/areas.json' with { type: 'json' };
import { areaFigures, formatArea, m2ToMu, muToM2 } from '../../geo/units.ts';

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
