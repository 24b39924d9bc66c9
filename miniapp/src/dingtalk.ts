// DingTalk's JSAPI, loaded only inside the DingTalk client (a chunk of its own, so the desktop
// and the sandbox never download it).

import { timeout } from './timeout.ts';

interface DdApi {
  requestAuthCode?: (p: { corpId: string; clientId: string }) => Promise<{ code?: string; authCode?: string }>;
  runtime?: { permission?: { requestAuthCode?: (p: { corpId: string }) => Promise<{ code: string }> } };
}

/** An auth code for POST /auth/dingtalk/miniapp: the current JSAPI call, else the legacy one. */
export function dingTalkAuthCode(corpId: string, clientId: string, ms = 15_000): Promise<string> {
  return timeout(requestCode(corpId, clientId), ms, '钉钉客户端未响应免登请求，请关闭页面后重新打开');
}

async function requestCode(corpId: string, clientId: string): Promise<string> {
  const mod = (await import('dingtalk-jsapi')) as unknown as { default?: DdApi } & DdApi;
  const dd: DdApi = mod.default ?? mod;
  try {
    if (dd.requestAuthCode) {
      const r = await dd.requestAuthCode({ corpId, clientId });
      const code = r?.code ?? r?.authCode;
      if (code) return code;
    }
  } catch {
    // Older clients: the legacy call below.
  }
  const legacy = dd.runtime?.permission?.requestAuthCode;
  if (!legacy) throw new Error('当前钉钉版本过低，请升级钉钉后重试');
  const r = await legacy({ corpId });
  return r.code;
}
