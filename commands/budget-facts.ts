// What a unit's budget is judged against (core/budget.ts KindFacts): its 核定/实有/空编 per 编制类型
// now (db/requests.ts unitAvailability, domain.md §7 via core/staffing.ts) and the year's forecast
// retirements per kind (db/budgets.ts yearRetirements). The kinds are those the unit holds (核定
// or 实有); a kind that only has retirements forecast is listed too.

import type { Knex } from 'knex';
import { mayFillBudget, type KindFacts } from '../core/budget.ts';
import { DICTIONARY } from '../core/dictionary.ts';
import type { IsoDate } from '../core/model.ts';
import { yearRetirements } from '../db/budgets.ts';
import { unitAvailability } from '../db/requests.ts';
import { specialistsOf } from '../db/user-locks.ts';

/** Whether `role` may fill the unit's budget (core/budget.ts mayFillBudget) and the unit's active 单位专管员 by name. */
export async function budgetFiller(db: Knex, role: string, unitId: number): Promise<{ may: boolean; specialists: string[] }> {
  const specialists = (await specialistsOf(db, [unitId], { locked: false })).map((s) => String(s.name ?? s.id));
  return { may: mayFillBudget(role, specialists.length), specialists };
}

export async function budgetFacts(db: Knex, unitId: number, year: number, today: IsoDate): Promise<KindFacts[]> {
  const [avail, retire] = await Promise.all([unitAvailability(db, unitId, today), yearRetirements(db, year, [unitId])]);
  const mine = retire.get(unitId) ?? new Map<string, number>();
  const facts: KindFacts[] = avail.quotas.filter((q) => q.approved > 0 || q.actual > 0)
    .map((q) => ({ kind: q.kind, approved: q.approved, actual: q.actual, vacant: q.vacant, over: q.over, retireForecast: mine.get(q.kind) ?? 0 }));
  const known = new Set<string>(DICTIONARY.编制类型);
  for (const [kind, n] of mine) {
    if (n > 0 && known.has(kind) && !facts.some((f) => f.kind === kind)) facts.push({ kind, approved: 0, actual: 0, vacant: 0, over: 0, retireForecast: n });
  }
  return facts;
}
