// Units as the routes and the robot list and find them: one by id, by name within a scope, the
// units of a chat group, the list in a scope, names by id, and the daily lights of the overview.
// The normalised units the checks and answers count with are db/records.ts loadUnits; a unit
// named by id or credit code is db/scope.ts unitsByRef.

import type { Knex } from 'knex';
import type { UnitScope } from '../core/roles.ts';

type Row = Record<string, any>;

/** Restricts a query to a scope's unit ids (null: every unit; empty: none). */
const within = (q: Knex.QueryBuilder, column: string, scope: UnitScope): Knex.QueryBuilder => (scope ? q.whereIn(column, scope.length ? scope : [0]) : q);

/** The unit of this id (these columns), or undefined. */
export async function unitById(db: Knex, id: number, columns: string[] = ['*']): Promise<Row | undefined> {
  return db('units').where({ id }).first(columns);
}

/**
 * The unit a name names within a scope: the one of exactly that name, else the first (by id)
 * whose name contains it; null when none.
 */
export async function unitNamed(db: Knex, name: string, scope: UnitScope): Promise<Row | null> {
  const exact = await within(db('units').where('name', name), 'id', scope).first();
  if (exact) return exact;
  return (await within(db('units').where('name', 'like', `%${name.replace(/[%_]/g, '')}%`).orderBy('id'), 'id', scope).first()) ?? null;
}

/** Ids of the units whose 工作群 is this group, in id order. */
export async function unitIdsOfGroup(db: Knex, groupId: string): Promise<number[]> {
  return (await db('units').where({ group_id: groupId }).orderBy('id').pluck('id')).map(Number);
}

/** The units of a scope as the console lists them, by id. */
export async function unitsInScope(db: Knex, scope: UnitScope): Promise<Row[]> {
  return within(db('units').select('id', 'code', 'name', 'parent_code', 'region_name', 'nature').orderBy('id'), 'id', scope);
}

/** Units' names by id. */
export async function unitNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  return new Map((await db('units').whereIn('id', ids).select('id', 'name')).map((u: Row) => [Number(u.id), u.name]));
}

/** The units with a 工作群, of a scope: `group_id` and `name`. */
export async function unitsWithGroups(db: Knex, scope: UnitScope): Promise<Row[]> {
  if (scope && !scope.length) return [];
  return within(db('units').whereNotNull('group_id').select('group_id', 'name'), 'id', scope);
}

/** The latest day with units' daily lights, or null. */
export async function latestLightsDate(db: Knex): Promise<string | null> {
  const r = await db('unit_daily_lights').max({ d: 'date' }).first();
  return (r?.d as string | undefined) ?? null;
}

/** Every unit's light of a day (`code`, `name`, `light`, `yellow`, `red`), most red first, then most yellow. */
export async function unitLightsOn(db: Knex, date: string): Promise<Row[]> {
  return db('unit_daily_lights as l').join('units as u', 'u.id', 'l.unit_id').where('l.date', date)
    .select('u.code', 'u.name', 'l.light', 'l.yellow', 'l.red').orderBy([{ column: 'l.red', order: 'desc' }, { column: 'l.yellow', order: 'desc' }, { column: 'u.id', order: 'asc' }]);
}
