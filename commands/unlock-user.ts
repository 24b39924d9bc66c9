// A 编办管理员 unlocks an account (the console's 账号锁定, `sanse unlock`): a note is required,
// every open lock of the user is closed with who, when and the note, users.locked is cleared (the
// user logs in again at once), and audit_log keeps the act. The month's lock row stays, so
// running that month's lock again does not lock the user again.

import type { Knex } from 'knex';
import { nowMoment } from '../db/clock.ts';
import { audit } from '../db/store.ts';
import { activeLocks, UNLOCK_ROLE, unlockLocks } from '../db/user-locks.ts';
import { userById } from '../db/users.ts';
import { CommandError } from './errors.ts';
import { inScope, type UnitScope } from '../core/roles.ts';

export const NOTE_MAX = 500;

export interface UnlockUserInput {
  /** `scope`: a county office's units (null or absent: the whole deployment). */
  actor: { id: string; role: string; scope?: UnitScope };
  userId: string;
  note: unknown;
}

export interface UnlockUserResult {
  user: { id: string; name: string };
  /** The lock rows closed (none for an account locked on the 用户 sheet without one). */
  locks: Array<{ id: number; kind: string; month: string }>;
  unlockedAt: string;
}

export async function unlockUser(db: Knex, { actor, userId, note }: UnlockUserInput): Promise<UnlockUserResult> {
  if (actor.role !== UNLOCK_ROLE) throw new CommandError(403, '只有编办管理员可以解锁账号');
  const text = typeof note === 'string' ? note.trim() : '';
  if (!text) throw new CommandError(400, '请填写解锁说明', { note: '请填写解锁说明' });
  if (text.length > NOTE_MAX) throw new CommandError(400, `解锁说明不能超过 ${NOTE_MAX} 个字`, { note: `不能超过 ${NOTE_MAX} 个字` });
  return db.transaction(async (trx) => {
    const u = await userById(trx, userId);
    if (!u) throw new CommandError(404, '没有该用户');
    // A county's office unlocks the accounts of its county's units only.
    if (Array.isArray(actor.scope) && (u.unit_id == null || !inScope({ scope: actor.scope }, Number(u.unit_id)))) throw new CommandError(403, '只能解锁本区县单位的账号，其他账号请联系市级编办');
    const open = await activeLocks(trx, userId);
    if (!Number(u.locked) && !open.length) throw new CommandError(409, `${u.name}的账号未被锁定`);
    const at = nowMoment();
    await unlockLocks(trx, userId, actor.id, text, at);
    const locks = open.map((l) => ({ id: Number(l.id), kind: String(l.kind), month: String(l.month) }));
    for (const l of locks) await audit(trx, actor.id, 'user_unlock', 'user_lock', l.id, { userId, kind: l.kind, month: l.month, note: text });
    if (!locks.length) await audit(trx, actor.id, 'user_unlock', 'user', null, { userId, note: text });
    return { user: { id: u.id, name: u.name }, locks, unlockedAt: at };
  });
}
