import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe('U-PR-01 月度自查不足', () => {
  const u = makeUnit({ agg: { selfChecksThisMonth: 1 } });
  it('fires on the last working day of the month with fewer than 2 self-checks', () => {
    expect(runRule(rule('U-PR-01'), u, { date: '2025-06-30' })).toEqual([{ qualifier: '2025-06', detail: { month: '2025-06', count: 1, min: 2 } }]);
    // 2025-05-30 is the last working day of May (05-31 starts the 端午 break).
    expect(runRule(rule('U-PR-01'), u, { date: '2025-05-30' })).toHaveLength(1);
  });
  it('is silent before month end and with enough self-checks', () => {
    expect(runRule(rule('U-PR-01'), u, { date: '2025-06-27' })).toEqual([]);
    expect(runRule(rule('U-PR-01'), u, { date: '2025-05-29' })).toEqual([]);
    expect(runRule(rule('U-PR-01'), makeUnit(), { date: '2025-06-30' })).toEqual([]);
  });
});

describe('U-PR-02 月报未按时核对', () => {
  const u = makeUnit({ agg: { monthlyReport: { month: '2025-05', dueOn: '2025-06-10', confirmedOn: null } } });
  it('fires after the due date while unconfirmed, qualified by the month', () => {
    expect(runRule(rule('U-PR-02'), u, { date: '2025-06-11' })).toEqual([{ qualifier: '2025-05', detail: { month: '2025-05', dueOn: '2025-06-10' } }]);
  });
  it('is silent up to the due date, once confirmed, and without a report row', () => {
    expect(runRule(rule('U-PR-02'), u, { date: '2025-06-10' })).toEqual([]);
    expect(runRule(rule('U-PR-02'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-PR-02'), makeUnit({ agg: { monthlyReport: null } }))).toEqual([]);
  });
});

describe('U-PR-03 专管员未明确', () => {
  it('fires on a unit without a specialist', () => {
    expect(runRule(rule('U-PR-03'), makeUnit({ agg: { specialists: 0 } }))).toEqual([{}]);
  });
  it('is silent with one', () => {
    expect(runRule(rule('U-PR-03'), makeUnit())).toEqual([]);
  });
});
