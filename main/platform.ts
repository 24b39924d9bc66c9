// The chat platform of this deployment, chosen by PLATFORM, with its dispatcher and the inbound
// handler that records every callback before acting on it.

import type { Knex } from 'knex';
import { createDingTalkPlatform } from '../bot/dingtalk/adapter.ts';
import { createDispatcher, type Dispatcher } from '../bot/dispatcher.ts';
import { businessHandler } from '../bot/handler.ts';
import { recordingHandler } from '../bot/inbound.ts';
import type { ChatPlatform } from '../bot/platform.ts';
import { createSandboxPlatform } from '../bot/sandbox.ts';
import { createZhengDingPlatform } from '../bot/zhengding/adapter.ts';
import type { Config } from '../server/config.ts';
import type { PiiCipher } from '../db/pii.ts';

export interface PlatformRuntime {
  platform: ChatPlatform;
  dispatcher: Dispatcher;
  /** Sends what is due now (after a callback queued a card update). */
  kick(): void;
  stop(): Promise<void>;
}

const log = {
  info: (msg: string) => console.log(msg),
  warn: (msg: string) => console.warn(msg),
};

export function createPlatform(config: Config, db: Knex): ChatPlatform {
  switch (config.platform) {
    case 'dingtalk':
      if (!config.dingtalk.clientId || !config.dingtalk.clientSecret) throw new Error('PLATFORM=dingtalk 需要 DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET');
      return createDingTalkPlatform(config.dingtalk, log);
    case 'zhengding':
      if (!config.zhengding.appKey || !config.zhengding.appSecret || !config.zhengding.tenantId) throw new Error('PLATFORM=zhengding 需要 ZWDD_APP_KEY、ZWDD_APP_SECRET 和 ZWDD_TENANT_ID');
      return createZhengDingPlatform(config.zhengding, log);
    default:
      return createSandboxPlatform(db);
  }
}

/** Starts receiving callbacks and sending the outbox. `receive` false: a worker that only sends. */
export async function startPlatform(config: Config, db: Knex, opts: { receive: boolean; pii?: PiiCipher } = { receive: true }): Promise<PlatformRuntime> {
  const platform = createPlatform(config, db);
  const dispatcher = createDispatcher(db, platform, {
    redisUrl: config.redisUrl,
    queuePrefix: config.redisPrefix,
    ratePerSecond: config.sendRate,
    log: { info: () => {}, debug: () => {}, warn: (o, m) => console.warn(m ?? '', o), error: (o, m) => console.error(m ?? '', o) },
  });
  let draining: Promise<unknown> | null = null;
  const kick = () => {
    if (!draining) draining = dispatcher.drain({ timeoutMs: 5000 }).catch(() => {}).finally(() => { draining = null; });
  };
  // The approval card's buttons decide requests: they need the PII cipher (增人入编 writes a person).
  const requests = opts.pii ? { pii: opts.pii, publicBaseUrl: config.publicBaseUrl } : undefined;
  if (opts.receive) await platform.start(recordingHandler(db, businessHandler(db, { kick, requests, publicBaseUrl: config.publicBaseUrl }), { warn: (m) => console.warn(m) }));
  await dispatcher.start();
  return {
    platform, dispatcher, kick,
    async stop() {
      await dispatcher.stop();
      await platform.stop();
    },
  };
}
