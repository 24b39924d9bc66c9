// The lapse of 用编计划 as a job of the registry: 08:20 on working days (before the 08:30 check,
// so the check counts the released 编制), slot = the day. The work is the expirePlans command.

import { expirePlans } from '../../commands/expire-plans.ts';
import type { PiiCipher } from '../../db/pii.ts';
import type { Job } from './registry.ts';
import { workdaysAt } from './schedule.ts';

export const EXPIRE_PLANS = 'expire-plans';

export function expirePlansJob(opts: { pii: PiiCipher; publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: EXPIRE_PLANS,
    title: '用编计划到期处理',
    schedule: workdaysAt('08:20', EXPIRE_PLANS),
    summary: (r) => {
      const n = (r as { expired?: unknown[] })?.expired?.length ?? 0;
      return n ? `${n} 个用编计划已过期，未使用的编制已释放` : '没有到期的用编计划';
    },
    async run({ db, key: date }) {
      const r = await expirePlans({ db, pii: opts.pii, today: date, publicBaseUrl: opts.publicBaseUrl });
      if (r.expired.length) {
        opts.kick?.();
        log(`${date} 用编计划到期：${r.expired.length} 个已过期，编制已释放`);
      }
      return r;
    },
  };
}
