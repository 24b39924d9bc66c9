// The outbox (the only way out to a chat platform), the record of inbound callbacks (each
// handled once), and the sandbox's stored conversation.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.string('dedup_key', 191).notNullable().unique();
    t.string('op', 16).notNullable().comment('send, createCard, updateCard, reply');
    t.string('target', 255).nullable().comment('group:{id} or users:{id,id}, for lists');
    t.text('payload', 'mediumtext').notNullable().comment('the rendered Delivery as JSON');
    t.string('state', 8).notNullable().comment('pending, sending, sent, dead');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 23).notNullable().comment('ISO moment (UTC, ms) when it may be tried');
    t.string('locked_until', 23).nullable().comment('a dispatcher holds the row until then');
    t.string('last_error', 500).nullable();
    t.string('created_at', 19).notNullable();
    t.string('sent_at', 19).nullable();
    t.index(['state', 'next_attempt_at']);
  });
  await k.schema.createTable('inbound_events', (t) => {
    t.string('event_id', 191).primary();
    t.string('kind', 16).notNullable();
    t.text('payload').notNullable();
    t.string('state', 8).notNullable().comment('received, handled, failed');
    t.string('received_at', 19).notNullable();
    t.string('handled_at', 19).nullable();
    t.string('error', 500).nullable();
  });
  await k.schema.createTable('cards', (t) => {
    t.string('card_id', 191).primary().comment('stable id, DingTalk outTrackId');
    t.string('template', 16).notNullable();
    t.string('target', 255).nullable();
    t.text('data', 'mediumtext').notNullable();
    t.string('updated_at', 19).notNullable();
  });
  await k.schema.createTable('sandbox_messages', (t) => {
    t.bigIncrements('id');
    t.string('conversation', 191).notNullable().comment('group:{id} or user:{id}');
    t.string('card_id', 191).nullable();
    t.text('payload', 'mediumtext').notNullable();
    t.string('at', 19).notNullable();
    t.index(['conversation', 'id']);
  });
}

export async function down(k: Knex): Promise<void> {
  for (const t of ['sandbox_messages', 'cards', 'inbound_events', 'outbox']) await k.schema.dropTableIfExists(t);
}
