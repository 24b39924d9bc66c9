// The registration forms (人员入(出)编登记表) as stored (migration 033): the year's next number
// under a lock, the form of a request, and the register of issued forms by year, kind and unit.

import type { Knex } from 'knex';
import { isSqlite } from './connection.ts';

type Row = Record<string, any>;

/**
 * The year's counter row, made if missing, outside the approval's transaction (autocommit): an
 * INSERT IGNORE that meets an existing row takes a shared lock on MariaDB, and two approvals each
 * holding one while waiting for FOR UPDATE would deadlock; so the approval only locks a row that exists.
 */
export async function ensureRegistrationCounter(db: Knex, year: number): Promise<void> {
  await db('registration_form_counters').insert({ year, last: 0 }).onConflict('year').ignore();
}

/**
 * The year's next number, in the caller's transaction: the counter row locked (SELECT … FOR
 * UPDATE on MariaDB; SQLite has one writer) and bumped. A rolled-back approval rolls the number
 * back with it: no gaps, no duplicates. The row is made here only if ensureRegistrationCounter
 * was not called first.
 */
export async function nextRegistrationSeq(trx: Knex, year: number): Promise<number> {
  const locked = () => {
    const q = trx('registration_form_counters').where({ year }).first();
    return isSqlite(trx) ? q : q.forUpdate();
  };
  let row = await locked();
  if (!row) {
    await ensureRegistrationCounter(trx, year);
    row = await locked();
  }
  const seq = Number(row?.last ?? 0) + 1;
  await trx('registration_form_counters').where({ year }).update({ last: seq });
  return seq;
}

export async function registrationFormOfRequest(db: Knex, requestId: number): Promise<Row | undefined> {
  return db('registration_forms').where({ request_id: requestId }).first();
}

export interface RegisterFilter {
  /** Unit ids the reader may see (null: all). */
  unitIds: number[] | null;
  year?: number;
  kind?: string;
  unitId?: number;
}

/** Issued forms, newest number first, with their unit's current name beside the frozen one. */
export async function registerRows(db: Knex, f: RegisterFilter): Promise<Row[]> {
  let q = db('registration_forms as f').leftJoin('staffing_requests as r', 'r.id', 'f.request_id')
    .select('f.id', 'f.year', 'f.seq', 'f.number', 'f.request_id', 'r.request_no', 'f.kind', 'f.unit_id', 'f.person_name', 'f.id_masked', 'f.facts', 'f.approved_on', 'f.issued_at', 'f.issued_by')
    .orderBy([{ column: 'f.year', order: 'desc' }, { column: 'f.seq', order: 'desc' }]);
  if (f.unitIds) q = q.whereIn('f.unit_id', f.unitIds.length ? f.unitIds : [0]);
  if (f.year !== undefined) q = q.where('f.year', f.year);
  if (f.kind) q = q.where('f.kind', f.kind);
  if (f.unitId !== undefined) q = q.where('f.unit_id', f.unitId);
  return q;
}

/** The years that have forms, newest first (the register's year filter). */
export async function registerYears(db: Knex): Promise<number[]> {
  return (await db('registration_forms').distinct('year').orderBy('year', 'desc')).map((r) => Number(r.year));
}
