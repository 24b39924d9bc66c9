// People as the routes and the robot read them: rosters for counting, people by name, one person
// with their unit's credit code, the birth dates their ID numbers encode, and a person's history.
// The check engine's reads (the cross-row facts, the stream of all people) stay in db/records.ts
// and db/check.ts.

import type { Knex } from 'knex';
import type { PersonRecord } from '../core/model.ts';
import type { UnitScope } from '../core/roles.ts';
import { PERSON_COLUMNS, personFromRow } from './records.ts';

type Row = Record<string, any>;

/** People as the checks see them: every one, or those of a unit and/or a status. */
export async function personRecords(db: Knex, f: { unitId?: number; status?: string } = {}): Promise<PersonRecord[]> {
  const q = db('people').select(PERSON_COLUMNS);
  if (f.unitId !== undefined) q.where({ unit_id: f.unitId });
  if (f.status !== undefined) q.where({ status: f.status });
  return ((await q) as Row[]).map((r) => personFromRow(r));
}

/** People of this name still on a roster (not 已出编) within a scope, with their unit's name; at most `limit`. */
export async function peopleNamed(db: Knex, name: string, scope: UnitScope, limit: number): Promise<Array<{ person: PersonRecord; unitName: string }>> {
  const q = db('people as p').join('units as u', 'u.id', 'p.unit_id').where('p.name', name).whereNot('p.status', '已出编')
    .select(PERSON_COLUMNS.map((c) => `p.${c}`)).select('u.name as unit_name').limit(limit);
  if (scope) q.whereIn('p.unit_id', scope.length ? scope : [0]);
  return ((await q) as Row[]).map((r) => ({ person: personFromRow(r), unitName: r.unit_name }));
}

/** People (`p`) with their unit's credit code as `unit_code`, which every person view shows; add the columns. */
function peopleWithUnitCode(db: Knex): Knex.QueryBuilder {
  return db('people as p').leftJoin('units as u', 'u.id', 'p.unit_id').select('u.code as unit_code');
}

/** One person's whole row with `unit_code`, as a query for a batch of reads (db/batch.ts). */
export function personWithUnitCodeQuery(db: Knex, id: number): Knex.QueryBuilder {
  return peopleWithUnitCode(db).where('p.id', id).select('p.*');
}

/** One person's row (these columns, `unit_id` always) with `unit_code`, or undefined. */
export async function personWithUnitCode(db: Knex, id: number, columns: string[] = ['*']): Promise<Row | undefined> {
  const cols = columns.includes('*') ? ['p.*'] : [...new Set([...columns, 'unit_id'])].map((c) => `p.${c}`);
  return peopleWithUnitCode(db).where('p.id', id).first(cols);
}

/** The birth date each person's stored ID number encodes (`id_birth`), by person id. */
export async function idBirths(db: Knex, ids: number[]): Promise<Map<number, string | null>> {
  const births = new Map<number, string | null>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const r of (await db('people').whereIn('id', ids.slice(i, i + 1000)).select('id', 'id_birth')) as Row[]) births.set(Number(r.id), r.id_birth ?? null);
  }
  return births;
}

/** A person's record versions (record_versions rows), the latest first. */
export async function personHistory(db: Knex, personId: number): Promise<Row[]> {
  return db('record_versions').where({ entity: 'person', entity_id: personId }).orderBy('version', 'desc');
}
