// The month close of self-checks as a job of the registry: the first working day of each month at
// 09:00, slot = the day; the month closed is the one before. The work is lockSelfChecks.

import { lockSelfChecks } from '../../commands/lock-self-checks.ts';
import { monthText } from '../../core/self-check-lock.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const SELF_CHECK_LOCK = 'self-check-lock';

export function selfCheckLockJob(opts: { kick?: () => void; log?: (msg: string) => void } = {}): Job {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: SELF_CHECK_LOCK,
    title: '自查不足锁定账号',
    schedule: rhythmAt({ kind: 'month-first-workday' }, '09:00', SELF_CHECK_LOCK),
    async run({ db, key: date }) {
      const r = await lockSelfChecks(db, { date });
      if (r.locked) {
        opts.kick?.();
        log(`${monthText(r.month)}自查不足：${r.units.filter((u) => u.locked.length).length} 个单位的 ${r.locked} 个账号已锁定`);
      }
      return r;
    },
  };
}
