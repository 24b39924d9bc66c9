// Submit a staffing request (the unit's 单位专管员, or the office on its behalf), or submit a
// returned one again: parsed from the Chinese-keyed request, the unit in the actor's scope, the
// refusal checks of core/requests.ts run now, then stored with its first step. An ID number is
// stored as people's are (hash, ciphertext, mask), never in the payload.

import { audit } from '../db/audit.ts';
import { normaliseIdNumber, maskId } from '../core/idnumber.ts';
import { maySubmit, parseRequest, transition, type RequestBody } from '../core/requests.ts';
import { ACCESS_MSG, inScope } from '../core/roles.ts';
import { addStep, changeState, insertRequest, lockRequest } from '../db/requests.ts';
import { personWithUnitCode } from '../db/people.ts';
import { unitsByRef } from '../db/scope.ts';
import { CommandError } from './errors.ts';
import { bodyOf, judge, readView, refused, requestInScope, type RequestActor, type RequestDeps, type RequestView } from './request-effects.ts';

type Row = Record<string, any>;

export interface SubmitRequestResult {
  id: number;
  no: string;
  state: 'submitted';
  /** The person rules' S3 hits on an 增人入编 record: shown, not refused. */
  warnings: string[];
  request: RequestView;
}

/** The ID number a request names, in clear (增人入编: the record's 身份证号). */
function idNumberOf(body: RequestBody): string | null {
  if (body.kind === '增人入编') return String(body.cells['身份证号'] ?? '');
  if (body.kind === '减人出编' || body.kind === '领导职数使用') return body.idNumber;
  return null;
}

/** The body as stored: without the ID number. */
function storedBody(body: RequestBody): RequestBody {
  if (body.kind === '增人入编') {
    const { 身份证号: _omit, ...cells } = body.cells;
    return { ...body, cells };
  }
  if (body.kind === '减人出编' || body.kind === '领导职数使用') return { ...body, idNumber: '' };
  return body;
}

async function resolveUnit(deps: RequestDeps, actor: RequestActor, ref: string): Promise<Row> {
  const { byId, units } = await unitsByRef(deps.db, ref, ['id', 'code', 'name']);
  const mine = units.filter((u) => inScope(actor, Number(u.id)));
  if (!units.length) throw new CommandError(404, byId ? `没有编号为 ${ref} 的单位` : `没有统一社会信用代码为“${ref.slice(0, 32)}”的单位`, { 单位: '没有该单位' });
  if (!mine.length) throw new CommandError(403, ACCESS_MSG.outOfScope);
  if (mine.length > 1) throw new CommandError(409, `统一社会信用代码“${ref}”对应多个单位，请用单位ID指定：${mine.map((u) => `${u.name}（单位ID ${u.id}）`).join('、')}`, { 单位: '对应多个单位' });
  return mine[0];
}

/**
 * `人员ID` (减人出编, 领导职数使用 of a person the unit keeps): the person's stored ID number in
 * place of `身份证号`, since a unit's specialist only ever sees it masked. The person must be in
 * the actor's scope; whether they are in the request's unit is judged as for a typed number.
 */
async function withPersonId(deps: RequestDeps, actor: RequestActor, raw: unknown): Promise<unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const { 人员ID: ref, ...rest } = raw as Record<string, unknown>;
  if (ref === undefined || ref === null || ref === '') return raw;
  const typed = typeof rest['身份证号'] === 'string' ? rest['身份证号'].trim() : '';
  if (typed && !typed.includes('*')) return rest;
  const pid = Number(ref);
  const row = Number.isSafeInteger(pid) && pid > 0 ? await personWithUnitCode(deps.db, pid, ['id', 'id_enc']) : undefined;
  if (!row) throw new CommandError(422, `申请内容有误：人员ID：没有编号为 ${String(ref).slice(0, 16)} 的人员`, { 人员ID: '没有该人员' });
  if (!inScope(actor, Number(row.unit_id))) throw new CommandError(403, ACCESS_MSG.outOfScope);
  if (!row.id_enc) throw new CommandError(422, '申请内容有误：身份证号：该人员没有身份证号，请先补全人员信息', { 身份证号: '该人员没有身份证号' });
  return { ...rest, 身份证号: deps.pii.decrypt(row.id_enc) };
}

/** The parsed, checked request: its unit, body, ID number and what it would store. */
async function prepare(deps: RequestDeps, actor: RequestActor, raw0: unknown, requestId?: number) {
  const raw = await withPersonId(deps, actor, raw0);
  const parsed = parseRequest(raw, deps.today);
  if (!parsed.ok) throw new CommandError(422, parsed.message, parsed.fields);
  const unit = await resolveUnit(deps, actor, parsed.value.unitRef);
  const body = parsed.value.body;
  const idNumber = idNumberOf(body);
  const j = await judge(deps.db, deps.pii, { id: Number(unit.id), name: unit.name, code: unit.code ?? '' }, body, idNumber, deps.today, requestId);
  if (j.refusals.length) throw refused(j.refusals);
  const id = idNumber ? normaliseIdNumber(idNumber).value : '';
  const row: Row = {
    unit_id: Number(unit.id), kind: body.kind,
    quota_kind: body.kind === '用编计划' || body.kind === '增人入编' ? body.quotaKind : body.kind === '领导职数使用' ? body.postKind : null,
    count: body.kind === '用编计划' ? body.count : 1,
    person_id_hash: id ? deps.pii.hash(id) : null, id_enc: id ? deps.pii.encrypt(id) : null, id_masked: id ? maskId(id) : null,
    person_id: j.personRow ? Number(j.personRow.id) : null,
    plan_id: body.kind === '增人入编' ? body.planId : null,
    valid_until: body.kind === '用编计划' ? body.validUntil : null,
    reason: body.reason || null,
    payload: JSON.stringify(storedBody(body)),
  };
  return { row, warnings: j.warnings };
}

export async function submitRequest(deps: RequestDeps, { actor, request }: { actor: RequestActor; request: unknown }): Promise<SubmitRequestResult> {
  if (!maySubmit(actor.role)) throw new CommandError(403, '提交申请须由单位专管员办理（或编办代为提交）');
  const { row, warnings } = await prepare(deps, actor, request);
  const { id, no } = await deps.db.transaction(async (trx) => {
    const r = await insertRequest(trx, { ...row, status: 'submitted', requested_by: actor.id });
    await addStep(trx, r.id, 'submit', actor.id, null);
    await audit(trx, actor.id, 'request_submit', 'request', r.id, { no: r.no, kind: row.kind }, { unitId: row.unit_id, ip: actor.ip ?? null });
    return r;
  });
  return { id, no, state: 'submitted', warnings, request: await readView(deps.db, id) };
}

/**
 * A returned request submitted again, with its corrections (`request`: the whole request again,
 * same kind and unit; omitted: as it was), checked again.
 */
export async function resubmitRequest(deps: RequestDeps, { actor, id, request, comment }: { actor: RequestActor; id: number; request?: unknown; comment?: string | null }): Promise<SubmitRequestResult> {
  const current = await requestInScope(deps.db, actor, id);
  const t = transition(current.status, 'resubmit', actor.role);
  if (!t.ok) throw new CommandError(t.status, t.reason);
  let raw = request;
  if (raw === undefined) {
    // As it was: the stored body back into the Chinese keys, with its ID number.
    const body = bodyOf(current);
    const idNumber = current.id_enc ? deps.pii.decrypt(current.id_enc) : '';
    raw = rawOf(body, String(current.unit_id), idNumber);
  }
  const { row, warnings } = await prepare(deps, actor, raw, id);
  if (row.kind !== current.kind || row.unit_id !== Number(current.unit_id)) throw new CommandError(422, '重新提交时不能改变申请类型和单位，请撤回后另行申请');
  const ok = await deps.db.transaction(async (trx) => {
    const locked = await lockRequest(trx, id);
    if (!locked || Number(locked.version) !== Number(current.version)) return false;
    if (!(await changeState(trx, id, Number(current.version), { ...row, status: 'submitted' }))) return false;
    await addStep(trx, id, 'resubmit', actor.id, comment ?? null);
    await audit(trx, actor.id, 'request_submit', 'request', id, { no: current.no, kind: row.kind, resubmit: true }, { unitId: row.unit_id, ip: actor.ip ?? null });
    return true;
  });
  if (!ok) throw new CommandError(409, '该申请已被他人处理，请刷新后查看');
  const view = await readView(deps.db, id);
  return { id, no: view.no, state: 'submitted', warnings, request: view };
}

/** A stored body as the Chinese-keyed request it came from. */
export function rawOf(body: RequestBody, unitId: string, idNumber: string): Record<string, unknown> {
  const base = { 申请类型: body.kind, 单位ID: unitId, 申请理由: body.reason };
  switch (body.kind) {
    case '用编计划': return { ...base, 编制类型: body.quotaKind, 数量: body.count, 有效期至: body.validUntil };
    case '增人入编': return { ...body.cells, ...base, 身份证号: idNumber, 使用编制类型: body.quotaKind, ...(body.planId ? { 用编计划编号: String(body.planId) } : {}) };
    case '减人出编': return { ...base, 身份证号: idNumber, 出编原因: body.exitReason, 出编日期: body.exitDate };
    case '领导职数使用': return { ...base, 身份证号: idNumber, 领导职务层次: body.postKind };
  }
}
