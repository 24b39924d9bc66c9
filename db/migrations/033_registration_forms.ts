// Issue 18: the 《人员入(出)编登记表》 sanse issues when a 增人入编 or 减人出编 is finally approved
// (commands/registration-form.ts), in the approval's own transaction. The form's facts are frozen
// here at issue time (`facts`, JSON: the unit, the person with the ID number masked, the quota
// kind, the dates, the approval, the approvers, the office), so the form never changes later; the
// full ID number is kept apart, encrypted like people.id_enc, and printed only for FULL_ID_ROLES.
// Numbers run per year without gaps: `registration_form_counters` holds the year's last number,
// locked (SELECT … FOR UPDATE on MariaDB; SQLite has one writer) while a form is issued.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('registration_forms', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.integer('seq').notNullable().comment('the number within the year: 1, 2, 3 … without gaps');
    t.string('number', 40).notNullable().unique().comment('编登〔2026〕12号 (the office\'s short name before it when set)');
    t.integer('request_id').unsigned().notNullable().unique().comment('one form per approved request');
    t.string('kind', 4).notNullable().comment('入编 or 出编');
    t.integer('unit_id').unsigned().notNullable();
    t.integer('person_id').unsigned().nullable();
    t.string('person_name', 64).notNullable();
    t.string('id_enc', 128).nullable().comment('the person\'s ID number, SM4-CBC as people.id_enc');
    t.string('id_hash', 64).nullable().comment('its keyed hash as people.id_hash (re-keyed with id_enc by sanse pii rotate)');
    t.string('id_masked', 32).nullable();
    t.text('facts').notNullable().comment('JSON (core/registration-form.ts RegistrationFacts), frozen at issue');
    t.string('approved_on', 10).notNullable();
    t.string('issued_at', 19).notNullable();
    t.string('issued_by', 64).notNullable();
    t.unique(['year', 'seq']);
    t.index(['unit_id', 'year']);
    t.index(['year', 'kind']);
    t.index(['id_hash']);
  });
  await k.schema.createTable('registration_form_counters', (t) => {
    t.integer('year').primary();
    t.integer('last').notNullable().defaultTo(0);
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.dropTableIfExists('registration_form_counters');
  await k.schema.dropTableIfExists('registration_forms');
}
