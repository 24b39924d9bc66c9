// Issue 18: the 错题本's office-edited guides, versioned. One row per version of one entry: a
// rule's guide (`entry` = the rule code, e.g. P-ID-08) edited over the shipped text of
// cards/fix-guides.ts, or the office's own entry (`entry` = O-001, O-002, …, its `title` its
// own, `related` the rule codes it names). The effective guide is the entry's highest version,
// else the shipped one. Rows are never updated or deleted: a restore writes a new version.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('fix_guide_versions', (t) => {
    t.increments('id');
    t.string('entry', 16).notNullable().comment('rule code (P-ID-08) or the office entry key (O-001)');
    t.integer('version').notNullable().comment('1, 2, … per entry');
    t.string('title', 60).notNullable();
    t.text('what').notNullable();
    t.text('why').notNullable();
    t.text('how').notNullable().comment('JSON array of steps');
    t.text('right_example').notNullable();
    t.text('wrong_example').notNullable();
    t.string('related', 200).nullable().comment('office entries: related rule codes, comma-separated');
    t.string('reason', 200).notNullable();
    t.integer('restored_from').nullable().comment('the version a restore copied');
    t.string('created_by', 64).notNullable();
    t.string('created_at', 19).notNullable();
    t.unique(['entry', 'version']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('fix_guide_versions');
}
