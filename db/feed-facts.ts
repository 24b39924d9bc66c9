// The facts the cross-system rules (core/rules/cross-system.ts, domain.md §5.9) read: what the
// other departments' current rosters say of each ID number and of each unit, matched by the
// keyed hash (never the number in clear).
//
// What is current (migration 019, core/feeds.ts): 社保, the import of the latest month (not
// replaced); 工资统发, the imports of the latest 3 months; 组织部任免, every current import.
// A feed never imported has no state: its facts are null and its rules are silent.
//
// One set of queries for the nightly check and the re-check of one person: the nightly check
// runs them over everyone and keeps only the exceptions (a few per thousand), the re-check runs
// the very same queries narrowed to one ID hash. So "absent from the 社保 roster" is a fact a
// query states (an anti-join), not the absence of a loaded row, and both paths agree.

import type { Knex } from 'knex';
import { SI_PENSION_STATUSES } from '../core/feeds.ts';
import { PAYROLL_MONTHS } from '../core/rules/cross-system.ts';
import type { FeedSubject, PersonFeedFacts, UnitFeedFacts, UnitRecord } from '../core/model.ts';
import type { Read } from './batch.ts';

type Row = Record<string, any>;

/** 参保状态 that count as being on a unit's 社保 roster (X-SI-01, X-SI-02). */
export const SI_ACTIVE = ['参保', '暂停'];
const SI_PENSION = [...SI_PENSION_STATUSES];
/** How many imported payroll months X-PY-02 looks back over. */
export { PAYROLL_MONTHS };

/**
 * A current import. `only`: no other import of its kind and month exists, so the month alone
 * names its rows and the queries stay within the (month, id_hash, …) indexes (a filter on
 * import_id would read every row: 20× slower at a million rows on MariaDB). When an earlier
 * import of the month was replaced and its rows kept, the import id is filtered too.
 */
export interface CurrentImport {
  month: string;
  importId: number;
  only: boolean;
}

export interface FeedState {
  si: CurrentImport | null;
  /** The newest imported months first, at most PAYROLL_MONTHS; empty when never imported. */
  payroll: CurrentImport[];
  /** The current imports of 组织部任免 (all months); empty when never imported. */
  appointments: number[];
}

export const NO_FEEDS: FeedState = { si: null, payroll: [], appointments: [] };

export function feedStateRead(db: Knex, set: (s: FeedState) => void): Read {
  return {
    query: db('feed_imports').select('id', 'kind', 'month', 'replaced_by'),
    apply: (rows) => set(feedStateOf(rows)),
  };
}

export function feedStateOf(all: Row[]): FeedState {
  const s: FeedState = { si: null, payroll: [], appointments: [] };
  const perMonth = new Map<string, number>();
  for (const r of all) perMonth.set(`${r.kind}|${r.month}`, (perMonth.get(`${r.kind}|${r.month}`) ?? 0) + 1);
  const only = (r: Row) => perMonth.get(`${r.kind}|${r.month}`) === 1;
  const rows = all.filter((r) => r.replaced_by == null);
  const sorted = [...rows].sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : Number(b.id) - Number(a.id)));
  for (const r of sorted) {
    if (r.kind === '社保' && !s.si) s.si = { month: r.month, importId: Number(r.id), only: only(r) };
    else if (r.kind === '工资统发' && s.payroll.length < PAYROLL_MONTHS && !s.payroll.some((p) => p.month === r.month)) s.payroll.push({ month: r.month, importId: Number(r.id), only: only(r) });
    else if (r.kind === '组织部任免') s.appointments.push(Number(r.id));
  }
  return s;
}

export async function loadFeedState(db: Knex): Promise<FeedState> {
  let s = NO_FEEDS;
  const r = feedStateRead(db, (x) => { s = x; });
  r.apply(await r.query);
  return s;
}

/** Person facts, held only for the ID hashes where something differs. */
export interface FeedIndex {
  state: FeedState;
  /** `${unit_id}|${id_hash}` of 在编 rows whose unit's 社保 roster does not list them as 参保/暂停. */
  siOut: Set<string>;
  pension: Map<string, string>;
  /** 在编 hashes paid in none of the payroll months. */
  unpaid: Set<string>;
  /** Pay units of the newest month where the hash is 在编 elsewhere. */
  payUnits: Map<string, Array<{ unitId: number; name: string }>>;
  appointment: Map<string, NonNullable<PersonFeedFacts['appointment']> & { id: number }>;
  workers: Map<string, number>;
  /** Every hash above: the people to check again with their facts. */
  hashes: Set<string>;
}

export const emptyFeedIndex = (state: FeedState = NO_FEEDS): FeedIndex => ({
  state, siOut: new Set(), pension: new Map(), unpaid: new Set(), payUnits: new Map(), appointment: new Map(), workers: new Map(), hashes: new Set(),
});

/** Restricts feed rows (alias `a`) to the current imports `cur` (by month; by import id too where a month has had several). */
function currentRows(q: Knex.QueryBuilder, a: string, cur: CurrentImport[]): Knex.QueryBuilder {
  q = cur.length === 1 ? q.where(`${a}.month`, cur[0].month) : q.whereIn(`${a}.month`, cur.map((c) => c.month));
  return cur.every((c) => c.only) ? q : q.whereIn(`${a}.import_id`, cur.map((c) => c.importId));
}

/**
 * A roster row that is the feed month's: any status but 已出编, or 已出编 on a day of that month or
 * later (出编日期 on or after its first day). A person who left in December was still the unit's in
 * the November 社保 list and payroll: that month does not count against them (X-SI-02, X-PY-01).
 */
const liveIn = (q: Knex.QueryBuilder, a: string, month: string) =>
  q.where((w) => w.whereNull(`${a}.status`).orWhereNot(`${a}.status`, '已出编').orWhere(`${a}.exit_on`, '>=', `${month}-01`));

/**
 * The reads that fill `idx` with the person facts: over everyone (`hash` undefined, the nightly
 * check) or one ID hash (the re-check). The same queries either way.
 */
export function personFeedReads(db: Knex, idx: FeedIndex, hash?: string): Read[] {
  const st = idx.state;
  const one = (q: Knex.QueryBuilder, col: string) => (hash === undefined ? q.whereNotNull(col) : q.where(col, hash));
  const reads: Read[] = [];
  if (st.si) {
    const { month } = st.si;
    const si = [st.si];
    reads.push({
      // X-SI-01: 在编 rows the unit's 社保 roster does not list as 参保 or 暂停.
      query: one(db('people as p').where('p.status', '在编'), 'p.id_hash').whereNotExists(
        currentRows(db('feed_social_insurance as s'), 's', si).whereRaw('s.id_hash = p.id_hash').whereRaw('s.unit_id = p.unit_id').whereIn('s.status', SI_ACTIVE).select(db.raw('1')),
      ).select('p.unit_id', 'p.id_hash'),
      apply: (rows) => { for (const r of rows) { idx.siOut.add(`${r.unit_id}|${r.id_hash}`); idx.hashes.add(r.id_hash); } },
    }, {
      // X-SI-03: a pensioner's status anywhere in the roster, for people 在编.
      query: one(currentRows(db('feed_social_insurance as s'), 's', si).whereIn('s.status', SI_PENSION), 's.id_hash')
        .whereExists(db('people as p').whereRaw('p.id_hash = s.id_hash').where('p.status', '在编').select(db.raw('1'))).select('s.id_hash', 's.status'),
      apply: (rows) => { for (const r of rows) { idx.pension.set(r.id_hash, r.status); idx.hashes.add(r.id_hash); } },
    });
  }
  if (st.payroll.length) {
    const latest = st.payroll[0];
    reads.push({
      // X-PY-02: 在编 and paid in none of the months.
      // One NOT EXISTS per month: each an equality probe of the (month, id_hash, …) index (a range
      // over the months makes MariaDB materialise every payroll row of them: 3.5× slower).
      query: st.payroll.reduce((q, m) => q.whereNotExists(
        currentRows(db('feed_payroll as f'), 'f', [m]).whereRaw('f.id_hash = p.id_hash').where('f.paid', true).select(db.raw('1')),
      ), one(db('people as p').where('p.status', '在编'), 'p.id_hash')).distinct('p.id_hash'),
      apply: (rows) => { for (const r of rows) { idx.unpaid.add(r.id_hash); idx.hashes.add(r.id_hash); } },
    }, {
      // X-PY-03: paid in the newest month by a unit where the person is not the only 在编 row (a unit other than one of theirs).
      query: one(currentRows(db('feed_payroll as f'), 'f', [latest]).join('units as u', 'u.id', 'f.unit_id').where('f.paid', true), 'f.id_hash')
        .whereExists(db('people as p').whereRaw('p.id_hash = f.id_hash').where('p.status', '在编').whereRaw('p.unit_id <> f.unit_id').select(db.raw('1')))
        .select('f.id_hash', 'f.unit_id', 'u.name'),
      apply: (rows) => {
        for (const r of rows) {
          const list = idx.payUnits.get(r.id_hash) ?? [];
          if (!list.some((x) => x.unitId === Number(r.unit_id))) list.push({ unitId: Number(r.unit_id), name: r.name });
          idx.payUnits.set(r.id_hash, list);
          idx.hashes.add(r.id_hash);
        }
      },
    });
  }
  if (st.appointments.length) {
    reads.push({
      // X-OR-01: the 任职 documents of people 在编; the latest by document date is kept.
      query: one(db('feed_appointments as a').whereIn('a.import_id', st.appointments).where('a.action', '任职'), 'a.id_hash')
        .whereExists(db('people as p').whereRaw('p.id_hash = a.id_hash').where('p.status', '在编').select(db.raw('1')))
        .select('a.id', 'a.id_hash', 'a.post', 'a.rank', 'a.doc_no', 'a.doc_date'),
      apply: (rows) => {
        for (const r of rows) {
          if (!r.doc_date) continue;
          const cur = idx.appointment.get(r.id_hash);
          if (cur && (cur.docDate > r.doc_date || (cur.docDate === r.doc_date && cur.id > Number(r.id)))) continue;
          idx.appointment.set(r.id_hash, { id: Number(r.id), post: r.post ?? null, rank: r.rank ?? null, docNo: r.doc_no ?? null, docDate: r.doc_date });
          idx.hashes.add(r.id_hash);
        }
      },
    });
  }
  // X-ED-01: registered as 编外 while 在编 (any unit, any county of the deployment). Not a feed: always on.
  reads.push({
    query: one(db('workers as w'), 'w.id_hash').whereExists(db('people as p').whereRaw('p.id_hash = w.id_hash').where('p.status', '在编').select(db.raw('1')))
      .select('w.id_hash').count({ n: '*' }).groupBy('w.id_hash'),
    apply: (rows) => { for (const r of rows) { idx.workers.set(r.id_hash, Number(r.n)); idx.hashes.add(r.id_hash); } },
  });
  return reads;
}

/** The facts of one roster row, from the index (a hash the index does not name differs in nothing). */
export function feedsFor(idx: FeedIndex, r: Row): PersonFeedFacts | undefined {
  const h: string | null = r.id_hash ?? null;
  if (!h) return undefined;
  const st = idx.state;
  const named = idx.hashes.has(h);
  if (!named && !st.si && !st.payroll.length && !st.appointments.length) return undefined;
  const unitId = Number(r.unit_id);
  return {
    si: st.si ? { month: st.si.month, inUnitRoster: !idx.siOut.has(`${unitId}|${h}`), pensionStatus: idx.pension.get(h) ?? null } : null,
    payroll: st.payroll.length ? { months: st.payroll.map((p) => p.month), paidInMonths: !idx.unpaid.has(h), latestPayUnits: idx.payUnits.get(h) ?? [] } : null,
    appointment: st.appointments.length ? (() => { const a = idx.appointment.get(h); return a ? { post: a.post, rank: a.rank, docNo: a.docNo, docDate: a.docDate } : null; })() : null,
    workerRegistrations: idx.workers.get(h) ?? 0,
  };
}

/** Loads the person facts of everyone (the nightly check), each family one read, side by side on the pool. */
export async function loadFeedIndex(db: Knex, state: FeedState): Promise<FeedIndex> {
  const idx = emptyFeedIndex(state);
  await Promise.all(personFeedReads(db, idx).map(async (r) => r.apply((await r.query) as Row[])));
  return idx;
}

const emptyUnitFeeds = (): UnitFeedFacts => ({ siUnregistered: [], paidWithoutRecord: [], appointments: [], leaderApprovals: [] });

function subjectOf(r: Row): FeedSubject {
  const masked = r.id_masked || null;
  return { key: `${masked ?? '无证号'}·${r.name}`, name: r.name, idMasked: masked };
}

/**
 * The unit facts (X-SI-02, X-PY-01, X-OR-02) for all units (`unitIds` null) or a few. Feed rows
 * whose unit was not resolved (no unit, or several with the credit code) are not a unit's
 * finding: the import reports them (feed_imports.unmatched_units) for the office to resolve.
 */
export function unitFeedReads(db: Knex, state: FeedState, unitIds: number[] | null, units: Map<number, UnitRecord>): Read[] {
  const feedsOf = (id: unknown): UnitFeedFacts | null => {
    const u = units.get(Number(id));
    if (!u) return null;
    return (u.agg.feeds ??= emptyUnitFeeds());
  };
  const within = (q: Knex.QueryBuilder, col: string) => (unitIds ? q.whereIn(col, unitIds) : q.whereNotNull(col));
  // The rows that differ are found on the feed's index alone (ids), then read by id: reading every
  // row of the month for its name would cost a random read each (6× slower at a million rows).
  const byIds = (table: string, a: string, ids: Knex.QueryBuilder, columns: string[]) =>
    db.from(ids.limit(Number.MAX_SAFE_INTEGER).as('x')).join(`${table} as ${a}`, `${a}.id`, 'x.id').select(columns.map((c) => `${a}.${c}`)).orderBy(`${a}.id`);
  const reads: Read[] = [];
  if (state.si) {
    const { month } = state.si;
    reads.push({
      query: byIds('feed_social_insurance', 's', within(currentRows(db('feed_social_insurance as d'), 'd', [state.si]).whereIn('d.status', SI_ACTIVE).whereNotNull('d.id_hash'), 'd.unit_id')
        .whereNotExists(liveIn(db('people as p').whereRaw('p.id_hash = d.id_hash').whereRaw('p.unit_id = d.unit_id'), 'p', month).select(db.raw('1')))
        .whereNotExists(db('workers as w').whereRaw('w.unit_id = d.unit_id').whereRaw('w.id_hash = d.id_hash').select(db.raw('1')))
        .select('d.id'), ['unit_id', 'name', 'id_masked', 'status']),
      apply: (rows) => { for (const r of rows) feedsOf(r.unit_id)?.siUnregistered.push({ ...subjectOf(r), status: r.status, month }); },
    });
  }
  if (state.payroll.length) {
    const latest = state.payroll[0];
    reads.push({
      query: byIds('feed_payroll', 'f', within(currentRows(db('feed_payroll as d'), 'd', [latest]).where('d.paid', true).whereNotNull('d.id_hash'), 'd.unit_id')
        .whereNotExists(liveIn(db('people as p').whereRaw('p.id_hash = d.id_hash'), 'p', latest.month).select(db.raw('1')))
        .select('d.id'), ['unit_id', 'name', 'id_masked', 'amount']),
      apply: (rows) => { for (const r of rows) feedsOf(r.unit_id)?.paidWithoutRecord.push({ ...subjectOf(r), month: latest.month, amount: r.amount == null ? null : Number(r.amount) }); },
    });
  }
  if (state.appointments.length) {
    reads.push({
      query: within(db('feed_appointments as a').whereIn('a.import_id', state.appointments).where('a.action', '任职'), 'a.unit_id')
        .select('a.unit_id', 'a.name', 'a.id_masked', 'a.post', 'a.rank', 'a.doc_no', 'a.doc_date').orderBy('a.id'),
      apply: (rows) => { for (const r of rows) feedsOf(r.unit_id)?.appointments.push({ ...subjectOf(r), post: r.post ?? null, rank: r.rank ?? null, docNo: r.doc_no ?? null, docDate: r.doc_date ?? null }); },
    }, {
      query: within(db('staffing_requests as q').where('q.kind', '领导职数使用').whereIn('q.status', ['approved', 'completed']).whereNotNull('q.approved_on'), 'q.unit_id').select('q.unit_id', 'q.approved_on'),
      apply: (rows) => { for (const r of rows) feedsOf(r.unit_id)?.leaderApprovals.push(r.approved_on); },
    });
  }
  return reads;
}
