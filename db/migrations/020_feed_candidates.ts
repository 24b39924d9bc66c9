// Candidate matching of feed rows without a valid ID number (issue 16): each row carries the
// key of what the feed says about the person (kind, name, birth, unit as written; a sha256 that
// holds no ID number), so a link a person confirmed reaches every row and every month with the
// same key; and the office's "无对应人员" for a key, so it leaves the list of rows to look at.

import type { Knex } from 'knex';

const TABLES = ['feed_social_insurance', 'feed_payroll', 'feed_appointments'] as const;

export async function up(k: Knex): Promise<void> {
  for (const table of TABLES) {
    await k.schema.alterTable(table, (t) => {
      t.string('source_key', 64).nullable().comment('sha256 of kind|name|birth|unit as the feed writes them (db/feeds.ts sourceKey)');
      t.index(['source_key'], `${table}_source_key`);
    });
  }
  await k.schema.createTable('feed_no_match', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable();
    t.string('source_key', 64).notNullable();
    t.string('name', 64).notNullable();
    t.string('birth_key', 10).nullable();
    t.string('unit_text', 200).nullable();
    t.string('by', 64).notNullable();
    t.string('at', 19).notNullable();
    t.string('withdrawn_at', 19).nullable();
    t.string('withdrawn_by', 64).nullable();
    t.index(['kind', 'source_key']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('feed_no_match');
  for (const table of TABLES) {
    await k.schema.alterTable(table, (t) => {
      t.dropIndex(['source_key'], `${table}_source_key`);
      t.dropColumn('source_key');
    });
  }
}
