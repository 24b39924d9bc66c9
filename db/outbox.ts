// Writing to the outbox: the only way a message leaves sanse. A row is written in the same
// transaction as the change that caused it, under a dedup key: writing the same key twice
// keeps the first row (a plain insert refused by the unique key, so a transaction stays usable
// on MySQL; on PostgreSQL-like engines a savepoint would be needed), so a re-run of the daily check or a re-delivered callback sends nothing twice.

import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';
import { isDuplicateKey } from './errors.ts';
import type { Delivery, Target } from '../core/outbound.ts';

/** Moments in next_attempt_at and locked_until: ISO UTC with milliseconds, 23 characters. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

export function targetText(t: Target | undefined): string | null {
  if (!t) return null;
  return (t.kind === 'group' ? `group:${t.groupId}` : `users:${t.userIds.join(',')}`).slice(0, 255);
}

/** Queues one delivery. Returns false when a row with this dedup key already exists. */
export async function enqueue(trx: Knex, dedupKey: string, delivery: Delivery, notBefore: Date = new Date()): Promise<boolean> {
  const target = 'target' in delivery ? targetText(delivery.target) : null;
  try {
    await trx('outbox').insert({
      dedup_key: dedupKey,
      op: delivery.op,
      target,
      payload: JSON.stringify(delivery),
      state: 'pending',
      attempts: 0,
      next_attempt_at: isoMs(notBefore.getTime()),
      created_at: nowMoment(),
    });
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/** A dead row back to pending, due now; false when there is no dead row of this id. */
export async function resendDead(db: Knex, id: number): Promise<boolean> {
  const n = await db('outbox').where({ id, state: 'dead' }).update({ state: 'pending', attempts: 0, next_attempt_at: isoMs(Date.now()), locked_until: null, last_error: null });
  return Number(n) === 1;
}

export function parseTarget(text: string | null): Target | undefined {
  if (!text) return undefined;
  if (text.startsWith('group:')) return { kind: 'group', groupId: text.slice(6) };
  if (text.startsWith('users:')) return { kind: 'users', userIds: text.slice(6).split(',') };
  return undefined;
}
