// Sessions and sandbox logins: the cookie, /api/me, CSRF, refusals in Chinese, the idle expiry,
// logout and the login rate limit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { MSG } from '../../server/auth/session.ts';
import { login, nextIp, sessionCookie, startApp, type ApiTestApp } from './helpers.ts';

let a: ApiTestApp;

beforeAll(async () => {
  a = await startApp();
});
afterAll(async () => {
  await a?.close();
});

describe('sandbox login and sessions', () => {
  it('lists the demo users to choose from', async () => {
    const res = await a.app.inject({ method: 'GET', url: '/auth/sandbox/users', remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    const users = res.json();
    expect(users.find((u: any) => u.id === 'demo-admin')).toMatchObject({ role: '编办管理员', unitName: null });
    const zgy = users.find((u: any) => u.role === '单位专管员');
    expect(zgy.unitName).toBeTruthy();
    expect(Object.keys(zgy).sort()).toEqual(['id', 'name', 'named', 'role', 'unitName']);
  });

  it('logs in, sets a signed httpOnly SameSite=Lax cookie, and /api/me answers who is logged in', async () => {
    const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'demo-admin' }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/^sanse_sid=[^;]+\.[^;]+;/); // value.signature
    expect(raw).toContain('HttpOnly');
    expect(raw).toContain('SameSite=Lax');
    expect(raw).toContain('Path=/');
    expect(raw).not.toContain('Secure'); // PUBLIC_BASE_URL is http here
    const c = res.cookies.find((x) => x.name === 'sanse_sid')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');

    const cookie = sessionCookie(res)!;
    const me = await a.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body).toMatchObject({ id: 'demo-admin', role: '编办管理员', unit: null, fullIds: true, platform: 'sandbox', login: {} });
    expect(body.csrfToken).toMatch(/^[0-9a-f]{64}$/);
    expect(body.csrfToken).toBe(res.json().csrfToken);
    const row = await a.t.db('sessions').where({ user_id: 'demo-admin' }).first();
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row.csrf_token).toBe(body.csrfToken);
    expect(row.expires_at > row.created_at).toBe(true);
  });

  it('gives a unit user their unit and no full IDs', async () => {
    const u = await a.t.db('users').where({ role: '单位专管员' }).first();
    const s = await login(a.app, u.id);
    expect(s.me).toMatchObject({ id: u.id, role: '单位专管员', fullIds: false });
    expect(s.me.unit.code).toBe(u.unit_code);
  });

  it('sets Secure on the cookie when PUBLIC_BASE_URL is https', async () => {
    const b = await startApp({ db: a.t, env: { PUBLIC_BASE_URL: 'https://sanse.example.gov.cn' } });
    try {
      const res = await b.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'demo-admin' }, remoteAddress: nextIp() });
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await b.close();
    }
  });

  it('answers 401 without a session, a forged cookie or an unsigned id, and tells the login page how to log in', async () => {
    const none = await a.app.inject({ method: 'GET', url: '/api/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: '请先登录', platform: 'sandbox' });
    const s = await login(a.app, 'demo-leader');
    const id = s.cookie.slice('sanse_sid='.length).split('.')[0];
    for (const cookie of [`sanse_sid=${id}`, `sanse_sid=${id}.AAAA`, 'sanse_sid=abc']) {
      const res = await a.app.inject({ method: 'GET', url: '/api/findings', headers: { cookie } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('请先登录');
    }
    expect((await a.app.inject({ method: 'GET', url: '/api/units' })).statusCode).toBe(401);
    expect((await a.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('refuses writes without the CSRF token, or with another session\'s', async () => {
    const s = await login(a.app, 'demo-admin');
    const other = await login(a.app, 'demo-staff-01');
    for (const headers of [s.read, { ...s.read, 'x-csrf-token': other.csrf }, { ...s.read, 'x-csrf-token': '' }]) {
      const res = await a.app.inject({ method: 'POST', url: '/api/check', headers, payload: {} });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe(MSG.csrf);
    }
    const person = await a.t.db('people').first('id');
    const put = await a.app.inject({ method: 'PUT', url: `/api/people/${person.id}`, headers: s.read, payload: { changes: {}, reason: 'x', version: 0 } });
    expect(put.statusCode).toBe(403);
    expect(put.json().error).toMatch(/安全校验/);
    // Reads need no token.
    expect((await a.app.inject({ method: 'GET', url: '/api/units', headers: s.read })).statusCode).toBe(200);
  });

  it('refuses someone not on the 用户 sheet, and a locked user, in Chinese', async () => {
    const unknown = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'nobody-here' }, remoteAddress: nextIp() });
    expect(unknown.statusCode).toBe(403);
    expect(unknown.json()).toEqual({ error: '您尚未开通“三色”使用权限，请联系本地编办。' });
    expect(sessionCookie(unknown)).toBeNull();

    const u = await a.t.db('users').where({ role: '单位领导' }).first();
    const s = await login(a.app, u.id);
    await a.t.db('users').where({ id: u.id }).update({ locked: true });
    try {
      const locked = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: u.id }, remoteAddress: nextIp() });
      // 423 Locked, with why (locked on the 用户 sheet, no self-check lock) and who unlocks.
      expect(locked.statusCode).toBe(423);
      expect(locked.json().error).toMatch(/^您的账号已被锁定：账号已由编办停用。请联系编办管理员.+解锁。$/);
      expect(locked.json().locked).toMatchObject({ reason: { kind: 'manual' } });
      // A session opened before the lock ends with the same answer.
      const res = await a.app.inject({ method: 'GET', url: '/api/units', headers: s.read });
      expect(res.statusCode).toBe(423);
      expect(res.json().error).toBe(locked.json().error);
      expect(res.json().locked).toMatchObject({ reason: { kind: 'manual' } });
      expect(await a.t.db('sessions').where({ user_id: u.id }).first()).toBeUndefined();
    } finally {
      await a.t.db('users').where({ id: u.id }).update({ locked: false });
    }
    // A user taken off the sheet: the session is refused too.
    const v = await a.t.db('users').where({ role: '单位领导' }).orderBy('id', 'desc').first();
    const s2 = await login(a.app, v.id);
    await a.t.db('users').where({ id: v.id }).delete();
    try {
      const res = await a.app.inject({ method: 'GET', url: '/api/me', headers: s2.read });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('您尚未开通“三色”使用权限，请联系本地编办。');
    } finally {
      await a.t.db('users').insert(v);
    }
  });

  it('expires a session after 30 idle minutes and keeps an active one alive (more in session-hardening.test.ts)', async () => {
    const s = await login(a.app, 'demo-staff-01');
    const id = s.cookie.slice('sanse_sid='.length).split('.')[0];
    const old = nowMoment(Date.now() - 25 * 60_000);
    await a.t.db('sessions').where({ id }).update({ last_seen_at: old, expires_at: nowMoment(Date.now() + 5 * 60_000) });
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(200);
    const touched = await a.t.db('sessions').where({ id }).first();
    expect(touched.last_seen_at > old).toBe(true);
    expect(touched.expires_at >= nowMoment(Date.now() + 29.9 * 60_000)).toBe(true);

    await a.t.db('sessions').where({ id }).update({ expires_at: nowMoment(Date.now() - 1000) });
    const res = await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('登录已超时，请重新登录');
    expect(await a.t.db('sessions').where({ id }).first()).toBeUndefined();
  });

  it('logs out', async () => {
    const s = await login(a.app, 'demo-staff-01');
    const res = await a.app.inject({ method: 'POST', url: '/auth/logout', headers: s.read, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^sanse_sid=;/);
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(401);
  });

  it('limits login attempts per IP, with a Chinese 429', async () => {
    const ip = '192.0.2.77';
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: `guess-${i}` }, remoteAddress: ip });
      codes.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json()).toEqual({ error: MSG.tooMany });
    }
    expect(codes.slice(0, 10).every((c) => c === 403)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
    // Other addresses are not affected.
    expect((await a.app.inject({ method: 'GET', url: '/auth/sandbox/users', remoteAddress: nextIp() })).statusCode).toBe(200);
  });

  it('limits login attempts per account, whatever the address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'demo-staff-02' }, remoteAddress: nextIp() });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 200)).toBe(true);
    expect(codes[10]).toBe(429);
  });

  it('offers the sandbox chooser only on the sandbox platform', async () => {
    const b = await startApp({ db: a.t, env: { PLATFORM: 'dingtalk', DINGTALK_CLIENT_ID: 'id', DINGTALK_CLIENT_SECRET: 'secret' } });
    try {
      const users = await b.app.inject({ method: 'GET', url: '/auth/sandbox/users', remoteAddress: nextIp() });
      expect(users.statusCode).toBe(404);
      expect(users.json().error).toMatch(/沙箱/);
      const res = await b.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'demo-admin' }, remoteAddress: nextIp() });
      expect(res.statusCode).toBe(404);
      expect(sessionCookie(res)).toBeNull();
      const me = await b.app.inject({ method: 'GET', url: '/api/me' });
      expect(me.json()).toMatchObject({ platform: 'dingtalk', login: { dingtalk: { clientId: 'id' } } });
    } finally {
      await b.close();
    }
  });
});
