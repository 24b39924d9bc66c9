// Sanctions of the month close: a reminder after a red month, a suspension of the unit's and its
// subordinate units' staffing matters after consecutive red months (core/escalation.ts), and the
// suspension in force on a day.

import type { Knex } from 'knex';
import { addDays, addMonthsToMonth } from '../core/dates.ts';
import type { MonthAssessment } from '../core/escalation.ts';
import type { IsoDate } from '../core/model.ts';
import { nowMoment } from './clock.ts';

type Row = Record<string, any>;

/** The sanctions row of a month's action for a unit, with its reason in Chinese. */
export function sanctionRow(unitId: number, name: string, month: string, date: IsoDate, consecutiveRed: number, action: NonNullable<MonthAssessment['action']>): Row {
  if (action.kind === 'reminder') {
    return { unit_id: unitId, kind: 'reminder', month, starts_on: date, ends_on: null, months: null, consecutive_red: consecutiveRed, reason: `${name}${month}亮红灯，予以提醒`, created_at: nowMoment() };
  }
  const ends = addDays(`${addMonthsToMonth(action.endsMonth, 1)}-01`, -1);
  return {
    unit_id: unitId, kind: 'suspension', month, starts_on: `${action.startsMonth}-01`, ends_on: ends, months: action.months,
    consecutive_red: consecutiveRed, reason: `${name}连续${consecutiveRed}个月亮红灯，暂停本单位及下属单位机构编制事项办理${action.months}个月`, created_at: nowMoment(),
  };
}

/** The suspension in force for a unit on a day, its own or an ancestor's. */
export async function suspensionOn(db: Knex, unitId: number, date: IsoDate): Promise<Row | null> {
  let cur: number | null = unitId;
  const seen = new Set<number>();
  while (cur != null && !seen.has(cur)) {
    seen.add(cur);
    const s = await db('sanctions').where({ unit_id: cur, kind: 'suspension' }).where('starts_on', '<=', date).where('ends_on', '>=', date).orderBy('ends_on', 'desc').first();
    if (s) return s;
    const u: Row | undefined = await db('units').where({ id: cur }).first('parent_id');
    cur = u?.parent_id == null ? null : Number(u.parent_id);
  }
  return null;
}
