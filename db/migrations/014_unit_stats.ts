// The figures of each unit (core/unit-stats.ts), kept by the daily check and the re-check of a
// unit, and their sums by sector: what the dashboard, the unit portrait, the town map, the
// forecast and the reports read instead of scanning the roster per request.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('unit_stats', (t) => {
    t.integer('unit_id').unsigned().notNullable();
    t.string('dim', 16).notNullable().comment('core/unit-stats.ts StatDim; # holds the hash of the unit\'s stats');
    t.string('key', 48).notNullable();
    t.integer('n').notNullable();
    t.primary(['unit_id', 'dim', 'key']);
    t.index(['dim', 'key', 'n']);
  });
  await k.schema.createTable('stat_sums', (t) => {
    t.string('scope', 24).notNullable().comment("'all', or 'sector:教育' …");
    t.string('dim', 16).notNullable();
    t.string('key', 48).notNullable();
    t.integer('n').notNullable();
    t.primary(['scope', 'dim', 'key']);
  });
  // The sums as each month's last check left them: the quarter's figures and their change.
  await k.schema.createTable('stat_snapshots', (t) => {
    t.string('month', 7).notNullable();
    t.string('scope', 24).notNullable();
    t.string('dim', 16).notNullable();
    t.string('key', 48).notNullable();
    t.integer('n').notNullable();
    t.string('as_of', 10).notNullable().comment('the date of the check the month ends with (so far)');
    t.primary(['month', 'scope', 'dim', 'key']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('stat_snapshots');
  await k.schema.dropTable('stat_sums');
  await k.schema.dropTable('unit_stats');
}
