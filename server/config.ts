// Configuration from the environment (see .env.example). One place reads process.env.

import { DEFAULT_DATABASE_URL } from '../db/connection.ts';

export interface Config {
  databaseUrl: string;
  redisUrl: string | null;
  port: number;
  host: string;
  publicBaseUrl: string;
  platform: 'dingtalk' | 'zhengding' | 'sandbox';
  piiKey: string | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT || 3000);
  const host = env.HOST || '127.0.0.1';
  const platform = (env.PLATFORM as Config['platform']) || (env.DINGTALK_CLIENT_ID ? 'dingtalk' : env.ZWDD_APP_KEY ? 'zhengding' : 'sandbox');
  if (!['dingtalk', 'zhengding', 'sandbox'].includes(platform)) throw new Error(`PLATFORM 取值无效：${platform}（应为 dingtalk、zhengding 或 sandbox）`);
  return {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: env.REDIS_URL || null,
    port,
    host,
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://${host}:${port}`).replace(/\/$/, ''),
    platform,
    piiKey: env.PII_KEY || null,
  };
}
