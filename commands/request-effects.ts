// What the request commands share: the actor, the request as views and cards, the checks of
// core/requests.ts run on facts read inside the caller's transaction (the record's schema and
// the person rules for 增人入编), the effects of an approval (versioned, source 审批：{申请编号})
// and the re-check of the unit after it.

import type { Knex } from 'knex';
import { approvalCard, requestOutcomeMessage, type RequestCardView } from '../cards/builders.ts';
import { normaliseIdNumber } from '../core/idnumber.ts';
import type { PersonInput } from '../core/inputs.ts';
import type { IsoDate } from '../core/model.ts';
import { ACTION_TEXT, refusals, STATE_TEXT, summaryOf, warnings, type RequestAction, type RequestBody, type RequestState, type RequestView } from '../core/requests.ts';

import { ACCESS_MSG, inScope, type UnitScope } from '../core/roles.ts';
import { SHEETS } from '../core/sheets.ts';
import { checkEnv } from '../db/check.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue } from '../db/outbox.ts';
import type { PiiCipher } from '../db/pii.ts';
import { loadUnits, personFromRow } from '../db/records.ts';
import { decidersOf, refusalFacts, requestsQuery, stepsOf } from '../db/requests.ts';
import { personRow, writeVersion } from '../db/store.ts';
import { CommandError } from './errors.ts';
import { recheckUnit, type RecheckUnitResult } from './recheck-unit.ts';

export type { RequestView } from '../core/requests.ts';

type Row = Record<string, any>;

export interface RequestActor {
  id: string;
  name?: string;
  role: string;
  scope: UnitScope;
  /** Where the act came from (a route's req.ip), for the audit log; absent for cards, jobs and the CLI. */
  ip?: string | null;
}

export interface RequestDeps {
  db: Knex;
  pii: PiiCipher;
  today: IsoDate;
  /** The mini-app's base (PUBLIC_BASE_URL): the card's link to the request. */
  publicBaseUrl: string;
}

export const MAX_COMMENT = 500;

export function commentOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new CommandError(400, '审批意见应为文本', { comment: '应为文本' });
  const s = v.trim();
  if ([...s].length > MAX_COMMENT) throw new CommandError(400, `审批意见最多${MAX_COMMENT}个字符`, { comment: `最多${MAX_COMMENT}个字符` });
  return s || null;
}

export function requestUrl(base: string, id: number): string {
  return `${base.replace(/\/$/, '')}/m/#/requests/${id}`;
}

/** The stored body (payload) of a request. */
export function bodyOf(row: Row): RequestBody {
  return JSON.parse(row.payload) as RequestBody;
}

/** The request's row when the actor may see it: 404 / 403 in Chinese. */
export async function requestInScope(db: Knex, actor: RequestActor, id: number): Promise<Row> {
  const row = Number.isSafeInteger(id) && id > 0 ? await db('staffing_requests').where({ id }).whereNotNull('request_no').first() : undefined;
  if (!row) throw new CommandError(404, '没有该申请');
  if (!inScope(actor, Number(row.unit_id))) throw new CommandError(403, ACCESS_MSG.outOfScope);
  return row;
}

export function viewOf(row: Row, unitName: string, steps: RequestView['steps']): RequestView {
  const body = bodyOf(row);
  const personName = body.kind === '增人入编' ? String(body.cells['姓名'] ?? '') : row.person_name ?? null;
  const person = row.id_masked ? { id: row.person_id == null ? null : Number(row.person_id), name: personName, idMasked: row.id_masked } : null;
  return {
    id: Number(row.id), no: row.request_no, kind: row.kind, unitId: Number(row.unit_id), unitName, state: row.status, stateText: STATE_TEXT[row.status as RequestState] ?? row.status,
    version: Number(row.version), summary: summaryOf(body, person ? { name: personName ?? '', idMasked: person.idMasked ?? '' } : null), reason: row.reason ?? null,
    body: body as unknown as Record<string, unknown>, person, requestedBy: row.requested_by ?? null, submittedAt: row.created_at, decidedBy: row.decided_by ?? null,
    decidedAt: row.decided_at ?? null, validUntil: row.valid_until ?? null, planId: row.plan_id == null ? null : Number(row.plan_id), steps,
  };
}

/** One request as viewed, read with its unit, person name and steps. */
export async function readView(db: Knex, id: number): Promise<RequestView> {
  const row = await db('staffing_requests as r').leftJoin('units as u', 'u.id', 'r.unit_id').leftJoin('people as p', 'p.id', 'r.person_id').where('r.id', id)
    .first('r.*', 'u.name as unit_name', 'p.name as person_name');
  if (!row) throw new CommandError(404, '没有该申请');
  return viewOf(row, row.unit_name ?? '', (await stepsOf(db, [id])).get(id) ?? []);
}

const DECISION_TEXT: Record<string, string> = { submit: '提交', withdraw: '撤回', pass: '通过', return: '退回修改', reject: '不同意', approve: '同意', expire: '过期' };

/** The card's view of a request (quota figures of its kind where it has one). */
export async function cardView(db: Knex, view: RequestView, publicBaseUrl: string, quota?: RequestCardView['quota']): Promise<RequestCardView> {
  const names = new Map<string, string>();
  const ids = [...new Set([view.requestedBy, view.decidedBy].filter((x): x is string => !!x))];
  if (ids.length) for (const u of await db('users').whereIn('id', ids).select('id', 'name')) names.set(u.id, u.name);
  const last = [...view.steps].reverse().find((s) => s.step === '终审');
  return {
    id: view.id, no: view.no, kind: view.kind, unitName: view.unitName, state: view.state, stateText: view.stateText, summary: view.summary, reason: view.reason,
    requester: names.get(view.requestedBy ?? '') ?? view.requestedBy ?? '', submittedAt: view.submittedAt, quota: quota ?? null,
    steps: view.steps.map((s) => ({ step: s.step, byName: s.byName ?? s.by, decisionText: DECISION_TEXT[s.decision] ?? s.decision, comment: s.comment, at: s.at })),
    decided: last ? { by: last.byName ?? last.by, at: last.at, comment: last.comment } : null,
    url: requestUrl(publicBaseUrl, view.id),
  };
}

// ---- checks

/** The 人员 record of an 增人入编 as stored (PersonInput), and its schema errors by field. */
export function entryRecord(body: Extract<RequestBody, { kind: '增人入编' }>, unit: { id: number; code: string }, idNumber: string, today: IsoDate): { input: PersonInput | null; errors: Record<string, string> } {
  const cells: Record<string, unknown> = {};
  for (const c of SHEETS.人员.columns) cells[c] = null;
  Object.assign(cells, body.cells, { 统一社会信用代码: unit.code || '91330000000000000X', 身份证号: idNumber, 在编状态: '在编', 使用编制类型: body.quotaKind });
  if (!cells['入编时间']) cells['入编时间'] = today;
  const parsed = SHEETS.人员.schema.safeParse(cells);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const is of parsed.error.issues) errors[String(is.path[0] ?? '人员')] ??= is.message;
    return { input: null, errors };
  }
  return { input: { ...parsed.data, idNumber: normaliseIdNumber(parsed.data.idNumber).value, unitId: unit.id }, errors: {} };
}

export interface Judgement {
  refusals: string[];
  warnings: string[];
  quota: RequestCardView['quota'];
  personRow: Row | null;
  entry: PersonInput | null;
}

/**
 * The refusal checks of core/requests.ts on facts read through `db` (the caller's transaction
 * at a decision). `idNumber` is the number in clear for 增人入编 (its record is validated).
 */
export async function judge(db: Knex, pii: PiiCipher, unit: { id: number; name: string; code: string }, body: RequestBody, idNumber: string | null, today: IsoDate, requestId?: number): Promise<Judgement> {
  // Both hashes during a key rotation (PII_KEY_PREVIOUS): the person's row may carry either.
  const idHash = idNumber ? pii.hashes(normaliseIdNumber(idNumber).value) : null;
  const facts = await refusalFacts(db, { unit, body, idHash, today, requestId });
  let entry: PersonInput | null = null;
  if (body.kind === '增人入编') {
    const rec = entryRecord(body, unit, idNumber ?? '', today);
    facts.recordErrors = rec.errors;
    entry = rec.input;
    if (rec.input) {
      const env = await checkEnv(db, today);
      const u = (await loadUnits(db, today, [unit.id], { regionTotals: false })).get(unit.id) ?? null;
      const record = personFromRow({ id: 0, ...personRow(rec.input, unit.id, pii, today) });
      const labels = new Map<string, string>();
      facts.ruleHits = env.evaluator('person', record, u).map((e) => ({ code: e.rule.code, title: e.rule.title, severity: e.rule.severity, ...(labels.get(e.rule.code) ? { field: labels.get(e.rule.code) } : {}) }));
    }
  }
  const q = facts.quota && (body.kind === '用编计划' || body.kind === '增人入编') ? { kind: body.quotaKind, ...facts.quota, available: Math.max(0, facts.quota.approved - facts.quota.actual - facts.quota.inTransit) } : null;
  return { refusals: refusals(body, facts), warnings: warnings(body, facts), quota: q, personRow: facts.personRow, entry };
}

/** A refusal as the command's error: 409 with every reason (`reasons`) and the first as the message. */
export function refused(reasons: string[]): CommandError {
  return new CommandError(409, reasons.length > 1 ? `不予办理：${reasons.join('；')}` : `不予办理：${reasons[0]}`, undefined, { reasons });
}

// ---- effects

export interface Effect {
  personId: number | null;
  /** What it did, for the API and the CLI. */
  text: string;
}

/**
 * The approval's change to the roster, in the caller's transaction, versioned with source
 * 审批：{申请编号}. Returns what it wrote.
 */
export async function applyEffect(trx: Knex, pii: PiiCipher, req: Row, body: RequestBody, j: Judgement, by: string, today: IsoDate): Promise<Effect> {
  const meta = { by, source: `审批：${req.request_no}`, reason: req.reason ?? null, today };
  const at = nowMoment();
  const done = { completed_on: today };
  switch (body.kind) {
    case '用编计划':
      // 在途 from now until an 增人入编 uses it or it expires (db/records.ts counts it).
      return { personId: null, text: `用编计划生效：${body.quotaKind} ${body.count} 名，有效期至${body.validUntil}` };
    case '增人入编': {
      if (!j.entry) throw new CommandError(409, '人员信息有误，不能入编');
      const row = personRow(j.entry, Number(req.unit_id), pii, today);
      const inserted = await trx('people').insert({ ...row, created_at: at, updated_at: at });
      const personId = Number(Array.isArray(inserted) ? inserted[0] : inserted);
      const { id_enc: _omit, ...shown } = row;
      await writeVersion(trx, 'person', personId, null, shown, meta);
      await trx('staffing_requests').where({ id: req.id }).update({ ...done, person_id: personId });
      if (body.planId != null) {
        const plan = await trx('staffing_requests').where({ id: body.planId }).first('count', 'used_count');
        const used = Number(plan?.used_count ?? 0) + 1;
        await trx('staffing_requests').where({ id: body.planId }).update({ used_count: used, ...(used >= Number(plan?.count ?? 1) ? done : {}) });
      }
      return { personId, text: `${j.entry.name}已入编（${body.quotaKind}）` };
    }
    case '减人出编':
    case '领导职数使用': {
      const p = j.personRow;
      if (!p) throw new CommandError(409, '没有该人员');
      const stored = await trx('people').where({ id: p.id }).first();
      const patch = body.kind === '减人出编' ? { status: '已出编', exit_on: body.exitDate, exit_reason: body.exitReason } : { leader_level: body.postKind };
      const before: Row = {};
      for (const k of Object.keys(patch)) before[k] = stored[k] ?? null;
      await trx('people').where({ id: p.id }).update({ ...patch, updated_at: at });
      await writeVersion(trx, 'person', Number(p.id), before, patch, meta);
      await trx('staffing_requests').where({ id: req.id }).update({ ...done, person_id: Number(p.id) });
      return { personId: Number(p.id), text: body.kind === '减人出编' ? `${p.name}已出编（${body.exitReason}，${body.exitDate}）` : `${p.name}任${body.postKind}` };
    }
  }
}

/** The unit re-checked now, by the system on the approver's behalf: fixed findings resolve, its card updates. */
export async function recheckAfter(db: Knex, actorId: string, unitId: number, today: IsoDate): Promise<RecheckUnitResult> {
  return recheckUnit(db, { actor: { id: actorId, role: '编办管理员', scope: null }, unitId, today });
}

// ---- messages

/** The approval card created 1:1 for each 分管领导 of the unit (at 初审 pass). */
export async function queueApprovalCard(trx: Knex, view: RequestView, publicBaseUrl: string, quota: RequestCardView['quota']): Promise<string[]> {
  const deciders = (await decidersOf(trx, view.unitId)).map((d) => d.id);
  if (!deciders.length) return [];
  const card = approvalCard(await cardView(trx, view, publicBaseUrl, quota), deciders);
  await enqueue(trx, `${card.cardId}:create:v${view.version}`, { op: 'createCard', target: { kind: 'users', userIds: deciders }, card });
  return deciders;
}

/** The card updated in place for everyone (state, who, when, comment; no buttons): returned for the callback's answer too. */
export async function queueCardUpdate(trx: Knex, view: RequestView, publicBaseUrl: string): Promise<ReturnType<typeof approvalCard>> {
  const deciders = (await decidersOf(trx, view.unitId)).map((d) => d.id);
  const card = approvalCard(await cardView(trx, view, publicBaseUrl), deciders);
  await enqueue(trx, `${card.cardId}:update:v${view.version}`, { op: 'updateCard', card });
  return card;
}

/** The requester told a step's outcome 1:1, with the comment (and the reasons of a refusal). */
export async function queueOutcome(trx: Knex, view: RequestView, action: RequestAction, by: string, comment: string | null, publicBaseUrl: string, reasons: string[] = []): Promise<void> {
  if (!view.requestedBy) return;
  const cv = await cardView(trx, view, publicBaseUrl);
  const who = (await trx('users').where({ id: by }).first('name'))?.name ?? by;
  const byText = action === 'expire' ? '有效期届满，自动失效' : `${who}${ACTION_TEXT[action]}`;
  const message = requestOutcomeMessage({ ...cv, stateText: cv.stateText }, { by: byText, at: nowMoment(), comment, refusals: reasons });
  await enqueue(trx, `request:${view.id}:outcome:v${view.version}`, { op: 'send', target: { kind: 'users', userIds: [view.requestedBy] }, message });
}

/** Requests the actor may see, newest first, with their steps. */
export async function listRequests(db: Knex, actor: RequestActor, f: { state?: string; unitId?: number; limit?: number } = {}): Promise<RequestView[]> {
  if (f.unitId !== undefined && !inScope(actor, f.unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const rows: Row[] = await requestsQuery(db, { unitIds: actor.scope, state: f.state, unitId: f.unitId, limit: f.limit ?? 1000 })
    .leftJoin('people as p', 'p.id', 'r.person_id').select('p.name as person_name');
  const steps = await stepsOf(db, rows.map((r) => Number(r.id)));
  return rows.map((r) => viewOf(r, r.unit_name ?? '', steps.get(Number(r.id)) ?? []));
}
