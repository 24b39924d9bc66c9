// One row per slot of a named job (the job registry, server/jobs/): the unique (job, slot) is what
// makes a slot run once however many instances and queues see it, and what the console polls.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('job_runs', (t) => {
    t.increments('id').primary();
    t.string('job', 64).notNullable();
    t.string('slot', 64).notNullable().comment("the job's due moment, e.g. 2026-12-07; a manual run: 2026-12-07#1");
    t.string('state', 12).notNullable().comment('queued, running, ok, failed');
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('created_at', 19).notNullable();
    t.string('started_at', 19).nullable();
    t.string('finished_at', 19).nullable();
    t.text('error').nullable();
    t.text('result').nullable().comment('JSON');
    t.string('host', 64).nullable();
    t.integer('pid').nullable();
    t.unique(['job', 'slot']);
    t.index(['state']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('job_runs');
}
