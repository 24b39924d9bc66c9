// Stored rows → the normalised records of core/model.ts, and the grouped facts the cross-row
// rules read. The nightly check and the re-check of one record both come through here.

import type { Knex } from 'knex';
import { addInTransit, emptyAggregates } from '../core/aggregates.ts';
import { monthOf, addMonthsToMonth } from '../core/dates.ts';
import type { IdFacts, IsoDate, PersonCross, PersonRecord, UnitRecord, WorkerRecord } from '../core/model.ts';
import { runReads, type Read } from './batch.ts';
import { isSqlite } from './connection.ts';

type Row = Record<string, any>;

const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';
const nbool = (v: unknown): boolean | null => (v === null || v === undefined ? null : bool(v));

/** The columns the checks read; the ciphertext is never selected. */
export const PERSON_COLUMNS = [
  'id', 'unit_id', 'id_hash', 'id_masked', 'id_kind', 'id_check_ok', 'id_expected_check', 'id_birth', 'id_birth_invalid', 'id_gender',
  'id_province_ok', 'id_irregular', 'name', 'gender', 'ethnicity', 'birth_date', 'office', 'status', 'quota_kind', 'posts',
  'leader_level', 'rank', 'post_category', 'title', 'duty_status', 'duty_status_since', 'entered_on', 'work_start_on',
  'current_post_since', 'education', 'identity', 'late_retire_until', 'politics', 'birth_key', 'extra',
];
export const WORKER_COLUMNS = [
  'id', 'unit_id', 'id_hash', 'id_masked', 'id_kind', 'id_check_ok', 'id_expected_check', 'id_birth', 'id_birth_invalid', 'id_gender',
  'id_province_ok', 'id_irregular', 'name', 'gender', 'post_class', 'post_name', 'employment', 'first_contract_on',
];

export function idFactsOf(r: Row): IdFacts {
  return {
    kind: r.id_kind,
    checkOk: bool(r.id_check_ok),
    expectedCheck: r.id_expected_check ?? null,
    birth: r.id_birth ?? null,
    birthInvalid: bool(r.id_birth_invalid),
    gender: r.id_gender ?? null,
    provinceOk: bool(r.id_province_ok),
    irregular: bool(r.id_irregular),
    masked: r.id_masked,
  };
}

const NO_CROSS: PersonCross = Object.freeze({ sameIdInUnit: 0, otherQuotaUnits: 0, sameNameBirthOtherIds: 0, pendingChanges: Object.freeze([]) as any }) as PersonCross;

export function personFromRow(r: Row, cross: PersonCross = NO_CROSS): PersonRecord {
  return {
    id: Number(r.id), unitId: Number(r.unit_id), idFacts: idFactsOf(r), name: r.name, gender: r.gender ?? null,
    ethnicity: r.ethnicity ?? null, birthDate: r.birth_date ?? null, office: r.office ?? null, status: r.status ?? null,
    quotaKind: r.quota_kind ?? null, posts: r.posts ?? null, leaderLevel: r.leader_level ?? null, rank: r.rank ?? null,
    postCategory: r.post_category ?? null, title: r.title ?? null, dutyStatus: r.duty_status ?? null,
    dutyStatusSince: r.duty_status_since ?? null, enteredOn: r.entered_on ?? null, workStartOn: r.work_start_on ?? null,
    currentPostSince: r.current_post_since ?? null, education: r.education ?? null, identity: r.identity ?? null,
    lateRetireUntil: r.late_retire_until ?? null, politics: r.politics ?? null, cross,
  };
}

/** 是否高配 = 是 in the person's extra columns: an approved higher-level posting (U-LD-05). */
export function highApproved(r: Row): boolean {
  return typeof r.extra === 'string' && r.extra.includes('"是否高配":"是"');
}

export function workerFromRow(r: Row, alsoOnQuota = false): WorkerRecord {
  return {
    id: Number(r.id), unitId: Number(r.unit_id), idFacts: idFactsOf(r), name: r.name, gender: r.gender ?? null,
    postClass: r.post_class ?? null, postName: r.post_name ?? null, employment: r.employment ?? null,
    firstContractOn: r.first_contract_on ?? null, alsoOnQuota,
  };
}

export function unitFromRow(r: Row): UnitRecord {
  return {
    id: Number(r.id), code: r.code, name: r.name, parentId: r.parent_id == null ? null : Number(r.parent_id),
    parentCode: r.parent_code ?? null, regionCode: r.region_code ?? null, regionName: r.region_name ?? null,
    nature: r.nature ?? null, category: r.category ?? null, isCanGong: nbool(r.is_can_gong), level: r.level ?? null,
    funding: r.funding ?? null, approvalNo: r.approval_no ?? null, approvalDate: r.approval_date ?? null,
    internalOffices: r.internal_offices ? String(r.internal_offices).split('、').filter(Boolean) : [],
    internalOfficesApproved: r.internal_offices_approved == null ? null : Number(r.internal_offices_approved),
    workerCap: r.worker_cap == null ? null : Number(r.worker_cap), groupId: r.group_id ?? null,
    ledgerUpdatedOn: r.ledger_updated_on ?? null, quotas: {}, leaderPosts: {}, agg: emptyAggregates(),
  };
}

/** Restricts a query to some units (all when `unitIds` is null). */
function within(q: Knex.QueryBuilder, column: string, unitIds: number[] | null): Knex.QueryBuilder {
  return unitIds ? q.whereIn(column, unitIds) : q;
}

/**
 * The reads that fill `units` (the unit rows first, then their ledgers and every aggregate that
 * does not come from the person stream: duplicates, cycles, approval documents, self-checks,
 * specialists, monthly reports, plans, unregistered contracts). `unitIds` null = all units.
 * Region totals are apart (`addRegionTotals`): they need every unit's quotas first.
 */
/** One unit's own record, without its quotas and aggregates (e.g. its 内设机构 for the suggested fixes), as one read of a batch. */
export function unitRecordRead(db: Knex, unitId: number, done: (unit: UnitRecord | null) => void): Read {
  return { query: db('units').where({ id: unitId }).select('*'), apply: (rows) => done(rows[0] ? unitFromRow(rows[0]) : null) };
}

export function unitReads(db: Knex, date: IsoDate, unitIds: number[] | null, units: Map<number, UnitRecord>): Read[] {
  const get = (id: unknown) => units.get(Number(id));
  const month = monthOf(date);
  const previousMonth = addMonthsToMonth(month, -1);
  const reads: Read[] = [
    { query: within(db('units').select('*'), 'id', unitIds), apply: (rows) => { for (const r of rows) units.set(Number(r.id), unitFromRow(r)); } },
    { query: within(db('quotas').select('unit_id', 'kind', 'approved'), 'unit_id', unitIds), apply: (rows) => { for (const q of rows) { const u = get(q.unit_id); if (u) u.quotas[q.kind] = Number(q.approved); } } },
    { query: within(db('leader_posts').select('unit_id', 'kind', 'approved'), 'unit_id', unitIds), apply: (rows) => { for (const q of rows) { const u = get(q.unit_id); if (u) u.leaderPosts[q.kind] = Number(q.approved); } } },
    { query: within(db('approval_documents').select('unit_id').max({ d: 'issued_on' }).groupBy('unit_id'), 'unit_id', unitIds), apply: (rows) => { for (const a of rows) { const u = get(a.unit_id); if (u) u.agg.latestApprovalDate = a.d; } } },
    { query: within(db('self_checks').where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`).select('unit_id').count({ n: '*' }).groupBy('unit_id'), 'unit_id', unitIds), apply: (rows) => { for (const c of rows) { const u = get(c.unit_id); if (u) u.agg.selfChecksThisMonth = Number(c.n); } } },
    // A specialist locked for too few self-checks (user_locks) is still the unit's specialist (U-PR-03 stays quiet); one locked on the sheet is not.
    { query: within(db('users').where({ role: '单位专管员' }).where((q) => q.where({ locked: false }).orWhereExists(db('user_locks').whereRaw('user_locks.user_id = users.id').whereNull('unlocked_at').select('id'))).whereNotNull('unit_id').select('unit_id').count({ n: '*' }).groupBy('unit_id'), 'unit_id', unitIds), apply: (rows) => { for (const c of rows) { const u = get(c.unit_id); if (u) u.agg.specialists = Number(c.n); } } },
    { query: within(db('monthly_reports').where({ month: previousMonth }).select('unit_id', 'month', 'due_on', 'confirmed_on'), 'unit_id', unitIds), apply: (rows) => { for (const m of rows) { const u = get(m.unit_id); if (u) u.agg.monthlyReport = { month: m.month, dueOn: m.due_on, confirmedOn: m.confirmed_on ?? null }; } } },
    {
      query: within(db('staffing_requests').where({ status: 'approved' }).whereIn('kind', ['用编计划', '增人入编']).whereNull('completed_on').select('unit_id', 'quota_kind', 'count', 'used_count', 'valid_until', 'kind'), 'unit_id', unitIds),
      apply: (rows) => {
        for (const r of rows) {
          const u = get(r.unit_id);
          if (!u) continue;
          if (r.kind === '用编计划' && r.valid_until && r.valid_until < date) u.agg.expiredPlans++;
          else if (r.quota_kind) addInTransit(u.agg, r.quota_kind, Number(r.count) - Number(r.used_count ?? 0));
        }
      },
    },
    // Contracts the HR/payroll feed reports that are not registered as 编外人员 (W-07).
    {
      query: within(db('feed_contracts as f').leftJoin('workers as w', function () { this.on('w.unit_id', 'f.unit_id').andOn('w.id_hash', 'f.id_hash'); }).whereNull('w.id').select('f.id', 'f.unit_id', 'f.id_masked', 'f.name', 'f.signed_on'), 'f.unit_id', unitIds),
      apply: (rows) => { for (const c of rows) { const u = get(c.unit_id); if (u) u.agg.unregisteredContracts.push({ key: `feed-${c.id}`, name: c.name, idMasked: c.id_masked, signedOn: c.signed_on }); } },
    },
  ];

  if (!unitIds) return reads; // duplicates and cycles: markDuplicatesAndCycles, from memory
  for (const id of unitIds) {
    // The same facts for a few units, by query: counts of units sharing the code or the name in
    // the region, and the parent chain (a handful of levels; UNION stops at a cycle).
    reads.push(
      { query: db('units').where('code', db('units').select('code').where({ id })).count({ n: '*' }), apply: (rows) => { const u = get(id); if (u) u.agg.sameCodeUnits = Math.max(0, Number(rows[0]?.n ?? 1) - 1); } },
      {
        // Names compare as the nightly count compares them, trimmed. Imports trim names, so only
        // a trailing space can differ (U-IN-13 plants one): MySQL's collations ignore it and the
        // (region_code, name) index answers; SQLite's do not, so it trims (and scans: an
        // embedded county is small). Null-safe equality for units without a region.
        query: db('units as a').join('units as b', function () {
          this.on(db.raw(isSqlite(db) ? 'a.region_code is b.region_code and trim(a.name) = trim(b.name)' : 'a.region_code <=> b.region_code and a.name = b.name'));
        }).where('b.id', id).count({ n: '*' }),
        apply: (rows) => { const u = get(id); if (u) u.agg.sameNameUnits = Math.max(0, Number(rows[0]?.n ?? 1) - 1); },
      },
      {
        query: db.withRecursive('chain', ['id', 'parent_id'], (q) => {
          q.select('id', 'parent_id').from('units').where({ id }).union((r) => r.select('units.id', 'units.parent_id').from('units').join('chain', 'units.id', 'chain.parent_id'));
        }).select('id', 'parent_id').from('chain'),
        apply: (rows) => {
          const u = get(id);
          if (!u) return;
          const parentOf = new Map(rows.map((r) => [Number(r.id), r.parent_id == null ? null : Number(r.parent_id)]));
          u.agg.inCycle = chainReturns(id, u.parentId, (p) => parentOf.get(p));
        },
      },
    );
  }
  return reads;
}

/** Whether walking up from `parentId` comes back to `id`. */
function chainReturns(id: number, parentId: number | null, parentOf: (id: number) => number | null | undefined): boolean {
  const seen = new Set<number>();
  let cur: number | null | undefined = parentId;
  while (cur != null && !seen.has(cur) && cur !== id) {
    seen.add(cur);
    cur = parentOf(cur);
  }
  return cur === id;
}

/** Duplicate codes (U-IN-06), names within a region (U-IN-13) and cycles in the parent chain (U-IN-11), over all units in memory. */
function markDuplicatesAndCycles(units: Map<number, UnitRecord>): void {
  const byCode = new Map<string, number>();
  const byName = new Map<string, number>();
  const nameKey = (u: UnitRecord) => `${u.regionCode}|${u.name.trim()}`;
  for (const u of units.values()) {
    byCode.set(u.code, (byCode.get(u.code) ?? 0) + 1);
    byName.set(nameKey(u), (byName.get(nameKey(u)) ?? 0) + 1);
  }
  for (const u of units.values()) {
    u.agg.sameCodeUnits = (byCode.get(u.code) ?? 1) - 1;
    u.agg.sameNameUnits = (byName.get(nameKey(u)) ?? 1) - 1;
    u.agg.inCycle = chainReturns(u.id, u.parentId, (p) => { const k = units.get(p); return k ? k.parentId : undefined; });
  }
}

/** Region totals (U-QT-06): Σ核定 of a kind over the units of a region against the area's total. */
async function addRegionTotals(db: Knex, units: Map<number, UnitRecord>, all: boolean): Promise<void> {
  const list = [...units.values()];
  const regions = all ? null : [...new Set(list.map((u) => u.regionCode ?? ''))];
  const totals = await (regions ? db('region_quota_totals').whereIn('region_code', regions) : db('region_quota_totals')).select('region_code', 'kind', 'approved');
  if (!totals.length) return;
  let sumQuery = db('quotas').join('units', 'units.id', 'quotas.unit_id').select('units.region_code as region_code', 'quotas.kind as kind').sum({ s: 'quotas.approved' }).groupBy('units.region_code', 'quotas.kind');
  if (regions) sumQuery = sumQuery.whereIn('units.region_code', regions);
  const sumOf = new Map((await sumQuery).map((r: Row) => [`${r.region_code}|${r.kind}`, Number(r.s)]));
  for (const t of totals) {
    const sum = sumOf.get(`${t.region_code}|${t.kind}`) ?? 0;
    if (sum <= Number(t.approved)) continue;
    for (const u of list) if (u.regionCode === t.region_code && (u.quotas[t.kind] ?? 0) > 0) u.agg.regionOverTotal.push({ kind: t.kind, sum, total: Number(t.approved) });
  }
}

/**
 * Units with their ledger and every aggregate that does not come from the person stream.
 * `unitIds` null = all units (each family of facts one read, side by side on the pool); a few
 * units are read in one round trip.
 */
export async function loadUnits(db: Knex, date: IsoDate, unitIds: number[] | null = null, opts: { regionTotals?: boolean } = {}): Promise<Map<number, UnitRecord>> {
  const units = new Map<number, UnitRecord>();
  const [first, ...rest] = unitReads(db, date, unitIds, units);
  if (unitIds) await runReads(db, [first, ...rest], true);
  else {
    first.apply(await first.query);
    markDuplicatesAndCycles(units);
    await runReads(db, rest, false);
  }
  if (opts.regionTotals !== false) await addRegionTotals(db, units, !unitIds);
  return units;
}

/** Cross-row facts for people, held only for the exceptions (a few per thousand). */
export interface CrossIndex {
  sameIdInUnit: Map<string, number>;
  quotaUnits: Map<string, number>;
  sameNameBirth: Map<string, number>;
  pending: Map<string, PersonCross['pendingChanges']>;
  /** Every ID hash and name that appears above: most rows miss both and skip the look-ups. */
  hashes: Set<string>;
  names: Set<string>;
}

export const emptyCrossIndex = (): CrossIndex => ({ sameIdInUnit: new Map(), quotaUnits: new Map(), sameNameBirth: new Map(), pending: new Map(), hashes: new Set(), names: new Set() });

const PENDING_KINDS = ['中层职数核定', '职务任免', '增人入编', '减人出编', '岗位调整'];

function addPending(idx: CrossIndex, rows: Row[]): void {
  for (const r of rows) {
    const list = idx.pending.get(r.id_hash) ?? [];
    list.push({ kind: r.kind, approvedOn: r.approved_on, expected: r.expected ?? '' });
    idx.pending.set(r.id_hash, list);
    idx.hashes.add(r.id_hash);
  }
}

function addSameNameBirth(idx: CrossIndex, rows: Row[]): void {
  for (const r of rows) {
    idx.sameNameBirth.set(`${r.name}|${r.birth_key}`, Number(r.n) - 1);
    idx.names.add(r.name);
  }
}

const sameNameBirthQuery = (db: Knex) => db('people').whereNotNull('id_hash').whereNotNull('birth_key').whereNot('status', '已出编')
  .select('name', 'birth_key').countDistinct({ n: 'id_hash' }).groupBy('name', 'birth_key').havingRaw('count(distinct id_hash) > 1');

/** The cross-row facts of one ID number (and one name and birth date), as reads for one round trip. */
export function crossReads(db: Knex, idHash: string, nameBirth: { name: string; birth: string | null } | null, idx: CrossIndex): Read[] {
  const reads: Read[] = [
    {
      query: db('people').where('id_hash', idHash).whereNot('status', '已出编').select('unit_id', 'id_hash').count({ n: '*' }).groupBy('id_hash', 'unit_id').havingRaw('count(*) > 1'),
      apply: (rows) => { for (const r of rows) { idx.sameIdInUnit.set(`${r.unit_id}|${r.id_hash}`, Number(r.n) - 1); idx.hashes.add(r.id_hash); } },
    },
    {
      query: db('people').where('id_hash', idHash).where('status', '在编').select('id_hash').countDistinct({ n: 'unit_id' }).groupBy('id_hash'),
      apply: (rows) => { for (const r of rows) if (Number(r.n) > 1) { idx.quotaUnits.set(r.id_hash, Number(r.n)); idx.hashes.add(r.id_hash); } },
    },
    {
      query: db('staffing_requests').where({ status: 'approved', person_id_hash: idHash }).whereNull('completed_on').whereIn('kind', PENDING_KINDS).select('person_id_hash as id_hash', 'kind', 'approved_on', 'expected'),
      apply: (rows) => addPending(idx, rows),
    },
  ];
  if (nameBirth) reads.push({ query: sameNameBirthQuery(db).where({ name: nameBirth.name, birth_key: nameBirth.birth ?? '' }), apply: (rows) => addSameNameBirth(idx, rows) });
  return reads;
}

/** The cross-row facts of all people, each family one read, side by side on the pool. */
export async function loadCrossIndex(db: Knex): Promise<CrossIndex> {
  const idx = emptyCrossIndex();
  const sameInUnit = async () => {
    // Grouped in (id_hash, unit_id) order, so it reads the (id_hash, unit_id, status) index alone.
    for (const r of (await db('people').whereNotNull('id_hash').whereNot('status', '已出编').select('unit_id', 'id_hash').count({ n: '*' }).groupBy('id_hash', 'unit_id').havingRaw('count(*) > 1')) as Row[]) {
      idx.sameIdInUnit.set(`${r.unit_id}|${r.id_hash}`, Number(r.n) - 1);
      idx.hashes.add(r.id_hash);
    }
  };
  const multiUnit = async () => {
    // min <> max finds the IDs 在编 in two or more units without a count(distinct) over the table.
    const multi = (await db('people').whereNotNull('id_hash').where('status', '在编').select('id_hash').groupBy('id_hash').havingRaw('min(unit_id) <> max(unit_id)')).map((r: Row) => r.id_hash as string);
    for (let i = 0; i < multi.length; i += 500) {
      for (const r of await db('people').whereIn('id_hash', multi.slice(i, i + 500)).where('status', '在编').select('id_hash').countDistinct({ n: 'unit_id' }).groupBy('id_hash') as Row[]) {
        idx.quotaUnits.set(r.id_hash, Number(r.n));
        idx.hashes.add(r.id_hash);
      }
    }
  };
  const nameBirth = async () => addSameNameBirth(idx, await sameNameBirthQuery(db));
  const pendingChanges = async () => addPending(idx, await db('staffing_requests').where({ status: 'approved' }).whereNull('completed_on').whereNotNull('person_id_hash').whereIn('kind', PENDING_KINDS).select('person_id_hash as id_hash', 'kind', 'approved_on', 'expected'));
  await Promise.all([sameInUnit(), multiUnit(), nameBirth(), pendingChanges()]);
  return idx;
}

export function crossFor(idx: CrossIndex, r: Row): PersonCross {
  const h = r.id_hash;
  if (!h) return NO_CROSS;
  const byHash = idx.hashes.has(h);
  const byName = idx.names.has(r.name);
  if (!byHash && !byName) return NO_CROSS;
  const same = byHash ? idx.sameIdInUnit.get(`${r.unit_id}|${h}`) : undefined;
  const units = byHash && r.status === '在编' ? idx.quotaUnits.get(h) : undefined;
  const nb = byName && r.birth_key ? idx.sameNameBirth.get(`${r.name}|${r.birth_key}`) : undefined;
  const pending = byHash ? idx.pending.get(h) : undefined;
  if (same === undefined && units === undefined && nb === undefined && pending === undefined) return NO_CROSS;
  return { sameIdInUnit: same ?? 0, otherQuotaUnits: units ? units - 1 : 0, sameNameBirthOtherIds: nb ?? 0, pendingChanges: pending ?? [] };
}

