// Logins (server/API.md, Sessions): the sandbox chooser, DingTalk QR login (OAuth2) and mini-app
// no-login, Zheng-Ding QR login and in-app no-login, logout, and GET /api/me. Every /auth/ route
// is rate-limited per IP, and logins also per account: with REDIS_URL the counts live in Redis
// (one limit for all instances), without it in this process (one instance, the embedded default).

import crypto from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { LoginError, type DingTalkLogin, type ZhengDingLogin } from '../../core/login.ts';
import { FULL_ID_ROLES } from '../../core/roles.ts';
import { audit } from '../../db/audit.ts';
import { deleteSession } from '../../db/sessions.ts';
import { unitById } from '../../db/units.ts';
import { sandboxUsers } from './sandbox-users.ts';
import { admit, homeOf, MSG, refusalBody, safeEqual, sessionUser } from './session.ts';
import { isCountyOffice } from '../../commands/city-level.ts';

export interface AuthRoutesOptions {
  ctx: Pick<AppContext, 'config' | 'db'>;
  /** Login attempts per IP over all /auth/ routes, and per account; default 10 a minute. Counted in Redis when config.redisUrl is set. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** The platforms' logins (main/app.ts builds them from the configuration); absent or null: that login is off. */
  providers?: { dingtalk?: DingTalkLogin | null; zhengding?: ZhengDingLogin | null };
}

const STATE_COOKIE = 'sanse_login_state';
const STATE_TTL_S = 600;
/** Where a QR login lands: the page asked for (`next`, a path inside the app), else the role's home. */
function landing(next: string | null, role: string): string {
  return `/m/#${next ?? homeOf(role)}`;
}

/** A `next` that stays inside the app (a hash route of the mini-app), else null. */
export function safeNext(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 200 || !/^\/[A-Za-z0-9\-._~%/?=&]*$/.test(v) || v.startsWith('//') || v.startsWith('/login')) return null;
  return v;
}

type Provider = 'dingtalk' | 'zhengding';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A login refused for a locked account: 423 with the same body as the session guard's (`locked`: why, who unlocks). */
class LockedLogin extends LoginError {
  constructor(readonly body: Record<string, unknown>, message: string) {
    super(423, message);
  }
}

/** A refusal on a page the browser navigated to (QR callbacks): readable, not JSON. */
function refusal(req: FastifyRequest, reply: FastifyReply, status: number, message: string, body?: Record<string, unknown>) {
  reply.code(status);
  if (!String(req.headers.accept ?? '').includes('text/html')) return reply.send(body ?? { error: message });
  reply.type('text/html; charset=utf-8');
  return reply.send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>三色 · 登录</title></head>`
    + `<body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.2rem">无法登录</h1><p>${escapeHtml(message)}</p><p><a href="/m/#/login">返回登录页</a></p></body></html>`);
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, opts) => {
  const { db, config } = opts.ctx;
  const limit = opts.rateLimit ?? { max: 10, timeWindowMs: 60_000 };
  const dingtalk = opts.providers?.dingtalk ?? null;
  const zhengding = opts.providers?.zhengding ?? null;
  const secure = config.publicBaseUrl.startsWith('https:');
  const login = {
    ...(dingtalk ? { dingtalk: { corpId: dingtalk.corpId ?? null, clientId: dingtalk.clientId } } : {}),
    ...(zhengding ? { zhengding: { clientId: zhengding.clientId, tenantId: zhengding.tenantId } } : {}),
  };

  async function mePayload(req: FastifyRequest, csrfToken: string) {
    const u = req.user!;
    const unit = u.unitId == null ? null : await unitById(db, u.unitId, ['id', 'code', 'name']);
    return {
      id: u.id, name: u.name, role: u.role,
      unit: unit ? { id: Number(unit.id), code: unit.code, name: unit.name } : null,
      fullIds: FULL_ID_ROLES.has(u.role),
      // A county's office (its 所属区划 leaves other counties out): the console hides the city's tabs.
      ...(isCountyOffice(u) ? { regionCode: u.regionCode ?? null } : {}),
      home: homeOf(u.role),
      csrfToken, platform: config.platform, login,
    };
  }

  // Not logged in, the answer still tells the login page how to log in.
  app.get('/api/me', { config: { sanseAuth: 'optional' } }, async (req, reply) => {
    if (!req.user || !req.session) {
      return reply.code(401).send({ error: req.sessionTimedOut ? MSG.timedOut : MSG.notLoggedIn, ...(req.sessionTimedOut ? { timedOut: true } : {}), platform: config.platform, login });
    }
    return mePayload(req, req.session.csrfToken);
  });

  // The counts of every instance in one place: Redis (its own connection, closed with the app).
  let redis: Redis | null = null;
  if (config.redisUrl) {
    const client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: false });
    client.on('error', (e) => app.log.warn({ err: e.message }, 'login rate limit: Redis error'));
    app.addHook('onClose', async () => {
      await client.quit().catch(() => client.disconnect());
    });
    redis = client;
  }

  await app.register(async (auth: FastifyInstance) => {
    await auth.register(rateLimit, {
      global: true,
      ...(redis ? { redis, nameSpace: `${config.redisPrefix}:sanse-login-limit:` } : {}),
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      errorResponseBuilder: (_req, c) => Object.assign(new Error(MSG.tooMany), { statusCode: c.statusCode }),
    });
    const accountOf = new WeakMap<FastifyRequest, string>();
    /** Why a login was refused (audit_log login_refused, core/audit-actions.ts LOGIN_REFUSALS). */
    const refusedAs = new WeakMap<FastifyRequest, 'unknown' | 'locked' | 'rate_limited'>();
    /** The door a request knocked at: sandbox, dingtalk-qr, dingtalk-miniapp, zhengding-qr, zhengding-miniapp. */
    const doorOf = (req: FastifyRequest): string => {
      const m = /^\/auth\/(sandbox|dingtalk|zhengding)\/(login|callback|miniapp|qr|users)/.exec(req.routeOptions.url ?? req.url);
      if (!m) return 'other';
      return m[1] === 'sandbox' ? 'sandbox' : `${m[1]}-${m[2] === 'miniapp' ? 'miniapp' : 'qr'}`;
    };
    // A flood over the per-IP limit is recorded once per address and window, not once per request.
    const floods = new Map<string, number>();
    const firstOfFlood = (ip: string): boolean => {
      const now = Date.now();
      for (const [k, at] of floods) if (now - at > limit.timeWindowMs) floods.delete(k);
      if (floods.has(ip)) return false;
      floods.set(ip, now);
      return true;
    };
    /** One audit row per refused login: who it claimed to be (when known), why, from where. */
    async function auditRefusal(req: FastifyRequest, status: number): Promise<void> {
      if (req.method === 'GET' && /\/(qr|users)$/.test(req.routeOptions.url ?? '')) return;
      const reason = refusedAs.get(req) ?? (status === 429 ? 'rate_limited' : status === 404 ? 'disabled' : 'bad_code');
      if (reason === 'rate_limited' && !accountOf.has(req) && !firstOfFlood(req.ip)) return;
      await audit(db, accountOf.get(req) ?? 'anonymous', 'login_refused', 'user', null, { door: doorOf(req), reason, status }, { ip: req.ip })
        .catch((e) => req.log.error(e, 'audit of a refused login failed'));
    }
    const perAccount = auth.createRateLimit({ max: limit.max, timeWindow: limit.timeWindowMs, keyGenerator: (req) => `account:${accountOf.get(req) ?? ''}` });

    auth.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof LoginError) {
        await auditRefusal(req, err.status);
        return refusal(req, reply, err.status, err.message, err instanceof LockedLogin ? err.body : undefined);
      }
      const status = err.statusCode ?? 500;
      if (status === 429) await auditRefusal(req, 429);
      if (status === 429) return reply.code(429).send({ error: MSG.tooMany });
      if (status < 500) return reply.code(status).send({ error: '请求无效' });
      req.log.error(err);
      return reply.code(500).send({ error: '登录服务出错，请稍后重试' });
    });

    /** Admits the user, opens the session; the reply gets the cookie. */
    async function logIn(req: FastifyRequest, reply: FastifyReply, userId: string): Promise<{ csrfToken: string }> {
      accountOf.set(req, userId);
      const verdict = await perAccount(req);
      // isAllowed means allow-listed; over the limit is isExceeded.
      if (!verdict.isAllowed && verdict.isExceeded) {
        refusedAs.set(req, 'rate_limited');
        throw new LoginError(429, MSG.tooMany);
      }
      const admission = await admit(db, userId);
      if (!admission.ok) refusedAs.set(req, admission.status === 423 ? 'locked' : 'unknown');
      if (!admission.ok) throw admission.status === 423 ? new LockedLogin(refusalBody(admission), admission.error) : new LoginError(admission.status, admission.error);
      // A login replaces the session this browser had (no fixation, no orphan rows).
      if (req.session) await deleteSession(db, req.session.id);
      const s = await auth.sessions.start(reply, userId);
      req.user = await sessionUser(db, admission.user);
      req.session = s;
      await audit(db, userId, 'login', 'user', null, { door: doorOf(req) }, { ip: req.ip, unitId: req.user.unitId });
      return s;
    }

    const codeOf = (body: unknown, key: string): string => {
      const v = (body as Record<string, unknown> | undefined)?.[key];
      if (typeof v !== 'string' || !v.trim() || v.length > 256) throw new LoginError(400, `缺少登录码（${key}）`);
      return v.trim();
    };

    // ---- state of a QR login: a short-lived signed cookie, checked on the way back ----------
    // The state cookie carries the page to land on (base64url), signed with the state.
    const startQr = (req: FastifyRequest, reply: FastifyReply, provider: Provider): string => {
      const state = crypto.randomBytes(16).toString('hex');
      const next = safeNext((req.query as { next?: unknown }).next) ?? '';
      reply.setCookie(STATE_COOKIE, `${provider}.${state}.${Buffer.from(next).toString('base64url')}`, { path: '/auth/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: STATE_TTL_S });
      return state;
    };
    /** Checks the state that came back; returns the page to land on (null: the role's home). */
    const checkState = (req: FastifyRequest, reply: FastifyReply, provider: Provider, state: unknown): string | null => {
      const raw = req.cookies[STATE_COOKIE];
      reply.clearCookie(STATE_COOKIE, { path: '/auth/' });
      const cookie = raw ? req.unsignCookie(raw) : null;
      const [p, s, next] = (cookie?.valid && cookie.value ? cookie.value : '').split('.');
      if (typeof state !== 'string' || !state || !safeEqual(`${p}.${s}`, `${provider}.${state}`)) throw new LoginError(403, '登录已超时或来源无法确认，请重新扫码登录');
      return safeNext(Buffer.from(next ?? '', 'base64url').toString('utf8'));
    };
    const callbackUrl = (provider: Provider) => `${config.publicBaseUrl}/auth/${provider}/callback`;

    // ---- sandbox -----------------------------------------------------------------------------
    const sandboxOnly = () => {
      if (config.platform !== 'sandbox') throw new LoginError(404, '仅沙箱环境提供演示用户登录');
    };
    // ?unit=ID: the unit of the card the user came from (its people first).
    auth.get('/auth/sandbox/users', async (req) => {
      sandboxOnly();
      const unit = Number((req.query as { unit?: string }).unit);
      const rows = await sandboxUsers(db, Number.isSafeInteger(unit) && unit > 0 ? unit : null);
      return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, unitName: r.unitName, named: r.named }));
    });
    auth.post('/auth/sandbox/login', async (req, reply) => {
      sandboxOnly();
      const s = await logIn(req, reply, codeOf(req.body, 'userId'));
      return mePayload(req, s.csrfToken);
    });

    // ---- DingTalk ----------------------------------------------------------------------------
    const needDingTalk = (): DingTalkLogin => {
      if (!dingtalk) throw new LoginError(404, '未启用钉钉登录');
      return dingtalk;
    };
    auth.get('/auth/dingtalk/qr', async (req, reply) => {
      const d = needDingTalk();
      return reply.redirect(d.qrUrl(callbackUrl('dingtalk'), startQr(req, reply, 'dingtalk')));
    });
    auth.get('/auth/dingtalk/callback', async (req, reply) => {
      const d = needDingTalk();
      const q = req.query as { authCode?: string; code?: string; state?: string };
      const next = checkState(req, reply, 'dingtalk', q.state);
      const userId = await d.userIdFromAuthCode(codeOf(q, q.authCode ? 'authCode' : 'code'));
      await logIn(req, reply, userId);
      return reply.redirect(landing(next, req.user!.role));
    });
    auth.post('/auth/dingtalk/miniapp', async (req, reply) => {
      const d = needDingTalk();
      const userId = await d.userIdFromMiniAppCode(codeOf(req.body, 'authCode'));
      const s = await logIn(req, reply, userId);
      return mePayload(req, s.csrfToken);
    });

    // ---- Zheng-Ding --------------------------------------------------------------------------
    const needZhengDing = (): ZhengDingLogin => {
      if (!zhengding) throw new LoginError(404, '未启用浙政钉登录');
      return zhengding;
    };
    auth.get('/auth/zhengding/qr', async (req, reply) => {
      const z = needZhengDing();
      return reply.redirect(z.qrUrl(callbackUrl('zhengding'), startQr(req, reply, 'zhengding')));
    });
    auth.get('/auth/zhengding/callback', async (req, reply) => {
      const z = needZhengDing();
      const q = req.query as { code?: string; state?: string };
      const next = checkState(req, reply, 'zhengding', q.state);
      const userId = await z.userIdFromCode(codeOf(q, 'code'));
      await logIn(req, reply, userId);
      return reply.redirect(landing(next, req.user!.role));
    });
    auth.post('/auth/zhengding/miniapp', async (req, reply) => {
      const z = needZhengDing();
      const userId = await z.userIdFromAppCode(codeOf(req.body, 'authCode'));
      const s = await logIn(req, reply, userId);
      return mePayload(req, s.csrfToken);
    });

    auth.post('/auth/logout', async (req, reply) => {
      if (req.user) await audit(db, req.user.id, 'logout', 'user', null, undefined, { ip: req.ip, unitId: req.user.unitId });
      await auth.sessions.end(req, reply);
      return { ok: true };
    });
  });
};
