// 编外人员 one at a time (the mini-app's form): the row with its unit's credit code, its latest
// version, its open findings, its history; the save goes through store.ts's versioned write.

import type { Knex } from 'knex';
import { openFindingsQuery } from './findings.ts';
import { versionQuery } from './store.ts';

/** A worker with their unit's credit code (`unit_code`) and name (`unit_name`). */
export function workerWithUnitQuery(db: Knex, id: number): Knex.QueryBuilder {
  return db('workers as w').join('units as u', 'u.id', 'w.unit_id').where('w.id', id).select('w.*', 'u.code as unit_code', 'u.name as unit_name');
}

/** The same, as one row (undefined when there is no such worker). */
export async function workerWithUnit(db: Knex, id: number): Promise<Record<string, any> | undefined> {
  return workerWithUnitQuery(db, id).first();
}

export const workerVersionQuery = (db: Knex, id: number) => versionQuery(db, 'worker', id);

/** The worker's open findings, most urgent first. */
export const workerFindingsQuery = (db: Knex, id: number) => openFindingsQuery(db).where({ 'f.scope': 'worker', 'f.entity_id': id });

/** Another worker of the unit with this ID number (the key of the 编外人员 sheet). */
export async function workerIdTaken(trx: Knex, unitId: number, idHashes: string[], exceptId: number): Promise<boolean> {
  return !!(await trx('workers').where({ unit_id: unitId }).whereIn('id_hash', idHashes).whereNot({ id: exceptId }).first('id'));
}

/** A record's versions, latest first (entity 'worker' or 'unit'), with who changed it by name. */
export async function versionsOf(db: Knex, entity: 'worker' | 'unit', id: number): Promise<Array<Record<string, any>>> {
  const rows = await db('record_versions as v').leftJoin('users as us', 'us.id', 'v.changed_by').where({ 'v.entity': entity, 'v.entity_id': id })
    .orderBy('v.version', 'desc').select('v.version', 'v.before', 'v.after', 'v.changed_by', 'v.changed_at', 'v.source', 'v.reason', 'us.name as changed_by_name');
  return rows;
}
