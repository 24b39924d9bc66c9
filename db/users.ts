// The users of the 用户 sheet as the server and the robot read them: one user, names by id, a
// unit's 专管员, and every user with their unit's name (the sandbox's demo users).

import type { Knex } from 'knex';
import type { Read } from './batch.ts';

type Row = Record<string, any>;

/** The user row of this id (any state, locked too), or undefined. */
export async function userById(db: Knex, id: string): Promise<Row | undefined> {
  return id ? db('users').where({ id }).first() : undefined;
}

/** Users' names by id: of these ids, or of every user (null). */
export async function userNames(db: Knex, ids: string[] | null): Promise<Map<string, string>> {
  if (ids && !ids.length) return new Map();
  const q = db('users').select('id', 'name');
  if (ids) q.whereIn('id', ids);
  return new Map((await q).map((u: Row) => [String(u.id), u.name]));
}

/** A unit's 单位专管员 (not locked) by name, in id order, as a read for a batch. */
export function unitSpecialistsRead(db: Knex, unitId: number, done: (names: string[]) => void): Read {
  return {
    query: db('users').where({ role: '单位专管员', unit_id: unitId, locked: false }).orderBy('id').select('name'),
    apply: (rows) => done(rows.map((r) => r.name)),
  };
}

/** Every user with the name of their unit (`unit_name`, null without one). */
export async function usersWithUnitNames(db: Knex): Promise<Row[]> {
  return db('users as u').leftJoin('units as n', 'n.id', 'u.unit_id').select('u.id', 'u.name', 'u.role', 'u.unit_id', 'n.name as unit_name');
}
