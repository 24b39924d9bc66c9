// The facts of the weekly supervision list (core/weekly-list.ts) read for a day, the office's
// request limit, the lists as sent (weekly_lists), and who each part goes to. A handful of
// grouped queries whatever the number of units: red findings are cut in SQL by their opening
// day (a finding opened after the latest red opening day cannot be red), self-checks counted by
// unit, suspensions and waiting requests are few.

import type { Knex } from 'knex';
import { findingHeading } from '../cards/details.ts';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { addDays, addMonthsToMonth, monthOf } from '../core/dates.ts';
import { HINT_RULES, YELLOW_WORKDAYS } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { selfChecksShort } from '../core/rules/process.ts';
import { DEFAULT_REQUEST_LIMIT_WORKDAYS, MAX_REQUEST_LIMIT_WORKDAYS, type WeeklyFacts, type WeeklyList, type WeeklySettings, type WeeklySuspensionFact } from '../core/weekly-list.ts';
import { nowMoment } from './clock.ts';
import { isDuplicateKey } from './errors.ts';
import { HANDLED_KINDS } from './requests.ts';
import { getSetting, putSetting } from './settings.ts';

type Row = Record<string, any>;

/** The office setting: a request waiting on the office longer than this many working days is listed. */
export const REQUEST_LIMIT_KEY = 'weekly.requestLimitWorkdays';

export async function loadWeeklySettings(db: Knex): Promise<WeeklySettings> {
  const limit = await getSetting<number>(db, REQUEST_LIMIT_KEY);
  const rule: Row | undefined = await db('rule_settings').where({ code: selfChecksShort.code }).first('params');
  const params = rule?.params ? (JSON.parse(rule.params) as Record<string, unknown>) : {};
  const min = Number(params.minPerMonth ?? selfChecksShort.params.minPerMonth);
  return {
    requestLimitWorkdays: Number.isInteger(limit) && limit! >= 1 ? limit! : DEFAULT_REQUEST_LIMIT_WORKDAYS,
    minSelfChecks: Number.isFinite(min) && min >= 0 ? min : Number(selfChecksShort.params.minPerMonth),
  };
}

/** Sets the office's request limit (whole working days, 1…MAX_REQUEST_LIMIT_WORKDAYS); the caller validated it. */
export async function setRequestLimit(db: Knex, workdays: number): Promise<void> {
  if (!Number.isInteger(workdays) || workdays < 1 || workdays > MAX_REQUEST_LIMIT_WORKDAYS) throw new RangeError(`bad limit ${workdays}`);
  await putSetting(db, REQUEST_LIMIT_KEY, workdays);
}

/** The latest opening day of a finding that is red on `date` (open more than the yellow window). */
export function latestRedOpening(date: IsoDate, cal: WorkdayCalendar): IsoDate {
  let d = addDays(date, -1);
  for (let i = 0; i < 60 && cal.workdaysBetween(d, date) <= YELLOW_WORKDAYS; i++) d = addDays(d, -1);
  return d;
}

/** The units with what the list says of them: name, region (the unit's, else the regions table's), parent, group. */
export interface WeeklyUnitRow {
  id: number;
  name: string;
  code: string | null;
  regionCode: string | null;
  regionName: string | null;
  parentId: number | null;
  groupId: string | null;
}

export async function weeklyUnits(db: Knex): Promise<WeeklyUnitRow[]> {
  const rows: Row[] = await db('units as u').leftJoin('regions as r', 'r.code', 'u.region_code')
    .select('u.id', 'u.name', 'u.code', 'u.region_code', 'u.region_name', 'r.name as r_name', 'u.parent_id', 'u.group_id');
  return rows.map((r) => ({
    id: Number(r.id), name: r.name, code: r.code ?? null, regionCode: r.region_code ?? null, regionName: r.region_name ?? r.r_name ?? null,
    parentId: r.parent_id == null ? null : Number(r.parent_id), groupId: r.group_id ?? null,
  }));
}

/** The facts of `date`'s list (the units come from `weeklyUnits`). */
export async function weeklyFacts(db: Knex, date: IsoDate, cal: WorkdayCalendar, units: WeeklyUnitRow[]): Promise<WeeklyFacts> {
  const settings = await loadWeeklySettings(db);
  const cut = latestRedOpening(date, cal);
  const findings: Row[] = await db('findings').where('status', 'open').where('opened_on', '<=', cut).whereNotIn('rule', [...HINT_RULES])
    .select('id', 'unit_id', 'rule', 'qualifier', 'subject_name', 'subject_id_masked', 'opened_on');

  // Suspensions in force: the unit's own and, inherited, every unit below it.
  const own: Row[] = await db('sanctions').where({ kind: 'suspension' }).where('starts_on', '<=', date).where('ends_on', '>=', date).select('unit_id', 'starts_on', 'ends_on');
  const suspensions: WeeklySuspensionFact[] = [];
  if (own.length) {
    const children = new Map<number, number[]>();
    for (const u of units) if (u.parentId != null) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
    for (const s of own) {
      const root = Number(s.unit_id);
      const seen = new Set<number>([root]);
      const stack = [root];
      while (stack.length) for (const c of children.get(stack.pop()!) ?? []) if (!seen.has(c)) { seen.add(c); stack.push(c); }
      for (const id of seen) suspensions.push({ unitId: id, startsOn: s.starts_on, endsOn: s.ends_on, byUnitId: root });
    }
  }

  const requests: Row[] = await db('staffing_requests').whereIn('status', ['submitted', 'reviewed']).whereIn('kind', HANDLED_KINDS).whereNotNull('request_no')
    .where('created_at', '<', `${addDays(date, 1)} 00:00:00`).select('id', 'request_no', 'unit_id', 'kind', 'status', 'created_at');

  const month = monthOf(date);
  const checks: Row[] = await db('self_checks').where('at', '>=', `${month}-01`).where('at', '<', `${addDays(date, 1)} 00:00:00`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`)
    .select('unit_id').count({ n: '*' }).groupBy('unit_id');

  return {
    date,
    units: units.map((u) => ({ id: u.id, name: u.name, code: u.code, regionCode: u.regionCode, regionName: u.regionName })),
    findings: findings.map((f) => ({
      findingId: Number(f.id), unitId: Number(f.unit_id), rule: f.rule, title: findingHeading(f.rule, f.qualifier), subject: f.subject_name ?? '',
      idMasked: f.subject_id_masked ?? null, openedOn: f.opened_on,
    })),
    suspensions,
    requests: requests.map((r) => ({ id: Number(r.id), no: r.request_no, unitId: Number(r.unit_id), kind: r.kind, state: r.status, submittedOn: String(r.created_at).slice(0, 10) })),
    selfChecks: new Map(checks.map((c) => [Number(c.unit_id), Number(c.n)])),
    selfCheckUnitIds: units.map((u) => u.id),
    settings,
  };
}

/** Stores the week's list; false when that week's list was stored already (the unique week). */
export async function insertWeeklyList(trx: Knex, list: WeeklyList): Promise<boolean> {
  try {
    await trx('weekly_lists').insert({ week: list.week, date: list.date, content: JSON.stringify(list), created_at: nowMoment() });
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/** The list stored for a week (its Monday), with when it was made. */
export async function weeklyListOfWeek(db: Knex, week: IsoDate): Promise<{ list: WeeklyList; createdAt: string } | null> {
  const r: Row | undefined = await db('weekly_lists').where({ week }).first('content', 'created_at');
  return r ? { list: JSON.parse(r.content) as WeeklyList, createdAt: r.created_at } : null;
}

/** The week (Monday) of the latest list made for a day up to `date`, without reading its content. */
export async function latestWeeklyWeek(db: Knex, date: IsoDate): Promise<IsoDate | null> {
  const r: Row | undefined = await db('weekly_lists').where('date', '<=', date).orderBy('week', 'desc').first('week');
  return (r?.week as IsoDate | undefined) ?? null;
}

/** Who gets each part: the 单位专管员 of the units (unlocked), and the office's own users. */
export async function weeklyRecipients(db: Knex, unitIds: number[]): Promise<{ specialists: Map<number, Array<{ userId: string; name: string }>>; office: string[] }> {
  const specialists = new Map<number, Array<{ userId: string; name: string }>>();
  for (let i = 0; i < unitIds.length; i += 1000) {
    const rows: Row[] = await db('users').where({ role: '单位专管员', locked: false }).whereIn('unit_id', unitIds.slice(i, i + 1000)).orderBy('id').select('id', 'name', 'unit_id');
    for (const r of rows) specialists.set(Number(r.unit_id), [...(specialists.get(Number(r.unit_id)) ?? []), { userId: r.id, name: r.name }]);
  }
  const office: string[] = await db('users').whereIn('role', ['编办管理员', '编办业务人员']).where({ locked: false }).orderBy('id').pluck('id');
  return { specialists, office };
}

/**
 * What card updates need to know of some units now, in a few grouped reads whatever their number:
 * which of the listed findings are still open, and each unit's self-checks in the month of `date`.
 */
export async function unitsProgress(db: Knex, findingIds: number[], unitIds: number[], date: IsoDate): Promise<{ open: Set<number>; selfChecks: Map<number, number> }> {
  const open = new Set<number>();
  for (let i = 0; i < findingIds.length; i += 1000) {
    for (const id of await db('findings').whereIn('id', findingIds.slice(i, i + 1000)).where('status', 'open').pluck('id')) open.add(Number(id));
  }
  const month = monthOf(date);
  const selfChecks = new Map<number, number>();
  for (let i = 0; i < unitIds.length; i += 1000) {
    const rows: Row[] = await db('self_checks').whereIn('unit_id', unitIds.slice(i, i + 1000)).where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`)
      .select('unit_id').count({ n: '*' }).groupBy('unit_id');
    for (const r of rows) selfChecks.set(Number(r.unit_id), Number(r.n));
  }
  return { open, selfChecks };
}
