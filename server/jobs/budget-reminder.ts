// 年度预算提醒: every working day at 09:05 the units that have not submitted the latest year's
// 编制使用预算 are reminded, on the working day two working days before the round's due date
// (commands/open-budget-round.ts remindBudgets: nothing on other days). Slot = the day; idempotent
// (the outbox's dedup key of the day).

import { remindBudgets } from '../../commands/open-budget-round.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const BUDGET_REMINDER = 'budget-reminder';

export function budgetReminderJob(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: BUDGET_REMINDER,
    title: '年度预算填报提醒',
    schedule: rhythmAt({ kind: 'workdays' }, '09:05', BUDGET_REMINDER),
    summary(r) {
      const s = r as { year?: number | null; sent?: number };
      return s?.year && s.sent ? `${s.year}年度编制使用预算：提醒 ${s.sent} 个未提交单位` : '';
    },
    async run({ db, key: date }) {
      const r = await remindBudgets(db, { date, publicBaseUrl: opts.publicBaseUrl });
      const sent = r.notices.group + r.notices.users;
      if (sent) {
        opts.kick?.();
        log(`${date} 年度预算填报提醒：${sent} 个单位未提交`);
      }
      return { year: r.year, unsubmitted: r.unsubmitted, sent, unreached: r.notices.unreached, heldForBudget: r.notices.heldForBudget };
    },
  };
}
