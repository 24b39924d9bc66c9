// The office opens a year's 编制使用预算 round (console 年度预算: the year and the due date) and
// every unit is asked to fill in its budget: a message to its 工作群 @ its 单位专管员 (or 1:1 to them
// without a group), as the 月度核账 is opened (commands/open-monthly-confirmation.ts). A year is
// opened once. The reminder goes to the units that have not submitted: by the job on the working
// day two working days before the due date (core/monthly-confirmation.ts reminderDayFor), by the
// office's 催办 at once; at most once a unit a day (the outbox's dedup key of the day).

import type { Knex } from 'knex';
import { budgetNotice, budgetReminder, budgetUrl } from '../cards/budget.ts';
import { BUDGET_STATE_TEXT, budgetYearRefusal, yearText, type BudgetState } from '../core/budget.ts';
import { DateInputError, validDay } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { reminderDayFor } from '../core/monthly-confirmation.ts';
import { ADMIN_ROLES, type UnitScope } from '../core/roles.ts';
import { budgetRound, insertRound, latestRound, markBudgetsReminded, yearRows } from '../db/budgets.ts';
import { nowMoment } from '../db/clock.ts';
import { loadCalendar } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { requireCityLevel } from './city-level.ts';
import { CommandError } from './errors.ts';
import { queueUnitNotices, type NoticeResult } from './monthly-notices.ts';

export type BudgetNoticeResult = NoticeResult;

type Actor = { id: string; role: string; scope?: UnitScope };

/** Queues the opening notice or the reminder to units, within the month's message budget (as the 月度核账's). */
export function queueBudgetNotices(trx: Knex, o: {
  kind: 'open' | 'remind'; year: number; dueOn: IsoDate; date: IsoDate; publicBaseUrl: string;
  units: Array<{ unitId: number; name: string; state?: BudgetState }>; dedup: (unitId: number) => string;
}): Promise<BudgetNoticeResult> {
  return queueUnitNotices(trx, {
    date: o.date, dedup: o.dedup,
    units: o.units.map((u) => ({
      unitId: u.unitId,
      message: (atUserIds) => {
        const data = { unitName: u.name, year: o.year, dueOn: o.dueOn, link: budgetUrl(o.publicBaseUrl, u.unitId, o.year), atUserIds, stateText: BUDGET_STATE_TEXT[u.state ?? 'none'] };
        return o.kind === 'open' ? budgetNotice(data) : budgetReminder(data);
      },
    })),
  });
}

export interface OpenBudgetRoundResult {
  year: number;
  dueOn: IsoDate;
  units: number;
  notices: BudgetNoticeResult;
}

/** Opens the year's round: the office's operators; the year this one or the next two, the due date a real day from today on within the year before it. */
export async function openBudgetRound(db: Knex, o: { actor: Actor; year: unknown; dueOn: unknown; today: IsoDate; publicBaseUrl: string }): Promise<OpenBudgetRoundResult> {
  if (!ADMIN_ROLES.has(o.actor.role)) throw new CommandError(403, '开启年度预算填报由编办管理员或编办业务人员操作');
  // The round is the whole deployment's (every unit of every county is told): the city's office opens it.
  requireCityLevel(o.actor, '开启年度编制使用预算填报');
  const year = typeof o.year === 'string' && /^\s*\d{4}\s*$/.test(o.year) ? Number(o.year) : o.year;
  const yr = budgetYearRefusal(year, o.today);
  if (yr) throw new CommandError(400, yr, { year: yr });
  let dueOn: IsoDate;
  try {
    dueOn = validDay(o.dueOn, '填报截止日期');
  } catch (e) {
    if (e instanceof DateInputError) throw new CommandError(400, e.message, { dueOn: e.message });
    throw e;
  }
  if (dueOn < o.today) throw new CommandError(400, `填报截止日期 ${dueOn} 早于今天（${o.today}），请选择今天或以后的日期`, { dueOn: '不能早于今天' });
  if (dueOn > `${year}-12-31`) throw new CommandError(400, `填报截止日期 ${dueOn} 晚于${yearText(year as number)}结束，预算应在年度开始前填报`, { dueOn: '晚于预算年度' });
  const y = year as number;
  if (await budgetRound(db, y)) throw new CommandError(409, `${yearText(y)}编制使用预算填报已开启，无需重复开启`);
  return db.transaction(async (trx) => {
    if (!(await insertRound(trx, { year: y, dueOn, at: nowMoment(), by: o.actor.id }))) throw new CommandError(409, `${yearText(y)}编制使用预算填报已开启，无需重复开启`);
    const units = (await yearRows(trx, y, null)).map((r) => ({ unitId: Number(r.unit_id), name: r.unit_name as string }));
    const notices = await queueBudgetNotices(trx, { kind: 'open', year: y, dueOn, date: o.today, publicBaseUrl: o.publicBaseUrl, units, dedup: (id) => `budget-open:${y}:${id}` });
    await audit(trx, o.actor.id, 'budget.open', 'budget', null, { year: y, dueOn, units: units.length, sent: notices.unitIds.length });
    return { year: y, dueOn, units: units.length, notices };
  });
}

export interface RemindBudgetsResult {
  year: number | null;
  unsubmitted: number;
  notices: BudgetNoticeResult;
}

const none = (): BudgetNoticeResult => ({ group: 0, users: 0, unreached: 0, heldForBudget: 0, unitIds: [] });

/** Reminds the units that have not submitted the latest round (or `year`'s): the job on its day, the office at once. */
export async function remindBudgets(db: Knex, o: { date: IsoDate; publicBaseUrl: string; year?: number; actor?: Actor }): Promise<RemindBudgetsResult> {
  if (o.actor && !ADMIN_ROLES.has(o.actor.role)) throw new CommandError(403, '催办由编办管理员或编办业务人员操作');
  const round = o.year ? await budgetRound(db, o.year) : await latestRound(db);
  if (!round) {
    if (o.actor) throw new CommandError(409, o.year ? `${yearText(o.year)}编制使用预算填报尚未开启` : '尚未开启任何年度的编制使用预算填报');
    return { year: null, unsubmitted: 0, notices: none() };
  }
  const year = Number(round.year);
  const scope = o.actor?.scope;
  const rows = (await yearRows(db, year, scope ?? null)).filter((r) => !r.state || r.state === 'draft' || r.state === 'returned');
  if (!o.actor) {
    // The job: only on the reminder day of the round, and not after the due date.
    const cal = await loadCalendar(db);
    if (reminderDayFor(round.due_on, cal) !== o.date) return { year, unsubmitted: rows.length, notices: none() };
  } else if (!rows.length) {
    throw new CommandError(409, `${yearText(year)}编制使用预算各单位均已提交，无需催办`);
  }
  const notices = await db.transaction(async (trx) => {
    const n = await queueBudgetNotices(trx, {
      kind: 'remind', year, dueOn: round.due_on, date: o.date, publicBaseUrl: o.publicBaseUrl,
      units: rows.map((r) => ({ unitId: Number(r.unit_id), name: r.unit_name, state: (r.state ?? 'none') as BudgetState })),
      dedup: (id) => `budget-remind:${year}:${o.date}:${id}`,
    });
    await markBudgetsReminded(trx, year, n.unitIds, o.date);
    if (o.actor) await audit(trx, o.actor.id, 'budget.remind', 'budget', null, { year, units: rows.length, sent: n.unitIds.length });
    return n;
  });
  if (o.actor && rows.length && !notices.unitIds.length && !notices.unreached && !notices.heldForBudget) {
    throw new CommandError(409, `今天已催办过 ${rows.length} 个未提交单位，每天最多催办一次，请明天再试`);
  }
  return { year, unsubmitted: rows.length, notices };
}
