// 年度编制使用预算 (migration 036): the year's round, a unit's budget row and its history, the
// office's list of a year (every unit in scope, with or without a row), the conditional writes of
// a save, a submission and a review (by version: a write that lost a race changes nothing), and
// the year's forecast retirements per unit and 编制类型 from the stored stats (db/unit-stats.ts,
// the figures of the 退休预测 report).

import type { Knex } from 'knex';
import type { BudgetAction, BudgetLine, BudgetState } from '../core/budget.ts';
import { DICTIONARY } from '../core/dictionary.ts';
import type { UnitScope } from '../core/roles.ts';
import { isDuplicateKey } from './errors.ts';

type Row = Record<string, any>;

export async function budgetRound(db: Knex, year: number): Promise<Row | undefined> {
  return db('budget_rounds').where({ year }).first();
}

/** The latest round opened, or null. */
export async function latestRound(db: Knex): Promise<Row | null> {
  return (await db('budget_rounds').orderBy('year', 'desc').first()) ?? null;
}

export async function budgetYears(db: Knex): Promise<number[]> {
  return (await db('budget_rounds').orderBy('year', 'desc').pluck('year')).map(Number);
}

/** Writes the round unless the year has one: false then. */
export async function insertRound(trx: Knex, r: { year: number; dueOn: string; at: string; by: string }): Promise<boolean> {
  if (await budgetRound(trx, r.year)) return false;
  await trx('budget_rounds').insert({ year: r.year, due_on: r.dueOn, opened_at: r.at, opened_by: r.by });
  return true;
}

/** A unit's budget of a year with the names of who saved, submitted and reviewed. */
export async function budgetRow(db: Knex, unitId: number, year: number): Promise<Row | undefined> {
  return db('budgets as b').leftJoin('users as s', 's.id', 'b.saved_by').leftJoin('users as p', 'p.id', 'b.submitted_by').leftJoin('users as r', 'r.id', 'b.reviewed_by')
    .where({ 'b.unit_id': unitId, 'b.year': year })
    .first('b.*', 's.name as saved_by_name', 'p.name as submitted_by_name', 'r.name as reviewed_by_name');
}

export async function budgetEvents(db: Knex, budgetId: number): Promise<Row[]> {
  return db('budget_events as e').leftJoin('users as u', 'u.id', 'e.by').where('e.budget_id', budgetId).orderBy('e.id', 'desc')
    .select('e.id', 'e.version', 'e.action', 'e.state', 'e.by', 'e.at', 'e.reason', 'u.name as by_name');
}

/** A line as stored: with the figures it was planned against. */
export type StoredLine = BudgetLine & { retireForecast: number; approved: number; actual: number; vacant: number };

/**
 * Writes a budget's new state and lines when it is still at `version` (a first write: when it has
 * no row), with its history row. Returns the new version, or null when someone wrote first.
 */
export async function writeBudget(trx: Knex, w: {
  unitId: number; year: number; version: number | null; state: BudgetState; action: BudgetAction; lines: StoredLine[] | null;
  by: string; at: string; reason: string | null; reminded?: boolean;
}): Promise<{ id: number; version: number } | null> {
  const who: Row = {};
  if (w.action === 'save') Object.assign(who, { saved_at: w.at, saved_by: w.by });
  if (w.action === 'submit') Object.assign(who, { saved_at: w.at, saved_by: w.by, submitted_at: w.at, submitted_by: w.by });
  if (w.action === 'approve' || w.action === 'return' || w.action === 'reopen') Object.assign(who, { reviewed_at: w.at, reviewed_by: w.by, reason: w.reason });
  let id: number;
  let version: number;
  if (w.version === null) {
    if (await trx('budgets').where({ unit_id: w.unitId, year: w.year }).first('id')) return null;
    try {
      const [ins] = await trx('budgets').insert({ unit_id: w.unitId, year: w.year, state: w.state, lines: JSON.stringify(w.lines ?? []), version: 1, ...who, saved_at: w.at, saved_by: w.by });
      id = Number(ins);
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    version = 1;
  } else {
    const patch: Row = { state: w.state, version: w.version + 1, ...who };
    if (w.lines) patch.lines = JSON.stringify(w.lines);
    const n = await trx('budgets').where({ unit_id: w.unitId, year: w.year, version: w.version }).update(patch);
    if (!n) return null;
    const row = await trx('budgets').where({ unit_id: w.unitId, year: w.year }).first('id', 'lines');
    id = Number(row.id);
    version = w.version + 1;
    if (!w.lines) w.lines = JSON.parse(row.lines);
  }
  await trx('budget_events').insert({
    budget_id: id, year: w.year, unit_id: w.unitId, version, action: w.action, state: w.state, by: w.by, at: w.at, reason: w.reason, lines: JSON.stringify(w.lines ?? []),
  });
  return { id, version };
}

/** Every unit in scope with its budget row of the year (null: none), by unit id. */
export async function yearRows(db: Knex, year: number, scope: UnitScope): Promise<Row[]> {
  const q = db('units as u').leftJoin('budgets as b', (j) => j.on('b.unit_id', '=', 'u.id').andOn('b.year', '=', db.raw('?', [year])))
    .leftJoin('users as p', 'p.id', 'b.submitted_by').leftJoin('users as r', 'r.id', 'b.reviewed_by')
    .orderBy('u.id')
    .select('u.id as unit_id', 'u.name as unit_name', 'b.id', 'b.state', 'b.lines', 'b.version', 'b.saved_at', 'b.submitted_at', 'b.submitted_by',
      'b.reviewed_at', 'b.reviewed_by', 'b.reason', 'b.reminded_on', 'p.name as submitted_by_name', 'r.name as reviewed_by_name');
  if (scope) q.whereIn('u.id', scope.length ? scope : [0]);
  return q;
}

/** Units of a year that have not submitted (no row, draft or returned). */
export async function unsubmittedUnits(db: Knex, year: number): Promise<Array<{ unitId: number; name: string; remindedOn: string | null }>> {
  const rows = await yearRows(db, year, null);
  return rows.filter((r) => !r.state || r.state === 'draft' || r.state === 'returned')
    .map((r) => ({ unitId: Number(r.unit_id), name: r.unit_name, remindedOn: r.reminded_on ?? null }));
}

/** Marks the units reminded today; a unit without a row gets none (its reminder is the outbox's dedup key). */
export async function markBudgetsReminded(trx: Knex, year: number, unitIds: number[], on: string): Promise<void> {
  for (let i = 0; i < unitIds.length; i += 500) await trx('budgets').where({ year }).whereIn('unit_id', unitIds.slice(i, i + 500)).update({ reminded_on: on });
}

/**
 * The forecast retirements of a year per unit and 编制类型: the stored stats' dim retire (keys
 * 'YYYY-MM|kind', 在编 people by the month they reach retirement), summed over the year's months.
 */
export async function yearRetirements(db: Knex, year: number, unitIds: number[]): Promise<Map<number, Map<string, number>>> {
  const out = new Map<number, Map<string, number>>();
  for (let i = 0; i < unitIds.length; i += 500) {
    const rows: Row[] = await db('unit_stats').where('dim', 'retire').where('key', '>=', `${year}-01|`).where('key', '<', `${year + 1}-01|`)
      .whereIn('unit_id', unitIds.slice(i, i + 500)).select('unit_id', 'key', 'n');
    for (const r of rows) {
      const u = Number(r.unit_id);
      const kind = String(r.key).slice(8);
      if (!out.has(u)) out.set(u, new Map());
      out.get(u)!.set(kind, (out.get(u)!.get(kind) ?? 0) + Number(r.n));
    }
  }
  return out;
}

/**
 * 在编 people of the units in scope whose 编制类型 is empty or not one of the dictionary's, by unit:
 * they have no kind to be 实有 of (db/requests.ts unitAvailability, core/staffing.ts), so the budget
 * does not count them; the 决算报表 lists them as 未填编制类型.
 */
export async function unkindedOnQuota(db: Knex, scope: UnitScope): Promise<Map<number, number>> {
  const q = db('people').where({ status: '在编' }).whereNotNull('unit_id')
    .where((w) => w.whereNull('quota_kind').orWhereNotIn('quota_kind', [...DICTIONARY.编制类型]))
    .select('unit_id').count({ n: '*' }).groupBy('unit_id');
  if (scope) q.whereIn('unit_id', scope.length ? scope : [0]);
  return new Map((await q as Row[]).map((r) => [Number(r.unit_id), Number(r.n)]));
}
