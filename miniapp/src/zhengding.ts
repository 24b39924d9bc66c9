// Zheng-Ding's (浙政钉, 专有钉钉) JS-API, loaded only inside its client (a chunk of its own): the
// official gdt-jsapi package, its getAuthCode alone. The code is good once, for about 5 minutes;
// the server exchanges it at /rpc/oauth2/dingtalk_app_user.json (POST /auth/zhengding/miniapp).

import { timeout } from './timeout.ts';

/** Zheng-Ding's clients (mobile and desktop) carry "TaurusApp" in their user agent. */
export function inZhengDing(ua: string = navigator.userAgent): boolean {
  return /TaurusApp/i.test(ua);
}

interface AuthCodeResult {
  code?: string;
  auth_code?: string;
}

/** An auth code for POST /auth/zhengding/miniapp; `corpId` is the tenant id (租户ID). */
export async function zhengDingAuthCode(corpId: string, ms = 15_000): Promise<string> {
  const mod = (await import('gdt-jsapi/es/getAuthCode')) as unknown as { default: (p: { corpId?: string }) => Promise<AuthCodeResult> };
  const r = await timeout(mod.default({ corpId }), ms, '浙政钉客户端未响应免登请求，请关闭页面后重新打开');
  const code = r?.code ?? r?.auth_code;
  if (!code) throw new Error('未能从浙政钉获取免登授权码，请关闭页面后重新打开');
  return code;
}
