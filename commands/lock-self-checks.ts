// The month close of self-checks (Keqiao: 每月登录系统校验数据不少于2次，未按要求开展自查的，系统将
// 自动锁定账号): on the first working day of a month, the 单位专管员 of every unit short of the
// office's number (U-PR-01 minPerMonth) in the month before are locked, each told 1:1 why and who
// unlocks, and the office's group gets the list. A lock is written once per user and month: a
// re-run (another instance, a manual run) locks nobody again, and an account unlocked since by a
// 编办管理员 stays unlocked.

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { selfCheckLockedMessage, selfCheckLockSummary } from '../cards/self-check.ts';
import type { IsoDate } from '../core/model.ts';
import type { Target } from '../core/outbound.ts';
import { closedMonthOf, shortUnits } from '../core/self-check-lock.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue } from '../db/outbox.ts';
import { loadOffice } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { insertLock, officeUserIds, selfCheckRule, specialistsOf, unitRegions, unitSelfChecks, unlockersByRegion } from '../db/user-locks.ts';

export const LOCK_ACTOR = 'system:self-check-lock';

export interface LockSelfChecksResult {
  /** The month closed ('YYYY-MM'). */
  month: string;
  required: number;
  enabled: boolean;
  /** The units short of the number, with the specialists locked now (none on a re-run). */
  units: Array<{ unitId: number; name: string; selfChecks: number; locked: Array<{ id: string; name: string }> }>;
  /** Accounts locked by this run. */
  locked: number;
}

export async function lockSelfChecks(db: Knex, { date }: { date: IsoDate }): Promise<LockSelfChecksResult> {
  const month = closedMonthOf(date);
  const { required, enabled } = await selfCheckRule(db);
  const short = shortUnits(await unitSelfChecks(db, month), month, required, enabled);
  const result: LockSelfChecksResult = { month, required, enabled, units: [], locked: 0 };
  if (!short.length) return result;
  // Each locked user is sent to the 编办管理员 who may unlock them: the city's and their county's (市县贯通).
  const whoFor = await unlockersByRegion(db);
  const regionOf = await unitRegions(db, short.map((u) => u.unitId));
  const specialists = await specialistsOf(db, short.map((u) => u.unitId), { locked: true });
  await db.transaction(async (trx) => {
    const at = nowMoment();
    for (const u of short) {
      const locked: Array<{ id: string; name: string }> = [];
      for (const s of specialists.filter((r) => Number(r.unit_id) === u.unitId)) {
        const lock = await insertLock(trx, { userId: s.id, kind: 'self-check', month, unitId: u.unitId, selfChecks: u.count, required, at });
        if (!lock) continue;
        locked.push({ id: s.id, name: s.name });
        await audit(trx, LOCK_ACTOR, 'user_lock', 'user_lock', lock.id, { userId: s.id, kind: 'self-check', month, unitId: u.unitId, selfChecks: u.count, required });
        await enqueue(trx, `self-check-lock:${month}:${s.id}`, {
          op: 'send', target: { kind: 'users', userIds: [s.id] },
          message: selfCheckLockedMessage({ name: s.name, unitName: u.name, month, count: u.count, required, unlockers: whoFor(regionOf.get(u.unitId) ?? null) }),
        });
      }
      result.units.push({ unitId: u.unitId, name: u.name, selfChecks: u.count, locked });
      result.locked += locked.length;
    }
    const listed = result.units.filter((u) => u.locked.length);
    if (!listed.length) return;
    const office = await loadOffice(trx);
    const staff = office.groupId ? [] : await officeUserIds(trx);
    const target: Target | null = office.groupId ? { kind: 'group', groupId: office.groupId } : staff.length ? { kind: 'users', userIds: staff } : null;
    if (target) {
      // The run's own accounts in the key: a later run that locks someone new (a specialist added late) sends its own list.
      const ids = listed.flatMap((u) => u.locked.map((s) => s.id)).join(',');
      const key = `self-check-lock-summary:${month}:${crypto.createHash('sha1').update(ids).digest('hex').slice(0, 16)}`;
      await enqueue(trx, key, { op: 'send', target, message: selfCheckLockSummary(month, required, listed.map((u) => ({ name: u.name, selfChecks: u.selfChecks, names: u.locked.map((s) => s.name) }))) });
    }
  });
  return result;
}
