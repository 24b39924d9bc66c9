// Opens the 月度核账 of a month (by default the month before `date`): one monthly_reports row per
// unit, due on the office's day (core/monthly-confirmation.ts dueOnFor), and a notice to each unit
// opened now in its 工作群 @ its 单位专管员 (commands/monthly-notices.ts). A unit that has its row
// already gets neither again: a second run, a restart or a catch-up writes nothing twice.

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { dueOnFor, dueText } from '../core/monthly-confirmation.ts';
import { nowMoment } from '../db/clock.ts';
import { loadConfirmationSetting, openMonthRows } from '../db/monthly-confirmations.ts';
import { loadCalendar } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { unitNames } from '../db/units.ts';
import { queueMonthlyNotices, type NoticeResult } from './monthly-notices.ts';

export interface OpenMonthlyConfirmationResult {
  month: string;
  dueOn: IsoDate;
  /** The setting as users read it (次月第5个工作日). */
  due: string;
  /** Units whose row was written now. */
  opened: number;
  notices: NoticeResult;
}

export async function openMonthlyConfirmation(db: Knex, o: { date: IsoDate; month?: string; publicBaseUrl: string; by?: string }): Promise<OpenMonthlyConfirmationResult> {
  const month = o.month ?? addMonthsToMonth(monthOf(o.date), -1);
  const [setting, cal] = await Promise.all([loadConfirmationSetting(db), loadCalendar(db)]);
  const dueOn = dueOnFor(month, setting, cal);
  return db.transaction(async (trx) => {
    const opened = await openMonthRows(trx, month, dueOn, nowMoment());
    const names = await unitNames(trx, opened);
    const notices = await queueMonthlyNotices(trx, {
      kind: 'open', month, date: o.date, publicBaseUrl: o.publicBaseUrl,
      units: opened.map((id) => ({ unitId: id, name: names.get(id) ?? String(id), dueOn })),
      dedup: (id) => `monthly-confirm-open:${month}:${id}`,
    });
    if (opened.length) await audit(trx, o.by ?? 'system', 'monthly-confirmation.open', 'month', null, { month, dueOn, units: opened.length });
    return { month, dueOn, due: dueText(setting), opened: opened.length, notices };
  });
}
