// Account locks (migration 012 user_locks) and what they rest on: each unit's self-checks in a
// month, its 单位专管员, the 编办管理员 who unlock; the lock rows (one per user, kind and month,
// never written twice) and users.locked, the switch everything checks; a locked user's notice.

import type { Knex } from 'knex';
import { addMonthsToMonth } from '../core/dates.ts';
import { lockNoticeText, type LockReason, type UnitSelfChecks, type Unlocker } from '../core/self-check-lock.ts';
import { selfChecksShort } from '../core/rules/process.ts';
import { isDuplicateKey } from './errors.ts';
import { loadRuleSettings } from './settings.ts';
import { regionContains } from '../core/regions.ts';

type Row = Record<string, any>;

export const SPECIALIST = '单位专管员';
export const UNLOCK_ROLE = '编办管理员';

/** The office's number of self-checks a month (U-PR-01 minPerMonth) and whether the rule is on. */
export async function selfCheckRule(db: Knex): Promise<{ required: number; enabled: boolean }> {
  const s = (await loadRuleSettings(db))[selfChecksShort.code];
  const n = Number(s?.params?.minPerMonth ?? selfChecksShort.params.minPerMonth);
  return { required: Number.isFinite(n) ? n : selfChecksShort.params.minPerMonth, enabled: s ? s.enabled : true };
}

/** Every unit's self-checks in `month` ('YYYY-MM'), with its 单位专管员 count (locked ones too) and when it came in. */
export async function unitSelfChecks(db: Knex, month: string): Promise<UnitSelfChecks[]> {
  const [units, counts, specialists] = await Promise.all([
    db('units').select('id', 'name', 'created_at').orderBy('id'),
    db('self_checks').where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`).select('unit_id').count({ n: '*' }).groupBy('unit_id'),
    db('users').where({ role: SPECIALIST }).whereNotNull('unit_id').select('unit_id').count({ n: '*' }).groupBy('unit_id'),
  ]);
  const n = new Map<number, number>(counts.map((r: Row) => [Number(r.unit_id), Number(r.n)]));
  const s = new Map<number, number>(specialists.map((r: Row) => [Number(r.unit_id), Number(r.n)]));
  return units.map((u: Row) => ({ unitId: Number(u.id), name: u.name, createdAt: u.created_at ?? null, count: n.get(Number(u.id)) ?? 0, specialists: s.get(Number(u.id)) ?? 0 }));
}

/** The 单位专管员 of these units (`locked`: with locked ones), by unit then id. */
export async function specialistsOf(db: Knex, unitIds: number[], opts: { locked: boolean }): Promise<Row[]> {
  if (!unitIds.length) return [];
  const q = db('users').where({ role: SPECIALIST }).whereIn('unit_id', unitIds).orderBy(['unit_id', 'id']).select('id', 'name', 'unit_id', 'locked');
  if (!opts.locked) q.where({ locked: false });
  return q;
}

/** The work group of each of these units that has one. */
export async function unitGroupIds(db: Knex, unitIds: number[]): Promise<Map<number, string>> {
  if (!unitIds.length) return new Map();
  const rows: Row[] = await db('units').whereIn('id', unitIds).whereNotNull('group_id').whereNot('group_id', '').select('id', 'group_id');
  return new Map(rows.map((r) => [Number(r.id), String(r.group_id)]));
}

/** The 编办管理员 a locked user is sent to (not locked themselves), by id. */
export async function unlockers(db: Knex): Promise<Unlocker[]> {
  return (await unlockersByRegion(db))(null);
}

/** The region code of each of these units (null when it has none). */
export async function unitRegions(db: Knex, unitIds: number[]): Promise<Map<number, string | null>> {
  if (!unitIds.length) return new Map();
  const rows: Row[] = await db('units').whereIn('id', unitIds).select('id', 'region_code');
  return new Map(rows.map((r) => [Number(r.id), r.region_code ?? null]));
}

/**
 * The 编办管理员 who may unlock the user of a unit in a region (市县贯通): the city's (no 所属区划)
 * and the county's whose region holds it; for a user without a unit region, every one.
 */
export async function unlockersByRegion(db: Knex): Promise<(unitRegion: string | null) => Unlocker[]> {
  const [rows, parentRows] = await Promise.all([
    db('users').where({ role: UNLOCK_ROLE, locked: false }).orderBy('id').select('name', 'mobile', 'region_code') as Promise<Row[]>,
    db('regions').select('code', 'parent_code') as Promise<Row[]>,
  ]);
  const parents = new Map(parentRows.map((r) => [String(r.code), r.parent_code ?? null]));
  return (unitRegion) => rows.filter((r) => !r.region_code || !unitRegion || regionContains(r.region_code, unitRegion, parents)).map((r) => ({ name: r.name, mobile: r.mobile || null }));
}

/** The office's users who get its messages when it has no group: 编办管理员 and 编办业务人员, not locked. */
export async function officeUserIds(db: Knex): Promise<string[]> {
  return db('users').whereIn('role', ['编办管理员', '编办业务人员']).where({ locked: false }).orderBy('id').pluck('id');
}

export interface NewLock {
  userId: string;
  kind: 'self-check';
  month: string;
  unitId: number | null;
  selfChecks: number | null;
  required: number | null;
  at: string;
}

/**
 * Writes a lock row and switches the user off; false (nothing written) when this user already has
 * a lock of this kind for this month, locked or unlocked since: a re-run never locks again.
 */
export async function insertLock(trx: Knex, l: NewLock): Promise<{ id: number } | null> {
  if (await trx('user_locks').where({ user_id: l.userId, kind: l.kind, month: l.month }).first('id')) return null;
  let id: number;
  try {
    [id] = await trx('user_locks').insert({
      user_id: l.userId, kind: l.kind, month: l.month, unit_id: l.unitId, self_checks: l.selfChecks, required: l.required, locked_at: l.at,
    });
  } catch (e) {
    if (isDuplicateKey(e)) return null;
    throw e;
  }
  await trx('users').where({ id: l.userId }).update({ locked: true, updated_at: l.at });
  return { id: Number(id) };
}

/** A user's locks not yet unlocked, newest first. */
export async function activeLocks(db: Knex, userId: string): Promise<Row[]> {
  return db('user_locks').where({ user_id: userId }).whereNull('unlocked_at').orderBy([{ column: 'locked_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
}

/** Closes every open lock of the user (who, when, the note) and switches the user on; the lock ids closed. */
export async function unlockLocks(trx: Knex, userId: string, by: string, note: string, at: string): Promise<number[]> {
  const ids: number[] = (await trx('user_locks').where({ user_id: userId }).whereNull('unlocked_at').pluck('id')).map(Number);
  if (ids.length) await trx('user_locks').whereIn('id', ids).update({ unlocked_at: at, unlocked_by: by, unlock_note: note });
  await trx('users').where({ id: userId }).update({ locked: false, updated_at: at });
  return ids;
}

/** What a lock row says about itself. */
export function reasonOf(lock: Row | undefined): LockReason {
  return lock && lock.kind === 'self-check'
    ? { kind: 'self-check', month: lock.month, count: Number(lock.self_checks ?? 0), required: Number(lock.required ?? 0) }
    : { kind: 'manual' };
}

export interface LockNotice {
  /** The sentence the user reads. */
  text: string;
  reason: LockReason;
  unlockers: Unlocker[];
}

/** Why a locked user is locked and who unlocks, or null when the user is not locked (or unknown). */
export async function lockNotice(db: Knex, user: string | Row | undefined): Promise<LockNotice | null> {
  const u: Row | undefined = typeof user === 'string' ? await db('users').where({ id: user }).first('id', 'locked', 'unit_id') : user;
  if (!u || !Number(u.locked)) return null;
  const [lock] = await activeLocks(db, String(u.id));
  const reason = reasonOf(lock);
  const unitRegion = u.unit_id == null ? null : ((await db('units').where({ id: u.unit_id }).first('region_code')) as Row | undefined)?.region_code ?? null;
  const who = (await unlockersByRegion(db))(unitRegion);
  return { text: lockNoticeText(reason, who), reason, unlockers: who };
}

/** Every lock, newest first, with the user's name and role and the unit's name. */
export async function lockList(db: Knex, opts: { active?: boolean } = {}): Promise<Row[]> {
  const q = db('user_locks as l')
    .leftJoin('users as u', 'u.id', 'l.user_id')
    .leftJoin('units as n', 'n.id', db.raw('coalesce(l.unit_id, u.unit_id)'))
    .leftJoin('users as b', 'b.id', 'l.unlocked_by')
    .select('l.*', 'u.name as user_name', 'u.role as user_role', 'u.locked as user_locked', 'n.id as unit_ref', 'n.name as unit_name', 'b.name as unlocked_by_name')
    .orderBy([{ column: 'l.locked_at', order: 'desc' }, { column: 'l.id', order: 'desc' }]);
  if (opts.active) q.whereNull('l.unlocked_at');
  return q;
}
