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
import { addMonthsToMonth, monthOf } from '../core/dates.ts';

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
  const check = await dailyCheck(db, opts.today, publicBaseUrl);
  // Two months of the office's audit trail, and the previous month's 排查 (the 数据安全管理员's pages).
  await seedAuditHistory(db, pii, opts.today);
  await reviewAuditMonth({ db, month: addMonthsToMonth(monthOf(opts.today), -1), actor: 'system', publicBaseUrl, today: opts.today });
  return { seeded, check };
}
