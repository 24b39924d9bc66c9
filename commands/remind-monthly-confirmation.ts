// Reminds the units that have not confirmed their 月度核账: by the job, on the working day
// REMIND_WORKDAYS_BEFORE working days before a unit's due date; by the office's 催办 in the
// console, at once. Either way a unit is reminded at most once a day (dedup key of the day, and
// reminded_on), so the office's button and the job on the same day send one message.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { monthLabel, reminderDayFor } from '../core/monthly-confirmation.ts';
import { ADMIN_ROLES, type UnitScope } from '../core/roles.ts';
import { latestOpenedMonth, markReminded, unconfirmedRows } from '../db/monthly-confirmations.ts';
import { loadCalendar } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';
import { queueMonthlyNotices, type NoticeResult } from './monthly-notices.ts';

export interface RemindMonthlyResult {
  month: string | null;
  /** Unconfirmed units of the month. */
  unconfirmed: number;
  /** Of them, reminded already today (not again). */
  remindedBefore: number;
  notices: NoticeResult;
}

const none = (): NoticeResult => ({ group: 0, users: 0, unreached: 0, heldForBudget: 0, unitIds: [] });

export async function remindMonthlyConfirmation(db: Knex, o: { date: IsoDate; publicBaseUrl: string; month?: string; actor?: { id: string; role: string; scope?: UnitScope } }): Promise<RemindMonthlyResult> {
  if (o.actor && !ADMIN_ROLES.has(o.actor.role)) throw new CommandError(403, '催办由编办管理员或编办业务人员操作');
  const month = o.month ?? (await latestOpenedMonth(db));
  if (!month) {
    if (o.actor) throw new CommandError(409, '尚未开启任何月份的月度核账');
    return { month: null, unconfirmed: 0, remindedBefore: 0, notices: none() };
  }
  // A county's office reminds its own county's units (市县贯通); the city's and the job, every unit.
  const scope = o.actor?.scope;
  const rows = (await unconfirmedRows(db, month)).filter((r) => !scope || scope.includes(Number(r.unit_id)));
  const cal = await loadCalendar(db);
  // The job: the units whose reminder day is today; the office: every unconfirmed unit.
  const due = o.actor ? rows : rows.filter((r) => reminderDayFor(r.due_on, cal) === o.date);
  const todo = due.filter((r) => r.reminded_on !== o.date);
  if (o.actor) {
    if (!rows.length) throw new CommandError(409, `${monthLabel(month)}的月度核账各单位均已确认，无需催办`);
    if (!todo.length) throw new CommandError(409, `今天已催办过 ${rows.length} 个未确认单位，每天最多催办一次，请明天再试`);
  }
  const notices = await db.transaction(async (trx) => {
    const n = await queueMonthlyNotices(trx, {
      kind: 'remind', month, date: o.date, publicBaseUrl: o.publicBaseUrl,
      units: todo.map((r) => ({ unitId: Number(r.unit_id), name: r.name, dueOn: r.due_on })),
      dedup: (id) => `monthly-confirm-remind:${month}:${o.date}:${id}`,
    });
    await markReminded(trx, month, todo.map((r) => Number(r.unit_id)), o.date);
    if (o.actor) await audit(trx, o.actor.id, 'monthly-confirmation.remind', 'month', null, { month, units: todo.length, sent: n.unitIds.length });
    return n;
  });
  return { month, unconfirmed: rows.length, remindedBefore: due.length - todo.length, notices };
}
