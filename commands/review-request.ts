// 初审 by the office (编办业务人员 / 编办管理员): pass (the checks run again; the approval card goes
// 1:1 to each 分管领导 of the unit), return for changes, or reject (the requester is told, 1:1).
// One transaction with optimistic locking: of two reviews at once, one wins, the other is told who
// reviewed when.

import { audit } from '../db/audit.ts';
import type { Knex } from 'knex';
import { STATE_TEXT, transition, type RequestState } from '../core/requests.ts';
import { addStep, changeState, lockRequest } from '../db/requests.ts';
import { CommandError } from './errors.ts';
import { bodyOf, commentOf, judge, queueApprovalCard, queueOutcome, readView, refused, requestInScope, type RequestActor, type RequestDeps, type RequestView } from './request-effects.ts';

type Row = Record<string, any>;

export type ReviewDecision = 'pass' | 'return' | 'reject';

export interface ReviewRequestResult {
  request: RequestView;
  /** pass: the 分管领导 the card went to. */
  deciders: string[];
}

/** "已由 X 于 Y 处理": the last step of a request that moved on, for whoever came second. */
export async function alreadyText(db: Knex, row: Row): Promise<string> {
  const last: Row | undefined = await db('request_steps as s').leftJoin('users as u', 'u.id', 's.by').where('s.request_id', row.id).orderBy('s.id', 'desc').first('s.step', 's.by', 'u.name', 's.decision', 's.at');
  const state = STATE_TEXT[row.status as RequestState] ?? row.status;
  if (!last) return `该申请${state}`;
  return `该申请已由${last.name ?? last.by}于${last.at}${last.step}（${state}），无需重复操作`;
}

export async function reviewRequest(deps: RequestDeps, { actor, id, decision, comment: rawComment, version }: { actor: RequestActor; id: number; decision: ReviewDecision; comment?: unknown; version?: number }): Promise<ReviewRequestResult> {
  if (!['pass', 'return', 'reject'].includes(decision)) throw new CommandError(400, '初审结论应为 pass（通过）、return（退回修改）或 reject（不同意）');
  const comment = commentOf(rawComment);
  if (decision !== 'pass' && !comment) throw new CommandError(400, decision === 'return' ? '退回修改请填写意见，告诉申请单位需修改什么' : '不同意请填写理由', { comment: '请填写意见' });
  const row = await requestInScope(deps.db, actor, id);
  const t = transition(row.status, decision, actor.role);
  if (!t.ok) throw new CommandError(t.status, t.status === 409 && row.status !== 'submitted' ? await alreadyText(deps.db, row) : t.reason);
  if (version !== undefined && version !== Number(row.version)) throw new CommandError(409, await alreadyText(deps.db, row));

  const unit = await deps.db('units').where({ id: row.unit_id }).first('id', 'name', 'code');
  const result = await deps.db.transaction(async (trx) => {
    const locked = await lockRequest(trx, id);
    if (!locked || Number(locked.version) !== Number(row.version)) return null;
    let quota = null;
    if (decision === 'pass') {
      // The world may have changed while the request waited: checked again, now.
      const j = await judge(trx, deps.pii, { id: Number(unit.id), name: unit.name, code: unit.code ?? '' }, bodyOf(row), row.id_enc ? deps.pii.decrypt(row.id_enc) : null, deps.today, id);
      if (j.refusals.length) throw refused(j.refusals);
      quota = j.quota;
    }
    if (!(await changeState(trx, id, Number(row.version), { status: t.to }))) return null;
    await addStep(trx, id, decision, actor.id, comment);
    await audit(trx, actor.id, 'request_review', 'request', id, { no: row.no, kind: row.kind, decision }, { unitId: Number(row.unit_id), ip: actor.ip ?? null });
    const view = await readView(trx, id);
    const deciders = decision === 'pass' ? await queueApprovalCard(trx, view, deps.publicBaseUrl, quota) : [];
    if (decision !== 'pass') await queueOutcome(trx, view, decision, actor.id, comment, deps.publicBaseUrl);
    return { request: view, deciders };
  });
  if (!result) throw new CommandError(409, await alreadyText(deps.db, await deps.db('staffing_requests').where({ id }).first()));
  return result;
}
