// The monthly score (core/scores.ts) of each unit, kept month after month (the unit's history),
// and the 红黑榜 of a month: built at the month close as a preview, published once by the office.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('unit_scores', (t) => {
    t.integer('unit_id').unsigned().notNullable();
    t.string('month', 7).notNullable();
    t.decimal('score', 5, 1).notNullable();
    t.integer('rank').notNullable();
    t.text('deductions').notNullable().comment('JSON {completeness, accuracy, timeliness, selfCheck}: points taken off');
    t.string('computed_at', 19).notNullable();
    t.primary(['unit_id', 'month']);
    t.index(['month', 'rank']);
  });
  await k.schema.createTable('rankings', (t) => {
    t.increments('id');
    t.string('month', 7).notNullable().unique();
    t.string('state', 10).notNullable().comment('preview, published');
    t.integer('units').notNullable();
    t.text('top').notNullable().comment('JSON [{unitId, unit, name, score, rank}], best first');
    t.text('bottom').notNullable().comment('JSON, worst first');
    t.string('built_at', 19).notNullable();
    t.string('published_at', 19).nullable();
    t.string('published_by', 64).nullable();
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('rankings');
  await k.schema.dropTable('unit_scores');
}
