// The inbound log (bot/inbound.ts): every callback recorded under the platform's event id before
// it is handled, so a re-delivered one is seen and skipped.

import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';
import { isDuplicateKey } from './errors.ts';

/** Records a received event; false when one of this id is recorded already (a re-delivery). */
export async function recordInboundEvent(db: Knex, e: { id: string; kind: string; payload: unknown }): Promise<boolean> {
  try {
    await db('inbound_events').insert({ event_id: e.id, kind: e.kind, payload: JSON.stringify(e.payload), state: 'received', received_at: nowMoment() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** An event handled, or failed with the error's message. */
export async function markInboundEvent(db: Knex, id: string, outcome: { state: 'handled' } | { state: 'failed'; error: string }): Promise<void> {
  await db('inbound_events').where({ event_id: id }).update(outcome.state === 'handled'
    ? { state: 'handled', handled_at: nowMoment() }
    : { state: 'failed', handled_at: nowMoment(), error: outcome.error.slice(0, 500) });
}
