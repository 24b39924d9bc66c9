// 终审 by a 分管领导, on the approval card or in the mini-app: approve (the checks run again and the
// effect is written, versioned with source 审批：{申请编号}) or reject. One transaction with
// optimistic locking: a double tap, a re-delivered callback or two leaders at once give exactly
// one decision and one effect; whoever comes second gets `already` with who decided when. The
// card is updated in place for everyone and returned (a DingTalk callback answers with its data
// within 2 seconds); the requester is told 1:1; after an approval the unit is re-checked at once.
// Issue 18: an approved 增人入编 / 减人出编 issues its 《人员入(出)编登记表》 in the same transaction
// (commands/registration-form.ts).

import { audit } from '../db/audit.ts';
import type { CardPayload } from '../core/outbound.ts';
import { transition } from '../core/requests.ts';
import { addStep, changeState, decidersOf, lockRequest } from '../db/requests.ts';
import { nowMoment } from '../db/clock.ts';
import { isSqlite } from '../db/connection.ts';
import { approvalCard } from '../cards/builders.ts';
import { CommandError } from './errors.ts';
import type { RecheckUnitResult } from './recheck-unit.ts';
import { alreadyText } from './review-request.ts';
import { issueRegistrationForm } from './registration-form.ts';
import { REGISTRATION_KIND_OF } from '../core/registration-form.ts';
import { ensureRegistrationCounter } from '../db/registration-forms.ts';
import { applyEffect, bodyOf, cardView, commentOf, judge, queueCardUpdate, queueOutcome, readView, recheckAfter, refused, requestInScope, type Effect, type RequestActor, type RequestDeps, type RequestView } from './request-effects.ts';

export type FinalDecision = 'approve' | 'reject';

export type DecideRequestResult =
  | {
      outcome: 'decided'; request: RequestView; card: CardPayload; effect: Effect | null;
      /** The 《人员入(出)编登记表》 an approved 增人入编 / 减人出编 issued (issue 18); null otherwise. */
      registrationForm: { id: number; number: string } | null;
      /** The unit re-checked after an approval (null: a rejection, or deferred). */
      recheck: RecheckUnitResult | null;
      /** With `recheck: 'deferred'`, after an approval: runs the re-check (the caller does, once it has answered). */
      recheckLater?: () => Promise<RecheckUnitResult>;
    }
  /** Someone decided first (or this is a repeat): nothing was written. */
  | { outcome: 'already'; message: string; request: RequestView; card: CardPayload };

/**
 * `recheck: 'deferred'` (the approval card's callback, which must answer within 2 seconds): the
 * re-check of the unit after an approval is not run here but handed back as `recheckLater` (it
 * takes seconds for a unit of a few hundred people).
 */
export async function decideRequest(deps: RequestDeps, { actor, id, decision, comment: rawComment, recheck: when = 'now' }: { actor: RequestActor; id: number; decision: FinalDecision; comment?: unknown; recheck?: 'now' | 'deferred' }): Promise<DecideRequestResult> {
  if (decision !== 'approve' && decision !== 'reject') throw new CommandError(400, '终审结论应为 approve（同意）或 reject（不同意）');
  const comment = commentOf(rawComment);
  const row = await requestInScope(deps.db, actor, id);
  const already = async (): Promise<DecideRequestResult> => {
    const now = await deps.db('staffing_requests').where({ id }).first();
    const view = await readView(deps.db, id);
    const card = approvalCard(await cardView(deps.db, view, deps.publicBaseUrl), (await decidersOf(deps.db, view.unitId)).map((d) => d.id));
    return { outcome: 'already', message: await alreadyText(deps.db, now), request: view, card };
  };
  const t = transition(row.status, decision, actor.role);
  if (!t.ok && t.status === 403) throw new CommandError(403, t.reason);
  if (!t.ok) {
    if (row.status === 'approved' || row.status === 'rejected' || row.status === 'expired') return already();
    throw new CommandError(409, t.reason);
  }

  const unit = await deps.db('units').where({ id: row.unit_id }).first('id', 'name', 'code');
  // The year's 登记表 counter exists before the transaction locks it (db/registration-forms.ts).
  if (decision === 'approve' && REGISTRATION_KIND_OF[row.kind]) await ensureRegistrationCounter(deps.db, Number(deps.today.slice(0, 4)));
  const decided = await deps.db.transaction(async (trx) => {
    const locked = await lockRequest(trx, id);
    if (!locked || Number(locked.version) !== Number(row.version)) return null;
    let effect: Effect | null = null;
    if (decision === 'approve') {
      // One approval at a time per unit (MySQL row lock): two requests cannot both take the last 编制.
      const unitQ = trx('units').where({ id: unit.id }).first('id');
      await (isSqlite(trx) ? unitQ : unitQ.forUpdate());
      const body = bodyOf(row);
      const j = await judge(trx, deps.pii, { id: Number(unit.id), name: unit.name, code: unit.code ?? '' }, body, row.id_enc ? deps.pii.decrypt(row.id_enc) : null, deps.today, id);
      if (j.refusals.length) throw refused(j.refusals);
      if (!(await changeState(trx, id, Number(row.version), { status: 'approved', approved_on: deps.today, decided_by: actor.id, decided_at: nowMoment() }))) return null;
      effect = await applyEffect(trx, deps.pii, locked, body, j, actor.id, deps.today);
      await trx('staffing_requests').where({ id }).update({ effect: JSON.stringify(effect) });
    } else if (!(await changeState(trx, id, Number(row.version), { status: 'rejected', decided_by: actor.id, decided_at: nowMoment() }))) return null;
    await addStep(trx, id, decision, actor.id, comment, 'reviewed');
    // Issue 18: an approved 增人入编 / 减人出编 issues its 登记表 in this same transaction.
    const registrationForm = decision === 'approve' ? await issueRegistrationForm(trx, deps, id, actor.id) : null;
    await audit(trx, actor.id, 'request_decide', 'request', id, { no: row.no, kind: row.kind, decision }, { unitId: Number(row.unit_id), ip: actor.ip ?? null });
    const view = await readView(trx, id);
    const card = await queueCardUpdate(trx, view, deps.publicBaseUrl);
    await queueOutcome(trx, view, decision, actor.id, comment, deps.publicBaseUrl);
    return { view, card, effect, registrationForm };
  });
  if (!decided) return already();
  const base = { outcome: 'decided' as const, request: decided.view, card: decided.card, effect: decided.effect, registrationForm: decided.registrationForm };
  if (decision !== 'approve') return { ...base, recheck: null };
  const later = () => recheckAfter(deps.db, actor.id, Number(row.unit_id), deps.today);
  if (when === 'deferred') return { ...base, recheck: null, recheckLater: later };
  return { ...base, recheck: await later() };
}
