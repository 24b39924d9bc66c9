// Issue 17: the monthly 排查 of the audit trail (ningbo art. 17). One row per month reviewed:
// when and by whom (the job, or a 数据安全管理员 / the command line), how many users acted and the
// summary as JSON (each flagged user, the measures that were unusual and the rule that applied).
// The month is unique: a second review of the month keeps the first (and sends nothing again).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('audit_reviews', (t) => {
    t.increments('id');
    t.string('month', 7).notNullable().unique();
    t.string('reviewed_at', 19).notNullable();
    t.string('reviewed_by', 64).notNullable();
    t.integer('users').notNullable().defaultTo(0).comment('users with audit rows that month');
    t.integer('flagged').notNullable().defaultTo(0).comment('users with an unusual measure');
    t.text('summary').notNullable().comment('JSON: {rule, flagged: [{actor, name, counts, flags}], totals}');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('audit_reviews');
}
