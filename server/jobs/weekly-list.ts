// The weekly supervision list as a job of the registry: the first working day of each week at
// 09:00 (Asia/Shanghai), slot = the day (weekly-list@2026-12-07). Its work is sendWeeklyList; the
// list's own row (weekly_lists, one per week) keeps a second run of the week from sending again.

import { sendWeeklyList, weeklyLinks } from '../../commands/weekly-list.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const WEEKLY_LIST = 'weekly-list';
export const WEEKLY_LIST_TIME = '09:00';

export function weeklyListJob(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: WEEKLY_LIST,
    title: '每周督办清单',
    schedule: rhythmAt({ kind: 'week-first-workday' }, WEEKLY_LIST_TIME, WEEKLY_LIST),
    async run({ db, key: date }) {
      const r = await sendWeeklyList(db, date, weeklyLinks(opts.publicBaseUrl));
      opts.kick?.();
      log(r.sent ? `${date} 每周督办清单已发送：${r.units} 个单位` : `${date} 本周督办清单已于 ${r.createdAt} 发送，未重复发送`);
      return r;
    },
  };
}
