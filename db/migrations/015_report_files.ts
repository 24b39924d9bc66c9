// The office's generated report files (.xlsx, db/reports.ts): one per report and month, written
// by the monthly job (job_run_id) or on demand from the console or the CLI (generated_by).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  const mysql = k.client.config.client === 'mysql2' || k.client.config.client === 'mysql';
  await k.schema.createTable('report_files', (t) => {
    t.increments('id');
    t.string('name', 64).notNullable().comment('core/report-defs.ts ReportDef.name');
    t.string('month', 7).notNullable();
    t.string('generated_at', 19).notNullable();
    t.string('generated_by', 64).nullable().comment('user id, or cli:account; null when a job run wrote it');
    t.integer('job_run_id').unsigned().nullable();
    // knex's binary is a 64 KB BLOB on MySQL: a county's workbook can be larger.
    if (mysql) t.specificType('bytes', 'LONGBLOB').notNullable();
    else t.binary('bytes').notNullable();
    t.integer('size').notNullable();
    t.integer('rows').notNullable();
    t.unique(['name', 'month']);
    t.index(['month']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('report_files');
}
