// Seeding the demo county as an office that has used sanse for some weeks: the records, a first
// check, part of the findings dated back a few working days, then the day's check with its
// lights and alert cards. `sanse serve` (on an empty embedded database) and `sanse demo` call this,
// so both give the same county.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { runCheck } from '../db/check.ts';
import { backdateDemoFindings } from '../db/demo/history.ts';
import { seedDemo, type SeedResult } from '../db/demo/seed.ts';
import type { PiiCipher } from '../db/pii.ts';
import { loadCalendar } from '../db/settings.ts';
import { dailyCheck } from './daily-check.ts';
import { seedAuditHistory } from '../db/demo/audit-history.ts';
import { reviewAuditMonth } from './audit-review.ts';
import { addDays, addMonthsToMonth, monthOf } from '../core/dates.ts';
import { halfRange } from '../core/half-year-notices.ts';
import { plantHalfYearFindings } from '../db/demo/notice-history.ts';
import { replyToNotice, runHalfYearNotices } from './half-year-notices.ts';

export interface DemoCountyOptions {
  units: number;
  people: number;
  seed: number;
  today: IsoDate;
  /** false: without the other departments' feeds (default: with them). */
  feeds?: boolean;
}

export async function seedDemoCounty(db: Knex, pii: PiiCipher, opts: DemoCountyOptions, publicBaseUrl: string): Promise<{ seeded: SeedResult; check: Awaited<ReturnType<typeof dailyCheck>> }> {
  const seeded = await seedDemo(db, pii, opts);
  await runCheck(db, opts.today);
  await backdateDemoFindings(db, opts.today, await loadCalendar(db));
  // The day's check once more, now with the history: lights, alert cards into the sandbox groups.
  await db('findings').delete().where({ status: 'resolved' });
  // The half-year that ended last: a few units' findings dated in it (open past the limit, repeated).
  const cal = await loadCalendar(db);
  const planted = await plantHalfYearFindings(db, opts.today, cal);
  const check = await dailyCheck(db, opts.today, publicBaseUrl);
  await issueDemoNotices(db, opts.today, planted.half, cal.isWorkday.bind(cal), publicBaseUrl);
  // Two months of the office's audit trail, and the previous month's 排查 (the 数据安全管理员's pages).
  await seedAuditHistory(db, pii, opts.today);
  await reviewAuditMonth({ db, month: addMonthsToMonth(monthOf(opts.today), -1), actor: 'system', publicBaseUrl, today: opts.today });
  return { seeded, check };
}

/**
 * The 书面函告 of the half-year that ended last, issued a few working days ago by the real
 * cross-check (numbers, facts, messages to the sandbox groups), and one unit's reply by its
 * 单位专管员, so the console shows 未回复 beside 已回复 on a first start.
 */
async function issueDemoNotices(db: Knex, today: IsoDate, half: string, isWorkday: (d: IsoDate) => boolean, publicBaseUrl: string): Promise<void> {
  let date = today;
  for (let left = 3; left > 0;) {
    date = addDays(date, -1);
    if (isWorkday(date)) left--;
  }
  const first = addDays(halfRange(half).to, 1);
  if (date < first) date = first;
  const run = await runHalfYearNotices(db, { date, half, publicBaseUrl, by: 'system' });
  const replying = run.issued[1] ?? run.issued[0];
  if (!replying) return;
  const user = await db('users').where({ unit_id: replying.unitId, role: '单位专管员' }).orderBy('id').first('id', 'role');
  if (!user) return;
  await replyToNotice(db, {
    actor: { id: String(user.id), role: user.role, scope: [replying.unitId] }, id: replying.id, today,
    input: { text: '收到函告后，我单位已逐条核对所列问题：超期未整改的记录已按错题本的指引修改并报编办复核；反复出错的问题已组织专管员学习填报要求，今后录入前先自查。' },
  });
}
