// The registration forms (人员入(出)编登记表) as stored (migration 033): the year's next number
// under a lock, the form of a request, and the register of issued forms by year, kind and unit.

import type { Knex } from 'knex';
import { isSqlite } from './connection.ts';

type Row = Record<string, any>;

/**
 * The year's next number, in the caller's transaction: the counter row is created if missing
 * (insert … ignore, so two first forms of a year at once both find one row), then locked
 * (SELECT … FOR UPDATE on MariaDB; on SQLite the update takes the one write lock) and bumped.
 * A rolled-back approval rolls the number back with it: no gaps, no duplicates.
 */
export async function nextRegistrationSeq(trx: Knex, year: number): Promise<number> {
  await trx('registration_form_counters').insert({ year, last: 0 }).onConflict('year').ignore();
  if (isSqlite(trx)) await trx('registration_form_counters').where({ year }).update({ last: trx.raw('last') });
  const row = await (isSqlite(trx) ? trx('registration_form_counters').where({ year }).first() : trx('registration_form_counters').where({ year }).forUpdate().first());
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
