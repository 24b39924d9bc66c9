// Sessions for the console and the mini-app: a random id in a signed, httpOnly, SameSite=Lax
// cookie (`sanse_sid`, Secure when PUBLIC_BASE_URL is https), a server-side row in `sessions`
// (shared by every instance) with an idle timeout (SESSION_IDLE_MINUTES, 30) and an absolute one
// from its start (SESSION_MAX_HOURS, 12), both judged on every request from the row itself, so
// every instance ends it at the same moment; `request.user` loaded on every request, and the guard of /api/:
// a login for every route (but /api/health), and the session's CSRF token in `x-csrf-token` for
// every write.

import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Knex } from 'knex';
import { ACCESS_MSG, OFFICE_ROLES, SECURITY_API, SECURITY_ROLES, type UnitScope } from '../../core/roles.ts';
import { scopeOf } from '../../db/scope.ts';
import { nowMoment } from '../../db/clock.ts';
import { deleteSession, openSession, sessionWithUser, touchSession } from '../../db/sessions.ts';
import { getSetting, insertSetting } from '../../db/settings.ts';
import { userById } from '../../db/users.ts';
import { lockNotice } from '../../db/user-locks.ts';
import type { LockReason, Unlocker } from '../../core/self-check-lock.ts';
import { cityLevelMessage, isCountyOffice } from '../../commands/city-level.ts';

export const SESSION_COOKIE = 'sanse_sid';
/** The defaults of SESSION_IDLE_MINUTES and SESSION_MAX_HOURS. */
export const IDLE_MS = 30 * 60_000;
export const MAX_MS = 12 * 3600_000;
/** A timed-out row is kept this long after its end (so the user is told 登录已超时), then a login purges it. */
const KEEP_ENDED_MS = 24 * 3600_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export const MSG = {
  notLoggedIn: '请先登录',
  timedOut: '登录已超时，请重新登录',
  noAccess: ACCESS_MSG.noAccess,
  locked: '您的账号已被锁定，请联系本地编办。',
  csrf: '安全校验未通过（缺少或错误的 x-csrf-token），请刷新页面后重试',
  tooMany: '登录尝试过于频繁，请稍后再试',
  forbidden: '您的角色无权进行此操作',
  securityOnly: '数据安全管理员只能查看审计日志和月度排查',
  outOfScope: ACCESS_MSG.outOfScope,
} as const;

/** The page a role starts on in the app: the console for the office, the audit trail for the 数据安全管理员, 待整改 for a unit. */
export function homeOf(role: string): '/console' | '/console/audit' | '/todo' {
  return SECURITY_ROLES.has(role) ? '/console/audit' : OFFICE_ROLES.has(role) ? '/console' : '/todo';
}

/** A preHandler admitting only these roles (after the session guard: a user is logged in); `cityLevel`: what a county's office is refused (commands/city-level.ts). */
export function roleGuard(roles: ReadonlySet<string>, cityLevel?: string) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.user) return reply.code(401).send({ error: MSG.notLoggedIn });
    if (!roles.has(req.user.role)) return reply.code(403).send({ error: MSG.forbidden });
    if (cityLevel && isCountyOffice(req.user)) return reply.code(403).send({ error: cityLevelMessage(cityLevel) });
  };
}

export interface SessionUser {
  id: string;
  name: string;
  role: string;
  unitId: number | null;
  unitCode: string | null;
  /** 所属区划 of an office role (a county's office when it leaves units out); null = the whole deployment. */
  regionCode?: string | null;
  /** Unit ids the user may see (their unit and the units below it, or a county's units); null = every unit. */
  scope: UnitScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user, or null. */
    user: SessionUser | null;
    /** The session's id and CSRF token when logged in. */
    session: { id: string; csrfToken: string } | null;
    /** The cookie named a session that has just timed out (for the routes that answer without a login: GET /api/me). */
    sessionTimedOut: boolean;
  }
  interface FastifyContextConfig {
    /** 'optional': an /api/ route that answers without a login too (it checks `request.user` itself). */
    sanseAuth?: 'optional';
  }
}

type Row = Record<string, any>;

const moment = (ms: number) => nowMoment(ms);
const randomHex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** SESSION_SECRET, or one generated on first use and kept in `settings` (shared by every instance). */
export async function resolveSessionSecret(db: Knex, fromEnv: string | undefined): Promise<string> {
  if (fromEnv && fromEnv.trim()) {
    if (fromEnv.trim().length < 32) throw new Error('SESSION_SECRET 太短：至少需要32个字符');
    return fromEnv.trim();
  }
  const read = () => getSetting<string>(db, 'session_secret');
  const stored = await read();
  if (stored) return stored;
  try {
    await insertSetting(db, 'session_secret', randomHex(32));
  } catch {
    // Another instance stored one first: use that.
  }
  const secret = await read();
  if (!secret) throw new Error('无法保存会话密钥（settings.session_secret）');
  return secret;
}

export type Admission =
  | { ok: true; user: Row }
  | { ok: false; status: 403; error: string }
  /** A locked account (HTTP 423 Locked): why (`error`, the sentence the user reads) and who unlocks. */
  | { ok: false; status: 423; error: string; locked: { reason: LockReason; unlockers: Unlocker[] } };

/** Whether a user id (DingTalk userid, Zheng-Ding accountId, demo id) may log in. */
export async function admit(db: Knex, userId: string): Promise<Admission> {
  return admitted(db, await userById(db, userId));
}

/** The refusal's JSON body: `{error}`, with `locked` for a locked account. */
export function refusalBody(a: Exclude<Admission, { ok: true }>): Record<string, unknown> {
  return a.status === 423 ? { error: a.error, locked: a.locked } : { error: a.error };
}

async function admitted(db: Knex, u: Row | undefined): Promise<Admission> {
  if (!u) return { ok: false, status: 403, error: MSG.noAccess };
  if (Number(u.locked)) {
    // Why and who unlocks (db/user-locks.ts): the same sentence the robot and the card buttons answer with.
    const notice = await lockNotice(db, u);
    return { ok: false, status: 423, error: notice?.text ?? MSG.locked, locked: { reason: notice?.reason ?? { kind: 'manual' }, unlockers: notice?.unlockers ?? [] } };
  }
  return { ok: true, user: u };
}

/** The user of a session; `subtree`: the ids under their unit, when already read. */
export async function sessionUser(db: Knex, u: Row, subtree?: number[]): Promise<SessionUser> {
  const unitId = u.unit_id == null ? null : Number(u.unit_id);
  const scope = await scopeOf(db, { role: u.role, unitId, regionCode: u.region_code ?? null }, subtree);
  return { id: u.id, name: u.name, role: u.role, unitId, unitCode: u.unit_code ?? null, regionCode: u.region_code ?? null, scope };
}

export interface SessionOptions {
  db: Knex;
  /** SESSION_SECRET (else generated and stored in settings). */
  secret?: string;
  /** PUBLIC_BASE_URL is https: the cookie gets `Secure`. */
  secure: boolean;
  /** Idle and absolute timeouts (default IDLE_MS, MAX_MS). */
  idleMs?: number;
  maxMs?: number;
  now?: () => number;
}

export interface SessionStore {
  /** Opens a session for an admitted user, sets the cookie; returns the CSRF token. */
  start(reply: FastifyReply, userId: string): Promise<{ id: string; csrfToken: string }>;
  end(req: FastifyRequest, reply: FastifyReply): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore;
  }
}

/** A session that timed out (idle or absolute): 401 with `timedOut`, so the app says why it asks for a login. */
interface TimedOut { ok: false; status: 401; error: string; timedOut: true }
const TIMED_OUT: TimedOut = { ok: false, status: 401, error: MSG.timedOut, timedOut: true };

/** The body of a refusal of the guard. */
function guardRefusal(r: Exclude<Admission, { ok: true }> | TimedOut): Record<string, unknown> {
  return 'timedOut' in r ? { error: r.error, timedOut: true } : refusalBody(r);
}

/** The routes the guard lets through without a login. */
const PUBLIC_API = new Set(['/api/health']);

export const sessionPlugin = fp<SessionOptions>(async (app, opts) => {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const idleMs = opts.idleMs ?? IDLE_MS;
  const maxMs = opts.maxMs ?? MAX_MS;
  const secret = await resolveSessionSecret(db, opts.secret);
  await app.register(cookie, { secret, hook: 'onRequest' });

  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secure, signed: true };

  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionTimedOut', false);
  app.decorate('sessions', {
    async start(reply, userId) {
      const t = now();
      const id = randomHex(32);
      const csrfToken = randomHex(32);
      // Expired rows go when someone logs in: no timer needed.
      await openSession(db, { id, userId, csrfToken, now: moment(t), expiresAt: moment(t + Math.min(idleMs, maxMs)), purgeBefore: moment(t - KEEP_ENDED_MS) });
      reply.setCookie(SESSION_COOKIE, id, cookieOptions);
      return { id, csrfToken };
    },
    async end(req, reply) {
      if (req.session) await deleteSession(db, req.session.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      req.user = null;
      req.session = null;
    },
  } satisfies SessionStore);

  /** Loads the session and its user; a locked or removed user ends the session (and says why), as does a timeout (401 登录已超时). */
  async function load(req: FastifyRequest, reply: FastifyReply): Promise<Exclude<Admission, { ok: true }> | TimedOut | null> {
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return null;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value || !/^[0-9a-f]{64}$/.test(unsigned.value)) return null;
    const t = now();
    // The session and its user in one read (a request's first query: every call pays it).
    // With the units below the user's unit (their scope, if theirs is a unit role), in the same trip.
    const sid = unsigned.value;
    const { session: s, subtree } = await sessionWithUser(db, sid);
    if (!s) return null;
    // Idle: no request for idleMs (last_seen_at lags by at most TOUCH_EVERY_MS); absolute: maxMs
    // after the login, however active. Judged from the row, not from what this process remembers,
    // and against this instance's setting (expires_at was written by whichever instance touched it last).
    if (s.expires_at < moment(t) || s.last_seen_at < moment(t - idleMs) || s.session_created_at <= moment(t - maxMs)) {
      await deleteSession(db, s.session_id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return TIMED_OUT;
    }
    // `id` is the user's (the session's columns are renamed): null when the user is gone from the sheet.
    const admission = await admitted(db, s.id == null ? undefined : s);
    if (!admission.ok) {
      await deleteSession(db, s.session_id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return admission;
    }
    if (moment(t - TOUCH_EVERY_MS) >= s.last_seen_at) {
      // Best effort: the session is valid either way, and the next request touches it again. On
      // SQLite a long import holds the write lock; this write then times out, never the request.
      const created = Date.parse(`${String(s.session_created_at).replace(' ', 'T')}+08:00`);
      await touchSession(db, s.session_id, moment(t), moment(Math.min(t + idleMs, created + maxMs)))
        .catch((e: Error) => req.log.warn({ err: e.message }, 'session touch skipped'));
    }
    req.user = await sessionUser(db, admission.user, subtree);
    req.session = { id: s.session_id, csrfToken: s.csrf_token };
    return null;
  }

  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route) return; // no such route: 404
    const api = route.startsWith('/api/');
    if (!api && !route.startsWith('/auth/')) return;
    const refusal = await load(req, reply);
    if (!api || PUBLIC_API.has(route)) return;
    if (!req.user) {
      if (req.routeOptions.config.sanseAuth === 'optional' && (!refusal || 'timedOut' in refusal)) {
        req.sessionTimedOut = refusal != null;
        return;
      }
      return refusal ? reply.code(refusal.status).send(guardRefusal(refusal)) : reply.code(401).send({ error: MSG.notLoggedIn });
    }
    // Least privilege (三员分立): the 数据安全管理员 reaches the audit routes and /api/me, nothing else.
    if (SECURITY_ROLES.has(req.user.role) && !SECURITY_API.has(route)) return reply.code(403).send({ error: MSG.securityOnly });
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE' || req.method === 'PATCH') {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !req.session || !safeEqual(token, req.session.csrfToken)) return reply.code(403).send({ error: MSG.csrf });
    }
  });
}, { name: 'sanse-session', fastify: '5.x' });
