// Which run of the job registry wrote an outbox row (job_runs.id; NULL for rows written outside
// a job: a card update after a fix, a request's card): what a run "sent", listed with the run.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('outbox', (t) => {
    t.integer('job_run_id').unsigned().nullable().comment('job_runs.id of the run that wrote the row');
    t.index(['job_run_id']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('outbox', (t) => {
    t.dropIndex(['job_run_id']);
    t.dropColumn('job_run_id');
  });
}
