// A local DingTalk for the logins (docs/dingtalk.md §5), on 127.0.0.1: the app token
// (POST /v1.0/oauth2/accessToken, as @alicloud/dingtalk calls it), the user token
// (POST /v1.0/oauth2/userAccessToken), users/me, and the legacy topapi look-ups by unionid and
// by mini-app code. Records every request as it arrived.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoginRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeDingTalkLogin {
  base: string;
  clientId: string;
  clientSecret: string;
  appToken: string;
  requests: LoginRequest[];
  /** QR auth codes → the user behind them (unionId, nick). */
  authCodes: Map<string, { unionId: string; nick: string }>;
  /** unionId → corp userid (absent: errcode 60121). */
  userids: Map<string, string>;
  /** Mini-app codes → userid. */
  miniAppCodes: Map<string, string>;
  close(): Promise<void>;
}

export async function startFakeDingTalkLogin(): Promise<FakeDingTalkLogin> {
  const fake = {
    base: '',
    clientId: 'ding-login-client',
    clientSecret: 'ding-login-secret',
    appToken: 'app-token-1',
    requests: [] as LoginRequest[],
    authCodes: new Map<string, { unionId: string; nick: string }>(),
    userids: new Map<string, string>(),
    miniAppCodes: new Map<string, string>(),
    close: async () => {},
  };
  const used = new Set<string>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: LoginRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
    fake.requests.push(rec);
    const b = (body ?? {}) as Record<string, any>;
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(payload));
    };
    switch (`${rec.method} ${rec.path}`) {
      case 'POST /v1.0/oauth2/accessToken':
        if (b.appKey !== fake.clientId || b.appSecret !== fake.clientSecret) return json(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
        return json(200, { accessToken: fake.appToken, expireIn: 7200 });
      case 'POST /v1.0/oauth2/userAccessToken': {
        const who = fake.authCodes.get(b.code);
        if (b.clientId !== fake.clientId || b.clientSecret !== fake.clientSecret || b.grantType !== 'authorization_code' || !who || used.has(b.code)) {
          return json(400, { code: 'invalidAuthCode', message: '不合法的临时授权码', requestid: 'r' });
        }
        used.add(b.code);
        return json(200, { accessToken: `user-token-${b.code}`, refreshToken: `refresh-${b.code}`, expireIn: 7200, corpId: 'ding-corp' });
      }
      case 'GET /v1.0/contact/users/me': {
        const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
        const who = token.startsWith('user-token-') ? fake.authCodes.get(token.slice('user-token-'.length)) : undefined;
        if (!who) return json(401, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'r' });
        return json(200, { nick: who.nick, unionId: who.unionId, openId: `open-${who.unionId}`, stateCode: '86' });
      }
      case 'POST /topapi/user/getbyunionid': {
        if (rec.query.access_token !== fake.appToken) return json(200, { errcode: 88, sub_code: '40014', errmsg: '不合法的access_token' });
        const userid = fake.userids.get(b.unionid);
        if (!userid) return json(200, { errcode: 60121, errmsg: '找不到该用户' });
        return json(200, { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid }, request_id: 'r' });
      }
      case 'POST /topapi/v2/user/getuserinfo': {
        if (rec.query.access_token !== fake.appToken) return json(200, { errcode: 88, sub_code: '40014', errmsg: '不合法的access_token' });
        const userid = fake.miniAppCodes.get(b.code);
        if (!userid || used.has(`m:${b.code}`)) return json(200, { errcode: 40078, errmsg: '不存在的临时授权码' });
        used.add(`m:${b.code}`);
        return json(200, { errcode: 0, errmsg: 'ok', result: { userid, name: '', device_id: 'd', sys: false, unionid: `u-${userid}` } });
      }
    }
    return json(404, { code: 'InvalidAction.NotFound', message: `no route ${rec.method} ${rec.path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return fake;
}
