// `sanse doctor`: the configuration of a production instance, checked item by item. Each check is
// a small function returning { name, ok, level, message }: level 'error' is something wrong (the
// command exits 1), 'warning' something to know (one instance only, SQLite), 'ok' fine. Messages
// say in Chinese what is wrong and how to fix it. Nothing is written: the database is not
// migrated here (that is what the check reports).
//
// What needs the chat platform's client (a real token call) comes in as `platformToken` from
// main/ (commands/ does not import bot/); so does the audit chain's verify (main/cli.ts passes
// db/audit.ts's verifyAuditChain). The backups are judged from the manifests in BACKUP_DIR
// (`backupHealthFromManifests`), as a restore after the loss of the database would find them.

import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { listManifests } from '../db/backup-files.ts';
import { DEFAULT_DATABASE_URL, isSqlite, openDb, parseDatabaseUrl, type Db } from '../db/connection.ts';
import { createPiiCipher, KEY_HEX, piiKeyFile, type PiiCipher } from '../db/pii.ts';
import { readRotation } from '../db/pii-rotation.ts';

export type DoctorLevel = 'ok' | 'warning' | 'error';
export interface DoctorCheck {
  name: string;
  ok: boolean;
  level: DoctorLevel;
  message: string;
}

export interface BackupHealth {
  /** When the latest full and incremental backups finished (null: none). */
  lastFull: Date | null;
  lastIncremental: Date | null;
  /** The largest backup's size in bytes (room for the next one). */
  largestBytes: number;
}

export interface DoctorDeps {
  env: NodeJS.ProcessEnv;
  /** 'dingtalk' | 'zhengding' | 'sandbox', as the configuration chose it. */
  platform: string;
  /** A real token call to the configured platform; throws with the platform's answer. */
  platformToken?: () => Promise<void>;
  backupHealth?: (dir: string) => Promise<BackupHealth>;
  /** The audit helper's verifyAuditChain: ok, or the first broken row. null when not available. */
  verifyAuditChain?: ((db: Knex, pii: PiiCipher) => Promise<{ ok: boolean; brokenAt?: number | null; message?: string }>) | null;
  freeBytes?: (dir: string) => number;
  now?: () => Date;
}

const DAY = 86_400_000;
/** 全量数据半个月备份: a full within 16 days; 增量数据每日备份: an incremental within 2 days. */
export const BACKUP_FULL_MAX_DAYS = 16;
export const BACKUP_INCREMENTAL_MAX_DAYS = 2;
/** Free space below this, or below twice the largest backup, is an error. */
export const MIN_FREE_BYTES = 1024 ** 3;

const ok = (name: string, message: string): DoctorCheck => ({ name, ok: true, level: 'ok', message });
const warn = (name: string, message: string): DoctorCheck => ({ name, ok: true, level: 'warning', message });
const fail = (name: string, message: string): DoctorCheck => ({ name, ok: false, level: 'error', message });

const errText = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0].slice(0, 200);

/** The database: reachable, every migration applied, and MySQL/MariaDB rather than SQLite for production. */
export async function checkDatabase(db: Db, url: string): Promise<DoctorCheck[]> {
  const name = '数据库';
  try {
    await db.raw('select 1');
  } catch (e) {
    return [fail(name, `无法连接数据库（${redactUrl(url)}）：${errText(e)}。请检查 DATABASE_URL、数据库服务是否运行、账号密码和网络`)];
  }
  const out: DoctorCheck[] = [];
  try {
    const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
    out.push(pending.length
      ? fail(name, `数据库结构未升级：还有 ${pending.length} 个迁移未执行。请运行 sanse migrate（或重启 sanse serve）`)
      : ok(name, `已连接 ${redactUrl(url)}，数据库结构已是最新`));
  } catch (e) {
    out.push(fail(name, `无法读取数据库迁移记录：${errText(e)}。请运行 sanse migrate`));
  }
  if (isSqlite(db)) out.push(warn('数据库类型', '正在使用内嵌 SQLite：只适合单机试用。生产环境请设置 DATABASE_URL=mysql://用户:密码@主机:3306/sanse 使用 MySQL/MariaDB'));
  return out;
}

/** MariaDB/MySQL incrementals are read from the binary log: it must be on. */
export async function checkBinaryLog(db: Db): Promise<DoctorCheck | null> {
  if (isSqlite(db)) return null;
  const name = '二进制日志';
  try {
    const [rows] = (await db.raw("show variables like 'log_bin'")) as [Array<{ Value: string }>];
    const on = String(rows[0]?.Value ?? '').toUpperCase() === 'ON';
    return on ? ok(name, 'MariaDB 二进制日志已开启，可做每日增量备份')
      : fail(name, 'MariaDB 未开启二进制日志（log_bin=OFF），每日增量备份无法进行。请在 my.cnf 的 [mysqld] 中加入 log_bin=mysql-bin、binlog_format=ROW、expire_logs_days=100 后重启数据库');
  } catch (e) {
    return fail(name, `无法读取二进制日志设置：${errText(e)}`);
  }
}

export async function checkRedis(url: string | undefined): Promise<DoctorCheck> {
  const name = 'Redis';
  if (!url) return warn(name, '未设置 REDIS_URL：登录会话在数据库中，不受影响；但登录限流计数、平台发送限速和任务队列都在本进程内，只能运行一个 serve 实例。需要多个实例时请给各实例设置同一个 REDIS_URL=redis://主机:6379');
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    const pong = await client.ping();
    return pong === 'PONG' ? ok(name, `已连接 ${redactUrl(url)}`) : fail(name, `Redis 应答异常：${pong}`);
  } catch (e) {
    return fail(name, `无法连接 Redis（${redactUrl(url)}）：${errText(e)}。请检查 REDIS_URL 和 Redis 服务`);
  } finally {
    client.disconnect();
  }
}

const PLATFORM_VARS: Record<string, Array<[string, string]>> = {
  dingtalk: [['DINGTALK_CLIENT_ID', '应用的 Client ID（AppKey）'], ['DINGTALK_CLIENT_SECRET', '应用的 Client Secret（AppSecret）'], ['DINGTALK_ROBOT_CODE', '机器人编码（robotCode）']],
  zhengding: [['ZWDD_APP_KEY', '应用 AppKey'], ['ZWDD_APP_SECRET', '应用 AppSecret'], ['ZWDD_TENANT_ID', '租户 ID']],
};

export async function checkPlatform(env: NodeJS.ProcessEnv, platform: string, token?: () => Promise<void>): Promise<DoctorCheck> {
  const name = '聊天平台';
  if (platform === 'sandbox') return fail(name, '当前为本地沙箱平台（PLATFORM=sandbox 或未配置凭据）：消息不会发到钉钉或浙政钉。请设置 PLATFORM=dingtalk 及 DINGTALK_CLIENT_ID、DINGTALK_CLIENT_SECRET，或 PLATFORM=zhengding 及 ZWDD_APP_KEY、ZWDD_APP_SECRET、ZWDD_TENANT_ID');
  const title = platform === 'dingtalk' ? '钉钉' : '浙政钉';
  const missing = (PLATFORM_VARS[platform] ?? []).filter(([v]) => !env[v] && !(v === 'DINGTALK_ROBOT_CODE' && env.DINGTALK_CLIENT_ID));
  if (missing.length) return fail(name, `${title}凭据不全：未设置 ${missing.map(([v, what]) => `${v}（${what}）`).join('、')}`);
  if (!token) return warn(name, `${title}凭据已设置，但未能试取 access token`);
  try {
    await token();
    return ok(name, `${title}凭据有效：已取得 access token`);
  } catch (e) {
    return fail(name, `${title}拒绝了凭据或无法访问（取 access token 失败：${errText(e)}）。请核对${platform === 'dingtalk' ? ' DINGTALK_CLIENT_ID、DINGTALK_CLIENT_SECRET 和 DINGTALK_API_BASE' : ' ZWDD_APP_KEY、ZWDD_APP_SECRET 和 ZWDD_API_BASE'}，以及本机能否访问开放平台`);
  }
}

export function checkPublicBaseUrl(value: string | undefined): DoctorCheck {
  const name = 'PUBLIC_BASE_URL';
  if (!value) return fail(name, '未设置 PUBLIC_BASE_URL：卡片和消息里的链接会指向本机地址，用户打不开。请设置为用户访问本系统的 https 地址，如 https://sanse.example.gov.cn');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return fail(name, `PUBLIC_BASE_URL 不是有效的网址：${value}`);
  }
  if (u.protocol !== 'https:') return fail(name, `PUBLIC_BASE_URL 须为 https 地址（现为 ${value}）：钉钉、浙政钉内打开和会话 Cookie 都需要 https`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '0.0.0.0') return fail(name, `PUBLIC_BASE_URL 指向本机（${host}），用户打不开。请设置为用户访问本系统的地址`);
  return ok(name, value);
}

export function checkSessionSecret(value: string | undefined): DoctorCheck {
  const name = 'SESSION_SECRET';
  if (!value) return fail(name, '未设置 SESSION_SECRET：会话签名密钥自动生成并存在数据库中，数据库备份泄露即可伪造登录。请设置至少32个字符的随机串（如 openssl rand -hex 32 的输出），各实例相同');
  if (value.trim().length < 32) return fail(name, 'SESSION_SECRET 太短：至少需要32个字符（如 openssl rand -hex 32 的输出）');
  return ok(name, '已设置');
}

/** PII_KEY set (not the generated key file) and reading a stored row; PII_KEY_PREVIOUS only during a rotation. */
export async function checkPiiKey(db: Db, env: NodeJS.ProcessEnv, sqliteFile: string | undefined): Promise<{ checks: DoctorCheck[]; pii: PiiCipher | null }> {
  const name = 'PII_KEY';
  const checks: DoctorCheck[] = [];
  let keyHex = env.PII_KEY?.trim();
  // On the embedded default without PII_KEY the key file beside the SQLite database is the key in
  // use (db/pii.ts resolvePiiKey): check with it, and say production should give it as PII_KEY.
  const file = sqliteFile && sqliteFile !== ':memory:' ? piiKeyFile(sqliteFile) : null;
  const fromFile = !keyHex && file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
  if (!keyHex && fromFile) {
    keyHex = fromFile;
    checks.push(warn(name, `未设置 PII_KEY：正在使用数据库旁的密钥文件 ${file} 中的密钥，它会随数据盘一起丢失或泄露。生产环境请把 PII_KEY 设置为这把现用密钥（该文件的内容，不要新生成），并与备份分开保存；要换用新密钥，须设置 PII_KEY=新密钥、PII_KEY_PREVIOUS=现用密钥后运行 sanse pii rotate`));
  }
  if (!keyHex) {
    const stored = await db('people').whereNotNull('id_enc').first('id').catch(() => null);
    return { checks: [fail(name, stored
      ? '未设置 PII_KEY：数据库中已有加密的身份证号，请把 PII_KEY 设置为加密它们的现用密钥（32位十六进制），各实例相同，并与备份分开保存。不要新生成密钥：新密钥须设置 PII_KEY=新密钥、PII_KEY_PREVIOUS=现用密钥后运行 sanse pii rotate'
      : '未设置 PII_KEY：请用 sanse pii keygen 生成一把密钥（数据库中尚无身份证号），通过环境变量 PII_KEY 提供给各实例，并与备份分开保存')], pii: null };
  }
  if (!KEY_HEX.test(keyHex)) return { checks: [fail(name, `PII_KEY${fromFile ? `（密钥文件 ${file}）` : ''} 必须是32位十六进制数（SM4 密钥，128位）。已有数据时请填写加密这些数据的现用密钥；全新部署可用 sanse pii keygen 生成`)], pii: null };
  const prevHex = env.PII_KEY_PREVIOUS?.trim() || null;
  let pii: PiiCipher;
  try {
    pii = createPiiCipher(keyHex, prevHex);
  } catch (e) {
    return { checks: [fail('PII_KEY_PREVIOUS', errText(e))], pii: null };
  }
  try {
    const row = await db('people').whereNotNull('id_enc').orderBy('id', 'desc').first('id', 'id_enc');
    const set = fromFile ? `密钥文件中的密钥（密钥编号 ${pii.keyId}）` : `已设置（密钥编号 ${pii.keyId}）`;
    if (!row) { if (!fromFile) checks.push(ok(name, `${set}；库中尚无身份证号可供试解密`)); }
    else {
      try {
        pii.decrypt(String(row.id_enc));
        if (!fromFile) checks.push(ok(name, `${set}，可解密已保存的身份证号`));
      } catch {
        checks.push(fail(name, `${fromFile ? `密钥文件 ${file} 中的密钥` : 'PII_KEY'}（密钥编号 ${pii.keyId}）无法解密已保存的身份证号（人员编号 ${row.id}）：密钥不对。请换回加密这些数据的现用密钥；换新密钥须设置 PII_KEY=新密钥、PII_KEY_PREVIOUS=现用密钥后运行 sanse pii rotate`));
      }
    }
  } catch (e) {
    checks.push(fail(name, `无法读取人员表以试解密：${errText(e)}`));
  }
  if (prevHex) {
    const r = await readRotation(db).catch(() => null);
    if (r && r.finishedAt && r.to === pii.keyId) checks.push(fail('PII_KEY_PREVIOUS', `密钥轮换已于 ${r.finishedAt} 完成，但仍设置了 PII_KEY_PREVIOUS（密钥编号 ${pii.previous!.keyId}）。请从各实例的环境变量中删除它并逐个重启；原密钥另行保存（恢复轮换前的备份需要它），勿放在 BACKUP_DIR`));
    else if (r && !r.finishedAt) checks.push(warn('PII_KEY_PREVIOUS', `密钥轮换进行中（${r.startedAt} 开始，已到第 ${r.step + 1} 步）：每日检查暂停。请运行 sanse pii rotate 完成它`));
    else checks.push(warn('PII_KEY_PREVIOUS', '已设置 PII_KEY_PREVIOUS，但尚未开始轮换：各实例都设置好新旧两把密钥并重启后，请运行 sanse pii rotate'));
  }
  return { checks, pii };
}

/** Where backups go: BACKUP_DIR, else beside the SQLite file, else backups/. */
export function backupDir(env: NodeJS.ProcessEnv, sqliteFile: string | undefined): string {
  if (env.BACKUP_DIR) return path.resolve(env.BACKUP_DIR);
  if (sqliteFile && sqliteFile !== ':memory:') return path.join(path.dirname(path.resolve(sqliteFile)), 'backups');
  return path.resolve('backups');
}

/**
 * The backups' health from BACKUP_DIR alone: the catalogue of manifests that commands/backup.ts
 * writes beside each backup (db/backup-files.ts `listManifests`, the same reader a restore uses),
 * as a restore after the loss of the database would find them.
 */
export async function backupHealthFromManifests(dir: string): Promise<BackupHealth> {
  const out: BackupHealth = { lastFull: null, lastIncremental: null, largestBytes: 0 };
  for (const m of listManifests(dir)) {
    const at = new Date(m.finishedAt);
    if (Number.isNaN(at.getTime())) continue;
    out.largestBytes = Math.max(out.largestBytes, m.storedBytes || 0);
    if (m.kind === 'full' && (!out.lastFull || at > out.lastFull)) out.lastFull = at;
    if (m.kind === 'incremental' && (!out.lastIncremental || at > out.lastIncremental)) out.lastIncremental = at;
  }
  return out;
}

const ageDays = (now: Date, at: Date) => (now.getTime() - at.getTime()) / DAY;
/** 2026-12-07 03:19 (Beijing time), as the rest of the product prints times. */
export const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

export async function checkBackups(dir: string, health: (dir: string) => Promise<BackupHealth>, now: Date, freeBytes: (dir: string) => number): Promise<DoctorCheck[]> {
  if (!fs.existsSync(dir)) return [fail('备份', `备份目录 ${dir} 不存在，还没有任何备份。请设置 BACKUP_DIR（数据库以外的磁盘），运行 sanse backup now，并确认计划任务中的备份任务已启用`)];
  const out: DoctorCheck[] = [];
  let h: BackupHealth;
  try {
    h = await health(dir);
  } catch (e) {
    return [fail('备份', `无法读取备份目录 ${dir}：${errText(e)}`)];
  }
  if (!h.lastFull) out.push(fail('全量备份', `${dir} 中没有全量备份。请运行 sanse backup now`));
  else if (ageDays(now, h.lastFull) > BACKUP_FULL_MAX_DAYS) out.push(fail('全量备份', `最近一次全量备份在 ${shanghai(h.lastFull)}，已超过 ${BACKUP_FULL_MAX_DAYS} 天（要求每半个月一次）。请检查全量备份计划任务（sanse jobs）并运行 sanse backup now`));
  else out.push(ok('全量备份', `最近一次在 ${shanghai(h.lastFull)}`));
  if (!h.lastIncremental) out.push(fail('增量备份', `${dir} 中没有增量备份（要求每日一次）。请检查增量备份计划任务（sanse jobs）`));
  else if (ageDays(now, h.lastIncremental) > BACKUP_INCREMENTAL_MAX_DAYS) out.push(fail('增量备份', `最近一次增量备份在 ${shanghai(h.lastIncremental)}，已超过 ${BACKUP_INCREMENTAL_MAX_DAYS} 天（要求每日一次）。请检查增量备份计划任务（sanse jobs）和服务日志`));
  else out.push(ok('增量备份', `最近一次在 ${shanghai(h.lastIncremental)}`));
  try {
    const free = freeBytes(dir);
    const need = Math.max(MIN_FREE_BYTES, 2 * h.largestBytes);
    const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`;
    out.push(free < need
      ? fail('备份磁盘空间', `备份目录 ${dir} 所在磁盘只剩 ${gb(free)}，少于 ${gb(need)}（至少 1 GB，且不少于最大一份备份的两倍）。请清理或扩容`)
      : ok('备份磁盘空间', `剩余 ${gb(free)}`));
  } catch (e) {
    out.push(fail('备份磁盘空间', `无法读取 ${dir} 所在磁盘的剩余空间：${errText(e)}`));
  }
  return out;
}

export async function checkAuditChain(db: Db, pii: PiiCipher | null, verify: DoctorDeps['verifyAuditChain']): Promise<DoctorCheck> {
  const name = '审计日志链';
  if (!verify) return warn(name, '本版本未包含审计链校验（sanse audit verify），未检查');
  if (!pii) return fail(name, '未能校验：没有可用的 PII_KEY（见上面 PII_KEY 一项），审计链密钥由它派生');
  try {
    const r = await verify(db, pii);
    return r.ok ? ok(name, r.message ?? '审计日志链校验通过')
      : fail(name, r.message ?? `审计日志链在第 ${r.brokenAt ?? '?'} 条断开：日志可能被改动。请运行 sanse audit verify 查看，并按应急预案处理`);
  } catch (e) {
    return fail(name, `审计日志链校验出错：${errText(e)}`);
  }
}

/** Every check, in the order an operator fixes them. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorCheck[]> {
  const env = deps.env;
  const url = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  let target;
  try {
    target = parseDatabaseUrl(url);
  } catch (e) {
    return [fail('数据库', errText(e))];
  }
  const db = openDb(url);
  try {
    const checks: DoctorCheck[] = [];
    const dbChecks = await checkDatabase(db, url);
    checks.push(...dbChecks);
    const reachable = !dbChecks.some((c) => c.message.startsWith('无法连接数据库'));
    const dbUp = dbChecks.every((c) => c.ok);
    const binlog = reachable ? await checkBinaryLog(db) : null;
    if (binlog) checks.push(binlog);
    checks.push(await checkRedis(env.REDIS_URL));
    checks.push(await checkPlatform(env, deps.platform, deps.platformToken));
    checks.push(checkPublicBaseUrl(env.PUBLIC_BASE_URL));
    let pii: PiiCipher | null = null;
    if (reachable) {
      const k = await checkPiiKey(db, env, target.file);
      checks.push(...k.checks);
      pii = k.pii;
    } else checks.push(fail('PII_KEY', '数据库无法连接，未能用 PII_KEY 试解密已保存的身份证号'));
    checks.push(checkSessionSecret(env.SESSION_SECRET));
    const dir = backupDir(env, target.file);
    checks.push(...await checkBackups(dir, deps.backupHealth ?? backupHealthFromManifests, deps.now?.() ?? new Date(), deps.freeBytes ?? statfsFree));
    if (dbUp) checks.push(await checkAuditChain(db, pii, deps.verifyAuditChain));
    return checks;
  } finally {
    await db.destroy();
  }
}

function statfsFree(dir: string): number {
  const s = fs.statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** A URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
