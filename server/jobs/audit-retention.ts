// The audit trail's retention as a job of the registry: every working day at 02:30 it chains the
// rows still unchained, then deletes the rows older than AUDIT_KEEP_DAYS (at least 180, default
// 183) from the start of the chain and moves the anchor, so `sanse audit verify` still passes; the
// purge is itself an audit row (db/audit.ts purgeAuditLog). slot = that day.

import { auditKeepDays, purgeAuditLog, type PurgeResult } from '../../db/audit.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const AUDIT_RETENTION = 'audit-retention';
export const AUDIT_RETENTION_TITLE = '审计日志过期清理';

export function auditRetentionJob(opts: { keepDays?: number; log?: (msg: string) => void }): Job<PurgeResult & { keepDays: number }> & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: AUDIT_RETENTION,
    title: AUDIT_RETENTION_TITLE,
    schedule: rhythmAt({ kind: 'workdays' }, '02:30', AUDIT_RETENTION),
    async run({ db }) {
      const keepDays = opts.keepDays ?? auditKeepDays();
      const r = await purgeAuditLog(db, { keepDays });
      if (r.deleted) log(`审计日志：已清理 ${r.cutoff} 之前的 ${r.deleted} 行（保存 ${keepDays} 天）`);
      return { ...r, keepDays };
    },
    summary: (r) => (r.deleted ? `清理 ${r.cutoff} 之前的审计日志 ${r.deleted} 行（保存 ${r.keepDays} 天）` : `无超过 ${r.keepDays} 天的审计日志`),
  };
}
