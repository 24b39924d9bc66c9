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

/**
 * Who did something, as users read it: a user's name; the command line (`cli`, `cli:<system
 * user>`), the demo's seed and the system's jobs in Chinese; an id no longer on the 用户 sheet as is.
 */
export async function actorNames(db: Knex, ids: Array<string | null | undefined>): Promise<(id: string | null | undefined) => string | null> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  const names = await userNames(db, wanted);
  return (id) => {
    if (!id) return null;
    if (names.has(id)) return names.get(id)!;
    if (id === 'cli' || id.startsWith('cli:')) return '命令行';
    if (id === 'demo') return '演示数据';
    if (id === 'system' || id.startsWith('job:')) return '系统任务';
    return id;
  };
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
