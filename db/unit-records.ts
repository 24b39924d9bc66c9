// A unit's own record one at a time (the mini-app's unit page and the console's): the row, its
// ledger (编制 and 领导职数 by kind), its latest version, its open findings; the writes of its
// internal offices, of one ledger row (versioned) and of an approval document.

import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';
import { openFindingsQuery } from './findings.ts';
import { versionQuery, writeVersion, type ChangeMeta } from './store.ts';

type Row = Record<string, any>;

export const unitRowQuery = (db: Knex, id: number) => db('units').where({ id }).select('*');
export const unitVersionQuery = (db: Knex, id: number) => versionQuery(db, 'unit', id);
export const unitFindingsQuery = (db: Knex, id: number) => openFindingsQuery(db).where({ 'f.scope': 'unit', 'f.entity_id': id });
export const quotasQuery = (db: Knex, unitId: number) => db('quotas').where({ unit_id: unitId }).orderBy('id').select('id', 'kind', 'approved', 'approval_no');
export const leaderPostsQuery = (db: Knex, unitId: number) => db('leader_posts').where({ unit_id: unitId }).orderBy('id').select('id', 'kind', 'approved', 'approval_no');
export const approvalDocumentsQuery = (db: Knex, unitId: number) => db('approval_documents').where({ unit_id: unitId }).orderBy('id', 'desc').limit(20).select('doc_no', 'issued_on', 'subject');
export const specialistsQuery = (db: Knex, unitId: number) => db('users').where({ role: '单位专管员', unit_id: unitId, locked: false }).orderBy('id').select('name', 'mobile');

/** The internal_offices table kept as the unit's 内设机构 list. */
export async function syncInternalOffices(trx: Knex, unitId: number, names: string[]): Promise<void> {
  await trx('internal_offices').where({ unit_id: unitId }).whereNotIn('name', names.length ? names : ['']).delete();
  const have = new Set((await trx('internal_offices').where({ unit_id: unitId }).select('name')).map((r: Row) => r.name));
  const add = names.filter((n) => !have.has(n));
  if (add.length) await trx('internal_offices').insert(add.map((name) => ({ unit_id: unitId, name })));
}

/** One approved number (编制 or 领导职数) of a kind, written with its version when it changed. */
export async function saveLedgerRow(trx: Knex, table: 'quotas' | 'leader_posts', unitId: number, kind: string, approved: number, approvalNo: string, meta: ChangeMeta): Promise<boolean> {
  const entity = table === 'quotas' ? 'quota' : 'leader_post';
  const existing: Row | undefined = await trx(table).where({ unit_id: unitId, kind }).first();
  if (!existing) {
    const [id] = await trx(table).insert({ unit_id: unitId, kind, approved, approval_no: approvalNo });
    await writeVersion(trx, entity, Number(id), null, { unit_id: unitId, kind, approved, approval_no: approvalNo }, meta);
    return true;
  }
  if (Number(existing.approved) === approved && existing.approval_no === approvalNo) return false;
  await trx(table).where({ id: existing.id }).update({ approved, approval_no: approvalNo });
  await writeVersion(trx, entity, Number(existing.id), { approved: Number(existing.approved), approval_no: existing.approval_no }, { approved, approval_no: approvalNo }, meta);
  return Number(existing.approved) !== approved;
}

export async function recordApprovalDocument(trx: Knex, doc: { unitId: number; docNo: string; issuedOn: string; subject: string }): Promise<void> {
  const has = await trx('approval_documents').where({ unit_id: doc.unitId, doc_no: doc.docNo }).first('id');
  if (has) await trx('approval_documents').where({ id: has.id }).update({ issued_on: doc.issuedOn, subject: doc.subject });
  else await trx('approval_documents').insert({ unit_id: doc.unitId, doc_no: doc.docNo, issued_on: doc.issuedOn, subject: doc.subject });
}

export async function unitIdByCode(trx: Knex, code: string): Promise<number[]> {
  return (await trx('units').where({ code }).select('id')).map((r: Row) => Number(r.id));
}

export async function touchLedger(trx: Knex, unitId: number, today: string): Promise<void> {
  await trx('units').where({ id: unitId }).update({ ledger_updated_on: today, updated_at: nowMoment() });
}
