// Issue 18 (两报表之预算报表): the office's yearly budget round (one row per year: the due date, who
// opened it and when) and each unit's 年度编制使用预算 (one row per unit and year: its state, the
// lines per 编制类型 as JSON, a version that every write raises, who saved, submitted and reviewed,
// the office's last reason, the day the unit was last reminded). budget_events keeps every save,
// submission and review with the lines as they were then: the budget's history.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('budget_rounds', (t) => {
    t.integer('year').primary();
    t.string('due_on', 10).notNullable();
    t.string('opened_at', 19).notNullable();
    t.string('opened_by', 64).notNullable();
  });
  await k.schema.createTable('budgets', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.integer('unit_id').notNullable();
    t.string('state', 16).notNullable().comment('draft, submitted, returned, approved (no row: 未填)');
    t.text('lines').notNullable().comment('JSON: [{kind, addRecruit, addTransfer, addMilitary, addOther, retire, otherOut, retireReason, note, retireForecast}]');
    t.integer('version').notNullable().defaultTo(1);
    t.string('saved_at', 19).notNullable();
    t.string('saved_by', 64).notNullable();
    t.string('submitted_at', 19).nullable();
    t.string('submitted_by', 64).nullable();
    t.string('reviewed_at', 19).nullable();
    t.string('reviewed_by', 64).nullable();
    t.string('reason', 500).nullable().comment('the office\'s last 退回/重新打开 reason');
    t.string('reminded_on', 10).nullable();
    t.unique(['year', 'unit_id'], { indexName: 'budgets_year_unit' });
  });
  await k.schema.createTable('budget_events', (t) => {
    t.increments('id');
    t.integer('budget_id').notNullable();
    t.integer('year').notNullable();
    t.integer('unit_id').notNullable();
    t.integer('version').notNullable();
    t.string('action', 16).notNullable().comment('save, submit, approve, return, reopen');
    t.string('state', 16).notNullable().comment('the state after the action');
    t.string('by', 64).notNullable();
    t.string('at', 19).notNullable();
    t.string('reason', 500).nullable();
    t.text('lines').notNullable();
    t.index(['budget_id', 'id'], 'budget_events_budget');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('budget_events');
  await k.schema.dropTable('budgets');
  await k.schema.dropTable('budget_rounds');
}
