// The approval consequences of a red line's figures (geo/approval.ts): which rules fire, and who
// approves, for named cases side by side with what they must give (tests/fixtures/approval/cases.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ApprovalFigures, approvalConsequences, approvalLevel } from '../../geo/approval.ts';

const cases = JSON.parse(readFileSync(new URL('../fixtures/approval/cases.json', import.meta.url), 'utf8')) as
  { name: string; figures: ApprovalFigures; level: string; rules: string[] }[];

describe('approval consequences', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(approvalLevel(c.figures)).toBe(c.level);
      expect(approvalConsequences(c.figures).map((k) => k.rule)).toEqual(c.rules);
    });
  }

  it('states the areas in 亩 to the hundredth, in both languages', () => {
    const [eco] = approvalConsequences({ ...cases[6].figures });
    expect(eco.text.zh).toContain('位于生态保护红线内 37.50 亩');
    expect(eco.text.en).toContain('37.50 mu inside the ecological protection red line');
  });

  it('says permanent basic farmland needs the State Council in words', () => {
    const k = approvalConsequences(cases[2].figures).find((x) => x.rule === 'permanent_basic')!;
    expect(k.severity).toBe('block');
    expect(k.text.zh).toBe('占用永久基本农田 12.00 亩：须报国务院批准，并补划数量相等、质量相当的永久基本农田');
  });
});
