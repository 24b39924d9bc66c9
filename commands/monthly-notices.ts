// Queues a message to units (the 月度核账 and the 年度预算: the opening notice or the reminder), the way the self-check
// reminders go (commands/remind-self-checks.ts): the unit's 工作群 @ its 单位专管员, or 1:1 to them
// without a group; once per dedup key. Within the month's message budget (core/message-budget.ts,
// as the weekly list): when the budget is short, only the day's share goes; the other units read
// 本月核账待确认 on their 待整改 page.

import type { Knex } from 'knex';
import { monthlyConfirmationNotice, monthlyConfirmationReminder, monthlyConfirmationUrl } from '../cards/monthly-confirmation.ts';
import type { IsoDate } from '../core/model.ts';
import type { OutboundMessage, Target } from '../core/outbound.ts';
import { activeBudget } from '../db/api-calls.ts';
import { enqueue } from '../db/outbox.ts';
import { loadCalendar } from '../db/settings.ts';
import { specialistsOf, unitGroupIds } from '../db/user-locks.ts';

export interface NoticeUnit {
  unitId: number;
  name: string;
  dueOn: IsoDate;
}

export interface NoticeResult {
  /** Units a message was queued for now, by where it went. */
  group: number;
  users: number;
  /** Units with neither a group nor a 单位专管员. */
  unreached: number;
  /** Units left out because the month's message budget is short. */
  heldForBudget: number;
  unitIds: number[];
}

/** A unit to notify and the message it gets (`atUserIds`: its 单位专管员, to @ in its group). */
export interface UnitNotice {
  unitId: number;
  message: (atUserIds: string[]) => OutboundMessage;
}

/**
 * Queues one message per unit: to the unit's 工作群 @ its 单位专管员, else 1:1 to them, once per
 * dedup key, within the month's message budget. The 月度核账 (below) and the 年度预算
 * (commands/open-budget-round.ts) send through here.
 */
export async function queueUnitNotices(trx: Knex, o: { date: IsoDate; units: UnitNotice[]; dedup: (unitId: number) => string }): Promise<NoticeResult> {
  const result: NoticeResult = { group: 0, users: 0, unreached: 0, heldForBudget: 0, unitIds: [] };
  if (!o.units.length) return result;
  const ids = o.units.map((u) => u.unitId);
  const [groups, specialists] = await Promise.all([unitGroupIds(trx, ids), specialistsOf(trx, ids, { locked: false })]);
  const budget = await activeBudget(trx, o.date, await loadCalendar(trx));
  let allowance = budget && budget.state === 'short' && budget.allowanceToday != null ? budget.allowanceToday : Infinity;
  for (const u of o.units) {
    const mine = specialists.filter((s) => Number(s.unit_id) === u.unitId).map((s) => String(s.id));
    const group = groups.get(u.unitId) ?? null;
    const target: Target | null = group ? { kind: 'group', groupId: group } : mine.length ? { kind: 'users', userIds: mine } : null;
    if (!target) { result.unreached++; continue; }
    if (allowance <= 0) { result.heldForBudget++; continue; }
    if (await enqueue(trx, o.dedup(u.unitId), { op: 'send', target, message: u.message(group ? mine : []) })) {
      allowance--;
      if (target.kind === 'group') result.group++;
      else result.users++;
      result.unitIds.push(u.unitId);
    }
  }
  return result;
}

export function queueMonthlyNotices(trx: Knex, o: { kind: 'open' | 'remind'; month: string; date: IsoDate; units: NoticeUnit[]; publicBaseUrl: string; dedup: (unitId: number) => string }): Promise<NoticeResult> {
  return queueUnitNotices(trx, {
    date: o.date, dedup: o.dedup,
    units: o.units.map((u) => ({
      unitId: u.unitId,
      message: (atUserIds) => {
        const r = { unitName: u.name, month: o.month, dueOn: u.dueOn, link: monthlyConfirmationUrl(o.publicBaseUrl, u.unitId), atUserIds };
        return o.kind === 'open' ? monthlyConfirmationNotice(r) : monthlyConfirmationReminder(r);
      },
    })),
  });
}
