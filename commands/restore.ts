// `sanse restore --to TIME|BACKUP_ID [--target DATABASE_URL]`: restores into an empty database
// only. The plan (which backups, up to when) is commands/backup.ts planRestore; the engines'
// work is db/backup-sqlite.ts and db/backup-mysql.ts.

import fs from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../db/connection.ts';
import { createPiiCipher, type PiiCipher } from '../db/pii.ts';
import { listBackups, planRestore, restoreInto, RestoreRefusal } from './backup.ts';
import type { BackupManifest } from '../db/backup-files.ts';

/**
 * The PII key a restore decrypts with: PII_KEY, or the key file beside the configured SQLite
 * database when it still exists. Never a new key (a restore with a new key could read nothing).
 */
export function restoreKey(env: NodeJS.ProcessEnv, databaseUrl: string): { pii: PiiCipher; keyFile: string | null } {
  if (env.PII_KEY) return { pii: createPiiCipher(env.PII_KEY.trim()), keyFile: null };
  const file = parseDatabaseUrl(databaseUrl).file;
  const keyFile = file && file !== ':memory:' ? `${path.resolve(file)}.pii-key` : null;
  if (keyFile && fs.existsSync(keyFile)) return { pii: createPiiCipher(fs.readFileSync(keyFile, 'utf8').trim()), keyFile };
  throw new RestoreRefusal('未设置 PII_KEY，也找不到数据库文件旁的密钥文件：备份由身份证号加密密钥派生的密钥加密，请在环境变量 PII_KEY 中提供备份时使用的密钥');
}

export interface RestoreResult {
  chain: BackupManifest[];
  stopAt: string | null;
  target: string;
  ms: number;
}

export async function restoreBackup(opts: { backupDir: string; pii: PiiCipher; to: string; targetUrl: string; keyFile?: string | null }): Promise<RestoreResult> {
  const all = listBackups({ backupDir: opts.backupDir });
  if (!all.length) throw new RestoreRefusal(`备份目录 ${path.resolve(opts.backupDir)} 中没有备份`);
  const { chain, stopAt } = planRestore(all, opts.to);
  const t0 = performance.now();
  await restoreInto({ backupDir: opts.backupDir, pii: opts.pii, chain, stopAt, targetUrl: opts.targetUrl });
  // A SQLite target without PII_KEY: its key file goes beside it, as the server expects.
  const target = parseDatabaseUrl(opts.targetUrl).file;
  if (opts.keyFile && target && !fs.existsSync(`${path.resolve(target)}.pii-key`)) fs.copyFileSync(opts.keyFile, `${path.resolve(target)}.pii-key`);
  return { chain, stopAt: stopAt ? stopAt.toISOString() : null, target: opts.targetUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'), ms: performance.now() - t0 };
}
