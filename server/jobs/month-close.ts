// The month close with its scores as a job of the registry: the first working day of a month at
// 09:30 (after the 08:30 check, which closes the month's lights), slot = that day; it scores the
// month before (commands/close-month-scores.ts) and builds the 红黑榜 preview, published at once
// when the office's autoBroadcast is on. A month already scored is not scored again.

import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { closeMonthScores } from '../../commands/close-month-scores.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const MONTH_CLOSE = 'month-close';
export const MONTH_CLOSE_TITLE = '月末结账与评分';

export function monthCloseJob(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: MONTH_CLOSE,
    title: MONTH_CLOSE_TITLE,
    schedule: rhythmAt({ kind: 'month-first-workday' }, '09:30', MONTH_CLOSE),
    async run({ db, key: date }) {
      const month = addMonthsToMonth(monthOf(date), -1);
      const r = await closeMonthScores({ db, month, today: date, publicBaseUrl: opts.publicBaseUrl });
      if (r.published?.groups) opts.kick?.();
      if (r.computed) log(`${month} 月度评分完成：${r.scores.length} 个单位，红黑榜${r.ranking?.state === 'published' ? '已自动发布' : '待编办发布'}，用时 ${r.ms} 毫秒`);
      return { month, computed: r.computed, units: r.scores.length, ranking: r.ranking?.state ?? null, published: r.published?.groups ?? 0, ms: r.ms };
    },
  };
}
