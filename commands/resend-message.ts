// Resend a message the dispatcher gave up on (state dead): back to pending, due now, attempts
// from zero. For the office's administrators; only a dead row moves, so a second click, or a
// click on a row already resent, changes nothing and says so.

import type { Knex } from 'knex';
import { ADMIN_ROLES } from '../core/roles.ts';
import { resendDead } from '../db/outbox.ts';
import { CommandError } from './errors.ts';

export async function resendMessage(db: Knex, actor: { role: string }, id: number): Promise<{ id: number; state: 'pending' }> {
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, '您的角色无权进行此操作');
  if (!(await resendDead(db, id))) throw new CommandError(404, `没有编号为 ${id} 的发送失败消息（不存在，或不处于失败状态）`);
  return { id, state: 'pending' };
}
