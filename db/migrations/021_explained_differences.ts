// 已说明差异 (issue 16, deliverable 3): a cross-system difference that cannot be removed (借调,
// 离岗创业, 停薪留职, a payroll unit that legitimately differs) recorded by the office with its
// reason and evidence. While the mapping is active, the finding with its fingerprint stays closed
// as `explained` (not resolved: 已说明 is not 已整改) and the check does not open it again. Each
// mapping is reviewed yearly (review_due); a withdrawn mapping lets the finding return.
// findings.status is string(8) on MySQL and 'explained' has 9 letters: widened there (SQLite
// does not enforce lengths).

import type { Knex } from 'knex';
import { isSqlite } from '../connection.ts';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('explained_differences', (t) => {
    t.increments('id');
    t.string('rule', 8).notNullable();
    t.string('fingerprint', 160).notNullable().comment('the finding fingerprint the mapping keeps closed');
    t.integer('finding_id').unsigned().notNullable().comment('the finding closed when the mapping was recorded');
    t.integer('unit_id').unsigned().notNullable();
    t.string('subject_name', 200).notNullable();
    t.string('subject_id_masked', 32).nullable();
    t.string('reason', 16).notNullable().comment('借调, 离岗创业, 停薪留职, 工资单位合法不同, 其他');
    t.string('reason_text', 500).notNullable();
    t.string('evidence_no', 100).nullable().comment('文号 of the supporting document');
    t.string('evidence_file', 200).nullable();
    t.string('evidence_sha256', 64).nullable();
    t.text('evidence_data', 'mediumtext').nullable().comment('the uploaded file, base64 (at most 2 MB)');
    t.string('created_by', 64).notNullable();
    t.string('created_at', 19).notNullable();
    t.string('review_due', 10).notNullable();
    t.string('reviewed_by', 64).nullable();
    t.string('reviewed_at', 19).nullable();
    t.string('withdrawn_by', 64).nullable();
    t.string('withdrawn_at', 19).nullable();
    t.string('withdrawn_reason', 500).nullable();
    t.index(['fingerprint', 'withdrawn_at']);
    t.index(['unit_id']);
  });
  if (!isSqlite(k)) {
    await k.schema.alterTable('findings', (t) => {
      t.string('status', 10).notNullable().comment('pending (held, not yet shown), open, resolved, explained (已说明)').alter();
    });
  }
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('explained_differences');
}
