// Indexes the dashboard's quality panel reads through (db/dashboard.ts): open findings counted
// by rule without reading the rows, a month's scores banded from the index, and the units of a
// light on a day ranked by their red or yellow findings from the index.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('findings', (t) => {
    t.index(['status', 'rule', 'unit_id'], 'findings_status_rule_unit');
  });
  await k.schema.alterTable('unit_scores', (t) => {
    t.index(['month', 'score'], 'unit_scores_month_score');
  });
  await k.schema.alterTable('unit_daily_lights', (t) => {
    t.index(['date', 'light', 'red', 'yellow'], 'unit_daily_lights_date_light_counts');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('unit_daily_lights', (t) => t.dropIndex(['date', 'light', 'red', 'yellow'], 'unit_daily_lights_date_light_counts'));
  await k.schema.alterTable('unit_scores', (t) => t.dropIndex(['month', 'score'], 'unit_scores_month_score'));
  await k.schema.alterTable('findings', (t) => t.dropIndex(['status', 'rule', 'unit_id'], 'findings_status_rule_unit'));
}
