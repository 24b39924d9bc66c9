// Staffing requests as stored: load, lock, the versioned state change (`where version = v`: no
// row changed means someone else decided first), steps, lists by scope and state, and the facts
// core/requests.ts refusals() judges a request on, read in one round trip.

import type { Knex } from 'knex';
import { findingLight } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { POST_KINDS, requestNo, type RefusalFacts, type RequestAction, type RequestBody, type RequestState, DECISION_OF, STEP_OF, stepOf } from '../core/requests.ts';
import { quotaFigures, type QuotaFigures } from '../core/staffing.ts';
import { DICTIONARY } from '../core/dictionary.ts';
import { runReads, type Read } from './batch.ts';
import { nowMoment } from './clock.ts';
import { isSqlite } from './connection.ts';
import { suspensionOn } from './sanctions.ts';
import { scopeOf } from './scope.ts';
import { calendarFromRows, calendarRowsQuery } from './settings.ts';

type Row = Record<string, any>;

/** The office setting: requests of units with open red findings are refused (default on). */
export const BLOCK_ON_RED = 'requests.blockOnRed';

/** The kinds this module handles (the table also holds the demo's other approval kinds). */
export const HANDLED_KINDS = ['用编计划', '增人入编', '减人出编', '领导职数使用'];

export async function loadRequest(db: Knex, id: number): Promise<Row | undefined> {
  return db('staffing_requests').where({ id }).first();
}

/** The row under a lock until the transaction ends (MySQL; SQLite has one writer anyway). */
export async function lockRequest(trx: Knex, id: number): Promise<Row | undefined> {
  const q = trx('staffing_requests').where({ id }).first();
  return isSqlite(trx) ? q : q.forUpdate();
}

/**
 * The state change of a request read at `version`: the row moves to `patch` and version + 1 only
 * if nobody changed it since. Returns whether this call won.
 */
export async function changeState(trx: Knex, id: number, version: number, patch: Row): Promise<boolean> {
  const n = await trx('staffing_requests').where({ id, version }).update({ ...patch, version: version + 1, updated_at: nowMoment() });
  return Number(n) === 1;
}

export async function insertRequest(trx: Knex, row: Row): Promise<{ id: number; no: string }> {
  const at = nowMoment();
  const inserted = await trx('staffing_requests').insert({ ...row, created_at: at, updated_at: at, version: 1 });
  const id = Number(Array.isArray(inserted) ? inserted[0] : inserted);
  const no = requestNo(id, at);
  await trx('staffing_requests').where({ id }).update({ request_no: no });
  return { id, no };
}

/** One step of a request's history; `from` is the state it left (a reject is 初审 or 终审 by it). */
export async function addStep(trx: Knex, requestId: number, action: RequestAction, by: string, comment: string | null, from?: RequestState, at: string = nowMoment()): Promise<void> {
  await trx('request_steps').insert({ request_id: requestId, step: from ? stepOf(action, from) : STEP_OF[action], by, decision: DECISION_OF[action], comment: comment || null, at });
}

export interface StepView {
  step: string;
  /** The 用户ID. */
  by: string;
  byName: string | null;
  decision: string;
  comment: string | null;
  at: string;
}

export async function stepsOf(db: Knex, ids: number[]): Promise<Map<number, StepView[]>> {
  const out = new Map<number, StepView[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows: Row[] = await db('request_steps as s').leftJoin('users as u', 'u.id', 's.by').whereIn('s.request_id', ids.slice(i, i + 500))
      .orderBy('s.id').select('s.request_id', 's.step', 's.by', 'u.name as by_name', 's.decision', 's.comment', 's.at');
    for (const r of rows) {
      const list = out.get(Number(r.request_id)) ?? [];
      list.push({ step: r.step, by: r.by, byName: r.by_name ?? null, decision: r.decision, comment: r.comment ?? null, at: r.at });
      out.set(Number(r.request_id), list);
    }
  }
  return out;
}

/** Requests of the units in `unitIds` (null: all), newest first, with their unit's name. */
export function requestsQuery(db: Knex, f: { unitIds: number[] | null; state?: string; unitId?: number; limit?: number }): Knex.QueryBuilder {
  let q = db('staffing_requests as r').leftJoin('units as u', 'u.id', 'r.unit_id').whereIn('r.kind', HANDLED_KINDS).whereNotNull('r.request_no')
    .select('r.*', 'u.name as unit_name', 'u.code as unit_code').orderBy('r.id', 'desc');
  if (f.unitIds) q = q.whereIn('r.unit_id', f.unitIds.length ? f.unitIds : [0]);
  if (f.unitId !== undefined) q = q.where('r.unit_id', f.unitId);
  if (f.state) q = q.where('r.status', f.state);
  if (f.limit) q = q.limit(f.limit);
  return q;
}

/** 核定/实有/在途/可用 by 编制类型 and 领导职数 by post kind: what the request form shows before the user types. */
export interface Availability {
  unitId: number;
  quotas: Array<QuotaFigures>;
  posts: Array<{ kind: string; approved: number | null; holders: number; available: number | null }>;
}

interface UnitFactsRaw {
  quotas: Map<string, number>;
  posts: Map<string, number>;
  actual: Map<string, number>;
  waiting: Map<string, number>;
  planInTransit: Map<string, number>;
  holders: Map<string, number>;
}

/** The reads of a unit's quota and post figures (for one round trip with others). */
function unitFactReads(db: Knex, unitId: number, today: IsoDate, raw: UnitFactsRaw, excludeRequestId?: number): Read[] {
  const toMap = (m: Map<string, number>, key: string, val: string) => (rows: Row[]) => { for (const r of rows) m.set(r[key], (m.get(r[key]) ?? 0) + Number(r[val])); };
  let inTransit = db('staffing_requests').where({ unit_id: unitId, status: 'approved' }).whereIn('kind', ['用编计划', '增人入编']).whereNull('completed_on')
    .where((w) => w.whereNull('valid_until').orWhere('valid_until', '>=', today)).select('quota_kind', 'count', 'used_count');
  if (excludeRequestId) inTransit = inTransit.whereNot('id', excludeRequestId);
  return [
    { query: db('quotas').where({ unit_id: unitId }).select('kind', 'approved'), apply: toMap(raw.quotas, 'kind', 'approved') },
    { query: db('leader_posts').where({ unit_id: unitId }).select('kind', 'approved'), apply: toMap(raw.posts, 'kind', 'approved') },
    { query: db('people').where({ unit_id: unitId, status: '在编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind'), apply: toMap(raw.actual, 'quota_kind', 'n') },
    { query: db('people').where({ unit_id: unitId, status: '待入编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind'), apply: toMap(raw.waiting, 'quota_kind', 'n') },
    { query: inTransit, apply: (rows) => { for (const r of rows) if (r.quota_kind) raw.planInTransit.set(r.quota_kind, (raw.planInTransit.get(r.quota_kind) ?? 0) + Number(r.count) - Number(r.used_count ?? 0)); } },
    { query: db('people').where({ unit_id: unitId, status: '在编' }).whereIn('leader_level', [...POST_KINDS]).select('leader_level').count({ n: '*' }).groupBy('leader_level'), apply: toMap(raw.holders, 'leader_level', 'n') },
  ];
}

const emptyRaw = (): UnitFactsRaw => ({ quotas: new Map(), posts: new Map(), actual: new Map(), waiting: new Map(), planInTransit: new Map(), holders: new Map() });

function quotaLine(raw: UnitFactsRaw, kind: string) {
  return { kind, approved: raw.quotas.get(kind) ?? 0, actual: raw.actual.get(kind) ?? 0, inTransit: (raw.waiting.get(kind) ?? 0) + (raw.planInTransit.get(kind) ?? 0) };
}

export async function unitAvailability(db: Knex, unitId: number, today: IsoDate): Promise<Availability> {
  const raw = emptyRaw();
  await runReads(db, unitFactReads(db, unitId, today, raw), true);
  const kinds = DICTIONARY.编制类型.filter((k) => raw.quotas.has(k) || raw.actual.has(k) || raw.planInTransit.has(k) || raw.waiting.has(k));
  return {
    unitId,
    quotas: kinds.map((k) => quotaFigures(quotaLine(raw, k))),
    posts: POST_KINDS.map((kind) => {
      const approved = raw.posts.has(kind) ? raw.posts.get(kind)! : null;
      const holders = raw.holders.get(kind) ?? 0;
      return { kind, approved, holders, available: approved === null ? null : Math.max(0, approved - holders) };
    }),
  };
}

/** The unit's people on its quota (在编), for the request form's choice of a person: no ID number but its mask. */
export async function peopleOnQuota(db: Knex, unitId: number): Promise<Array<{ id: number; name: string; idMasked: string | null; quotaKind: string | null; leaderLevel: string | null }>> {
  const rows = await db('people').where({ unit_id: unitId, status: '在编' }).orderBy('name').orderBy('id').select('id', 'name', 'id_masked', 'quota_kind', 'leader_level');
  return rows.map((r: Row) => ({ id: Number(r.id), name: r.name, idMasked: r.id_masked ?? null, quotaKind: r.quota_kind ?? null, leaderLevel: r.leader_level ?? null }));
}

/** The person a request names in its unit, by the hash of their ID number: the live row first. */
export function personInUnitQuery(db: Knex, unitId: number, idHash: string | string[]): Knex.QueryBuilder {
  return db('people').where({ unit_id: unitId }).whereIn('id_hash', typeof idHash === 'string' ? [idHash] : idHash).orderByRaw("case when status = '在编' then 0 when status = '已出编' then 2 else 1 end").orderBy('id', 'desc')
    .select('id', 'name', 'status', 'leader_level', 'quota_kind', 'id_masked');
}

export interface FactsInput {
  unit: { id: number; name: string };
  body: RequestBody;
  /** The hash of the ID number the request names (增人入编, 减人出编, 领导职数使用); both hashes during a key rotation. */
  idHash: string | string[] | null;
  today: IsoDate;
  /** The request being judged again (an approved plan's own reservation is not 在途 against itself). */
  requestId?: number;
}

/**
 * RefusalFacts without the record's own checks (recordErrors, ruleHits: the command's, with the
 * rule engine), in one round trip; the suspension walks the unit's ancestors after it.
 */
export async function refusalFacts(db: Knex, inp: FactsInput): Promise<RefusalFacts & { personRow: Row | null }> {
  const { unit, body, idHash, today } = inp;
  const raw = emptyRaw();
  let calendarRows: Row[] = [];
  let openRows: Row[] = [];
  let block: boolean | null = null;
  let plan: Row | null = null;
  let onQuota: Row[] = [];
  let personRow: Row | null = null;
  const reads: Read[] = [
    ...unitFactReads(db, unit.id, today, raw, inp.requestId),
    { query: calendarRowsQuery(db), apply: (rows) => { calendarRows = rows; } },
    { query: db('findings').where({ status: 'open', unit_id: unit.id }).select('rule', 'opened_on'), apply: (rows) => { openRows = rows; } },
    { query: db('settings').where({ key: BLOCK_ON_RED }).select('value'), apply: (rows) => { block = rows[0] ? Boolean(JSON.parse(rows[0].value)) : null; } },
  ];
  if (body.kind === '增人入编' && body.planId != null) reads.push({ query: db('staffing_requests').where({ id: body.planId }).select('*'), apply: (rows) => { plan = rows[0] ?? null; } });
  if (body.kind === '增人入编' && idHash) {
    reads.push({ query: db('people as p').join('units as u', 'u.id', 'p.unit_id').whereIn('p.id_hash', typeof idHash === 'string' ? [idHash] : idHash).where({ 'p.status': '在编' }).select('u.name'), apply: (rows) => { onQuota = rows; } });
  }
  if ((body.kind === '减人出编' || body.kind === '领导职数使用') && idHash) reads.push({ query: personInUnitQuery(db, unit.id, idHash).limit(1), apply: (rows) => { personRow = rows[0] ?? null; } });
  await runReads(db, reads, true);
  const cal = calendarFromRows(calendarRows);
  const red = openRows.filter((r) => findingLight({ rule: r.rule, openedOn: r.opened_on, resolvedOn: null }, today, cal) === 'red').length;
  const s = await suspensionOn(db, unit.id, today);
  const suspendedUnit = s ? (Number(s.unit_id) === unit.id ? unit.name : ((await db('units').where({ id: s.unit_id }).first('name'))?.name ?? '')) : '';
  const p = plan as Row | null;
  const pr = personRow as Row | null;
  const quotaKind = body.kind === '用编计划' || body.kind === '增人入编' ? body.quotaKind : null;
  const postKind = body.kind === '领导职数使用' ? body.postKind : null;
  return {
    today,
    unitId: unit.id,
    unitName: unit.name,
    suspension: s ? { unitName: suspendedUnit, endsOn: s.ends_on, reason: s.reason } : null,
    quota: quotaKind ? quotaLine(raw, quotaKind) : null,
    plan: p ? {
      id: Number(p.id), unitId: Number(p.unit_id), kind: p.kind, no: p.request_no ?? String(p.id), quotaKind: p.quota_kind ?? null, state: p.status,
      used: p.completed_on != null, validUntil: p.valid_until ?? null, count: Number(p.count), usedCount: Number(p.used_count ?? 0),
    } : null,
    posts: postKind ? { approved: raw.posts.has(postKind) ? raw.posts.get(postKind)! : null, holders: raw.holders.get(postKind) ?? 0 } : null,
    redFindings: red,
    blockOnRed: block ?? true,
    onQuotaIn: [...new Set(onQuota.map((r) => r.name as string))],
    person: pr ? { name: pr.name, status: pr.status ?? null, leaderLevel: pr.leader_level ?? null } : null,
    recordErrors: {},
    ruleHits: [],
    personRow: pr,
  };
}

/** The 分管领导 who decide a unit's requests: every unlocked one whose scope holds the unit. */
export async function decidersOf(db: Knex, unitId: number): Promise<Array<{ id: string; name: string }>> {
  const rows: Row[] = await db('users').where({ role: '分管领导', locked: false }).orderBy('id').select('id', 'name', 'role', 'unit_id', 'region_code');
  const out: Array<{ id: string; name: string }> = [];
  for (const r of rows) {
    const scope = await scopeOf(db, { role: r.role, unitId: r.unit_id == null ? null : Number(r.unit_id), regionCode: r.region_code ?? null });
    if (scope === null || scope.includes(unitId)) out.push({ id: r.id, name: r.name });
  }
  return out;
}

/** Approved 用编计划 past their validity with some of their count unused: what the expiry job closes. */
export async function lapsedPlans(db: Knex, today: IsoDate): Promise<Row[]> {
  return db('staffing_requests').where({ status: 'approved', kind: '用编计划' }).whereNull('completed_on')
    .whereNotNull('valid_until').where('valid_until', '<', today).orderBy('id').select('id', 'version', 'unit_id', 'count', 'used_count', 'valid_until');
}
