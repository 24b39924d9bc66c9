import { describe, expect, it } from 'vitest';
import { flagsOf, median, offHours, ruleText, zeroCounts, type Counts } from './audit-review.ts';

const c = (o: Partial<Counts>): Counts => ({ ...zeroCounts(), ...o });

describe('the monthly 排查 rule', () => {
  it('flags a measure over its fixed threshold whatever the history', () => {
    expect(flagsOf(c({ fullIdViews: 51 }), Array(6).fill(c({ fullIdViews: 60 }))).map((f) => [f.measure, f.reason])).toEqual([['fullIdViews', 'threshold']]);
    expect(flagsOf(c({ fullIdViews: 50 }), Array(6).fill(c({ fullIdViews: 40 })))).toEqual([]);
  });

  it('flags more than 3 × the median of the previous 6 months, from the floor up', () => {
    const history = [c({ exports: 1 }), c({ exports: 2 }), c({ exports: 2 }), c({ exports: 3 }), c({ exports: 2 }), c({ exports: 9 })];
    expect(median(history.map((h) => h.exports))).toBe(2);
    expect(flagsOf(c({ exports: 7 }), history).map((f) => [f.measure, f.reason, f.median])).toEqual([['exports', 'history', 2]]);
    expect(flagsOf(c({ exports: 6 }), history)).toEqual([]);
    // Below the floor (5 exports) a jump from nothing is not unusual; missing months count as 0.
    expect(flagsOf(c({ exports: 4 }), [])).toEqual([]);
    expect(flagsOf(c({ exports: 5 }), []).map((f) => f.text)).toEqual(['导出次数 5 次，超过前6个月中位数 0 的3倍']);
  });

  it('tells working hours from the rest by the calendar', () => {
    const workday = (d: string) => d !== '2025-10-08';
    expect(offHours('2025-10-09 08:00:00', workday)).toBe(false);
    expect(offHours('2025-10-09 17:59:59', workday)).toBe(false);
    expect(offHours('2025-10-09 18:00:00', workday)).toBe(true);
    expect(offHours('2025-10-09 07:59:00', workday)).toBe(true);
    expect(offHours('2025-10-08 10:00:00', workday)).toBe(true);
    expect(ruleText()).toContain('3倍');
  });
});
