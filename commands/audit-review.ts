// The monthly 排查 of the audit trail (ningbo art. 17: 数据安全管理员 月排查): for an ended month,
// per user, full-ID views, exports and rows exported, refused logins and acts outside working
// hours, judged against the user's previous 6 months by the rule of core/audit-review.ts. The
// summary is stored once per month (audit_reviews); the office's group gets a short message
// through the outbox (deduplicated per month); the review itself is audited. Reviewing a month
// twice keeps the first summary and sends nothing again.

import type { Knex } from 'knex';
import { auditReviewMessage } from '../cards/audit-review.ts';
import {
  flagsOf, HISTORY_MONTHS, MEASURES, RATIO, RATIO_FLOOR, ruleText, THRESHOLD, zeroCounts, type Counts, type Flag,
} from '../core/audit-review.ts';
import { addMonthsToMonth, monthOf, todayInShanghai, validMonth } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { SECURITY_ROLES } from '../core/roles.ts';
import { auditCountsByMonth, insertReview, reviewOfMonth, type StoredReview } from '../db/audit-queries.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue } from '../db/outbox.ts';
import { findActor } from '../db/scope.ts';
import { loadCalendar, loadOffice } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { actorNames } from '../db/users.ts';
import { CommandError } from './errors.ts';

export interface AuditReviewInput {
  db: Knex;
  /** 'YYYY-MM', an ended month. */
  month: string;
  /** 'system' (the job), 'cli:…' (the command line) or a 数据安全管理员's user id. */
  actor: string;
  publicBaseUrl: string;
  today?: IsoDate;
}

export interface FlaggedUser {
  actor: string;
  name: string;
  counts: Counts;
  flags: Flag[];
}

export interface AuditReviewSummary {
  rule: string;
  thresholds: Counts;
  ratio: number;
  ratioFloor: Counts;
  historyMonths: number;
  totals: Counts;
  flagged: FlaggedUser[];
}

export interface AuditReviewResult {
  month: string;
  /** false: the month had been reviewed before; `review` is that one, nothing was sent. */
  created: boolean;
  /** Whether the office's group got the message now. */
  sent: boolean;
  review: StoredReview & { summary: AuditReviewSummary };
}

export async function reviewAuditMonth(input: AuditReviewInput): Promise<AuditReviewResult> {
  const { db } = input;
  const month = validMonth(input.month, '月份');
  const today = input.today ?? todayInShanghai();
  if (month >= monthOf(today)) throw new CommandError(400, `${month} 尚未结束，只能排查已结束的月份`, { month: '月份未结束' });
  let by = input.actor;
  if (by !== 'system' && !by.startsWith('cli:')) {
    const a = await findActor(db, by);
    if (!a || !SECURITY_ROLES.has(a.role)) throw new CommandError(403, '只有数据安全管理员可以进行审计排查');
    by = a.id;
  }
  const had = await reviewOfMonth(db, month);
  if (had) return { month, created: false, sent: false, review: had as AuditReviewResult['review'] };

  const cal = await loadCalendar(db);
  const first = addMonthsToMonth(month, -HISTORY_MONTHS);
  const counts = await auditCountsByMonth(db, first, month, (d) => cal.isWorkday(d));
  const totals = zeroCounts();
  const acting: Array<{ actor: string; counts: Counts; flags: Flag[] }> = [];
  for (const [actor, months] of counts) {
    const c = months.get(month);
    if (!c) continue;
    for (const m of MEASURES) totals[m] += c[m];
    const history = Array.from({ length: HISTORY_MONTHS }, (_, i) => months.get(addMonthsToMonth(month, -1 - i)) ?? zeroCounts());
    acting.push({ actor, counts: c, flags: flagsOf(c, history) });
  }
  const name = await actorNames(db, acting.map((a) => a.actor));
  const flagged = acting.filter((a) => a.flags.length)
    .map((a) => ({ actor: a.actor, name: a.actor === 'anonymous' ? '未登记的账号' : name(a.actor) ?? a.actor, counts: a.counts, flags: a.flags }))
    .sort((x, y) => y.flags.length - x.flags.length || x.actor.localeCompare(y.actor));
  const summary: AuditReviewSummary = { rule: ruleText(), thresholds: THRESHOLD, ratio: RATIO, ratioFloor: RATIO_FLOOR, historyMonths: HISTORY_MONTHS, totals, flagged };
  const reviewedAt = nowMoment();

  return db.transaction(async (trx) => {
    const row = { month, reviewedAt, reviewedBy: by, users: acting.length, flagged: flagged.length, summary: summary as unknown as Record<string, unknown> };
    if (!(await insertReview(trx, row))) {
      const first = (await reviewOfMonth(trx, month))!;
      return { month, created: false, sent: false, review: first as AuditReviewResult['review'] };
    }
    const office = await loadOffice(trx);
    let sent = false;
    if (office.groupId) {
      const message = auditReviewMessage({ month, users: acting.length, flagged, rule: summary.rule, link: `${input.publicBaseUrl}/m/#/console/audit?view=reviews&month=${month}` });
      sent = await enqueue(trx, `audit-review:${month}`, { op: 'send', target: { kind: 'group', groupId: office.groupId }, message });
    }
    await audit(trx, by, 'audit_review', null, null, { month, users: acting.length, flagged: flagged.map((f) => f.actor), sent });
    return { month, created: true, sent, review: { ...row, summary } };
  });
}
