// The office's jobs, in one place: what `sanse serve` runs on its registry, what `sanse jobs` and
// the console list. Each job is one module of server/jobs/ over one command.

import type { LlmConfig } from '../../commands/draft-analysis.ts';
import type { PiiCipher } from '../../db/pii.ts';
import { auditRetentionJob } from './audit-retention.ts';
import { auditReviewJob } from './audit-review.ts';
import type { BackupSettings } from '../../commands/backup.ts';
import { backupJobs } from './backups.ts';
import { budgetReminderJob } from './budget-reminder.ts';
import { dailyCheckJob } from './daily-check.ts';
import { expirePlansJob } from './expire-plans.ts';
import { halfYearNoticesJob } from './half-year-notices.ts';
import { monthCloseJob } from './month-close.ts';
import { monthlyConfirmationJobs } from './monthly-confirmation.ts';
import { monthlyReportsJob } from './monthly-reports.ts';
import { negativeListReadingJob } from './negative-list-reading.ts';
import type { Job } from './registry.ts';
import { selfCheckLockJob } from './self-check-lock.ts';
import { selfCheckReminderJobs } from './self-check-reminders.ts';
import { weeklyListJob } from './weekly-list.ts';

export interface OfficeJobOptions {
  pii: PiiCipher;
  publicBaseUrl: string;
  /** Sends what a job queued without waiting for the dispatcher's next poll. */
  kick?: () => void;
  log?: (msg: string) => void;
  /** The office's model endpoint (AI 大模型分析); unset: templates. */
  llm?: LlmConfig | null;
  /** AUDIT_KEEP_DAYS (at least 180); unset: read from the environment when the job runs. */
  auditKeepDays?: number;
  /** The backups (server/jobs/backups.ts): scheduled when given. */
  backup?: BackupSettings | null;
}

export function officeJobs(opts: OfficeJobOptions): Job[] {
  return [
    expirePlansJob(opts),
    // Before the check: a tick that finds both due (a late start) reports the month as it ended.
    monthlyReportsJob(opts),
    ...monthlyConfirmationJobs(opts),
    budgetReminderJob(opts),
    dailyCheckJob(opts),
    selfCheckLockJob(opts),
    ...selfCheckReminderJobs(opts),
    weeklyListJob(opts),
    halfYearNoticesJob(opts),
    monthCloseJob(opts),
    negativeListReadingJob(opts),
    auditRetentionJob({ keepDays: opts.auditKeepDays, log: opts.log }),
    auditReviewJob(opts),
    ...(opts.backup ? backupJobs({ settings: opts.backup, pii: opts.pii, log: opts.log }) : []),
  ];
}
