// DingTalk QR login and mini-app no-login against a local DingTalk, Zheng-Ding QR login and
// in-app no-login against a local gateway: the exact requests, the state check, the session.

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { MSG } from '../../server/auth/session.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { ok, startFakeGateway, type FakeGateway } from '../zhengding/fake-gateway.ts';
import { startFakeDingTalkLogin, type FakeDingTalkLogin } from './fake-dingtalk-login.ts';
import { nextIp, sessionCookie, startApp, type ApiTestApp } from './helpers.ts';

let t: TestDb;
let fake: FakeDingTalkLogin;
let gw: FakeGateway;

const BASE = 'https://sanse.example.gov.cn';

beforeAll(async () => {
  t = await createTestDb();
  const at = nowMoment();
  await t.db('users').insert([
    { id: 'ding-admin', name: '王编办', role: '编办管理员', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at },
    { id: 'ding-locked', name: '李锁定', role: '查询用户', unit_code: null, unit_id: null, mobile: null, locked: true, created_at: at, updated_at: at },
    { id: '880012', name: '赵浙政', role: '编办业务人员', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at },
    { id: 'ding-zgy', name: '钱专管', role: '单位专管员', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at },
  ]);
  fake = await startFakeDingTalkLogin();
  gw = await startFakeGateway();
});
afterAll(async () => {
  await fake?.close();
  await gw?.close();
  await t?.close();
});

function stateCookie(res: { cookies: Array<{ name: string; value: string }> }): string {
  const c = res.cookies.find((x) => x.name === 'sanse_login_state')!;
  return `sanse_login_state=${c.value}`;
}

describe('DingTalk logins', () => {
  let a: ApiTestApp;
  beforeAll(async () => {
    a = await startApp({
      db: t,
      env: {
        PLATFORM: 'dingtalk', PUBLIC_BASE_URL: BASE,
        DINGTALK_CLIENT_ID: fake.clientId, DINGTALK_CLIENT_SECRET: fake.clientSecret, DINGTALK_CORP_ID: 'ding-corp',
        DINGTALK_API_BASE: fake.base, DINGTALK_OAPI_BASE: fake.base, DINGTALK_LOGIN_BASE: 'https://login.example.com',
      },
    });
  });
  afterAll(async () => {
    await a?.close();
  });

  it('QR login: redirect with state, callback → user token → users/me → userid → session → /m/#/console', async () => {
    fake.authCodes.set('qr-code-1', { unionId: 'union-admin', nick: '王编办' });
    fake.userids.set('union-admin', 'ding-admin');
    const ip = nextIp();
    const qr = await a.app.inject({ method: 'GET', url: '/auth/dingtalk/qr', remoteAddress: ip });
    expect(qr.statusCode).toBe(302);
    const loc = new URL(qr.headers.location as string);
    expect(`${loc.origin}${loc.pathname}`).toBe('https://login.example.com/oauth2/auth');
    const state = loc.searchParams.get('state')!;
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.fromEntries(loc.searchParams)).toEqual({
      redirect_uri: `${BASE}/auth/dingtalk/callback`, response_type: 'code', client_id: fake.clientId, scope: 'openid', state, prompt: 'consent',
    });
    const rawState = String(qr.headers['set-cookie']);
    expect(rawState).toMatch(/^sanse_login_state=/);
    expect(rawState).toMatch(/Max-Age=600/);
    expect(rawState).toMatch(/Path=\/auth\//);
    expect(rawState).toMatch(/HttpOnly/);
    expect(rawState).toMatch(/SameSite=Lax/);
    expect(rawState).toMatch(/Secure/);

    fake.requests.length = 0;
    const cb = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=qr-code-1&state=${state}`, headers: { cookie: stateCookie(qr) }, remoteAddress: ip });
    expect(cb.statusCode).toBe(302);
    expect(cb.headers.location).toBe('/m/#/console');
    const cookie = sessionCookie(cb)!;
    expect(String(cb.headers['set-cookie'])).toMatch(/sanse_sid=[^;]+;.*Secure/);

    // The exact requests, in order.
    const calls = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual(['POST /v1.0/oauth2/userAccessToken', 'GET /v1.0/contact/users/me', 'POST /v1.0/oauth2/accessToken', 'POST /topapi/user/getbyunionid']);
    const [userToken, me, appToken, byUnion] = fake.requests;
    expect(userToken.body).toEqual({ clientId: fake.clientId, clientSecret: fake.clientSecret, code: 'qr-code-1', grantType: 'authorization_code' });
    expect(userToken.headers['content-type']).toMatch(/application\/json/);
    expect(me.headers['x-acs-dingtalk-access-token']).toBe('user-token-qr-code-1');
    expect(appToken.body).toMatchObject({ appKey: fake.clientId, appSecret: fake.clientSecret });
    expect(byUnion.query).toEqual({ access_token: fake.appToken });
    expect(byUnion.body).toEqual({ unionid: 'union-admin' });

    const res = await a.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(res.json()).toMatchObject({ id: 'ding-admin', name: '王编办', role: '编办管理员', platform: 'dingtalk', login: { dingtalk: { corpId: 'ding-corp', clientId: fake.clientId } } });
  });

  it('QR login lands on the page asked for (next, inside the app only), else on the role\'s home', async () => {
    fake.userids.set('union-zgy', 'ding-zgy');
    const land = async (code: string, query: string) => {
      fake.authCodes.set(code, { unionId: 'union-zgy', nick: '钱专管' });
      const ip = nextIp();
      const qr = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/qr${query}`, remoteAddress: ip });
      const state = new URL(qr.headers.location as string).searchParams.get('state')!;
      const cb = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=${code}&state=${state}`, headers: { cookie: stateCookie(qr) }, remoteAddress: ip });
      expect(cb.statusCode).toBe(302);
      return cb.headers.location;
    };
    expect(await land('qr-next-1', `?next=${encodeURIComponent('/person/12')}`)).toBe('/m/#/person/12');
    // A unit role's home is 待整改; an office role's the console (the test above).
    expect(await land('qr-next-2', '')).toBe('/m/#/todo');
    // Anything that could leave the app is ignored.
    expect(await land('qr-next-3', `?next=${encodeURIComponent('//evil.example/x')}`)).toBe('/m/#/todo');
    expect(await land('qr-next-4', `?next=${encodeURIComponent('https://evil.example')}`)).toBe('/m/#/todo');
    expect(await land('qr-next-5', `?next=${encodeURIComponent('/login?next=/x')}`)).toBe('/m/#/todo');
    expect(await land('qr-next-6', `?next=${encodeURIComponent('/todo"><script>')}`)).toBe('/m/#/todo');
  });

  it('refuses a callback whose state does not match, or comes without the state cookie, before calling DingTalk', async () => {
    fake.authCodes.set('qr-code-2', { unionId: 'union-admin', nick: '王编办' });
    const ip = nextIp();
    const qr = await a.app.inject({ method: 'GET', url: '/auth/dingtalk/qr', remoteAddress: ip });
    const state = new URL(qr.headers.location as string).searchParams.get('state')!;
    fake.requests.length = 0;
    const wrong = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=qr-code-2&state=${'0'.repeat(32)}`, headers: { cookie: stateCookie(qr) }, remoteAddress: ip });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toMatch(/重新扫码/);
    const noCookie = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=qr-code-2&state=${state}`, remoteAddress: ip });
    expect(noCookie.statusCode).toBe(403);
    // A state cookie of another provider does not count either.
    const forged = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=qr-code-2&state=${state}`, headers: { cookie: `sanse_login_state=dingtalk.${state}` }, remoteAddress: ip });
    expect(forged.statusCode).toBe(403);
    expect(fake.requests).toHaveLength(0);
    expect(sessionCookie(wrong)).toBeNull();
  });

  it('refuses someone DingTalk knows but the 用户 sheet does not, with a readable page', async () => {
    fake.authCodes.set('qr-code-3', { unionId: 'union-stranger', nick: '路人' });
    const ip = nextIp();
    const qr = await a.app.inject({ method: 'GET', url: '/auth/dingtalk/qr', remoteAddress: ip });
    const state = new URL(qr.headers.location as string).searchParams.get('state')!;
    const res = await a.app.inject({ method: 'GET', url: `/auth/dingtalk/callback?authCode=qr-code-3&state=${state}`, headers: { cookie: stateCookie(qr), accept: 'text/html' }, remoteAddress: ip });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain(MSG.noAccess);
    expect(sessionCookie(res)).toBeNull();
  });

  it('mini-app no-login: the code goes to topapi/v2/user/getuserinfo with the app token', async () => {
    fake.miniAppCodes.set('mini-1', 'ding-admin');
    fake.requests.length = 0;
    const res = await a.app.inject({ method: 'POST', url: '/auth/dingtalk/miniapp', payload: { authCode: 'mini-1' }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'ding-admin', role: '编办管理员' });
    expect(res.json().csrfToken).toMatch(/^[0-9a-f]{64}$/);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /topapi/v2/user/getuserinfo']);
    expect(fake.requests[0].query).toEqual({ access_token: fake.appToken });
    expect(fake.requests[0].body).toEqual({ code: 'mini-1' });
    const cookie = sessionCookie(res)!;
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().id).toBe('ding-admin');

    // A code is good once.
    const again = await a.app.inject({ method: 'POST', url: '/auth/dingtalk/miniapp', payload: { authCode: 'mini-1' }, remoteAddress: nextIp() });
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toMatch(/登录码无效或已过期/);
    // A locked user is refused.
    fake.miniAppCodes.set('mini-2', 'ding-locked');
    const locked = await a.app.inject({ method: 'POST', url: '/auth/dingtalk/miniapp', payload: { authCode: 'mini-2' }, remoteAddress: nextIp() });
    expect(locked.statusCode).toBe(423);
    // The audit trail (issue 17): the login, the code refused, the locked account, each with its door.
    const audits = (await a.t.db('audit_log').whereIn('action', ['login', 'login_refused']).orderBy('id', 'desc').limit(3)).reverse();
    expect(audits.map((r: Record<string, any>) => [r.actor, r.action, JSON.parse(r.detail).door, JSON.parse(r.detail).reason ?? null])).toEqual([
      ['ding-admin', 'login', 'dingtalk-miniapp', null],
      ['anonymous', 'login_refused', 'dingtalk-miniapp', 'bad_code'],
      ['ding-locked', 'login_refused', 'dingtalk-miniapp', 'locked'],
    ]);
    expect(locked.json()).toEqual({ error: '您的账号已被锁定：账号已由编办停用。请联系编办管理员王编办解锁。', locked: { reason: { kind: 'manual' }, unlockers: [{ name: '王编办', mobile: null }] } });
    const missing = await a.app.inject({ method: 'POST', url: '/auth/dingtalk/miniapp', payload: {}, remoteAddress: nextIp() });
    expect(missing.statusCode).toBe(400);
  });

  it('Zheng-Ding logins are off on this deployment', async () => {
    expect((await a.app.inject({ method: 'GET', url: '/auth/zhengding/qr', remoteAddress: nextIp() })).statusCode).toBe(404);
  });
});

describe('Zheng-Ding logins', () => {
  let a: ApiTestApp;
  beforeAll(async () => {
    gw.route('/gettoken.json', () => ok({ accessToken: 'zd-app-token', expiresIn: '7200' }));
    gw.route('/rpc/oauth2/getuserinfo_bycode.json', (r) => {
      const p = Object.fromEntries(r.params);
      return p.code === 'zd-code-1' && p.access_token === 'zd-app-token'
        ? ok({ accountId: 880012, lastName: '赵浙政', employeeCode: 'E1', tenantId: 196729, tenantName: '测试', namespace: 'local' })
        : { body: { success: true, content: { success: false, responseCode: '233025', responseMessage: '授权码无效' } } };
    });
    gw.route('/rpc/oauth2/dingtalk_app_user.json', (r) => {
      const p = Object.fromEntries(r.params);
      return p.auth_code === 'zd-app-1' && p.access_token === 'zd-app-token'
        ? ok({ accountId: 880012, lastName: '赵浙政', tenantId: 196729 })
        : { body: { success: true, content: { success: false, responseCode: '233025', responseMessage: '授权码无效' } } };
    });
    a = await startApp({
      db: t,
      env: {
        PLATFORM: 'zhengding', PUBLIC_BASE_URL: BASE,
        ZWDD_APP_KEY: 'zd-key', ZWDD_APP_SECRET: 'zd-secret', ZWDD_TENANT_ID: '196729', ZWDD_API_BASE: gw.url,
        ZWDD_LOGIN_BASE: 'https://login.dg-work.example', ZWDD_IP: '10.0.0.1', ZWDD_MAC: 'AA:BB:CC:DD:EE:FF',
      },
    });
  });
  afterAll(async () => {
    await a?.close();
  });

  it('QR login: redirect to auth.htm, callback → getuserinfo_bycode through the signed client → session', async () => {
    const ip = nextIp();
    const qr = await a.app.inject({ method: 'GET', url: '/auth/zhengding/qr', remoteAddress: ip });
    expect(qr.statusCode).toBe(302);
    const loc = new URL(qr.headers.location as string);
    expect(`${loc.origin}${loc.pathname}`).toBe('https://login.dg-work.example/oauth2/auth.htm');
    const state = loc.searchParams.get('state')!;
    expect(Object.fromEntries(loc.searchParams)).toEqual({
      response_type: 'code', client_id: 'zd-key', redirect_uri: `${BASE}/auth/zhengding/callback`, scope: 'get_user_info', authType: 'QRCODE', state,
    });

    gw.requests.length = 0;
    const bad = await a.app.inject({ method: 'GET', url: `/auth/zhengding/callback?code=zd-code-1&state=nope`, headers: { cookie: stateCookie(qr) }, remoteAddress: ip });
    expect(bad.statusCode).toBe(403);
    expect(gw.requests).toHaveLength(0);

    const qr2 = await a.app.inject({ method: 'GET', url: '/auth/zhengding/qr', remoteAddress: ip });
    const state2 = new URL(qr2.headers.location as string).searchParams.get('state')!;
    const cb = await a.app.inject({ method: 'GET', url: `/auth/zhengding/callback?code=zd-code-1&state=${state2}`, headers: { cookie: stateCookie(qr2) }, remoteAddress: ip });
    expect(cb.statusCode).toBe(302);
    expect(cb.headers.location).toBe('/m/#/console');
    expect(gw.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /gettoken.json', 'POST /rpc/oauth2/getuserinfo_bycode.json']);
    const call = gw.requests[1];
    expect(call.params).toEqual(expect.arrayContaining([['access_token', 'zd-app-token'], ['code', 'zd-code-1']]));
    expect(call.params).toHaveLength(2);
    expect(call.headers.apikey).toBe('zd-key');
    expect(call.headers['x-hmac-auth-signature']).toBeTruthy();
    expect(call.headers['x-hmac-auth-ip']).toBe('10.0.0.1');
    const me = await a.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: sessionCookie(cb)! } });
    expect(me.json()).toMatchObject({ id: '880012', name: '赵浙政', platform: 'zhengding', login: { zhengding: { clientId: 'zd-key', tenantId: '196729' } } });
  });

  it('in-app no-login: dingtalk_app_user.json with auth_code', async () => {
    gw.requests.length = 0;
    const res = await a.app.inject({ method: 'POST', url: '/auth/zhengding/miniapp', payload: { authCode: 'zd-app-1' }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: '880012', role: '编办业务人员' });
    expect(gw.requests.map((r) => r.path)).toEqual(['/rpc/oauth2/dingtalk_app_user.json']); // the app token is cached
    expect(gw.requests[0].params).toEqual(expect.arrayContaining([['access_token', 'zd-app-token'], ['auth_code', 'zd-app-1']]));
    const bad = await a.app.inject({ method: 'POST', url: '/auth/zhengding/miniapp', payload: { authCode: 'zd-wrong' }, remoteAddress: nextIp() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/登录码无效/);
  });
});
