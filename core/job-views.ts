// What people read about the office's jobs, as the API sends it and the console shows it
// (server/jobs/report.ts builds these; miniapp/src/pages/Jobs.tsx reads them): the shapes only.

export type JobRunState = 'queued' | 'running' | 'ok' | 'failed';

export interface RunBrief {
  id: number;
  slot: string;
  manual: boolean;
  state: JobRunState;
  stateText: string;
  startedAt: string | null;
  finishedAt: string | null;
  error?: string;
  /** The result in a sentence (the job's own summary when it has one). */
  summary: string | null;
  /** How many outbox rows (messages, cards) the run wrote. */
  messages: number;
}

export interface JobListing {
  name: string;
  title: string;
  /** As it stands: 每个工作日 09:00（北京时间）, or …（已停用）. */
  schedule: string | null;
  /** The code's default: 每个工作日 08:30（北京时间）. */
  defaultSchedule: string | null;
  time: string | null;
  defaultTime: string | null;
  enabled: boolean;
  lastRun: RunBrief | null;
  /** The next due moment (ISO), null when switched off or run only by hand. */
  nextRun: string | null;
  nextSlot: string | null;
}

export interface MessageView {
  id: number;
  at: string | null;
  /** card or message (what the platform shows), and what it is in words. */
  kind: 'card' | 'message';
  kindText: string;
  op: string;
  title: string | null;
  target: { kind: 'group'; groupId: string; name: string } | { kind: 'users'; userIds: string[]; names: string[] } | null;
  /** The target in words: 甲局工作群, 编办工作群, 张三、李四. */
  targetText: string;
  state: string;
  stateText: string;
  attempts: number;
  sentAt: string | null;
  error: string | null;
  jobRunId: number | null;
}

export interface RunDetail extends RunBrief {
  job: string;
  title: string;
  result: unknown;
  createdAt: string | null;
  attempts: number;
  sent: MessageView[];
}
