// The weekly supervision lists (每周督办清单) as sent: one row per week (the Monday of the week
// the list is for), the list's date and its content, so a second run of the same week sends
// nothing again and the console and the card updates read what was sent.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('weekly_lists', (t) => {
    t.increments('id').primary();
    t.string('week', 10).notNullable().unique().comment('the Monday of the week (YYYY-MM-DD)');
    t.string('date', 10).notNullable().comment('the day the list was made for');
    t.text('content', 'mediumtext').notNullable().comment('JSON: core/weekly-list.ts WeeklyList');
    t.string('created_at', 19).notNullable();
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('weekly_lists');
}
