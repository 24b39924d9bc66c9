// How each run of the daily check ended (ok, failed, interrupted) and who ran it (host and process),
// so a run killed half-way is recognised and closed instead of staying "running" for ever.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('check_runs', (t) => {
    t.string('outcome', 12).nullable().comment('ok, failed, interrupted; null while running');
    t.text('error').nullable();
    t.string('host', 64).nullable();
    t.integer('pid').nullable();
  });
  await k('check_runs').whereNotNull('finished_at').update({ outcome: 'ok' });
  await k('check_runs').whereNull('finished_at').update({ outcome: 'interrupted', finished_at: k.ref('started_at') });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('check_runs', (t) => {
    t.dropColumn('outcome');
    t.dropColumn('error');
    t.dropColumn('host');
    t.dropColumn('pid');
  });
}
