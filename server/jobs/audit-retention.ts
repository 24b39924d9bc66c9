// The audit trail's retention as a job of the registry: every working day at 02:30 it chains the
// rows still unchained, then deletes the rows older than AUDIT_KEEP_DAYS (at least 180, default
// 183) from the start of the chain and moves the anchor, so `sanse audit verify` still passes; the
// purge is itself an audit row (db/audit.ts purgeAuditLog). Then it checks the whole chain; when a
// row is broken the office's group is told which one (the outbox, once per day). slot = that day.

import { todayInShanghai } from '../../core/dates.ts';
import { checkAuditIntegrity, integrityText, type AuditIntegrity } from '../../db/audit-integrity.ts';
import { auditKeepDays, purgeAuditLog, type PurgeResult } from '../../db/audit.ts';
import { enqueue } from '../../db/outbox.ts';
import { loadOffice } from '../../db/settings.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const AUDIT_RETENTION = 'audit-retention';
export const AUDIT_RETENTION_TITLE = '审计日志过期清理';

export function auditRetentionJob(opts: { keepDays?: number; log?: (msg: string) => void }): Job<PurgeResult & { keepDays: number; integrity?: AuditIntegrity; alerted?: boolean }> & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: AUDIT_RETENTION,
    title: AUDIT_RETENTION_TITLE,
    schedule: rhythmAt({ kind: 'workdays' }, '02:30', AUDIT_RETENTION),
    async run({ db }) {
      const keepDays = opts.keepDays ?? auditKeepDays();
      const r = await purgeAuditLog(db, { keepDays });
      if (r.deleted) log(`审计日志：已清理 ${r.cutoff} 之前的 ${r.deleted} 行（保存 ${keepDays} 天）`);
      const integrity = await checkAuditIntegrity(db);
      let alerted = false;
      if (!integrity.ok) {
        log(integrityText(integrity));
        const office = await loadOffice(db);
        if (office.groupId) {
          const text = `${integrityText(integrity)}。\n\n请数据安全管理员登录控制台“审计日志”页核实，并按数据安全应急预案处理。`;
          alerted = await enqueue(db, `audit-integrity:${todayInShanghai()}`, { op: 'send', target: { kind: 'group', groupId: office.groupId }, message: { kind: 'markdown', title: '审计日志完整性告警', text } });
        }
      }
      return { ...r, keepDays, integrity, alerted };
    },
    summary: (r) => `${r.deleted ? `清理 ${r.cutoff} 之前的审计日志 ${r.deleted} 行（保存 ${r.keepDays} 天）` : `无超过 ${r.keepDays} 天的审计日志`}${r.integrity ? `；${r.integrity.ok ? `完整性校验通过（${r.integrity.rows} 行）` : `完整性校验发现 ${r.integrity.problems} 处问题${r.alerted ? '，已通知编办工作群' : ''}`}` : ''}`,
  };
}
