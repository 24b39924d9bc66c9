// AI 大模型分析 (Ningbo art. 21): the narrative of a quarterly report and the monthly reading
// of the negative list, drafted by the office's model (or the templates) and edited by office
// staff. One row per kind and period; the text is a 草稿 until an office user saves it.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('analysis_drafts', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable().comment('quarterly, negative-list');
    t.string('period', 7).notNullable().comment("'2026Q3' for quarterly, '2026-09' for negative-list");
    t.text('text').notNullable();
    t.string('source', 10).notNullable().comment('llm, template, edited');
    t.string('model', 100).nullable();
    t.string('note', 200).nullable().comment('e.g. 大模型暂不可用，已使用模板文字');
    t.string('status', 8).notNullable().comment('草稿, 已定稿');
    t.string('created_at', 19).notNullable();
    t.string('edited_by', 64).nullable();
    t.string('edited_at', 19).nullable();
    t.unique(['kind', 'period']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('analysis_drafts');
}
