// The fastify app: one plugin per concern, registered here. What comes from the chat platform
// (the logins, the sandbox's controls, a callback route) is handed in by main/app.ts: server/
// and bot/ do not import each other.

import { withAuditAddress } from '../db/audit.ts';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import formbody from '@fastify/formbody';
import type { DingTalkLogin, ZhengDingLogin } from '../core/login.ts';
import { crossSiteGuard } from './auth/cross-site.ts';
import { authRoutes } from './auth/routes.ts';
import { ADMIN_ROLES } from '../core/roles.ts';
import { roleGuard, sessionPlugin } from './auth/session.ts';
import type { AppContext } from './context.ts';
import type { JobRunner } from './jobs/registry.ts';
import { errorHandlers, frameworkErrorsWith } from './http/errors.ts';
import { HSTS, securityHeaders } from './http/security-headers.ts';
import { apiRoutes } from './routes/api/index.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { overviewRoutes } from './routes/overview.ts';
import { sandboxRoutes, type SandboxControls } from './routes/sandbox.ts';
import { miniappRoutes } from './routes/miniapp.ts';

export interface AppPlatform {
  /** Sends what the outbox got without waiting for the next poll. */
  kick?: () => void;
  /** The job runner (the queued check); without one the API runs jobs in-process. */
  jobs?: JobRunner;
  logins?: { dingtalk?: DingTalkLogin | null; zhengding?: ZhengDingLogin | null };
  /** The sandbox platform's controls, for the /sandbox page. */
  sandbox?: SandboxControls;
  /** Routes the platform brings (Zheng-Ding's HTTP callback). */
  routes?: FastifyPluginAsync[];
}

export async function createApp(ctx: AppContext, platform: AppPlatform = {}): Promise<FastifyInstance> {
  const https = ctx.config.publicBaseUrl.startsWith('https:');
  const app = Fastify({
    logger: {
      level: process.env.LOG_LEVEL ?? 'info',
      redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-callback-token"]'],
      serializers: {
        // Callback URLs carry a secret in the query: log the path only.
        req: (req) => ({ method: req.method, url: String(req.url).split('?')[0] }),
      },
    },
    frameworkErrors: frameworkErrorsWith(https ? { 'strict-transport-security': HSTS } : {}),
    // Behind a load balancer (TRUST_PROXY): the client's address from X-Forwarded-For, so the
    // login limit per IP is per client, not one limit for everyone behind the balancer.
    trustProxy: ctx.config.trustProxy,
  });
  // Headers, the cross-site refusal and the Chinese 404/400/500 before anything else, so they
  // cover every route, the static mini-app and the answers of the guards below.
  await securityHeaders(app, { https });
  // Every audit row written while a request is handled carries its address (db/audit.ts).
  app.addHook('onRequest', (req, _reply, done) => withAuditAddress(req.ip, done));
  crossSiteGuard(app, { publicBaseUrl: ctx.config.publicBaseUrl });
  errorHandlers(app);
  await app.register(formbody);
  // Sessions first: the guard of /api/ (login, CSRF) applies to every route registered after it.
  const { secret, idleMs, maxMs } = ctx.config.session;
  await app.register(sessionPlugin, { db: ctx.db, secret, secure: https, idleMs, maxMs });
  await app.register(authRoutes, { ctx, providers: platform.logins });
  await app.register(apiRoutes, { ctx, kick: platform.kick, jobs: platform.jobs });
  app.get('/api/health', async () => ({ ok: true }));
  await app.register(overviewRoutes, { ctx });
  // The console's outbox API: the office's administrators, by role (the session guard has already
  // asked for a login and the CSRF token). Not by address: behind a reverse proxy every caller is local.
  await app.register(outboxRoutes, { db: ctx.db, guard: roleGuard(ADMIN_ROLES, '消息发送队列') });
  await app.register(miniappRoutes);
  if (platform.sandbox) await app.register(sandboxRoutes, { db: ctx.db, platform: platform.sandbox, kick: platform.kick ?? (() => {}) });
  for (const routes of platform.routes ?? []) await app.register(routes);
  return app;
}
