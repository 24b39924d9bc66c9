// One row per re-check of a unit (the card's 已整改，重新检查 and the mini-app's 自查): who, when it
// started and when it finished. What a second click reads, under the unit's row lock, to answer
// "already re-checked" or "being re-checked" instead of running the same re-check again.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('unit_rechecks', (t) => {
    t.increments('id').primary();
    t.integer('unit_id').unsigned().notNullable();
    t.string('user_id', 64).notNullable();
    t.string('via', 16).notNullable().comment('card, self-check');
    t.string('started_at', 19).notNullable();
    t.string('finished_at', 19).nullable().comment('NULL while it runs');
    t.index(['unit_id', 'id']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('unit_rechecks');
}
