// PII key rotation (issue 17, `sanse pii rotate`): while the stored ID numbers are re-encrypted
// and re-hashed under a new key, each old hash met is written here with its new hash, so the
// columns that hold a hash without the number (feed links, linked feed rows, county snapshots,
// contracts) can be moved to the new hash too. Emptied when the rotation finishes; it holds
// hashes only, never a number. The rotation's own progress is the setting `pii.rotation`.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('pii_rotation_hashes', (t) => {
    t.string('old_hash', 64).primary();
    t.string('new_hash', 64).notNullable();
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('pii_rotation_hashes');
}
