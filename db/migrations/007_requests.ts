// Staffing requests as a two-step approval (core/requests.ts): the state with its version for
// optimistic locking, who asked and why, what the request says (payload, JSON; an ID number is
// kept beside it like people's: hash, ciphertext, mask, never in the payload), the person and the
// plan it concerns, what its approval wrote (effect), its number; every step in request_steps;
// and a person's 出编日期 and 出编原因 once a 减人出编 is approved.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.alterTable('staffing_requests', (t) => {
    t.string('request_no', 20).nullable().unique().comment('SQ{year}-{id}, what users read');
    t.integer('version').notNullable().defaultTo(0).comment('bumped by every state change: update … where version = v');
    t.string('requested_by', 64).nullable();
    t.string('reason', 500).nullable();
    t.text('payload').nullable().comment('JSON of the request (core/requests.ts RequestBody) without any ID number');
    t.string('id_enc', 128).nullable().comment('the ID number the request names: SM4-CBC as people.id_enc');
    t.string('id_masked', 32).nullable();
    t.integer('person_id').unsigned().nullable();
    t.integer('plan_id').unsigned().nullable().comment('增人入编: the 用编计划 it uses');
    t.integer('used_count').notNullable().defaultTo(0).comment('用编计划: entries approved against it');
    t.text('effect').nullable().comment('JSON: what the approval wrote (person id, versions)');
    t.string('decided_by', 64).nullable();
    t.string('decided_at', 19).nullable();
    t.string('updated_at', 19).nullable();
    t.index(['status', 'unit_id']);
  });
  await k.schema.createTable('request_steps', (t) => {
    t.bigIncrements('id');
    t.integer('request_id').unsigned().notNullable().index();
    t.string('step', 8).notNullable().comment('提交, 重新提交, 初审, 终审, 撤回, 过期');
    t.string('by', 64).notNullable();
    t.string('decision', 10).notNullable().comment('submit, withdraw, pass, return, reject, approve, expire');
    t.string('comment', 500).nullable();
    t.string('at', 19).notNullable();
  });
  await k.schema.alterTable('people', (t) => {
    t.string('exit_on', 10).nullable().comment('出编日期');
    t.string('exit_reason', 8).nullable().comment('出编原因');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('people', (t) => {
    t.dropColumn('exit_on');
    t.dropColumn('exit_reason');
  });
  await k.schema.dropTable('request_steps');
  await k.schema.alterTable('staffing_requests', (t) => {
    t.dropIndex(['status', 'unit_id']);
    t.dropUnique(['request_no']);
    for (const c of ['request_no', 'version', 'requested_by', 'reason', 'payload', 'id_enc', 'id_masked', 'person_id', 'plan_id', 'used_count', 'effect', 'decided_by', 'decided_at', 'updated_at']) t.dropColumn(c);
  });
}
