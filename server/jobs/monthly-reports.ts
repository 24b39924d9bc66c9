// The monthly analysis reports as a job of the registry: the first working day of a month at
// 08:25, before the 08:30 daily check, so the figures are the ones the previous month ended with;
// slot = that day. It generates every report (core/report-defs.ts) for the previous month and
// stores each once (db/reports.ts): a second run of the same month skips what is there.

import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { generateMonthReports } from '../../db/reports.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const MONTHLY_REPORTS = 'monthly-reports';
export const MONTHLY_REPORTS_TITLE = '月度分析报表';

export function monthlyReportsJob(opts: { log?: (msg: string) => void } = {}): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: MONTHLY_REPORTS,
    title: MONTHLY_REPORTS_TITLE,
    schedule: rhythmAt({ kind: 'month-first-workday' }, '08:25', MONTHLY_REPORTS),
    summary(r) {
      const s = r as { month: string; generated: number; skipped: number };
      return s?.month ? `${s.month} 月度分析报表：新生成 ${s.generated} 张，已有 ${s.skipped} 张未重复生成` : '';
    },
    async run({ db, key: date, runId }) {
      const month = addMonthsToMonth(monthOf(date), -1);
      const r = await generateMonthReports(db, month, { jobRunId: runId });
      if (r.generated.length) log(`${month} 月度分析报表已生成 ${r.generated.length} 张`);
      return { month, generated: r.generated.length, skipped: r.skipped.length, reports: r.generated.map((g) => ({ name: g.name, rows: g.rows, size: g.size })) };
    },
  };
}
