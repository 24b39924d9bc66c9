// The app as `sanse serve` runs it: the fastify app (server/) with what the chat platform brings
// (bot/): the logins built from the configuration, the sandbox page's controls, Zheng-Ding's
// callback route. main/ is the one folder that imports both.

import type { FastifyInstance } from 'fastify';
import { dingTalkLogin, zhengDingLogin } from '../bot/logins.ts';
import type { SandboxPlatform } from '../bot/sandbox.ts';
import { zhengdingCallbackRoutes, type ZhengDingPlatform } from '../bot/zhengding/adapter.ts';
import { createApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import type { AppContext } from '../server/context.ts';
import type { PlatformRuntime } from './platform.ts';

/** The platforms' logins this configuration turns on (a login needs its app's key and secret). */
export function loginsOf(config: Config) {
  return {
    dingtalk: config.dingtalk.clientId && config.dingtalk.clientSecret ? dingTalkLogin(config.dingtalk) : null,
    zhengding: config.zhengding.appKey && config.zhengding.appSecret ? zhengDingLogin(config.zhengding) : null,
  };
}

export async function buildApp(ctx: AppContext, runtime?: PlatformRuntime): Promise<FastifyInstance> {
  const platform = runtime?.platform;
  return createApp(ctx, {
    kick: runtime?.kick,
    logins: loginsOf(ctx.config),
    sandbox: platform?.name === 'sandbox' ? (platform as SandboxPlatform) : undefined,
    routes: platform?.name === 'zhengding'
      ? [async (app) => app.register(zhengdingCallbackRoutes, { platform: platform as ZhengDingPlatform, token: ctx.config.zhengding.callbackToken })]
      : [],
  });
}
