// An approved 用编计划 holds its 编制 as 在途 until used or until its validity ends (Weifang: 用编计划
// 有效期). The day after it ends, what is left of it lapses: the request becomes 已过期 (a step by
// the system), its 编制 return to 可用, and the requester is told 1:1. Run by the job registry
// (server/jobs/expire-plans.ts) each working day before the check, and by `sanse requests expire`.
// A plan used up in time is completed and never lapses; one used in part lapses for the rest.

import type { IsoDate } from '../core/model.ts';
import { planExpired, transition } from '../core/requests.ts';
import { addStep, changeState, lapsedPlans, lockRequest } from '../db/requests.ts';
import { queueOutcome, readView, type RequestDeps } from './request-effects.ts';

export const SYSTEM_ACTOR = 'system';

export interface ExpirePlansResult {
  date: IsoDate;
  /** The requests that lapsed now, by id. */
  expired: number[];
}

export async function expirePlans(deps: RequestDeps): Promise<ExpirePlansResult> {
  const expired: number[] = [];
  for (const p of await lapsedPlans(deps.db, deps.today)) {
    const done = await deps.db.transaction(async (trx) => {
      const row = await lockRequest(trx, Number(p.id));
      // Moved on since the list was read (used up, or expired by another instance): nothing to do.
      if (!row || !transition(row.status, 'expire', SYSTEM_ACTOR).ok) return false;
      const used = Number(row.used_count ?? 0) >= Number(row.count);
      if (!planExpired({ kind: row.kind, state: row.status, used, validUntil: row.valid_until ?? null }, deps.today)) return false;
      if (!(await changeState(trx, Number(row.id), Number(row.version), { status: 'expired', completed_on: deps.today }))) return false;
      await addStep(trx, Number(row.id), 'expire', SYSTEM_ACTOR, `有效期至 ${row.valid_until}，未使用的编制已释放`, 'approved');
      // A plan of the office's history (imported, not asked for here: no number, no requester) lapses the same, told to no one.
      if (row.request_no) await queueOutcome(trx, await readView(trx, Number(row.id)), 'expire', SYSTEM_ACTOR, `有效期至 ${row.valid_until}，未使用的编制已释放`, deps.publicBaseUrl);
      return true;
    });
    if (done) expired.push(Number(p.id));
  }
  return { date: deps.today, expired };
}
