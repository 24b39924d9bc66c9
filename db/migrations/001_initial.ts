// The initial schema. Dates are 'YYYY-MM-DD' (or 'YYYY-MM') strings and moments are
// 'YYYY-MM-DD HH:MM:SS' in Asia/Shanghai, so SQLite and MySQL store exactly the same text.

import type { Knex } from 'knex';

const day = (t: Knex.CreateTableBuilder, name: string) => t.string(name, 10).nullable();
const moment = (t: Knex.CreateTableBuilder, name: string) => t.string(name, 19).notNullable();

/** The stored facts of an ID number (see core/idnumber.ts): never the number itself in clear. */
function idColumns(t: Knex.CreateTableBuilder) {
  t.string('id_enc', 128).nullable().comment('SM4-CBC, random IV: base64(iv || ciphertext)');
  t.string('id_hash', 64).nullable().comment('HMAC-SM3 of the normalised number, for look-ups');
  t.string('id_masked', 32).notNullable().defaultTo('');
  t.string('id_kind', 5).notNullable().defaultTo('empty');
  t.boolean('id_check_ok').notNullable().defaultTo(false);
  t.string('id_expected_check', 1).nullable();
  day(t, 'id_birth');
  t.boolean('id_birth_invalid').notNullable().defaultTo(false);
  t.string('id_gender', 1).nullable();
  t.boolean('id_province_ok').notNullable().defaultTo(false);
  t.boolean('id_irregular').notNullable().defaultTo(false);
}

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
  });
  await k.schema.createTable('regions', (t) => {
    t.string('code', 6).primary();
    t.string('name', 64).notNullable();
    t.string('parent_code', 6).nullable();
  });
  await k.schema.createTable('units', (t) => {
    t.increments('id');
    t.string('code', 32).notNullable().index();
    t.string('name', 200).notNullable();
    t.integer('parent_id').unsigned().nullable().index();
    t.string('parent_code', 32).nullable();
    t.string('region_code', 6).nullable();
    t.string('region_name', 64).nullable();
    t.string('nature', 32).nullable();
    t.string('category', 32).nullable();
    t.boolean('is_can_gong').nullable();
    t.string('level', 16).nullable();
    t.string('funding', 16).nullable();
    t.string('approval_no', 100).nullable();
    day(t, 'approval_date');
    t.text('internal_offices').nullable();
    t.integer('internal_offices_approved').nullable();
    t.text('duties').nullable();
    t.boolean('annual_report').nullable();
    t.integer('worker_cap').nullable();
    t.string('group_id', 128).nullable();
    day(t, 'ledger_updated_on');
    t.text('extra').nullable();
    moment(t, 'created_at');
    moment(t, 'updated_at');
    t.index(['region_code', 'name']);
  });
  // 编制 (by 编制类型) and 领导职数 (by 职数类型): one approved number per unit and kind.
  for (const table of ['quotas', 'leader_posts']) {
    await k.schema.createTable(table, (t) => {
      t.increments('id');
      t.integer('unit_id').unsigned().notNullable().references('units.id').onDelete('CASCADE');
      t.string('kind', 16).notNullable();
      t.integer('approved').notNullable();
      t.string('approval_no', 100).nullable();
      t.unique(['unit_id', 'kind']);
    });
  }
  await k.schema.createTable('internal_offices', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().references('units.id').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.unique(['unit_id', 'name']);
  });
  await k.schema.createTable('people', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().references('units.id');
    idColumns(t);
    t.string('name', 64).notNullable();
    t.string('gender', 4).nullable();
    t.string('ethnicity', 16).nullable();
    day(t, 'birth_date');
    t.string('office', 100).nullable();
    t.string('status', 8).nullable();
    t.string('quota_kind', 16).nullable();
    t.string('posts', 200).nullable();
    t.string('leader_level', 8).nullable();
    t.string('rank', 16).nullable();
    t.string('post_category', 16).nullable();
    t.string('title', 8).nullable();
    t.string('duty_status', 8).nullable();
    day(t, 'duty_status_since');
    day(t, 'entered_on');
    day(t, 'work_start_on');
    day(t, 'current_post_since');
    t.string('education', 16).nullable();
    t.string('identity', 4).nullable();
    day(t, 'late_retire_until');
    t.string('politics', 16).nullable();
    day(t, 'birth_key').comment('出生日期, else the birth date in the ID number: P-ID-13 groups by name and this');
    t.text('extra').nullable();
    moment(t, 'created_at');
    moment(t, 'updated_at');
    // Covering indexes for the cross-row rules' grouped queries (P-ID-10, P-ID-11, P-ID-13).
    t.index(['unit_id']);
    t.index(['id_hash', 'unit_id', 'status']);
    t.index(['name', 'birth_key', 'id_hash', 'status']);
  });
  await k.schema.createTable('workers', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().references('units.id');
    idColumns(t);
    t.string('name', 64).notNullable();
    t.string('gender', 4).nullable();
    t.string('post_class', 16).nullable();
    t.string('post_name', 100).nullable();
    t.string('employment', 16).nullable();
    day(t, 'first_contract_on');
    t.text('extra').nullable();
    moment(t, 'created_at');
    moment(t, 'updated_at');
    t.index(['unit_id', 'id_hash']);
    t.index(['id_hash']);
  });
  await k.schema.createTable('users', (t) => {
    t.string('id', 64).primary().comment('DingTalk userid or Zheng-Ding accountId');
    t.string('name', 64).notNullable();
    t.string('role', 16).notNullable();
    t.string('unit_code', 32).nullable();
    t.integer('unit_id').unsigned().nullable().index();
    t.string('mobile', 11).nullable();
    t.boolean('locked').notNullable().defaultTo(false);
    moment(t, 'created_at');
    moment(t, 'updated_at');
  });
  await k.schema.createTable('record_versions', (t) => {
    t.bigIncrements('id');
    t.string('entity', 16).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.integer('version').notNullable();
    t.text('before').nullable();
    t.text('after').nullable();
    t.string('changed_by', 64).notNullable();
    moment(t, 'changed_at');
    t.string('source', 200).notNullable();
    t.string('reason', 500).nullable();
    t.index(['entity', 'entity_id', 'version']);
  });
  await k.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    moment(t, 'at');
    t.string('actor', 64).notNullable();
    t.string('action', 32).notNullable();
    t.string('entity', 16).nullable();
    t.integer('entity_id').unsigned().nullable();
    t.text('detail').nullable();
    t.index(['entity', 'entity_id']);
  });
  await k.schema.createTable('findings', (t) => {
    t.bigIncrements('id');
    t.string('fingerprint', 160).notNullable().index().comment('rule | entity | qualifier');
    t.string('open_key', 160).nullable().unique().comment('the fingerprint while pending or open, NULL once resolved: one live finding per fingerprint');
    t.string('rule', 8).notNullable();
    t.string('scope', 8).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.integer('unit_id').unsigned().notNullable();
    t.string('qualifier', 64).nullable();
    t.string('status', 8).notNullable().comment('pending (held, not yet shown), open, resolved');
    day(t, 'first_seen_on');
    day(t, 'opened_on');
    day(t, 'resolved_on');
    day(t, 'last_seen_on');
    t.string('subject_kind', 8).notNullable();
    t.string('subject_name', 200).notNullable();
    t.string('subject_id_masked', 32).nullable();
    t.text('detail').nullable();
    t.index(['status', 'unit_id']);
    t.index(['unit_id', 'status']);
    t.index(['scope', 'entity_id']);
  });
  await k.schema.createTable('unit_daily_lights', (t) => {
    t.integer('unit_id').unsigned().notNullable();
    t.string('date', 10).notNullable();
    t.string('light', 6).notNullable();
    t.integer('yellow').notNullable();
    t.integer('red').notNullable();
    t.primary(['unit_id', 'date']);
    t.index(['date', 'light']);
  });
  await k.schema.createTable('unit_monthly_status', (t) => {
    t.integer('unit_id').unsigned().notNullable();
    t.string('month', 7).notNullable();
    t.string('light', 6).notNullable().comment('the worst daily light of the month');
    t.integer('red_days').notNullable();
    t.integer('consecutive_red').notNullable();
    t.string('action', 16).nullable().comment('reminder, suspension');
    t.primary(['unit_id', 'month']);
  });
  await k.schema.createTable('sanctions', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().index();
    t.string('kind', 16).notNullable().comment('reminder, suspension');
    t.string('month', 7).notNullable().comment('the assessed month');
    day(t, 'starts_on');
    day(t, 'ends_on');
    t.integer('months').nullable();
    t.integer('consecutive_red').notNullable();
    t.string('reason', 500).notNullable();
    moment(t, 'created_at');
    t.unique(['unit_id', 'kind', 'month']);
  });
  await k.schema.createTable('rule_settings', (t) => {
    t.string('code', 8).primary();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('params').nullable();
  });
  await k.schema.createTable('calendar_overrides', (t) => {
    t.string('date', 10).primary();
    t.boolean('work').notNullable();
    t.string('note', 200).nullable();
  });
  await k.schema.createTable('check_runs', (t) => {
    t.increments('id');
    t.string('date', 10).notNullable().index();
    moment(t, 'started_at');
    t.string('finished_at', 19).nullable();
    t.text('summary').nullable();
  });
  // Sources for the rules whose trigger lives outside the roster.
  await k.schema.createTable('approval_documents', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().index();
    t.string('doc_no', 100).notNullable();
    t.string('issued_on', 10).notNullable();
    t.string('subject', 200).nullable();
  });
  await k.schema.createTable('staffing_requests', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().index();
    t.string('kind', 16).notNullable().comment('用编计划, 增人入编, 减人出编, 领导职数使用, 中层职数核定, 职务任免, 岗位调整');
    t.string('quota_kind', 16).nullable();
    t.integer('count').notNullable().defaultTo(1);
    t.string('person_id_hash', 64).nullable();
    t.string('expected', 200).nullable().comment('the roster value the approval calls for, e.g. 职务 科长');
    t.string('status', 16).notNullable().comment('draft, submitted, approved, rejected, completed');
    day(t, 'approved_on');
    day(t, 'completed_on');
    day(t, 'valid_until');
    t.text('detail').nullable();
    moment(t, 'created_at');
  });
  await k.schema.createTable('self_checks', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable();
    t.string('user_id', 64).notNullable();
    moment(t, 'at');
    t.integer('findings').notNullable().defaultTo(0);
    t.index(['unit_id', 'at']);
  });
  await k.schema.createTable('monthly_reports', (t) => {
    t.integer('unit_id').unsigned().notNullable();
    t.string('month', 7).notNullable();
    t.string('due_on', 10).notNullable();
    day(t, 'confirmed_on');
    t.primary(['unit_id', 'month']);
  });
  await k.schema.createTable('region_quota_totals', (t) => {
    t.string('region_code', 6).notNullable();
    t.string('kind', 16).notNullable();
    t.integer('approved').notNullable();
    t.primary(['region_code', 'kind']);
  });
  await k.schema.createTable('feed_contracts', (t) => {
    t.increments('id');
    t.integer('unit_id').unsigned().notNullable().index();
    t.string('id_hash', 64).notNullable();
    t.string('id_masked', 32).notNullable();
    t.string('name', 64).notNullable();
    t.string('signed_on', 10).notNullable();
    t.string('source', 64).notNullable();
  });
}

export async function down(k: Knex): Promise<void> {
  for (const t of [
    'feed_contracts', 'region_quota_totals', 'monthly_reports', 'self_checks', 'staffing_requests', 'approval_documents',
    'check_runs', 'calendar_overrides', 'rule_settings', 'sanctions', 'unit_monthly_status', 'unit_daily_lights', 'findings',
    'audit_log', 'record_versions', 'users', 'workers', 'people', 'internal_offices', 'leader_posts', 'quotas', 'units', 'regions', 'settings',
  ]) await k.schema.dropTableIfExists(t);
}
