// The monthly 排查 of the audit trail as a job of the registry: the first working day of a month at
// 09:10; slot = that day. It reviews the month before (commands/audit-review.ts); a month reviewed
// already is kept and nothing is sent again.

import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { reviewAuditMonth } from '../../commands/audit-review.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const AUDIT_REVIEW = 'audit-review';
export const AUDIT_REVIEW_TITLE = '审计日志月度排查';

export function auditReviewJob(opts: { publicBaseUrl: string; kick?: () => void; log?: (msg: string) => void }): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: AUDIT_REVIEW,
    title: AUDIT_REVIEW_TITLE,
    schedule: rhythmAt({ kind: 'month-first-workday' }, '09:10', AUDIT_REVIEW),
    summary(r) {
      const s = r as { month: string; created: boolean; users: number; flagged: number };
      if (!s?.month) return '';
      return s.created ? `${s.month} 审计排查：${s.users} 人有操作记录，${s.flagged} 人异常` : `${s.month} 已排查过，未重复生成`;
    },
    async run({ db, key: date }) {
      const month = addMonthsToMonth(monthOf(date), -1);
      const r = await reviewAuditMonth({ db, month, actor: 'system', publicBaseUrl: opts.publicBaseUrl, today: date });
      if (r.sent) opts.kick?.();
      if (r.created) log(`${month} 审计日志排查：${r.review.users} 人有操作记录，${r.review.flagged} 人异常`);
      return { month, created: r.created, users: r.review.users, flagged: r.review.flagged, sent: r.sent };
    },
  };
}
