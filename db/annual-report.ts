// The reads of the annual 编制使用决算报表 and the 机构编制报告 draft (core/annual-report.ts): the
// versioned history of people, quotas and leader posts up to the year's end, streamed record by
// record in pages of ids (the whole roster is never held at once), the units with their sectors,
// and a unit's findings and monthly scores of the year.

import type { Knex } from 'knex';
import { AnnualAccumulator, yearBounds, type AnnualTable, type AnnualUnit, type VersionRow } from '../core/annual-report.ts';
import type { IsoDate } from '../core/model.ts';
import type { UnitScope } from '../core/roles.ts';
import { HINT_RULES } from '../core/lights.ts';
import { ruleByCode } from '../core/rules/index.ts';
import { sectorOf } from '../core/unit-stats.ts';
import { loadSectorMapping } from './unit-stats.ts';

type Row = Record<string, any>;

/** Records whose versions are read in one query. */
const PAGE = 2000;

/** The units of a scope (null: all) with their sectors. */
export async function annualUnits(db: Knex, scope: UnitScope): Promise<AnnualUnit[]> {
  const mapping = await loadSectorMapping(db);
  const q = db('units').select('id', 'name', 'parent_id', 'level', 'nature', 'category', 'duties', 'approval_no', 'internal_offices').orderBy('id');
  if (scope !== null) q.whereIn('id', scope.length ? scope : [0]);
  return ((await q) as Row[]).map((r) => ({
    id: Number(r.id), name: r.name, parentId: r.parent_id == null ? null : Number(r.parent_id), level: r.level ?? null, nature: r.nature ?? null,
    category: r.category ?? null, duties: r.duties ?? null, approvalNo: r.approval_no ?? null, internalOffices: r.internal_offices ?? null,
    sector: sectorOf({ id: Number(r.id), name: r.name, nature: r.nature }, mapping),
  }));
}

/** Every record's versions up to the year's end, one record at a time, into the accumulator. */
async function replay(db: Knex, acc: AnnualAccumulator, entity: VersionRow['entity'], next: string): Promise<void> {
  const max = Number((await db('record_versions').where({ entity }).max({ m: 'entity_id' }).first())?.m ?? 0);
  for (let from = 0; from <= max; from += PAGE) {
    const rows = (await db('record_versions').where({ entity }).where('entity_id', '>=', from).where('entity_id', '<', from + PAGE).where('changed_at', '<', next)
      .orderBy([{ column: 'entity_id' }, { column: 'version' }]).select('entity_id', 'version', 'after', 'changed_at', 'source')) as Row[];
    let current: VersionRow[] = [];
    for (const r of rows) {
      const v: VersionRow = { entity, entityId: Number(r.entity_id), version: Number(r.version), after: r.after == null ? null : JSON.parse(r.after), changedAt: String(r.changed_at), source: r.source ?? '' };
      if (current.length && current[0].entityId !== v.entityId) {
        acc.addRecord(current);
        current = [];
      }
      current.push(v);
    }
    if (current.length) acc.addRecord(current);
  }
}

/** The day of the first stored change (the system's history starts there), null when none. */
export async function historyStart(db: Knex): Promise<IsoDate | null> {
  const r = (await db('record_versions').min({ m: 'changed_at' }).first()) as Row | undefined;
  return r?.m ? (String(r.m).slice(0, 10) as IsoDate) : null;
}

/** The year's table over a scope: `today` bounds a year not yet ended. */
export async function annualTable(db: Knex, year: number, scope: UnitScope, today: IsoDate): Promise<AnnualTable> {
  const { next } = yearBounds(year);
  const acc = new AnnualAccumulator(year);
  for (const entity of ['person', 'quota', 'leader_post'] as const) await replay(db, acc, entity, next);
  const ended = today >= `${year + 1}-01-01`;
  return acc.finish(await annualUnits(db, scope), ended ? `${year}-12-31` : today, ended, await historyStart(db));
}

/** A unit's findings of the year: opened in it, resolved in it, open at its end, and the most frequent rules. */
export async function unitYearFindings(db: Knex, unitId: number, year: number, asOf: IsoDate): Promise<{ opened: number; resolved: number; openAtEnd: number; topRules: Array<{ rule: string; title: string; n: number }>; hintsOpen: number; topHints: Array<{ rule: string; title: string; n: number }> }> {
  const start = `${year}-01-01`;
  // 提示 (S3 rules, core/lights.ts) are reminders, not data problems: counted apart.
  const hints = HINT_RULES.length ? [...HINT_RULES] : [''];
  const shown = () => db('findings').where({ unit_id: unitId }).whereNot({ status: 'pending' }).whereNotIn('rule', hints);
  const openHints = () => db('findings').where({ unit_id: unitId }).whereNot({ status: 'pending' }).whereIn('rule', hints)
    .where('opened_on', '<=', asOf).where((w) => w.whereNull('resolved_on').orWhere('resolved_on', '>', asOf));
  const [opened, resolved, openAtEnd, top, hintRows] = await Promise.all([
    shown().where('opened_on', '>=', start).where('opened_on', '<=', asOf).count({ n: '*' }).first(),
    shown().where('resolved_on', '>=', start).where('resolved_on', '<=', asOf).count({ n: '*' }).first(),
    shown().where('opened_on', '<=', asOf).where((w) => w.whereNull('resolved_on').orWhere('resolved_on', '>', asOf)).count({ n: '*' }).first(),
    shown().where('opened_on', '>=', start).where('opened_on', '<=', asOf).select('rule').count({ n: '*' }).groupBy('rule').orderBy([{ column: 'n', order: 'desc' }, { column: 'rule' }]).limit(3),
    openHints().select('rule').count({ n: '*' }).groupBy('rule').orderBy([{ column: 'n', order: 'desc' }, { column: 'rule' }]),
  ]);
  const hintList = (hintRows as Row[]).map((r) => ({ rule: r.rule, title: ruleByCode(r.rule)?.title ?? r.rule, n: Number(r.n) }));
  return {
    opened: Number(opened?.n ?? 0), resolved: Number(resolved?.n ?? 0), openAtEnd: Number(openAtEnd?.n ?? 0),
    topRules: (top as Row[]).map((r) => ({ rule: r.rule, title: ruleByCode(r.rule)?.title ?? r.rule, n: Number(r.n) })),
    hintsOpen: hintList.reduce((n, r) => n + r.n, 0), topHints: hintList.slice(0, 3),
  };
}

/** A unit's monthly scores of the year, by month. */
export async function unitYearScores(db: Knex, unitId: number, year: number): Promise<Array<{ month: string; score: number; rank: number }>> {
  const rows = (await db('unit_scores').where({ unit_id: unitId }).where('month', '>=', `${year}-01`).where('month', '<=', `${year}-12`).orderBy('month').select('month', 'score', 'rank')) as Row[];
  return rows.map((r) => ({ month: r.month, score: Number(r.score), rank: Number(r.rank) }));
}

/** A unit's name by id (the parent's line of the report). */
export async function unitName(db: Knex, id: number | null): Promise<string | null> {
  if (id == null) return null;
  return ((await db('units').where({ id }).first('name')) as Row | undefined)?.name ?? null;
}
