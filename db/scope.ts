// Whose data someone may see, read from the database: the units below a unit (walked by the
// database), and a user's scope by their role (core/roles.ts). The one place for the session, the
// robot and the card actions.

import type { Knex } from 'knex';
import { OFFICE_ROLES, SECURITY_ROLES, type UnitScope } from '../core/roles.ts';
import { codesWithin, isRegionCode } from '../core/regions.ts';
import { userById } from './users.ts';

type Row = Record<string, any>;

/** Someone acting: a user of the 用户 sheet, not locked. */
export interface Actor {
  id: string;
  name: string;
  role: string;
  unitId: number | null;
  /** 所属区划 of an office role (users.region_code): a county's code scopes it to that county; null = the whole deployment. */
  regionCode?: string | null;
}

/** The user of this id when they may act (on the 用户 sheet and not locked), else null. */
export async function findActor(db: Knex, userId: string): Promise<Actor | null> {
  const u = await userById(db, userId);
  if (!u || Number(u.locked)) return null;
  return { id: u.id, name: u.name, role: u.role, unitId: u.unit_id == null ? null : Number(u.unit_id), regionCode: u.region_code ?? null };
}

export interface ActingUser extends Actor {
  scope: UnitScope;
}

/** The user of this id with their scope, when they may act; else null. */
export async function actingUser(db: Knex, userId: string): Promise<ActingUser | null> {
  const a = await findActor(db, userId);
  return a && { ...a, scope: await scopeOf(db, a) };
}

/**
 * Unit ids the actor may see; null = all. `subtree`: the ids under their unit, when already read.
 * An office role sees every unit, unless it carries a region (所属区划) that leaves some unit of
 * the deployment out: then the units of that region and the regions inside it (a county's office).
 */
export async function scopeOf(db: Knex, a: Pick<Actor, 'role' | 'unitId' | 'regionCode'>, subtree?: number[]): Promise<UnitScope> {
  if (OFFICE_ROLES.has(a.role)) return a.regionCode ? regionScope(db, a.regionCode) : null;
  // The 数据安全管理员 sees no unit's data, whatever unit the 用户 sheet gives it.
  if (SECURITY_ROLES.has(a.role)) return [];
  return a.unitId == null ? [] : subtree ?? subtreeIds(db, a.unitId);
}

/** The regions' parents as regions.parent_code gives them (for codes outside the GB/T structure). */
export async function regionParents(db: Knex): Promise<Map<string, string | null>> {
  return new Map(((await db('regions').select('code', 'parent_code')) as Row[]).map((r) => [String(r.code), r.parent_code ?? null]));
}

/** The region codes the deployment's units carry, with how many units each. */
export async function unitRegionCodes(db: Knex): Promise<Map<string, number>> {
  const rows = (await db('units').whereNotNull('region_code').select('region_code').count({ n: '*' }).groupBy('region_code')) as Row[];
  return new Map(rows.map((r) => [String(r.region_code), Number(r.n)]));
}

/**
 * The units of a region and the regions inside it; null when that is every unit of the
 * deployment (the city's own code, or a province's): the whole deployment then.
 */
export async function regionScope(db: Knex, regionCode: string): Promise<UnitScope> {
  if (!isRegionCode(regionCode)) return [];
  const [codes, parents] = await Promise.all([unitRegionCodes(db), regionParents(db)]);
  const inside = codesWithin(regionCode, codes.keys(), parents);
  // Every region the units carry is inside (units without a region, which the import does not allow, do not count).
  if (inside.length && inside.length === codes.size) return null;
  if (!inside.length) return [];
  return ((await db('units').whereIn('region_code', inside).orderBy('id').select('id')) as Row[]).map((r) => Number(r.id));
}

/** A unit's id as a parameter: digits (≤ 10, never a credit code's 18). */
const UNIT_ID = /^[1-9]\d{0,9}$/;

/**
 * The units a reference names: by id when it is one (API, links, card buttons, --unit), else
 * every unit carrying it as credit code, by id (codes may be shared, U-IN-06: the caller decides
 * what several mean). `byId` says which it was.
 */
export async function unitsByRef(db: Knex, ref: string, columns: string[] = ['*']): Promise<{ byId: boolean; units: Row[] }> {
  const t = ref.trim();
  if (UNIT_ID.test(t)) return { byId: true, units: await db('units').where({ id: Number(t) }).select(columns) };
  const code = t.toUpperCase();
  return { byId: false, units: code && code.length <= 32 ? await db('units').where({ code }).orderBy('id').select(columns) : [] };
}

/** Ids of a unit and all units below it. */
export async function subtreeIds(db: Knex, rootId: number): Promise<number[]> {
  const out = [rootId];
  for (const r of (await subtreeQuery(db, rootId)) as Row[]) if (Number(r.id) !== rootId) out.push(Number(r.id));
  return out;
}

/**
 * The ids of a unit and all units below it, walked by the database (UNION, not UNION ALL, stops
 * at a cycle). The root is an id, or a query that selects one (for one round trip with others).
 */
export function subtreeQuery(db: Knex, root: number | Knex.QueryBuilder): Knex.QueryBuilder {
  return db.withRecursive('sub', ['id'], (q) => {
    q.select('id').from('units').whereIn('id', typeof root === 'number' ? [root] : root)
      .union((r) => r.select('units.id').from('units').join('sub', 'units.parent_id', 'sub.id'));
  }).select('id').from('sub');
}
