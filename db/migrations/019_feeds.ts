// The other departments' rosters (issue 16): 社保 (机关事业养老保险), 工资统发 and 组织部任免,
// each imported as a whole file for a month (core/feeds.ts). One row per import in feed_imports
// (who, when, which file, how many rows; an import of the same kind and month replaces the
// earlier one, whose row stays with replaced_by set, so the versions of a feed are kept by
// month). The rows of each kind in their own table, with the ID number as the roster keeps it:
// a keyed hash to match by (never the number in clear), the masked form to show, and the
// ciphertext only for the roles that may see it. A row without a valid ID number has no hash:
// it is matched only through a link a person confirmed (feed_links).

import type { Knex } from 'knex';

/** The columns every feed row has: where it came from, the person as the feed names them, the unit as the feed names it. */
function feedRow(t: Knex.CreateTableBuilder): void {
  t.increments('id');
  t.integer('import_id').unsigned().notNullable();
  t.string('month', 7).notNullable().comment('the version month: the import replaces the rows of its kind and month');
  t.integer('row_no').notNullable().comment('the row in the imported sheet');
  t.string('id_hash', 64).nullable().comment('keyed hash of the normalised ID number; null when the number is not valid and no link is confirmed');
  t.string('id_masked', 32).nullable();
  t.text('id_enc').nullable();
  t.boolean('id_valid').notNullable().defaultTo(false);
  t.integer('link_id').unsigned().nullable().comment('feed_links.id when the hash comes from a confirmed candidate match');
  t.string('name', 64).notNullable();
  t.string('birth_key', 10).nullable().comment('出生日期 as given, else from the ID number when it encodes a real date');
  t.string('unit_text', 200).nullable().comment('the unit as the feed names it (参保单位, 发薪单位, 单位)');
  t.string('unit_code', 32).nullable().comment('统一社会信用代码 when the feed gives one');
  t.integer('unit_id').unsigned().nullable().comment('the unit it was resolved to, by credit code then name; null when none or several');
}

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('feed_imports', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable().comment('社保, 工资统发, 组织部任免');
    t.string('month', 7).notNullable();
    t.string('file_name', 200).notNullable();
    t.integer('rows').notNullable();
    t.integer('unmatched_units').notNullable().defaultTo(0);
    t.integer('invalid_ids').notNullable().defaultTo(0);
    t.string('by', 64).notNullable();
    t.string('at', 19).notNullable();
    t.integer('replaced_by').unsigned().nullable();
    t.index(['kind', 'month']);
  });
  await k.schema.createTable('feed_social_insurance', (t) => {
    feedRow(t);
    t.string('status', 8).notNullable().comment('参保, 暂停, 退休, 领取待遇');
    t.string('from_month', 7).nullable();
    t.string('to_month', 7).nullable();
    t.index(['month', 'id_hash', 'unit_id', 'status'], 'feed_si_month_hash');
    t.index(['import_id']);
  });
  await k.schema.createTable('feed_payroll', (t) => {
    feedRow(t);
    t.decimal('amount', 12, 2).nullable().comment('应发, when the feed gives it');
    t.boolean('paid').notNullable().defaultTo(true).comment('on the month\'s payroll (应发 > 0, or the flag)');
    t.index(['month', 'id_hash', 'unit_id', 'paid'], 'feed_payroll_month_hash');
    t.index(['import_id']);
  });
  await k.schema.createTable('feed_appointments', (t) => {
    feedRow(t);
    t.string('post', 100).nullable().comment('职务');
    t.string('rank', 32).nullable().comment('职级');
    t.string('action', 4).notNullable().comment('任职 or 免职');
    t.string('doc_no', 100).nullable();
    t.string('doc_date', 10).nullable();
    t.index(['month', 'id_hash'], 'feed_appt_month_hash');
    t.index(['id_hash']);
    t.index(['import_id']);
  });
  // A feed row without a valid ID number matched to a person by someone who looked: never by the
  // system alone. Keyed by what the feed says (kind, name, birth, unit as written), so next
  // month's row of the same person is linked again without asking.
  await k.schema.createTable('feed_links', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable();
    t.string('source_key', 64).notNullable().comment('hash of kind, name, birth and unit as the feed writes them');
    t.string('name', 64).notNullable();
    t.string('birth_key', 10).nullable();
    t.string('unit_text', 200).nullable();
    t.integer('person_id').unsigned().notNullable();
    t.string('id_hash', 64).notNullable();
    t.string('reason', 32).notNullable().comment('姓名相同 or 读音相同');
    t.string('confirmed_by', 64).notNullable();
    t.string('confirmed_at', 19).notNullable();
    t.string('withdrawn_at', 19).nullable();
    t.string('withdrawn_by', 64).nullable();
    t.index(['kind', 'source_key']);
  });
}

export async function down(k: Knex): Promise<void> {
  for (const t of ['feed_links', 'feed_appointments', 'feed_payroll', 'feed_social_insurance', 'feed_imports']) await k.schema.dropTableIfExists(t);
}
