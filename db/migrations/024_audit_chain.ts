// Issue 17: the audit trail becomes tamper-evident and searchable. Each audit_log row carries a
// MAC of its own content made when it is written (`row_mac`, keyed by `key_id`), and is then
// chained in order (`seq`, `chain_mac` = MAC of the previous row's chain_mac and this row's
// row_mac); `audit_chain` holds the head of the chain and, once old rows are purged after the
// retention period, the anchor the chain now starts from. `unit_id` and `ip` let the 数据安全管理员
// filter by unit and see where an act came from.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('audit_log', (t) => {
    t.integer('unit_id').unsigned().nullable().comment('the unit the act concerns, when there is one');
    t.string('ip', 45).nullable().comment('the address the request came from (server), null for jobs and the command line');
    t.string('key_id', 16).nullable().comment('which audit key made row_mac and chain_mac');
    t.string('row_mac', 64).nullable().comment('HMAC-SM3 of this row as written');
    t.bigInteger('seq').nullable().unique().comment('position in the chain; null until the sealer chains the row');
    t.string('chain_mac', 64).nullable().comment('HMAC-SM3 of the previous row chain_mac and this row row_mac and seq');
    t.index(['at']);
    t.index(['actor', 'at']);
    t.index(['action', 'at']);
    t.index(['unit_id', 'at']);
  });
  await k.schema.createTable('audit_chain', (t) => {
    t.integer('id').primary().comment('always 1: one head');
    t.bigInteger('head_seq').notNullable().defaultTo(0);
    t.string('head_mac', 64).notNullable().defaultTo('');
    t.bigInteger('anchor_seq').notNullable().defaultTo(0).comment('rows up to anchor_seq were purged; the chain starts after it');
    t.string('anchor_mac', 64).notNullable().defaultTo('').comment('chain_mac of the last purged row');
    t.string('anchor_at', 25).nullable();
  });
  await k('audit_chain').insert({ id: 1, head_seq: 0, head_mac: '', anchor_seq: 0, anchor_mac: '' });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('audit_chain');
  await k.schema.alterTable('audit_log', (t) => {
    t.dropIndex(['at']);
    t.dropIndex(['actor', 'at']);
    t.dropIndex(['action', 'at']);
    t.dropIndex(['unit_id', 'at']);
    t.dropUnique(['seq']);
    t.dropColumns('unit_id', 'ip', 'key_id', 'row_mac', 'seq', 'chain_mac');
  });
}
