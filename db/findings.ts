// Reading findings for lists, exports and the command line. The light is computed, not stored.
// Open findings come from one query in one order (openFindingsQuery): the urgency order of
// core/lights.ts byUrgency. The first red day is a fixed number of working days after the
// opening day, so it grows with opened_on, and red (first red day passed) comes before yellow:
// 提示 (the S3 rules, HINT_RULES) last, then opened_on, then id, is that order, and the
// database can apply it with a limit.

import type { Knex } from 'knex';

type Row = Record<string, any>;
import { findingLight, HINT_RULES } from '../core/lights.ts';
import type { FindingLight, IsoDate, Scope } from '../core/model.ts';
import { subtreeIds } from './scope.ts';
import { loadCalendar } from './settings.ts';

export interface FindingView {
  id: number;
  rule: string;
  unit: string;
  unitId: number;
  unitName: string;
  subject: { kind: Scope; name: string; id: string | null };
  qualifier: string | null;
  light: FindingLight;
  openedOn: IsoDate;
  resolvedOn: IsoDate | null;
  /** open, resolved (已整改) or explained (已说明). */
  status: string;
  detail: Record<string, unknown> | null;
}

export interface FindingQuery {
  status?: 'open' | 'resolved' | 'explained' | 'all';
  /** One unit by its id (a credit code may be shared, U-IN-06). */
  unitId?: number;
  unitCode?: string;
  /** Include the unit's subordinate units. */
  withSubordinates?: boolean;
  date: IsoDate;
  limit?: number;
}

/** The columns every list of findings reads: the finding and its unit. */
export const FINDING_COLUMNS = [
  'f.id', 'f.rule', 'f.scope', 'f.entity_id', 'f.qualifier', 'f.status', 'f.opened_on', 'f.resolved_on', 'f.subject_kind', 'f.subject_name',
  'f.subject_id_masked', 'f.detail', 'f.unit_id', 'u.code', 'u.name as unit_name', 'u.group_id',
];

/** Findings (any status) of some units, a rule or a person, joined with their units; add the status. */
export function findingsQuery(db: Knex, f: { unitIds?: number[] | null; rule?: string; personId?: number } = {}): Knex.QueryBuilder {
  let q = db('findings as f').join('units as u', 'u.id', 'f.unit_id').select(FINDING_COLUMNS);
  if (f.unitIds) q = q.whereIn('f.unit_id', f.unitIds.length ? f.unitIds : [0]);
  if (f.rule) q = q.where('f.rule', f.rule);
  if (f.personId !== undefined) q = q.where({ 'f.scope': 'person', 'f.entity_id': f.personId });
  return q;
}

/** 1 for a finding of a 提示 rule, else 0: the first key of the urgency order (提示 last). */
function orderHintsLast(q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.orderByRaw(`CASE WHEN f.rule IN (${HINT_RULES.map(() => '?').join(', ')}) THEN 1 ELSE 0 END`, [...HINT_RULES]);
}

/** Open findings, most urgent first (byUrgency: red, yellow, then 提示; each by the earliest deadline, then id). */
export function openFindingsQuery(db: Knex, f: { unitIds?: number[] | null; rule?: string; personId?: number } = {}): Knex.QueryBuilder {
  return orderHintsLast(findingsQuery(db, f).where('f.status', 'open')).orderBy([{ column: 'f.opened_on', order: 'asc' }, { column: 'f.id', order: 'asc' }]);
}

/** The `limit` most urgent open findings (openFindingsQuery's order and filters). */
export async function mostUrgentOpenFindings(db: Knex, f: { unitIds?: number[] | null; rule?: string; personId?: number }, limit: number): Promise<Row[]> {
  return openFindingsQuery(db, f).limit(limit);
}

export async function listFindings(db: Knex, q: FindingQuery): Promise<FindingView[]> {
  const cal = await loadCalendar(db);
  const status = q.status ?? 'open';
  // Open ones in the urgency order; resolved ones (and all) by opening day as well.
  let query = status === 'open' ? openFindingsQuery(db)
    : findingsQuery(db).whereNot('f.status', 'pending').orderBy([{ column: 'f.opened_on', order: 'asc' }, { column: 'f.id', order: 'asc' }]);
  if (status === 'resolved' || status === 'explained') query = query.where('f.status', status);
  if (q.unitId !== undefined || q.unitCode) {
    const unit = await (q.unitId !== undefined ? db('units').where({ id: q.unitId }) : db('units').where({ code: q.unitCode })).first('id');
    if (!unit) return [];
    const ids = q.withSubordinates ? await subtreeIds(db, Number(unit.id)) : [Number(unit.id)];
    query = query.whereIn('f.unit_id', ids);
  }
  if (q.limit) query = query.limit(q.limit);
  const rows = await query;
  return rows.map((r: Record<string, any>) => ({
    id: Number(r.id),
    rule: r.rule,
    unit: r.code,
    unitId: Number(r.unit_id),
    unitName: r.unit_name,
    subject: { kind: r.subject_kind, name: r.subject_name, id: r.subject_id_masked ?? null },
    qualifier: r.qualifier ?? null,
    light: findingLight({ rule: r.rule, openedOn: r.opened_on, resolvedOn: r.resolved_on }, q.date, cal),
    openedOn: r.opened_on,
    resolvedOn: r.resolved_on ?? null,
    status: r.status,
    detail: r.detail ? JSON.parse(r.detail) : null,
  }));
}

/** Counts of a unit's open findings by light (提示 apart: not in the unit's light). */
export async function openCounts(db: Knex, unitIds: number[] | null, today: IsoDate): Promise<Map<number, { red: number; yellow: number; hint: number }>> {
  const cal = await loadCalendar(db);
  let q = db('findings').where('status', 'open').select('unit_id', 'rule', 'opened_on').count({ n: '*' }).groupBy('unit_id', 'rule', 'opened_on');
  if (unitIds) q = q.whereIn('unit_id', unitIds.length ? unitIds : [0]);
  const out = new Map<number, { red: number; yellow: number; hint: number }>();
  for (const r of (await q) as Row[]) {
    const c = out.get(Number(r.unit_id)) ?? { red: 0, yellow: 0, hint: 0 };
    const l = findingLight({ rule: r.rule, openedOn: r.opened_on, resolvedOn: null }, today, cal);
    if (l === 'red' || l === 'yellow' || l === 'hint') c[l] += Number(r.n);
    out.set(Number(r.unit_id), c);
  }
  return out;
}

/** Resolved findings (the filter's units, rule, person), the latest resolved first, at most `limit`. */
export async function resolvedFindings(db: Knex, f: { unitIds?: number[] | null; rule?: string; personId?: number }, limit: number): Promise<Row[]> {
  return findingsQuery(db, f).where('f.status', 'resolved').orderBy([{ column: 'f.resolved_on', order: 'desc' }, { column: 'f.id', order: 'desc' }]).limit(limit);
}

/** Findings closed as 已说明 (explained differences), the latest first, at most `limit`. */
export async function explainedFindings(db: Knex, f: { unitIds?: number[] | null; rule?: string; personId?: number }, limit: number): Promise<Row[]> {
  return findingsQuery(db, f).where('f.status', 'explained').orderBy([{ column: 'f.resolved_on', order: 'desc' }, { column: 'f.id', order: 'desc' }]).limit(limit);
}

/** How many open findings a person has. */
export async function openFindingCountOfPerson(db: Knex, personId: number): Promise<number> {
  const r = await db('findings').where({ scope: 'person', entity_id: personId, status: 'open' }).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** Open findings counted by unit (with its name), rule and opening day: `unit_id`, `name`, `rule`, `opened_on`, `n`. */
export async function openFindingsByUnitAndDay(db: Knex): Promise<Row[]> {
  return db('findings as f').join('units as u', 'u.id', 'f.unit_id').where('f.status', 'open')
    .select('f.unit_id', 'u.name', 'f.rule', 'f.opened_on').count({ n: '*' }).groupBy('f.unit_id', 'u.name', 'f.rule', 'f.opened_on');
}
