// The one date and time rule (geo/time.ts): Beijing day, Beijing date-time, file-name stamp, ISO UTC.
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/time/moments.json' with { type: 'json' };
import { beijingDate, beijingDateTime, fileStamp, isCalendarDate, isoUtc, lastDayOfMonth, previousMonthEnd } from '../../geo/time.ts';

describe('Beijing time for people', () => {
  it.each(fixture.cases)('$name: $at is $dateTime Beijing time, day $day, stamp $stamp', ({ at, day, dateTime, stamp }) => {
    expect(beijingDate(at)).toBe(day);
    expect(beijingDateTime(at)).toBe(dateTime);
    expect(fileStamp(beijingDate(new Date(at)))).toBe(stamp);
  });

  it('gives seconds on request', () => {
    expect(beijingDateTime('2026-12-01T20:04:09Z', true)).toBe('2026-12-02 04:04:09');
  });

  it('takes a Date, epoch milliseconds or an ISO string alike', () => {
    const at = '2026-12-01T20:04:00Z';
    expect(beijingDateTime(new Date(at))).toBe('2026-12-02 04:04');
    expect(beijingDateTime(Date.parse(at))).toBe('2026-12-02 04:04');
  });
});

describe('ISO UTC for machines', () => {
  it('keeps the moment in UTC, whatever Beijing calls it', () => {
    expect(isoUtc('2026-12-02T07:30:00+08:00')).toBe('2026-12-01T23:30:00.000Z');
  });
});

describe('calendar days and months', () => {
  it.each([['2024-02-29', true], ['2023-02-29', false], ['2021-02-30', false], ['2021-13-01', false], ['2021-1-01', false], ['2021-12-31', true], ['0000-01-01', false]] as const)(
    '%s is a calendar day: %s', (s, ok) => expect(isCalendarDate(s)).toBe(ok));

  it('knows the last day of a month and of the month before', () => {
    expect(lastDayOfMonth('2024-02')).toBe('2024-02-29');
    expect(lastDayOfMonth('2026-12')).toBe('2026-12-31');
    expect(previousMonthEnd('2026-01')).toBe('2025-12-31');
    expect(previousMonthEnd('2024-03')).toBe('2024-02-29');
  });
});
