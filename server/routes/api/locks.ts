// Account locks (server/API.md "Account locks"): the lock list for the office (GET /api/locks)
// and a 编办管理员's unlock with a note (POST /api/users/:id/unlock). Thin over db/user-locks.ts
// and commands/unlock-user.ts.

import type { FastifyPluginAsync } from 'fastify';
import { OFFICE_ROLES } from '../../../core/roles.ts';
import { lockReasonText } from '../../../core/self-check-lock.ts';
import { unlockUser } from '../../../commands/unlock-user.ts';
import { lockList, reasonOf, UNLOCK_ROLE } from '../../../db/user-locks.ts';
import { ApiError, requireRole, userOf, type ApiDeps } from './common.ts';
import { inScope } from '../../../core/roles.ts';

type Row = Record<string, any>;

/** A lock as the API shows it. */
export function lockView(l: Row) {
  return {
    id: Number(l.id),
    user: { id: String(l.user_id), name: l.user_name ?? String(l.user_id), role: l.user_role ?? null, locked: Boolean(Number(l.user_locked ?? 0)) },
    unit: l.unit_ref == null ? null : { id: Number(l.unit_ref), name: l.unit_name },
    kind: String(l.kind),
    month: String(l.month),
    selfChecks: l.self_checks == null ? null : Number(l.self_checks),
    required: l.required == null ? null : Number(l.required),
    reason: lockReasonText(reasonOf(l)),
    lockedAt: String(l.locked_at),
    active: l.unlocked_at == null,
    unlockedAt: l.unlocked_at ?? null,
    unlockedBy: l.unlocked_by ? { id: String(l.unlocked_by), name: l.unlocked_by_name ?? String(l.unlocked_by) } : null,
    note: l.unlock_note ?? null,
  };
}

export const lockRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/api/locks', {
    schema: { querystring: { type: 'object', properties: { state: { type: 'string', enum: ['active', 'all'] } }, additionalProperties: false } },
  }, async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '账号锁定清单仅供编办工作人员查看');
    const { state } = req.query as { state?: 'active' | 'all' };
    // A county office sees the locks of its county's units only (an office user's lock has no unit: the city's).
    const rows = (await lockList(deps.db, { active: state === 'active' })).filter((l) => user.scope === null || (l.unit_ref != null && inScope(user, Number(l.unit_ref))));
    return { canUnlock: user.role === UNLOCK_ROLE, locks: rows.map(lockView) };
  });

  app.post('/api/users/:id/unlock', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      body: { type: 'object', properties: { note: { type: 'string' } } },
    },
  }, async (req) => {
    const user = userOf(req);
    const id = (req.params as { id: string }).id;
    if (!id || id.length > 64) throw new ApiError(404, '没有该用户');
    const r = await unlockUser(deps.db, { actor: user, userId: id, note: (req.body as { note?: unknown } | undefined)?.note });
    return r;
  });
};
