// Console API over the outbox: the dead rows, resending one (commands/resend-message.ts), counts by state.
// Payloads are not listed (they may hold names); last_error is kept free of them by the dispatcher.

import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import type { Knex } from 'knex';
import { CommandError } from '../../commands/errors.ts';
import { resendMessage } from '../../commands/resend-message.ts';
import { deadOutboxRows, outboxCountsByState } from '../../db/outbox.ts';

export interface OutboxRoutesOptions {
  db: Knex;
  /** An async preHandler run before every route of this plugin (the office's administrators, server/app.ts). */
  guard?: preHandlerAsyncHookHandler;
}

const STATES = ['pending', 'sending', 'sent', 'dead'] as const;

export const outboxRoutes: FastifyPluginAsync<OutboxRoutesOptions> = async (app, { db, guard }) => {
  if (guard) app.addHook('preHandler', guard);

  app.get('/api/outbox/dead', async (req, reply) => {
    const q = req.query as { limit?: string; before?: string };
    const limit = q.limit === undefined ? 200 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return reply.code(400).send({ error: 'limit 应为 1 到 1000 之间的整数' });
    const before = q.before === undefined ? null : Number(q.before);
    if (before !== null && (!Number.isSafeInteger(before) || before < 1)) return reply.code(400).send({ error: 'before 应为消息编号' });
    const rows = await deadOutboxRows(db, { before, limit });
    return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) }));
  });

  app.post('/api/outbox/:id/resend', async (req, reply) => {
    const raw = (req.params as { id: string }).id;
    const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) return reply.code(400).send({ error: `消息编号无效：${raw.slice(0, 40)}` });
    try {
      return await resendMessage(db, { role: req.user?.role ?? '' }, id);
    } catch (e) {
      if (e instanceof CommandError) return reply.code(e.status).send({ error: e.message });
      throw e;
    }
  });

  app.get('/api/outbox/stats', async () => {
    const out: Record<string, number> = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const [state, n] of await outboxCountsByState(db)) out[state] = n;
    return out;
  });
};
