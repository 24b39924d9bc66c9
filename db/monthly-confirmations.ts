// 月度核账 (migration 022 on monthly_reports): the office's setting, the month's rows (one per unit,
// opened once), a unit's row and 核账清单 figures (在编/核定/空编 by 编制类型, open findings by
// family, the other departments' rosters of migration 019), the office's list of a month, and the
// conditional writes of a confirmation and of a reminder day.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { findingLight } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import {
  DEFAULT_MONTHLY_CONFIRMATION, FAMILIES, familyOf, MONTHLY_CONFIRMATION_KEY, parseSetting,
  type FindingFamily, type MonthlyConfirmationSetting,
} from '../core/monthly-confirmation.ts';
import type { UnitScope } from '../core/roles.ts';
import { isDuplicateKey } from './errors.ts';
import { openFindingsQuery } from './findings.ts';
import { unitAvailability } from './requests.ts';
import { getSetting } from './settings.ts';

type Row = Record<string, any>;

export async function loadConfirmationSetting(db: Knex): Promise<MonthlyConfirmationSetting> {
  const stored = await getSetting<unknown>(db, MONTHLY_CONFIRMATION_KEY);
  if (!stored) return DEFAULT_MONTHLY_CONFIRMATION;
  const p = parseSetting(stored);
  return 'setting' in p ? p.setting : DEFAULT_MONTHLY_CONFIRMATION;
}

/**
 * Opens `month` for every unit without a row for it: one row each, due `dueOn`. A unit that has
 * its row already (a second run, a restart, the demo seed) gets nothing. The unit ids opened now.
 */
export async function openMonthRows(trx: Knex, month: string, dueOn: IsoDate, at: string): Promise<number[]> {
  const units: number[] = (await trx('units').orderBy('id').pluck('id')).map(Number);
  const have = new Set<number>((await trx('monthly_reports').where({ month }).pluck('unit_id')).map(Number));
  const opened: number[] = [];
  for (const id of units) {
    if (have.has(id)) continue;
    try {
      await trx('monthly_reports').insert({ unit_id: id, month, due_on: dueOn, confirmed_on: null, opened_at: at });
      opened.push(id);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  }
  return opened;
}

/** The unit's row of `month`, or its latest row when no month is named. */
export async function confirmationRow(db: Knex, unitId: number, month?: string): Promise<Row | undefined> {
  const q = db('monthly_reports as m').leftJoin('users as c', 'c.id', 'm.confirmed_by').where('m.unit_id', unitId)
    .select('m.*', 'c.name as confirmed_by_name');
  return month ? q.where('m.month', month).first() : q.orderBy('m.month', 'desc').first();
}

/** The latest month any unit has a row for. */
export async function latestOpenedMonth(db: Knex): Promise<string | null> {
  const r = await db('monthly_reports').max({ m: 'month' }).first();
  return (r?.m as string | null) ?? null;
}

/** Months that have rows, newest first. */
export async function confirmationMonths(db: Knex): Promise<string[]> {
  return db('monthly_reports').distinct('month').orderBy('month', 'desc').pluck('month');
}

/** Records the confirmation unless someone confirmed first: false then (nothing written). */
export async function writeConfirmation(trx: Knex, unitId: number, month: string, c: { on: IsoDate; by: string; at: string; note: string | null; snapshot: unknown }): Promise<boolean> {
  const n = await trx('monthly_reports').where({ unit_id: unitId, month }).whereNull('confirmed_on')
    .update({ confirmed_on: c.on, confirmed_by: c.by, confirmed_at: c.at, note: c.note, snapshot: JSON.stringify(c.snapshot) });
  return n > 0;
}

/** The unconfirmed rows of a month with their unit's name. */
export async function unconfirmedRows(db: Knex, month: string): Promise<Row[]> {
  return db('monthly_reports as m').join('units as u', 'u.id', 'm.unit_id').where('m.month', month).whereNull('m.confirmed_on')
    .orderBy('m.unit_id').select('m.unit_id', 'm.month', 'm.due_on', 'm.reminded_on', 'u.name');
}

export async function markReminded(trx: Knex, month: string, unitIds: number[], on: IsoDate): Promise<void> {
  for (let i = 0; i < unitIds.length; i += 500) {
    await trx('monthly_reports').where({ month }).whereIn('unit_id', unitIds.slice(i, i + 500)).update({ reminded_on: on });
  }
}

/** Every row of a month in a scope, with the unit and who confirmed, by unit id. */
export async function monthRows(db: Knex, month: string, scope: UnitScope): Promise<Row[]> {
  const q = db('monthly_reports as m').join('units as u', 'u.id', 'm.unit_id').leftJoin('users as c', 'c.id', 'm.confirmed_by')
    .where('m.month', month).orderBy('m.unit_id')
    .select('m.unit_id', 'm.month', 'm.due_on', 'm.confirmed_on', 'm.confirmed_by', 'm.confirmed_at', 'm.note', 'm.reminded_on', 'm.snapshot',
      'u.name as unit_name', 'u.code as unit_code', 'u.parent_id', 'c.name as confirmed_by_name');
  if (scope) q.whereIn('m.unit_id', scope.length ? scope : [0]);
  return q;
}

export type LightCounts = { red: number; yellow: number; hint: number };

/** Open findings of units by family and light (X-* cross-system rules their own family). */
export async function openFindingsByFamily(db: Knex, unitIds: number[], today: IsoDate, cal: WorkdayCalendar): Promise<Map<number, Record<FindingFamily, LightCounts>>> {
  const out = new Map<number, Record<FindingFamily, LightCounts>>();
  if (!unitIds.length) return out;
  for (let i = 0; i < unitIds.length; i += 500) {
    const rows: Row[] = await db('findings').where({ status: 'open' }).whereIn('unit_id', unitIds.slice(i, i + 500)).select('unit_id', 'rule', 'opened_on');
    for (const r of rows) {
      const u = Number(r.unit_id);
      let fam = out.get(u);
      if (!fam) out.set(u, (fam = emptyFamilies()));
      const light = findingLight({ rule: r.rule, openedOn: r.opened_on, resolvedOn: null }, today, cal);
      if (light !== 'green') fam[familyOf(r.rule)][light]++;
    }
  }
  return out;
}

export function emptyFamilies(): Record<FindingFamily, LightCounts> {
  return Object.fromEntries(FAMILIES.map((f) => [f, { red: 0, yellow: 0, hint: 0 }])) as Record<FindingFamily, LightCounts>;
}

/** The unit's open findings, most urgent first (rows of openFindingsQuery). */
export function unitOpenFindingRows(db: Knex, unitId: number): Knex.QueryBuilder {
  return openFindingsQuery(db, { unitIds: [unitId] });
}

/** What the other departments' latest roster says of a unit: null when that feed was never imported. */
export interface FeedFigures {
  month: string;
  /** Rows resolved to the unit. */
  rows: number;
  /** 社保: by 参保状态; 工资统发: paid / not paid. */
  by: Record<string, number>;
}

export interface ChecklistFigures {
  /** 核定/在编/空编/超编 by 编制类型 (the unit's own, not the units below). */
  staffing: Array<{ kind: string; approved: number; actual: number; vacant: number; over: number }>;
  /** The unit's people by status (在编, 待入编, …). */
  people: Record<string, number>;
  findings: Record<FindingFamily, LightCounts>;
  feeds: { 社保: FeedFigures | null; 工资统发: FeedFigures | null };
}

/** The latest live import of a feed kind. */
async function latestFeed(db: Knex, kind: string): Promise<Row | undefined> {
  return db('feed_imports').where({ kind }).whereNull('replaced_by').orderBy('month', 'desc').orderBy('id', 'desc').first('id', 'month');
}

export async function checklistFigures(db: Knex, unitId: number, today: IsoDate, cal: WorkdayCalendar): Promise<ChecklistFigures> {
  const [avail, people, fam, si, pay] = await Promise.all([
    unitAvailability(db, unitId, today),
    db('people').where({ unit_id: unitId }).select('status').count({ n: '*' }).groupBy('status'),
    openFindingsByFamily(db, [unitId], today, cal),
    latestFeed(db, '社保'),
    latestFeed(db, '工资统发'),
  ]);
  const feeds: ChecklistFigures['feeds'] = { 社保: null, 工资统发: null };
  if (si) {
    const rows: Row[] = await db('feed_social_insurance').where({ import_id: si.id, unit_id: unitId }).select('status').count({ n: '*' }).groupBy('status');
    feeds.社保 = { month: si.month, rows: rows.reduce((s, r) => s + Number(r.n), 0), by: Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)])) };
  }
  if (pay) {
    const rows: Row[] = await db('feed_payroll').where({ import_id: pay.id, unit_id: unitId }).select('paid').count({ n: '*' }).groupBy('paid');
    const by: Record<string, number> = { 发薪: 0, 未发薪: 0 };
    for (const r of rows) by[Number(r.paid) ? '发薪' : '未发薪'] += Number(r.n);
    feeds.工资统发 = { month: pay.month, rows: by.发薪 + by.未发薪, by };
  }
  return {
    staffing: avail.quotas.map((q) => ({ kind: q.kind, approved: q.approved, actual: q.actual, vacant: q.vacant, over: q.over })),
    people: Object.fromEntries((people as Row[]).map((r) => [String(r.status ?? '未填'), Number(r.n)])),
    findings: fam.get(unitId) ?? emptyFamilies(),
    feeds,
  };
}
