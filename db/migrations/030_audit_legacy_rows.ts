// Issue 17: a deployment upgraded to the signed audit trail already holds audit_log rows written
// before rows were signed (before migration 024), without row_mac. They cannot be signed as they
// were written; the honest thing is to sign them once, when the sealer first chains them, and to
// say so. This migration records in audit_chain the highest audit_log id that existed before
// signing began (`legacy_until_id`: the unsigned rows before the first signed one, 0 on a new
// database); the sealer signs those rows as it chains them and marks them `signed_at_upgrade`,
// and `sanse audit verify` counts them apart. A row without row_mac written after the upgrade is
// still 未签名 (broken).

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('audit_chain', (t) => {
    t.bigInteger('legacy_until_id').notNullable().defaultTo(0).comment('audit_log rows up to this id were written before rows were signed: the sealer signs them once when it chains them');
  });
  await k.schema.alterTable('audit_log', (t) => {
    t.boolean('signed_at_upgrade').notNullable().defaultTo(false).comment('row_mac made by the sealer at the upgrade, not when the row was written');
  });
  await recordLegacyAuditRows(k);
}

/**
 * Records in audit_chain.legacy_until_id the highest id of the rows written before signing began:
 * the unsigned, not yet chained rows before the first signed one (all of them when none is signed).
 */
export async function recordLegacyAuditRows(k: Knex): Promise<number> {
  const firstSigned = (await k('audit_log').whereNotNull('row_mac').min({ m: 'id' }).first())?.m;
  const q = k('audit_log').whereNull('row_mac').whereNull('seq');
  if (firstSigned !== null && firstSigned !== undefined) q.where('id', '<', Number(firstSigned));
  const until = Number((await q.max({ m: 'id' }).first())?.m ?? 0);
  await k('audit_chain').where({ id: 1 }).update({ legacy_until_id: until });
  return until;
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('audit_log', (t) => {
    t.dropColumn('signed_at_upgrade');
  });
  await k.schema.alterTable('audit_chain', (t) => {
    t.dropColumn('legacy_until_id');
  });
}
