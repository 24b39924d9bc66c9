// Session hardening (issue 17): the idle timeout (SESSION_IDLE_MINUTES, 30) and the absolute one
// from the login (SESSION_MAX_HOURS, 12), judged on every request from the session's row; the
// user reads 登录已超时，请重新登录. The clock is moved by moving the session's own moments back
// (created_at, last_seen_at, expires_at: what the row says about the past), as every instance
// reads them. And HSTS on every answer of an https deployment, never on http.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { buildApp } from '../../main/app.ts';
import { MSG } from '../../server/auth/session.ts';
import { loadConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { login, nextIp, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;

beforeAll(async () => {
  a = await startApp();
});
afterAll(async () => {
  await a?.close();
});

const MIN = 60_000;
const HOUR = 3600_000;
const sidOf = (s: Session) => s.cookie.slice('sanse_sid='.length).split('.')[0]!;
/** Moves the clock of one session: it was opened `openedAgo` ms ago and last seen `seenAgo` ms ago. */
async function age(app: ApiTestApp, s: Session, o: { openedAgo: number; seenAgo: number; expiresIn?: number }) {
  const t = Date.now();
  await app.t.db('sessions').where({ id: sidOf(s) }).update({
    created_at: nowMoment(t - o.openedAgo),
    last_seen_at: nowMoment(t - o.seenAgo),
    // What another instance (with a longer setting) may have written: the row's expiry alone does not decide.
    expires_at: nowMoment(t + (o.expiresIn ?? HOUR)),
  });
}

describe('session timeouts', () => {
  it('keeps a session idle for 29 minutes and moves its idle expiry 30 minutes on', async () => {
    const s = await login(a.app, 'demo-staff-01');
    await age(a, s, { openedAgo: 2 * HOUR, seenAgo: 29 * MIN, expiresIn: MIN });
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(200);
    const row = await a.t.db('sessions').where({ id: sidOf(s) }).first();
    expect(row.last_seen_at >= nowMoment(Date.now() - MIN)).toBe(true);
    expect(row.expires_at >= nowMoment(Date.now() + 29 * MIN)).toBe(true);
    expect(row.expires_at <= nowMoment(Date.now() + 31 * MIN)).toBe(true);
  });

  it('ends a session idle for 31 minutes: 401 登录已超时，请重新登录, the row deleted, the cookie cleared', async () => {
    const s = await login(a.app, 'demo-staff-01');
    await age(a, s, { openedAgo: HOUR, seenAgo: 31 * MIN });
    const res = await a.app.inject({ method: 'GET', url: '/api/findings', headers: s.read });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: '登录已超时，请重新登录', timedOut: true });
    expect(MSG.timedOut).toBe('登录已超时，请重新登录');
    expect(String(res.headers['set-cookie'])).toMatch(/^sanse_sid=;/);
    expect(await a.t.db('sessions').where({ id: sidOf(s) }).first()).toBeUndefined();
    // The next request with the old cookie: not logged in.
    expect((await a.app.inject({ method: 'GET', url: '/api/findings', headers: s.read })).json().error).toBe(MSG.notLoggedIn);
  });

  it('/api/me of a timed-out session says so, with how to log in (the login page shows it)', async () => {
    const s = await login(a.app, 'demo-staff-01');
    await age(a, s, { openedAgo: HOUR, seenAgo: 45 * MIN });
    const res = await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: '登录已超时，请重新登录', timedOut: true, platform: 'sandbox' });
    // Without a cookie: the plain 请先登录, no timeout.
    const none = (await a.app.inject({ method: 'GET', url: '/api/me' })).json();
    expect(none.error).toBe(MSG.notLoggedIn);
    expect(none.timedOut).toBeUndefined();
  });

  it('a login with the cookie of a timed-out session gives a new session (one cookie set, valid)', async () => {
    const s = await login(a.app, 'demo-staff-01');
    await age(a, s, { openedAgo: HOUR, seenAgo: 40 * MIN });
    const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', headers: s.read, payload: { userId: 'demo-staff-01' }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    const set = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]).filter((c) => c.startsWith('sanse_sid='));
    expect(set).toHaveLength(1);
    expect(set[0]).not.toMatch(/^sanse_sid=;/);
    const cookie = set[0]!.split(';')[0]!;
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('ends an active session 12 hours after its login, however recent its last request', async () => {
    const s = await login(a.app, 'demo-staff-01');
    await age(a, s, { openedAgo: 11 * HOUR + 50 * MIN, seenAgo: 2 * MIN });
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(200);
    const row = await a.t.db('sessions').where({ id: sidOf(s) }).first();
    // The idle expiry never goes past the absolute end.
    expect(row.expires_at <= nowMoment(Date.now() + 10 * MIN + 1000)).toBe(true);

    await age(a, s, { openedAgo: 12 * HOUR + MIN, seenAgo: 10_000 });
    const res = await a.app.inject({ method: 'POST', url: '/auth/logout', headers: s.write, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200); // logout of an ended session is still fine
    const again = await login(a.app, 'demo-staff-01');
    await age(a, again, { openedAgo: 12 * HOUR + MIN, seenAgo: 10_000 });
    const refused = await a.app.inject({ method: 'GET', url: '/api/units', headers: again.read });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: '登录已超时，请重新登录', timedOut: true });
  });

  it('follows SESSION_IDLE_MINUTES and SESSION_MAX_HOURS', async () => {
    const b = await startApp({ db: a.t, env: { SESSION_IDLE_MINUTES: '5', SESSION_MAX_HOURS: '1' } });
    try {
      const s = await login(b.app, 'demo-staff-01');
      await age(b, s, { openedAgo: 30 * MIN, seenAgo: 4 * MIN });
      expect((await b.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(200);
      await age(b, s, { openedAgo: 30 * MIN, seenAgo: 6 * MIN });
      expect((await b.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).json().timedOut).toBe(true);
      const t = await login(b.app, 'demo-staff-01');
      await age(b, t, { openedAgo: 61 * MIN, seenAgo: MIN });
      expect((await b.app.inject({ method: 'GET', url: '/api/me', headers: t.read })).json().timedOut).toBe(true);
    } finally {
      await b.app.close();
    }
  });

  it('refuses a timeout that is not a positive number, in Chinese', () => {
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '三十' })).toThrow('SESSION_IDLE_MINUTES 取值无效：三十（应为大于0的分钟数）');
    expect(() => loadConfig({ SESSION_MAX_HOURS: '0' })).toThrow('SESSION_MAX_HOURS 取值无效：0（应为大于0的小时数）');
    expect(loadConfig({}).session).toMatchObject({ idleMs: 30 * MIN, maxMs: 12 * HOUR });
  });
});

describe('HSTS', () => {
  const HSTS = 'max-age=31536000; includeSubDomains';
  const requests = [
    { method: 'GET', url: '/api/health' },
    { method: 'GET', url: '/api/me' },
    { method: 'GET', url: '/api/no-such-route' },
    { method: 'GET', url: '/sandbox' },
    { method: 'GET', url: '/' },
    { method: 'GET', url: '/no-such-page' },
    { method: 'GET', url: '/auth/sandbox/users' },
    { method: 'POST', url: '/auth/sandbox/login', payload: '{"userId":', headers: { 'content-type': 'application/json' } },
    { method: 'GET', url: '/m/%E0%A4%A' },
  ] as const;

  it('on https every answer carries Strict-Transport-Security: max-age=31536000; includeSubDomains', async () => {
    const ctx: AppContext = { ...a.ctx, config: loadConfig({ PLATFORM: 'sandbox', PUBLIC_BASE_URL: 'https://sanse.example.gov.cn' }) };
    const b = await buildApp(ctx);
    try {
      for (const r of requests) {
        const res = await b.inject({ ...r, remoteAddress: nextIp() } as any);
        expect([r.url, res.headers['strict-transport-security']]).toEqual([r.url, HSTS]);
      }
    } finally {
      await b.close();
    }
  });

  it('on http no answer carries it', async () => {
    for (const r of requests) {
      const res = await a.app.inject({ ...r, remoteAddress: nextIp() } as any);
      expect([r.url, res.headers['strict-transport-security']]).toEqual([r.url, undefined]);
    }
  });
});
