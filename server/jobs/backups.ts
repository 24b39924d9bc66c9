// Backups as jobs of the registry (宁波机构编制实名制数据管理办法第十八条): a full backup on the 1st and 16th of each
// month at 02:00 (half-monthly), an incremental every calendar day at 02:30, skipped on a day a
// full backup ran. Both keep the retention window (BACKUP_KEEP_DAYS) after each backup.

import { runBackup, listBackups, type BackupResult, type BackupSettings } from '../../commands/backup.ts';
import { todayInShanghai } from '../../core/dates.ts';
import type { PiiCipher } from '../../db/pii.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const BACKUP_FULL = 'backup-full';
export const BACKUP_INCREMENTAL = 'backup-incremental';

type Outcome = { id: string; kind: string; storedBytes: number; notes: string[]; expired: string[] } | { skipped: string };

function outcome(r: BackupResult): Outcome {
  return { id: r.manifest.id, kind: r.manifest.kind, storedBytes: r.manifest.storedBytes, notes: r.notes, expired: r.expired.map((m) => m.id) };
}

function summary(r: Outcome): string {
  if ('skipped' in r) return r.skipped;
  const size = `${(r.storedBytes / 1048576).toFixed(1)} MB`;
  const what = r.kind === 'full' ? '全量备份' : '增量备份';
  const tail = [...r.notes, ...(r.expired.length ? [`已删除过期备份 ${r.expired.length} 个`] : [])];
  return `${what} ${r.id} 完成（${size}）${tail.length ? '；' + tail.join('；') : ''}`;
}

export function backupJobs(opts: { settings: BackupSettings; pii: PiiCipher; log?: (msg: string) => void }): Job[] {
  const log = opts.log ?? ((m: string) => console.log(m));
  const full: Job<Outcome> = {
    name: BACKUP_FULL,
    title: '全量备份（每半月）',
    schedule: rhythmAt({ kind: 'month-dates', days: [1, 16] }, '02:00', BACKUP_FULL),
    summary,
    async run() {
      const r = await runBackup({ settings: opts.settings, pii: opts.pii, kind: 'full' });
      log(summary(outcome(r)));
      return outcome(r);
    },
  };
  const incremental: Job<Outcome> = {
    name: BACKUP_INCREMENTAL,
    title: '增量备份（每日）',
    schedule: rhythmAt({ kind: 'calendar-days' }, '02:30', BACKUP_INCREMENTAL),
    summary,
    async run({ key, manual }) {
      const day = key.slice(0, 10);
      const fullThatDay = listBackups(opts.settings).find((m) => m.kind === 'full' && todayInShanghai(Date.parse(m.startedAt)) === day);
      if (fullThatDay && !manual) return { skipped: `${day} 已做全量备份 ${fullThatDay.id}，不再做增量备份` };
      const r = await runBackup({ settings: opts.settings, pii: opts.pii, kind: 'incremental' });
      log(summary(outcome(r)));
      return outcome(r);
    },
  };
  return [full as Job, incremental as Job];
}
