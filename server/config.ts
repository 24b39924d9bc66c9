// Configuration from the environment (see .env.example). One place reads process.env.

import { DEFAULT_DATABASE_URL } from '../db/connection.ts';
import { defaultBackupDir, validKeepDays } from '../commands/backup.ts';

export interface Config {
  databaseUrl: string;
  redisUrl: string | null;
  /** Key prefix in Redis of the queues and the shared counters (REDIS_PREFIX, default `bull`): several deployments, or tests, on one Redis. */
  redisPrefix: string;
  /** Fastify's trustProxy (TRUST_PROXY): the load balancer's addresses, so a client's address is its own (the login limit per IP); false: the peer's address. */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean);
  /** Sessions: SESSION_SECRET (else generated and kept in settings), the idle and the absolute timeout. */
  session: { secret: string | undefined; idleMs: number; maxMs: number };
  port: number;
  host: string;
  publicBaseUrl: string;
  platform: 'dingtalk' | 'zhengding' | 'sandbox';
  piiKey: string | null;
  dingtalk: { clientId: string; clientSecret: string; robotCode: string; corpId?: string; apiBase: string; oapiBase: string; loginBase: string; cardTemplates: { alert?: string; approval?: string } };
  zhengding: { apiBase: string; appKey: string; appSecret: string; tenantId: string; loginBase: string; callbackToken: string; ip?: string; mac?: string };
  /** Outbound messages per second to the platform (global with Redis). */
  sendRate: number;
  /** An OpenAI-compatible chat endpoint of the office's private model deployment (AI 大模型分析); null when unset. */
  llm: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | null;
  /** Where backups go (BACKUP_DIR; default backups/ beside the SQLite file, or ./backups for MySQL). */
  backupDir: string;
  /** How long backups are kept (BACKUP_KEEP_DAYS, default 92, at least 90). */
  backupKeepDays: number;
  /** Whether `sanse serve` schedules the backup jobs: on a real platform, or in the sandbox when BACKUP_DIR is set. */
  backupJobs: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT || 3000);
  const host = env.HOST || '127.0.0.1';
  const platform = (env.PLATFORM as Config['platform']) || (env.DINGTALK_CLIENT_ID ? 'dingtalk' : env.ZWDD_APP_KEY ? 'zhengding' : 'sandbox');
  if (!['dingtalk', 'zhengding', 'sandbox'].includes(platform)) throw new Error(`PLATFORM 取值无效：${platform}（应为 dingtalk、zhengding 或 sandbox）`);
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  return {
    databaseUrl,
    backupDir: env.BACKUP_DIR || defaultBackupDir(databaseUrl),
    backupKeepDays: validKeepDays(env.BACKUP_KEEP_DAYS),
    backupJobs: platform !== 'sandbox' || Boolean(env.BACKUP_DIR),
    redisUrl: env.REDIS_URL || null,
    redisPrefix: redisPrefixOf(env.REDIS_PREFIX),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    session: {
      secret: env.SESSION_SECRET || undefined,
      idleMs: positive(env.SESSION_IDLE_MINUTES, 30, 'SESSION_IDLE_MINUTES', '分钟') * 60_000,
      maxMs: positive(env.SESSION_MAX_HOURS, 12, 'SESSION_MAX_HOURS', '小时') * 3600_000,
    },
    port,
    host,
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://${host}:${port}`).replace(/\/$/, ''),
    platform,
    piiKey: env.PII_KEY || null,
    dingtalk: {
      clientId: env.DINGTALK_CLIENT_ID ?? '', clientSecret: env.DINGTALK_CLIENT_SECRET ?? '', robotCode: env.DINGTALK_ROBOT_CODE ?? env.DINGTALK_CLIENT_ID ?? '',
      corpId: env.DINGTALK_CORP_ID || undefined,
      apiBase: env.DINGTALK_API_BASE || 'https://api.dingtalk.com', oapiBase: env.DINGTALK_OAPI_BASE || 'https://oapi.dingtalk.com',
      loginBase: env.DINGTALK_LOGIN_BASE || 'https://login.dingtalk.com',
      cardTemplates: { alert: env.DINGTALK_CARD_TEMPLATE_ALERT || undefined, approval: env.DINGTALK_CARD_TEMPLATE_APPROVAL || undefined },
    },
    zhengding: {
      apiBase: env.ZWDD_API_BASE || 'https://openplatform.dg-work.cn', appKey: env.ZWDD_APP_KEY ?? '', appSecret: env.ZWDD_APP_SECRET ?? '',
      tenantId: env.ZWDD_TENANT_ID ?? '', loginBase: env.ZWDD_LOGIN_BASE || 'https://login.dg-work.cn', callbackToken: env.ZWDD_CALLBACK_TOKEN ?? '',
      ip: env.ZWDD_IP || undefined, mac: env.ZWDD_MAC || undefined,
    },
    sendRate: Number(env.SEND_RATE || 20),
    llm: env.LLM_BASE_URL
      ? { baseUrl: env.LLM_BASE_URL.replace(/\/$/, ''), apiKey: env.LLM_API_KEY ?? '', model: env.LLM_MODEL || 'default', timeoutMs: Number(env.LLM_TIMEOUT_MS || 60_000) }
      : null,
  };
}

/** A positive number of minutes or hours, or the default when unset; anything else is refused in Chinese. */
function positive(v: string | undefined, fallback: number, name: string, unit: string): number {
  if (v == null || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 10_000) throw new Error(`${name} 取值无效：${v}（应为大于0的${unit}数）`);
  return n;
}

function redisPrefixOf(v: string | undefined): string {
  if (!v) return 'bull';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(v)) throw new Error(`REDIS_PREFIX 取值无效：${v}（只能用字母、数字和 _.:-，最多64个字符）`);
  return v;
}

/** TRUST_PROXY: unset or false → off; true → every hop; a number → that many hops; else addresses or CIDRs, comma-separated. */
function trustProxyOf(v: string | undefined): Config['trustProxy'] {
  const t = (v ?? '').trim();
  if (!t || t === 'false') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) {
    const hops = Number(t);
    return (_address, hop) => hop < hops;
  }
  return t;
}
