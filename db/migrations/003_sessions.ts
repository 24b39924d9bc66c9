// Console and mini-app sessions (server/auth/session.ts): a random id in a signed cookie, the
// user, the CSRF token given by GET /api/me, and the moments of the 12-hour idle expiry
// ('YYYY-MM-DD HH:MM:SS' in Asia/Shanghai, like every moment of the schema).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('sessions', (t) => {
    t.string('id', 64).primary().comment('32 random bytes, hex');
    t.string('user_id', 64).notNullable().index();
    t.string('csrf_token', 64).notNullable();
    t.string('created_at', 19).notNullable();
    t.string('last_seen_at', 19).notNullable();
    t.string('expires_at', 19).notNullable().index();
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('sessions');
}
