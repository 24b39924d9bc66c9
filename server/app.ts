// The fastify app: one plugin per concern, registered here.

import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { overviewRoutes } from './routes/overview.ts';

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: process.env.LOG_LEVEL ?? 'info', redact: ['req.headers.cookie', 'req.headers.authorization'] },
  });
  app.get('/api/health', async () => ({ ok: true }));
  await app.register(overviewRoutes, { ctx });
  return app;
}
