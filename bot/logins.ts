// Who is logging in, as DingTalk or Zheng-Ding tells it (docs/dingtalk.md §5 and §6). Each
// function turns a one-time code into the user id of the 用户 sheet (DingTalk userid,
// Zheng-Ding accountId); every failure is a LoginError with a Chinese message.

import { LoginError, type DingTalkLogin, type ZhengDingLogin } from '../core/login.ts';
import { ACCESS_MSG } from '../core/roles.ts';
import { DingTalkOpenApi } from './dingtalk/openapi.ts';
import { PlatformError } from './platform.ts';
import { createZhengDingClient, SIGNATURE_MISMATCH_CODE, ZhengDingError, type ZhengDingClient } from './zhengding/client.ts';

const CODE_INVALID = '登录码无效或已过期，请重新登录';
const quiet = { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} };

export interface DingTalkLoginConfig { clientId: string; clientSecret: string; corpId?: string; apiBase: string; oapiBase: string; loginBase: string }
export interface ZhengDingLoginConfig { apiBase: string; appKey: string; appSecret: string; tenantId: string; loginBase: string; ip?: string; mac?: string }

const trimBase = (b: string) => b.replace(/\/+$/, '');

async function fetchJson(op: string, url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    text = await res.text();
  } catch {
    throw new LoginError(502, `无法连接钉钉（${op}），请稍后重试`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LoginError(502, `钉钉应答异常（${op}，HTTP ${res.status}），请稍后重试`);
  }
  return { status: res.status, body: (typeof body === 'object' && body ? body : {}) as Record<string, unknown> };
}

export function dingTalkLogin(config: DingTalkLoginConfig): DingTalkLogin {
  const api = trimBase(config.apiBase);
  const openapi = new DingTalkOpenApi({ clientId: config.clientId, clientSecret: config.clientSecret, apiBase: config.apiBase, oapiBase: config.oapiBase, log: quiet });

  /** A legacy oapi call with the app token; a refused code or an unknown user is the user's problem, the rest a 502. */
  async function oapi(path: string, body: unknown, refused: (errcode: string) => LoginError | null): Promise<Record<string, any>> {
    try {
      return await openapi.oapi<Record<string, any>>('POST', path, { body });
    } catch (e) {
      if (e instanceof PlatformError && !e.retryable && e.code) {
        const r = refused(e.code);
        if (r) throw r;
      }
      throw new LoginError(502, `钉钉登录校验失败（${e instanceof Error ? e.message : String(e)}），请稍后重试`);
    }
  }

  return {
    clientId: config.clientId,
    corpId: config.corpId,
    qrUrl(redirectUri, state) {
      const q = new URLSearchParams({ redirect_uri: redirectUri, response_type: 'code', client_id: config.clientId, scope: 'openid', state, prompt: 'consent' });
      return `${trimBase(config.loginBase)}/oauth2/auth?${q}`;
    },
    async userIdFromAuthCode(authCode) {
      const tok = await fetchJson('获取用户令牌', `${api}/v1.0/oauth2/userAccessToken`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId: config.clientId, clientSecret: config.clientSecret, code: authCode, grantType: 'authorization_code' }),
      });
      if (tok.status >= 500) throw new LoginError(502, `钉钉服务暂不可用（HTTP ${tok.status}），请稍后重试`);
      if (tok.status >= 400 || typeof tok.body.accessToken !== 'string') throw new LoginError(400, CODE_INVALID);
      const me = await fetchJson('获取用户信息', `${api}/v1.0/contact/users/me`, {
        method: 'GET',
        headers: { 'x-acs-dingtalk-access-token': tok.body.accessToken },
      });
      if (me.status >= 400 || typeof me.body.unionId !== 'string' || !me.body.unionId) throw new LoginError(502, `无法读取钉钉用户信息（HTTP ${me.status}），请重新登录`);
      // 60121: no such user in this organisation.
      const r = await oapi('/topapi/user/getbyunionid', { unionid: me.body.unionId }, (code) => (code === '60121' ? new LoginError(403, ACCESS_MSG.noAccess) : null));
      const userid = r.result?.userid;
      if (typeof userid !== 'string' || !userid) throw new LoginError(403, ACCESS_MSG.noAccess);
      return userid;
    },
    async userIdFromMiniAppCode(authCode) {
      // 40078: no such (or a used) temporary code.
      const r = await oapi('/topapi/v2/user/getuserinfo', { code: authCode }, (code) => (code === '40078' || code === '40079' ? new LoginError(400, CODE_INVALID) : null));
      const userid = r.result?.userid;
      if (typeof userid !== 'string' || !userid) throw new LoginError(400, CODE_INVALID);
      return userid;
    },
  };
}

export function zhengDingLogin(config: ZhengDingLoginConfig, client?: ZhengDingClient): ZhengDingLogin {
  const zd = client ?? createZhengDingClient({ apiBase: config.apiBase, appKey: config.appKey, appSecret: config.appSecret, ip: config.ip, mac: config.mac });

  async function accountId(path: string, params: Record<string, string>): Promise<string> {
    let data: Record<string, unknown> | undefined;
    try {
      data = await zd.call<Record<string, unknown>>('POST', path, params, { token: true });
    } catch (e) {
      if (e instanceof ZhengDingError && !e.retryable && e.code !== SIGNATURE_MISMATCH_CODE) throw new LoginError(400, `${CODE_INVALID}（${e.platformMessage || e.code || '浙政钉拒绝'}）`);
      throw new LoginError(502, `浙政钉登录校验失败（${e instanceof Error ? e.message : String(e)}），请稍后重试`);
    }
    const id = data?.accountId;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') throw new LoginError(400, CODE_INVALID);
    return String(id);
  }

  return {
    clientId: config.appKey,
    tenantId: config.tenantId,
    qrUrl(redirectUri, state) {
      const q = new URLSearchParams({ response_type: 'code', client_id: config.appKey, redirect_uri: redirectUri, scope: 'get_user_info', authType: 'QRCODE', state });
      return `${trimBase(config.loginBase)}/oauth2/auth.htm?${q}`;
    },
    userIdFromCode: (code) => accountId('/rpc/oauth2/getuserinfo_bycode.json', { code }),
    userIdFromAppCode: (authCode) => accountId('/rpc/oauth2/dingtalk_app_user.json', { auth_code: authCode }),
  };
}
