// 一单位一画像 (Ningbo art. 11): everything about one unit on one page, read in one round trip
// (db/batch.ts) by the unit's id from small indexed tables: its row and parent, 核定 by kind and
// its stored figures (unit_stats: 实有, 在途, 空编, 超编, structure, retirements), 领导职数 and the
// 在编 people holding a 领导职务, 内设机构, its open findings, its daily and monthly lights, its
// monthly scores, its staffing requests and the versions of its record. The only people read are
// the unit's own 在编 rows (people.unit_id), filtered in node with personStatKeys: never a scan of
// the roster.

import type { Knex } from 'knex';
import { addDays, addMonthsToMonth, monthOf } from '../core/dates.ts';
import type { IsoDate, PersonRecord, UnitRecord } from '../core/model.ts';
import { personStatKeys, statKey, statsOf, STRUCTURE_DIMS, type UnitStats } from '../core/unit-stats.ts';
import { runReads } from './batch.ts';
import { openFindingsQuery } from './findings.ts';
import { PERSON_COLUMNS, personFromRow, unitFromRow } from './records.ts';
import { requestsQuery } from './requests.ts';
import { calendarRowsQuery } from './settings.ts';

type Row = Record<string, any>;

/** Days of daily lights and months of monthly status, scores and years of retirements the portrait shows. */
export const PORTRAIT_LIGHT_DAYS = 90;
export const PORTRAIT_MONTHS = 24;
export const PORTRAIT_RETIRE_YEARS = 5;
const MAX_FINDINGS = 300;
const MAX_REQUESTS = 50;
const MAX_VERSIONS = 30;

/** The raw rows of a unit's portrait, as read; shaped for the API by server/routes/api/portrait.ts. */
export interface PortraitRows {
  unit: Row | null;
  parent: { id: number; name: string } | null;
  quotas: Row[];
  leaderPosts: Row[];
  offices: string[];
  stats: UnitStats;
  /** The unit's 在编 people as the checks see them, and the row columns the portrait shows beside. */
  people: Array<{ record: PersonRecord; row: Row }>;
  findings: Row[];
  calendar: Row[];
  dailyLights: Row[];
  monthly: Row[];
  scores: Row[];
  scoredUnits: Map<string, number>;
  requests: Row[];
  steps: Row[];
  versions: Row[];
  statsAsOf: IsoDate | null;
}

/**
 * All reads of a unit's portrait in one round trip. `fullIds`: the leaders' ID ciphertexts are
 * read too (FULL_ID_ROLES), to be decrypted by the caller; otherwise never selected.
 */
export async function readPortrait(db: Knex, unitId: number, today: IsoDate, opts: { fullIds?: boolean } = {}): Promise<PortraitRows> {
  const out: PortraitRows = {
    unit: null, parent: null, quotas: [], leaderPosts: [], offices: [], stats: new Map(), people: [], findings: [], calendar: [],
    dailyLights: [], monthly: [], scores: [], scoredUnits: new Map(), requests: [], steps: [], versions: [], statsAsOf: null,
  };
  const firstMonth = addMonthsToMonth(monthOf(today), -(PORTRAIT_MONTHS - 1));
  // The latest requests' ids in a derived table (MariaDB allows no LIMIT inside IN (…)).
  const requestIds = db('staffing_requests').where({ unit_id: unitId }).whereNotNull('request_no').orderBy('id', 'desc').limit(MAX_REQUESTS).select('id');
  let peopleRows: Row[] = [];
  await runReads(db, [
    { query: db('units as u').leftJoin('units as pu', 'pu.id', 'u.parent_id').where('u.id', unitId).select('u.*', 'pu.name as parent_name'), apply: (rows) => {
      out.unit = rows[0] ?? null;
      if (out.unit?.parent_id != null && out.unit.parent_name) out.parent = { id: Number(out.unit.parent_id), name: out.unit.parent_name };
    } },
    { query: db('quotas').where({ unit_id: unitId }).orderBy('id').select('kind', 'approved', 'approval_no'), apply: (rows) => { out.quotas = rows; } },
    { query: db('leader_posts').where({ unit_id: unitId }).orderBy('id').select('kind', 'approved', 'approval_no'), apply: (rows) => { out.leaderPosts = rows; } },
    { query: db('internal_offices').where({ unit_id: unitId }).orderBy('id').select('name'), apply: (rows) => { out.offices = rows.map((r) => r.name); } },
    { query: db('unit_stats').where({ unit_id: unitId }).whereNot({ dim: '#' }).select('dim', 'key', 'n'), apply: (rows) => { for (const r of rows) out.stats.set(statKey(r.dim, r.key), Number(r.n)); } },
    { query: db('people').where({ unit_id: unitId, status: '在编' }).orderBy('id').select([...PERSON_COLUMNS, ...(opts.fullIds ? ['id_enc'] : [])]), apply: (rows) => { peopleRows = rows; } },
    { query: openFindingsQuery(db, { unitIds: [unitId] }).limit(MAX_FINDINGS), apply: (rows) => { out.findings = rows; } },
    { query: calendarRowsQuery(db), apply: (rows) => { out.calendar = rows; } },
    { query: db('unit_daily_lights').where({ unit_id: unitId }).where('date', '>', addDays(today, -PORTRAIT_LIGHT_DAYS)).orderBy('date').select('date', 'light', 'yellow', 'red'), apply: (rows) => { out.dailyLights = rows; } },
    { query: db('unit_monthly_status').where({ unit_id: unitId }).where('month', '>=', firstMonth).orderBy('month').select('month', 'light', 'red_days', 'consecutive_red', 'action'), apply: (rows) => { out.monthly = rows; } },
    { query: db('unit_scores').where({ unit_id: unitId }).orderBy('month', 'desc').limit(PORTRAIT_MONTHS).select('month', 'score', 'rank', 'deductions'), apply: (rows) => { out.scores = rows; } },
    // How many units each month ranked: the month close writes the ranking with the scores (one row a month, not a count over every unit's score).
    { query: db('rankings').where('month', '>=', firstMonth).select('month', 'units'), apply: (rows) => { for (const r of rows) out.scoredUnits.set(r.month, Number(r.units)); } },
    { query: requestsQuery(db, { unitIds: null, unitId, limit: MAX_REQUESTS }).leftJoin('people as p', 'p.id', 'r.person_id').select('p.name as person_name'), apply: (rows) => { out.requests = rows; } },
    { query: db('request_steps as s').leftJoin('users as us', 'us.id', 's.by').whereIn('s.request_id', db.select('rq.id').from(requestIds.as('rq'))).orderBy('s.id').select('s.request_id', 's.step', 's.by', 'us.name as by_name', 's.decision', 's.comment', 's.at'), apply: (rows) => { out.steps = rows; } },
    { query: db('record_versions as v').leftJoin('users as us', 'us.id', 'v.changed_by').where({ 'v.entity': 'unit', 'v.entity_id': unitId }).orderBy('v.version', 'desc').limit(MAX_VERSIONS)
      .select('v.version', 'v.before', 'v.after', 'v.changed_by', 'v.changed_at', 'v.source', 'v.reason', 'us.name as changed_by_name'), apply: (rows) => { out.versions = rows; } },
    { query: db('settings').where({ key: 'unit-stats' }).select('value'), apply: (rows) => { out.statsAsOf = rows[0] ? (JSON.parse(rows[0].value) as { date: IsoDate }).date : null; } },
  ], true);
  out.people = peopleRows.map((row) => ({ record: personFromRow(row), row }));
  return out;
}

/** The unit as the rules see it (for retirement ages by the unit's 规格), from its row. */
export function portraitUnitRecord(rows: PortraitRows): UnitRecord | null {
  return rows.unit ? unitFromRow(rows.unit) : null;
}

export interface RetirementWindow {
  /** The first and last months counted (YYYY-MM): 5 years from the month of the stored figures. */
  from: string;
  to: string;
}

/** The next 5 years of retirements, from the month of the figures (their `retire` keys' origin). */
export function retirementWindow(asOf: IsoDate): RetirementWindow {
  const from = monthOf(asOf);
  return { from, to: addMonthsToMonth(from, PORTRAIT_RETIRE_YEARS * 12 - 1) };
}

/** Retirements in the window by calendar year and 编制类型, from the stored `retire` stats. */
export function retirementsByYear(stats: UnitStats, w: RetirementWindow): Array<{ year: string; n: number; byKind: Record<string, number> }> {
  const years = new Map<string, { n: number; byKind: Record<string, number> }>();
  for (let y = Number(w.from.slice(0, 4)); y <= Number(w.to.slice(0, 4)); y++) years.set(String(y), { n: 0, byKind: {} });
  for (const [key, n] of Object.entries(statsOf(stats, 'retire'))) {
    const [month, kind] = key.split('|');
    if (month < w.from || month > w.to) continue;
    const y = years.get(month.slice(0, 4))!;
    y.n += n;
    y.byKind[kind] = (y.byKind[kind] ?? 0) + n;
  }
  return [...years].map(([year, v]) => ({ year, ...v }));
}

/**
 * The unit's 在编 people retiring in the window, by their stat keys (personStatKeys: the same
 * definition the `retire` figures were counted with), earliest first.
 */
export function retiringPeople(people: PortraitRows['people'], unit: UnitRecord | null, asOf: IsoDate, w: RetirementWindow): Array<{ person: PersonRecord; row: Row; month: string; quotaKind: string }> {
  const out: Array<{ person: PersonRecord; row: Row; month: string; quotaKind: string }> = [];
  for (const { record, row } of people) {
    const key = personStatKeys(record, unit, asOf).find(([dim]) => dim === 'retire')?.[1];
    if (!key) continue;
    const [month, quotaKind] = key.split('|');
    if (month >= w.from && month <= w.to) out.push({ person: record, row, month, quotaKind });
  }
  return out.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.person.id - b.person.id));
}

/** The 在编 people holding a 领导职务 (领导职务层次 other than 非领导), by post kind order then name. */
export function leaderHolders(people: PortraitRows['people']): PortraitRows['people'] {
  const order = ['单位正职', '单位副职', '中层正职', '中层副职'];
  const rank = (l: string | null) => { const i = order.indexOf(l ?? ''); return i < 0 ? order.length : i; };
  return people.filter(({ record }) => record.leaderLevel && record.leaderLevel !== '非领导')
    .sort((a, b) => rank(a.record.leaderLevel) - rank(b.record.leaderLevel) || a.record.name.localeCompare(b.record.name, 'zh') || a.record.id - b.record.id);
}

/** The structure dims of the unit's 在编 staff as stored. */
export function structureOf(stats: UnitStats): Array<{ dim: string; title: string; counts: Record<string, number> }> {
  return STRUCTURE_DIMS.map(({ dim, title }) => ({ dim, title, counts: statsOf(stats, dim) }));
}
