// 半年交叉检查与书面函告 (issue 18, ningbo-data-regulation.txt art. 10(四)): one row per unit and
// half-year that had problems. `number` (柯编函〔2027〕3号) is unique and its (year, seq) too; (unit_id,
// half) is unique, so a second run of the same half-year issues nothing. `facts` is the notice as
// issued (JSON, core/half-year-notices.ts NoticeFacts: the overdue findings with masked IDs and the
// repeated mistakes), never recomputed. The unit's reply (整改情况说明, per-item notes) and the
// office's review (办结, or 退回 with a note) are kept on the row.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('notices', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.integer('seq').notNullable();
    t.string('number', 40).notNullable().unique();
    t.integer('unit_id').unsigned().notNullable();
    t.string('half', 6).notNullable().comment('2026H2');
    t.text('facts').notNullable().comment('JSON NoticeFacts, frozen at issue');
    t.integer('overdue_count').notNullable().defaultTo(0);
    t.integer('repeated_count').notNullable().defaultTo(0);
    t.string('issued_on', 10).notNullable();
    t.string('issued_at', 19).notNullable();
    t.string('issued_by', 64).notNullable();
    t.string('sent_at', 19).nullable().comment('when its messages were queued');
    t.string('reply_due', 10).notNullable();
    t.string('reply_state', 10).notNullable().defaultTo('none').comment('none, replied, returned, closed');
    t.text('reply_text').nullable();
    t.text('reply_items').nullable().comment('JSON: per-item notes, f<findingId> / r<rule> → text');
    t.string('replied_at', 19).nullable();
    t.string('replied_by', 64).nullable();
    t.string('review_note', 500).nullable();
    t.string('reviewed_at', 19).nullable();
    t.string('reviewed_by', 64).nullable();
    t.unique(['unit_id', 'half'], { indexName: 'notices_unit_half' });
    t.unique(['year', 'seq'], { indexName: 'notices_year_seq' });
    t.index(['half'], 'notices_half');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('notices');
}
