// The 月度核账 as two jobs of the registry: the first working day of a month at 08:20 (before the
// reports and the check) it opens the month just ended, one row per unit with the office's due
// date and a notice to each unit (commands/open-monthly-confirmation.ts); every working day at
// 09:00 it reminds the units whose due date is two working days away and that have not confirmed
// (commands/remind-monthly-confirmation.ts: nothing on other days). Slot = the day; both idempotent.

import { openMonthlyConfirmation } from '../../commands/open-monthly-confirmation.ts';
import { remindMonthlyConfirmation } from '../../commands/remind-monthly-confirmation.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const MONTHLY_CONFIRMATION_OPEN = 'monthly-confirmation-open';
export const MONTHLY_CONFIRMATION_REMINDER = 'monthly-confirmation-reminder';

export function monthlyConfirmationJobs(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Array<Job & { title: string }> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const sent = (n: { group: number; users: number }) => n.group + n.users;
  return [
    {
      name: MONTHLY_CONFIRMATION_OPEN,
      title: '开启月度核账',
      schedule: rhythmAt({ kind: 'month-first-workday' }, '08:20', MONTHLY_CONFIRMATION_OPEN),
      summary(r) {
        const s = r as { month?: string; opened?: number; dueOn?: string; sent?: number };
        return s?.month ? `${s.month} 月度核账：新开启 ${s.opened} 个单位，截止 ${s.dueOn}，通知 ${s.sent} 个单位` : '';
      },
      async run({ db, key: date }) {
        const r = await openMonthlyConfirmation(db, { date, publicBaseUrl: opts.publicBaseUrl });
        if (sent(r.notices)) opts.kick?.();
        if (r.opened) log(`${r.month} 月度核账已开启：${r.opened} 个单位，截止 ${r.dueOn}`);
        return { month: r.month, dueOn: r.dueOn, opened: r.opened, sent: sent(r.notices), unreached: r.notices.unreached, heldForBudget: r.notices.heldForBudget };
      },
    },
    {
      name: MONTHLY_CONFIRMATION_REMINDER,
      title: '月度核账提醒',
      schedule: rhythmAt({ kind: 'workdays' }, '09:00', MONTHLY_CONFIRMATION_REMINDER),
      summary(r) {
        const s = r as { month?: string | null; sent?: number };
        return s?.month && s.sent ? `${s.month} 月度核账：提醒 ${s.sent} 个未确认单位` : '';
      },
      async run({ db, key: date }) {
        const r = await remindMonthlyConfirmation(db, { date, publicBaseUrl: opts.publicBaseUrl });
        if (sent(r.notices)) {
          opts.kick?.();
          log(`${date} 月度核账提醒：${sent(r.notices)} 个单位未确认`);
        }
        return { month: r.month, unconfirmed: r.unconfirmed, sent: sent(r.notices), unreached: r.notices.unreached, heldForBudget: r.notices.heldForBudget };
      },
    },
  ];
}
