// What the sandbox platform shows (bot/sandbox.ts, server/routes/sandbox.ts): the messages and
// cards of each conversation (`group:<id>` or `user:<id>`), a card stored once per conversation
// and updated in place.

import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';

type Row = Record<string, any>;

/** Adds an entry to a conversation (a card with its card id). */
export async function addSandboxMessage(db: Knex, conversation: string, payload: unknown, cardId: string | null = null): Promise<void> {
  await db('sandbox_messages').insert({ conversation, card_id: cardId, payload: JSON.stringify(payload), at: nowMoment() });
}

/** Whether a conversation shows this card already. */
export async function sandboxCardShown(db: Knex, conversation: string, cardId: string): Promise<boolean> {
  return Boolean(await db('sandbox_messages').where({ conversation, card_id: cardId }).first('id'));
}

/** Replaces a card wherever it is shown; how many entries it was. */
export async function replaceSandboxCard(db: Knex, cardId: string, payload: unknown): Promise<number> {
  return Number(await db('sandbox_messages').where({ card_id: cardId }).update({ payload: JSON.stringify(payload) }));
}

/**
 * Changes a card wherever it is shown, each stored entry through `change` (given and returning the
 * stored payload); how many entries it was. In one transaction, so two changes do not interleave.
 */
export async function changeSandboxCard<T>(db: Knex, cardId: string, change: (payload: T) => T): Promise<number> {
  return db.transaction(async (trx) => {
    const rows: Row[] = await trx('sandbox_messages').where({ card_id: cardId }).orderBy('id').select('id', 'payload');
    for (const r of rows) await trx('sandbox_messages').where({ id: r.id }).update({ payload: JSON.stringify(change(JSON.parse(r.payload) as T)) });
    return rows.length;
  });
}

/** The conversations with entries: `conversation`, `n` entries, `last` entry id; the latest active first. */
export async function sandboxConversations(db: Knex): Promise<Row[]> {
  return db('sandbox_messages').select('conversation').count({ n: '*' }).max({ last: 'id' }).groupBy('conversation').orderBy('last', 'desc');
}

/** The entries (`id`, `conversation`, `card_id`, `payload` as stored, `at`) of some conversations (null: all), in order. */
export async function sandboxMessages(db: Knex, conversations: string[] | null): Promise<Row[]> {
  const q = db('sandbox_messages').orderBy('id').select('id', 'conversation', 'card_id', 'payload', 'at');
  if (conversations) q.whereIn('conversation', conversations);
  return q;
}
