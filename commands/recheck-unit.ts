// Re-check a unit now: its people and its own rules with the nightly predicates, resolved
// findings green at once and the unit's card updated. Two doors: the mini-app's 自查 (recorded
// as a self-check, for the unit's rule on self-checks) and the card's 已整改，重新检查.
//
// One re-check at a time per unit: the unit's row is locked while the re-check is claimed
// (unit_rechecks), and a click that finds the state moved on returns at once with what happened:
// a re-check of the unit is running, or one finished after the card's data was built and no
// record of the unit changed since it started (a re-delivered callback, a second click).

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG, inScope, WRITE_ROLES, type UnitScope } from '../core/roles.ts';
import { checkEnv } from '../db/check.ts';
import { nowMoment } from '../db/clock.ts';
import { isSqlite } from '../db/connection.ts';
import { openCounts } from '../db/findings.ts';
import { recheckRecord } from './daily-check.ts';
import { queueWeeklyCardUpdates } from './weekly-list.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

export interface RecheckUnitResult {
  unit: { id: number; code: string; name: string };
  findings: { open: number; red: number; yellow: number; hint: number; opened: number; resolved: number; people: number };
  /** Self-checks of the unit this month, this one included (a self-check only). */
  selfChecksThisMonth: number | null;
}

export interface RecheckUnitInput {
  actor: { id: string; role: string; scope: UnitScope };
  unitId: number;
  today: IsoDate;
  /** The mini-app's 自查: recorded as a self-check. */
  selfCheck?: boolean;
  /**
   * A card's click: when the card's data was built (its last send or update). A re-check of the
   * unit finished since then, with no change to the unit's records after it started, is not run again.
   */
  seenAt?: string | null;
}

/** A re-check still unfinished after this long is taken for dead (its process stopped). */
const RUNNING_AT_MOST_MS = 10 * 60_000;

const momentMs = (m: string) => Date.parse(`${m.replace(' ', 'T')}+08:00`);
/** A stored moment as the clicker reads it: HH:mm today, else M月D日HH:mm. */
function clock(m: string, now: string): string {
  return m.slice(0, 10) === now.slice(0, 10) ? m.slice(11, 16) : `${Number(m.slice(5, 7))}月${Number(m.slice(8, 10))}日${m.slice(11, 16)}`;
}

export async function recheckUnit(db: Knex, { actor, unitId, today, selfCheck = false, seenAt = null }: RecheckUnitInput): Promise<RecheckUnitResult> {
  if (!WRITE_ROLES.has(actor.role)) throw new CommandError(403, selfCheck ? '您的角色无权进行此操作' : '重新检查由单位专管员在整改后进行，您可在小程序中查看问题清单');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const { unit, recheckId, selfCheckId } = await db.transaction(async (trx) => {
    // The unit's row locked (MySQL; SQLite has one writer anyway), then its latest re-check.
    const unitQ = trx('units').where({ id: unitId }).first('id', 'code', 'name', 'updated_at');
    const unit: Row | undefined = await (isSqlite(db) ? unitQ : unitQ.forUpdate());
    if (!unit) throw new CommandError(404, '没有该单位');
    const now = nowMoment();
    const last: Row | undefined = await trx('unit_rechecks').where({ unit_id: unitId }).orderBy('id', 'desc').first('user_id', 'started_at', 'finished_at');
    if (last) {
      const who = async () => ((await trx('users').where({ id: last.user_id }).first('name'))?.name as string | undefined) ?? '他人';
      if (!last.finished_at && momentMs(now) - momentMs(last.started_at) < RUNNING_AT_MOST_MS) {
        throw new CommandError(409, `${await who()}正在重新检查该单位（${clock(last.started_at, now)}开始），${selfCheck ? '请稍后再试' : '完成后结果显示在卡片上'}`);
      }
      if (seenAt && last.finished_at && last.finished_at >= seenAt && !(await changedSince(trx, unit, last.started_at))) {
        throw new CommandError(409, `已由${await who()}于${clock(last.finished_at, now)}重新检查，结果见卡片`);
      }
    }
    const [recheckId] = await trx('unit_rechecks').insert({ unit_id: unitId, user_id: actor.id, via: selfCheck ? 'self-check' : 'card', started_at: now });
    // Recorded first, so the unit's own rule on self-checks (U-PR) counts this one.
    // A self-check of `today` (the month it counts for is today's): stamped that day at this time.
    const at = now.slice(0, 10) === today ? now : `${today} ${now.slice(11)}`;
    const [selfCheckId] = selfCheck ? await trx('self_checks').insert({ unit_id: unitId, user_id: actor.id, at, findings: 0 }) : [];
    return { unit, recheckId: Number(recheckId), selfCheckId };
  });
  try {
    const result = await runRecheck(db, unit, today, selfCheck ? Number(selfCheckId) : null);
    await db('unit_rechecks').where({ id: recheckId }).update({ finished_at: nowMoment() });
    return result;
  } catch (e) {
    // A failed re-check is no re-check: the next click runs it.
    await db('unit_rechecks').where({ id: recheckId }).del().catch(() => {});
    throw e;
  }
}

/** Whether the unit or one of its people was written after `moment` (an import, a save). */
async function changedSince(trx: Knex, unit: Row, moment: string): Promise<boolean> {
  if (unit.updated_at > moment) return true;
  return !!(await trx('people').where({ unit_id: unit.id }).where('updated_at', '>', moment).first('id'));
}

async function runRecheck(db: Knex, unit: Row, today: IsoDate, selfCheckId: number | null): Promise<RecheckUnitResult> {
  const unitId = Number(unit.id);
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
  const c = (await openCounts(db, [unitId], today)).get(unitId) ?? { red: 0, yellow: 0, hint: 0 };
  const open = c.red + c.yellow + c.hint;
  let selfChecksThisMonth: number | null = null;
  if (selfCheckId !== null) {
    await db('self_checks').where({ id: selfCheckId }).update({ findings: open });
    const month = monthOf(today);
    const n = await db('self_checks').where({ unit_id: unitId }).where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`).count({ n: '*' }).first();
    selfChecksThisMonth = Number(n?.n ?? 0);
    // A unit listed for too few self-checks: its weekly card reads 已整改 once it has done enough.
    await db.transaction((trx) => queueWeeklyCardUpdates(trx, [unitId], today));
  }
  return {
    unit: { id: unitId, code: unit.code, name: unit.name },
    findings: { open, red: c.red, yellow: c.yellow, hint: c.hint, opened, resolved, people: people.length },
    selfChecksThisMonth,
  };
}
