// The console's import jobs (workbook and feed imports, issue 17 "several instances"): written by
// the instance that runs the import (queued → running → done | failed, its progress, a heartbeat
// while it runs), read by any instance a poll lands on, so a load balancer without sticky
// sessions may send the poll anywhere. A failed file's error workbook (the 错误说明 copy) is kept
// here too, until `errors_expire_at`, so any instance can serve it. Rows are purged a day after
// they end (db/import-jobs.ts).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  const mysql = k.client.config.client === 'mysql2' || k.client.config.client === 'mysql';
  await k.schema.createTable('import_jobs', (t) => {
    t.string('id', 32).primary().comment('24 hex digits, given by the running instance');
    t.string('kind', 16).notNullable().comment('people (POST /api/import) or feed (POST /api/feeds/:kind/import)');
    t.string('file_name', 128).notNullable();
    t.string('owner', 64).notNullable().comment('the importing user id: only they may read the job');
    t.string('instance', 128).notNullable().comment('host/pid/tag of the process running it');
    t.string('state', 16).notNullable().comment('queued | running | done | failed');
    t.text('progress').notNullable().comment('JSON: db/import.ts ImportProgress');
    if (mysql) t.specificType('result', 'MEDIUMTEXT').nullable();
    else t.text('result').nullable();
    t.text('error').nullable().comment('a refusal or failure, in Chinese');
    t.integer('status').nullable().comment('the HTTP status the refusal would have had');
    t.bigInteger('heartbeat_at').notNullable().comment('ms since the epoch: written every few seconds while the job is queued or running');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('ended_at').nullable();
    t.string('error_file', 40).nullable().unique().comment('the error workbook\'s served name (32 hex digits + .xlsx)');
    // knex's binary is a 64 KB BLOB on MySQL: an error workbook can be larger (as report_files).
    if (mysql) t.specificType('error_bytes', 'LONGBLOB').nullable();
    else t.binary('error_bytes').nullable();
    t.bigInteger('errors_expire_at').nullable();
    t.index(['created_at']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('import_jobs');
}
