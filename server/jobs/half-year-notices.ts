// 半年交叉检查与书面函告 as a job of the registry: the first working day of January and of July at
// 09:20 (Asia/Shanghai; the office may move it in the console's 计划任务), slot = the day. It checks
// the half-year just ended and issues the units' written notices (commands/half-year-notices.ts);
// a second run of the half-year (a restart, 立即运行, two instances) issues nothing new.

import { runHalfYearNotices } from '../../commands/half-year-notices.ts';
import { HALF_RE, halfText } from '../../core/half-year-notices.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const HALF_YEAR_NOTICES = 'half-year-notices';
export const HALF_YEAR_NOTICES_TIME = '09:20';

export function halfYearNoticesJob(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: HALF_YEAR_NOTICES,
    title: '半年交叉检查与书面函告',
    schedule: rhythmAt({ kind: 'half-year-first-workday' }, HALF_YEAR_NOTICES_TIME, HALF_YEAR_NOTICES),
    summary(r) {
      const s = r as { half?: string; issued?: number; existing?: number };
      return s?.half ? `${HALF_RE.test(s.half) ? halfText(s.half) : s.half}半年交叉检查：新发函告 ${s.issued} 份${s.existing ? `，已发过 ${s.existing} 份` : ''}` : '';
    },
    async run({ db, key: date }) {
      const r = await runHalfYearNotices(db, { date, publicBaseUrl: opts.publicBaseUrl });
      if (r.group + r.users) opts.kick?.();
      log(`${r.halfText}半年交叉检查：${r.unitsWithProblems} 个单位有问题，新发函告 ${r.issued.length} 份`);
      return { half: r.half, issued: r.issued.length, existing: r.existing, units: r.unitsWithProblems, group: r.group, users: r.users, unreached: r.unreached, numbers: r.issued.map((n) => n.number) };
    },
  };
}
