// 月度核账 (issue 16): monthly_reports (001) held only the month, the due date and the day a unit
// confirmed. A confirmation now keeps who confirmed and when, their note, and the figures they
// saw (a JSON snapshot: 在编 by 编制类型, open findings by family, the other departments' counts);
// opened_at says the job or the office opened the month (rows of the demo seed have none);
// reminded_on is the last day the unconfirmed unit was reminded (the office's 催办 at most once a day).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('monthly_reports', (t) => {
    t.string('confirmed_by', 64).nullable();
    t.string('confirmed_at', 19).nullable();
    t.string('note', 500).nullable();
    t.text('snapshot').nullable().comment('JSON: the 核账清单 figures the unit confirmed');
    t.string('opened_at', 19).nullable();
    t.string('reminded_on', 10).nullable();
  });
  await k.schema.alterTable('monthly_reports', (t) => {
    t.index(['month', 'confirmed_on'], 'monthly_reports_month_confirmed');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('monthly_reports', (t) => {
    t.dropIndex(['month', 'confirmed_on'], 'monthly_reports_month_confirmed');
  });
  await k.schema.alterTable('monthly_reports', (t) => {
    t.dropColumn('confirmed_by');
    t.dropColumn('confirmed_at');
    t.dropColumn('note');
    t.dropColumn('snapshot');
    t.dropColumn('opened_at');
    t.dropColumn('reminded_on');
  });
}
