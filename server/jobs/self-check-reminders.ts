// Reminders of the monthly self-check as two jobs of the registry (one rhythm each): mid-month
// (the 15th, or the next working day) and three working days before the month's last working day,
// both at 09:00, slot = the day. The work is remindSelfChecks.

import { remindSelfChecks, type ReminderSlot } from '../../commands/remind-self-checks.ts';
import type { Rhythm } from '../../core/rhythms.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const SELF_CHECK_REMINDER_MID = 'self-check-reminder-mid';
export const SELF_CHECK_REMINDER_END = 'self-check-reminder-end';

const SLOTS: Array<{ name: string; slot: ReminderSlot; title: string; rhythm: Rhythm }> = [
  { name: SELF_CHECK_REMINDER_MID, slot: 'mid', title: '月中自查提醒', rhythm: { kind: 'month-day', day: 15 } },
  { name: SELF_CHECK_REMINDER_END, slot: 'end', title: '月末自查提醒', rhythm: { kind: 'before-month-end', workdays: 3 } },
];

export function selfCheckReminderJobs(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job[] {
  const log = opts.log ?? ((m: string) => console.log(m));
  return SLOTS.map(({ name, slot, title, rhythm }) => ({
    name,
    title,
    schedule: rhythmAt(rhythm, '09:00', name),
    async run({ db, key: date }) {
      const r = await remindSelfChecks(db, { date, slot, publicBaseUrl: opts.publicBaseUrl });
      if (r.units.length) {
        opts.kick?.();
        log(`${date} ${title}：${r.units.length} 个单位自查少于 ${r.required} 次`);
      }
      return r;
    },
  }));
}
