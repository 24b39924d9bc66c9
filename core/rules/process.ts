// domain.md §5.8 Process and self-check (unit).

import { defineRule, type Rule } from './define.ts';
import { compareDates, dateKind } from './util.ts';

/**
 * Fewer than `minPerMonth` self-checks this month, judged at month end: from the month's last
 * working day on (no working day of the month is left after the day checked). The qualifier is
 * the month; the count starts again with the next month, so the finding closes then and the
 * account lock it leads to is the month close of self-checks (core/self-check-lock.ts,
 * commands/lock-self-checks.ts, job self-check-lock), not here.
 */
export const selfChecksShort = defineRule({
  code: 'U-PR-01', title: '月度自查不足', scope: 'unit', severity: 'S2', params: { minPerMonth: 2 },
  grace: '月末（未达标锁定账号）',
  check: (u, ctx) => {
    const count = u.agg.selfChecksThisMonth;
    if (count >= ctx.params.minPerMonth) return null;
    const month = ctx.date.slice(0, 7);
    if (ctx.calendar.addWorkdays(ctx.date, 1).startsWith(month)) return null;
    return { qualifier: month, detail: { month, count, min: ctx.params.minPerMonth } };
  },
});

/** The previous month's report is still unconfirmed after its due date (set by the office). Silent without a report row. */
export const monthlyReportLate = defineRule({
  code: 'U-PR-02', title: '月报未按时核对', scope: 'unit', severity: 'S2', params: {},
  grace: '编办设定的截止日期',
  check: (u, ctx) => {
    const r = u.agg.monthlyReport;
    if (!r || r.confirmedOn || !r.dueOn || dateKind(r.dueOn) === 0 || compareDates(ctx.date, r.dueOn) <= 0) return null;
    return { qualifier: r.month, detail: { month: r.month, dueOn: r.dueOn } };
  },
});

export const noSpecialist = defineRule({
  code: 'U-PR-03', title: '专管员未明确', scope: 'unit', severity: 'S2', params: {},
  check: (u) => (u.agg.specialists > 0 ? null : {}),
});

export const PROCESS_RULES: Rule[] = [selfChecksShort, monthlyReportLate, noSpecialist] as Rule[];
