// Reminders of the monthly self-check: mid-month and three working days before the month's last
// working day, every unit short of the office's number this month (the same units the month
// close would lock, core/self-check-lock.ts) is told in its 工作群, @ its 单位专管员, or 1:1 to
// them without a group: how many done, how many needed, the deadline and the 自查 page. Once per
// unit and slot.

import type { Knex } from 'knex';
import { selfCheckReminder, selfCheckUrl } from '../cards/self-check.ts';
import { monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import type { Target } from '../core/outbound.ts';
import { lastWorkdayOfMonth } from '../core/rhythms.ts';
import { shortUnits } from '../core/self-check-lock.ts';
import { enqueue } from '../db/outbox.ts';
import { loadCalendar } from '../db/settings.ts';
import { selfCheckRule, specialistsOf, unitGroupIds, unitSelfChecks } from '../db/user-locks.ts';

export type ReminderSlot = 'mid' | 'end';

export interface RemindSelfChecksResult {
  month: string;
  required: number;
  deadline: IsoDate;
  /** Units reminded now (not before in this slot), by where the reminder went. */
  units: Array<{ unitId: number; name: string; selfChecks: number; to: 'group' | 'users' | 'nobody' }>;
}

export async function remindSelfChecks(db: Knex, { date, slot, publicBaseUrl }: { date: IsoDate; slot: ReminderSlot; publicBaseUrl: string }): Promise<RemindSelfChecksResult> {
  const month = monthOf(date);
  const { required, enabled } = await selfCheckRule(db);
  const deadline = lastWorkdayOfMonth(await loadCalendar(db), month);
  const result: RemindSelfChecksResult = { month, required, deadline, units: [] };
  const short = shortUnits(await unitSelfChecks(db, month), month, required, enabled);
  if (!short.length) return result;
  const ids = short.map((u) => u.unitId);
  const [groups, specialists] = await Promise.all([unitGroupIds(db, ids), specialistsOf(db, ids, { locked: false })]);
  await db.transaction(async (trx) => {
    for (const u of short) {
      const mine = specialists.filter((s) => Number(s.unit_id) === u.unitId);
      const group = groups.get(u.unitId) ?? null;
      const target: Target | null = group ? { kind: 'group', groupId: group } : mine.length ? { kind: 'users', userIds: mine.map((s) => String(s.id)) } : null;
      if (!target) {
        result.units.push({ unitId: u.unitId, name: u.name, selfChecks: u.count, to: 'nobody' });
        continue;
      }
      const message = selfCheckReminder({
        unitName: u.name, month, count: u.count, required, deadline, link: selfCheckUrl(publicBaseUrl, u.unitId),
        atUserIds: group ? mine.map((s) => String(s.id)) : [],
      });
      if (await enqueue(trx, `self-check-reminder:${month}:${slot}:${u.unitId}`, { op: 'send', target, message })) {
        result.units.push({ unitId: u.unitId, name: u.name, selfChecks: u.count, to: target.kind === 'group' ? 'group' : 'users' });
      }
    }
  });
  return result;
}
