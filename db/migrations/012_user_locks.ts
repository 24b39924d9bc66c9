// Account locks with their reason (Keqiao: 未按要求开展自查的，系统将自动锁定账号): one row per
// (user, kind, month), written by the month's self-check lock and never written twice, so an
// unlock by a 编办管理员 (who, when, the note) is not undone by running the same month again.
// users.locked stays the one switch every login, the robot and the card buttons check.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('user_locks', (t) => {
    t.increments('id').primary();
    t.string('user_id', 64).notNullable();
    t.string('kind', 16).notNullable().comment("'self-check'");
    t.string('month', 7).notNullable().comment('the month closed: YYYY-MM');
    t.integer('unit_id').unsigned().nullable();
    t.integer('self_checks').nullable().comment('self-checks of the unit in the month');
    t.integer('required').nullable().comment("the office's number (U-PR-01 minPerMonth) then");
    t.string('locked_at', 19).notNullable();
    t.string('unlocked_at', 19).nullable();
    t.string('unlocked_by', 64).nullable();
    t.text('unlock_note').nullable();
    t.unique(['user_id', 'kind', 'month']);
    t.index(['unlocked_at']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('user_locks');
}
