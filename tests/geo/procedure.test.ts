// The legal procedure's rules (geo/procedure.ts): order, the law's periods, signing, running notices.
import { describe, expect, it } from 'vitest';
import { currentStep, emptyStep, orderViolation, procedureWarnings, runningNotices, signingOpensOn, type StepRecord, warningText } from '../../geo/procedure.ts';
import { workingDaysBetween, addWorkingDays, isWorkingDay } from '../../geo/time.ts';
import cases from '../fixtures/procedure/cases.json' with { type: 'json' };

const records = (steps: Partial<StepRecord>[]): StepRecord[] => steps.map((s) => ({ ...emptyStep(s.step!), ...s }));

describe('working days', () => {
  it('counts Monday to Friday, both ends included', () => {
    expect(isWorkingDay('2021-03-06')).toBe(false); // a Saturday
    expect(workingDaysBetween('2021-03-01', '2021-03-12')).toBe(10);
    expect(workingDaysBetween('2021-03-12', '2021-03-01')).toBe(0);
  });
  it('steps working days over a weekend', () => {
    expect(addWorkingDays('2021-03-05', 1)).toBe('2021-03-08');
    expect(addWorkingDays('2022-01-10', 15)).toBe('2022-01-31');
  });
});

describe('procedureWarnings', () => {
  for (const c of cases.warnings) {
    it(c.name, () => {
      expect(procedureWarnings(records(c.steps as Partial<StepRecord>[]), c.asOf)).toEqual(c.expected);
    });
  }
  it('words a short plan notice in Chinese and English', () => {
    const w = { code: 'plan_notice_short', step: 'plan_notice', params: { required: 30, actual: 29 } } as const;
    expect(warningText(w, 'zh')).toBe('方案公告仅 29 日，法定不少于 30 日');
    expect(warningText(w, 'en')).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('orderViolation', () => {
  for (const c of cases.order) {
    it(c.name, () => {
      const v = orderViolation(records(c.steps as Partial<StepRecord>[]));
      expect(v && { step: v.step, before: v.before, reason: v.reason }).toEqual(c.expected);
    });
  }
});

describe('signing and the current step', () => {
  const kept = records(cases.warnings[0].steps as Partial<StepRecord>[]);
  it('opens signing 30 days after the plan notice was posted', () => {
    expect(signingOpensOn(kept)).toBe('2021-07-01');
    expect(signingOpensOn(records([{ step: 'pre_notice', startedOn: '2021-03-01' }]))).toBeNull();
  });
  it('reads the current step as of a day', () => {
    expect(currentStep(kept)).toBe('complete');
    expect(currentStep(kept, '2021-06-15')).toBe('plan_notice');
    expect(currentStep(kept, '2021-02-01')).toBe('pre_notice');
  });
  it('lists a notice still up on the day', () => {
    expect(runningNotices(kept, '2021-06-15')).toEqual([{ step: 'plan_notice', startedOn: '2021-06-01', endsOn: '2021-06-30' }]);
    expect(runningNotices(kept, '2021-07-15')).toEqual([]);
  });
});
