// 市县贯通 (issue 16, deliverable 5). A user's region (users.region_code): an office role with a
// county's code is that county's office and sees the units of that county only (db/scope.ts);
// empty is the whole deployment. The counties' signed monthly snapshots imported on the city's
// instance: the public key of each county (snapshot_keys), the current snapshot of each county
// and month (county_snapshots, unique by region and month) with its units and people, and every
// import that changed it (county_snapshot_versions). X-RG-01 compares the latest snapshot of a
// county with the city's own copy of that county's units and people.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('users', (t) => {
    t.string('region_code', 6).nullable().comment('所属区划 of an office role: a county code scopes it to that county; null = the whole deployment');
  });
  await k.schema.createTable('snapshot_keys', (t) => {
    t.string('region_code', 6).primary();
    t.text('public_key').notNullable().comment('Ed25519 public key, PEM (SPKI)');
    t.string('fingerprint', 64).notNullable().comment('sha256 of the DER key, hex');
    t.string('registered_by', 64).notNullable();
    t.string('registered_at', 19).notNullable();
  });
  await k.schema.createTable('county_snapshots', (t) => {
    t.increments('id');
    t.string('region_code', 6).notNullable();
    t.string('month', 7).notNullable();
    t.string('sha256', 64).notNullable().comment('of the signed payload');
    t.integer('units').notNullable();
    t.integer('people').notNullable();
    t.string('created_at', 25).notNullable().comment('when the county exported it (its manifest)');
    t.string('sanse_version', 32).nullable();
    t.integer('version').notNullable().defaultTo(1).comment('how many different files of this county and month were imported');
    t.string('imported_by', 64).notNullable();
    t.string('imported_at', 19).notNullable();
    t.unique(['region_code', 'month']);
  });
  await k.schema.createTable('county_snapshot_versions', (t) => {
    t.increments('id');
    t.string('region_code', 6).notNullable();
    t.string('month', 7).notNullable();
    t.integer('version').notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('units').notNullable();
    t.integer('people').notNullable();
    t.string('imported_by', 64).notNullable();
    t.string('imported_at', 19).notNullable();
    t.unique(['region_code', 'month', 'version']);
  });
  await k.schema.createTable('county_snapshot_units', (t) => {
    t.increments('id');
    t.integer('snapshot_id').unsigned().notNullable().references('county_snapshots.id').onDelete('CASCADE');
    t.string('code', 32).notNullable();
    t.string('name', 200).notNullable();
    t.string('region_code', 6).nullable();
    t.text('quotas').notNullable().comment('JSON {编制类型: 核定}');
    t.text('leader_posts').notNullable().comment('JSON {职数类型: 核定}');
    t.index(['snapshot_id', 'code']);
  });
  await k.schema.createTable('county_snapshot_people', (t) => {
    t.increments('id');
    t.integer('snapshot_id').unsigned().notNullable().references('county_snapshots.id').onDelete('CASCADE');
    t.string('id_hash', 64).nullable();
    t.string('id_masked', 32).nullable();
    t.string('name', 64).notNullable();
    t.string('unit_code', 32).nullable();
    t.string('unit_name', 200).nullable();
    t.string('status', 8).nullable();
    t.string('quota_kind', 16).nullable();
    t.string('posts', 200).nullable();
    t.string('leader_level', 8).nullable();
    t.string('entered_on', 10).nullable();
    t.index(['snapshot_id', 'id_hash']);
    t.index(['snapshot_id', 'unit_code']);
  });
}

export async function down(k: Knex): Promise<void> {
  for (const t of ['county_snapshot_people', 'county_snapshot_units', 'county_snapshot_versions', 'county_snapshots', 'snapshot_keys']) await k.schema.dropTableIfExists(t);
  await k.schema.alterTable('users', (t) => {
    t.dropColumn('region_code');
  });
}
