// Issue 18 (首录负责制, ningbo-data-regulation art. 22): the office searches the records a user
// first entered or last changed, in a date range (db/provenance.ts). record_versions is indexed by
// record (entity, entity_id, version) only; this index finds one user's versions by time without
// a scan of every version (100k people × their versions).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('record_versions', (t) => {
    t.index(['changed_by', 'changed_at'], 'record_versions_by_user');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('record_versions', (t) => {
    t.dropIndex(['changed_by', 'changed_at'], 'record_versions_by_user');
  });
}
