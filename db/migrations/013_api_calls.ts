// Calls made to the chat platform's OpenAPI, per calendar month, platform and kind (send to a
// group, send to users, create a card, update a card, reply): what the platform's monthly budget
// (消息额度, core/message-budget.ts) is measured against. Token and login calls are not counted.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('api_calls', (t) => {
    t.string('month', 7).notNullable().comment('YYYY-MM, Asia/Shanghai');
    t.string('platform', 16).notNullable().comment('dingtalk, zhengding, sandbox');
    t.string('kind', 24).notNullable().comment('send-group, send-users, create-card, update-card, reply');
    t.integer('n').unsigned().notNullable().defaultTo(0);
    t.primary(['month', 'platform', 'kind']);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTable('api_calls');
}
