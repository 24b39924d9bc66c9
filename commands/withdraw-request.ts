// A request withdrawn by its unit's 单位专管员 (or the office on its behalf) while it waits for 初审
// or after it was returned.

import { audit } from '../db/audit.ts';
import { transition } from '../core/requests.ts';
import { addStep, changeState, lockRequest } from '../db/requests.ts';
import { CommandError } from './errors.ts';
import { commentOf, readView, requestInScope, type RequestActor, type RequestDeps, type RequestView } from './request-effects.ts';
import { alreadyText } from './review-request.ts';

export async function withdrawRequest(deps: RequestDeps, { actor, id, comment: rawComment }: { actor: RequestActor; id: number; comment?: unknown }): Promise<{ request: RequestView }> {
  const comment = commentOf(rawComment);
  const row = await requestInScope(deps.db, actor, id);
  const t = transition(row.status, 'withdraw', actor.role);
  if (!t.ok) throw new CommandError(t.status, t.status === 409 ? `${t.reason}。${await alreadyText(deps.db, row)}` : t.reason);
  const ok = await deps.db.transaction(async (trx) => {
    const locked = await lockRequest(trx, id);
    if (!locked || Number(locked.version) !== Number(row.version)) return false;
    if (!(await changeState(trx, id, Number(row.version), { status: 'withdrawn' }))) return false;
    await addStep(trx, id, 'withdraw', actor.id, comment);
    await audit(trx, actor.id, 'request_withdraw', 'request', id, { no: row.no, kind: row.kind }, { unitId: Number(row.unit_id), ip: actor.ip ?? null });
    return true;
  });
  if (!ok) throw new CommandError(409, await alreadyText(deps.db, await deps.db('staffing_requests').where({ id }).first()));
  return { request: await readView(deps.db, id) };
}
