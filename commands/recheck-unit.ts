// Re-check a unit now: its people and its own rules with the nightly predicates, resolved
// findings green at once and the unit's card updated. Two doors: the mini-app's 自查 (recorded
// as a self-check, for the unit's rule on self-checks) and the card's 已整改，重新检查.

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG, inScope, WRITE_ROLES, type UnitScope } from '../core/roles.ts';
import { checkEnv } from '../db/check.ts';
import { nowMoment } from '../db/clock.ts';
import { openCounts } from '../db/findings.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

export interface RecheckUnitResult {
  unit: { id: number; code: string; name: string };
  findings: { open: number; red: number; yellow: number; opened: number; resolved: number; people: number };
  /** Self-checks of the unit this month, this one included (a self-check only). */
  selfChecksThisMonth: number | null;
}

export interface RecheckUnitInput {
  actor: { id: string; role: string; scope: UnitScope };
  unitId: number;
  today: IsoDate;
  /** The mini-app's 自查: for the roles that write records, and recorded. */
  selfCheck?: boolean;
}

export async function recheckUnit(db: Knex, { actor, unitId, today, selfCheck = false }: RecheckUnitInput): Promise<RecheckUnitResult> {
  if (selfCheck && !WRITE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色无权进行此操作');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const unit: Row | undefined = await db('units').where({ id: unitId }).first('id', 'code', 'name');
  if (!unit) throw new CommandError(404, '没有该单位');
  // Recorded first, so the unit's own rule on self-checks (U-PR) counts this one.
  const [selfCheckId] = selfCheck ? await db('self_checks').insert({ unit_id: unitId, user_id: actor.id, at: nowMoment(), findings: 0 }) : [];
  const env = await checkEnv(db, today);
  let opened = 0;
  let resolved = 0;
  const people: Row[] = await db('people').where({ unit_id: unitId }).whereNotNull('id_hash').distinct('id_hash');
  for (const p of people) {
    const r = await recheckRecord(db, { personHash: p.id_hash }, today, env);
    opened += r?.opened.length ?? 0;
    resolved += r?.resolved.length ?? 0;
  }
  // The unit's own rules, re-checked by the unit's id (a credit code may be shared, U-IN-06).
  const r = await recheckRecord(db, { unitId }, today, env);
  opened += r?.opened.length ?? 0;
  resolved += r?.resolved.length ?? 0;
  const c = (await openCounts(db, [unitId], today)).get(unitId) ?? { red: 0, yellow: 0 };
  const open = c.red + c.yellow;
  let selfChecksThisMonth: number | null = null;
  if (selfCheck) {
    await db('self_checks').where({ id: Number(selfCheckId) }).update({ findings: open });
    const month = monthOf(today);
    const n = await db('self_checks').where({ unit_id: unitId }).where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`).count({ n: '*' }).first();
    selfChecksThisMonth = Number(n?.n ?? 0);
  }
  return {
    unit: { id: unitId, code: unit.code, name: unit.name },
    findings: { open, red: c.red, yellow: c.yellow, opened, resolved, people: people.length },
    selfChecksThisMonth,
  };
}
