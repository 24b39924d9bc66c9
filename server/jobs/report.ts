// What people read about the jobs (the console, `sanse jobs`): each job with its schedule as it
// stands (the office's change included), its last run and its next; a run with what it sent;
// the broadcast history (what went to which group or people, delivered or not). Reads through
// db/, presents in Chinese.

import type { Knex } from 'knex';
import { getJobRun, getSlotRun, lastJobRuns, listJobRuns, messageCountsOfRuns, type JobRun } from '../../db/job-runs.ts';
import { broadcastRows, outboxRowsOfRun, parseTarget, targetNames, unitGroups, type OutboxListRow } from '../../db/outbox.ts';
import { loadOffice } from '../../db/settings.ts';
import type { SchedulableJob } from '../../commands/set-job-schedule.ts';
import type { JobListing, MessageView, RunBrief, RunDetail } from '../../core/job-views.ts';
import type { Job } from './registry.ts';
import { scheduleOf } from './schedule.ts';

export type { JobListing, MessageView, RunBrief, RunDetail } from '../../core/job-views.ts';

/** The jobs as the schedule command knows them (commands/set-job-schedule.ts). */
export function schedulable(jobs: Job[]): SchedulableJob[] {
  return jobs.map((j) => ({ name: j.name, title: j.title, defaultTime: j.schedule?.time ?? null }));
}

/** A stored moment ('YYYY-MM-DD HH:MM:SS', Asia/Shanghai) as ISO 8601 with its offset. */
export function isoMoment(stored: string | null): string | null {
  return stored ? `${stored.replace(' ', 'T')}+08:00` : null;
}

/** A moment (ms) as ISO 8601 in Asia/Shanghai: 2026-12-07T08:30:00+08:00. */
export function isoAt(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

export const RUN_STATE_TEXT: Record<string, string> = { queued: '排队中', running: '运行中', ok: '成功', failed: '失败' };

/** A run's result in a sentence: the job's own summary, else a skip, else nothing. */
export function resultSummary(job: Job | undefined, run: JobRun): string | null {
  if (run.state !== 'ok' || run.result == null) return null;
  const r = run.result as { skipped?: unknown };
  if (typeof r === 'object' && typeof r.skipped === 'string') return `未执行：${r.skipped}`;
  try {
    return job?.summary?.(run.result) ?? null;
  } catch {
    return null;
  }
}

function brief(job: Job | undefined, run: JobRun, messages: number): RunBrief {
  return {
    id: run.id, slot: run.slot, manual: run.slot.includes('#'), state: run.state, stateText: RUN_STATE_TEXT[run.state] ?? run.state,
    startedAt: isoMoment(run.startedAt), finishedAt: isoMoment(run.finishedAt),
    ...(run.error ? { error: run.error } : {}),
    summary: resultSummary(job, run), messages,
  };
}

/** Every job with its schedule as the office set it, its last run and its next. */
export async function describeJobs(db: Knex, jobs: Job[], now: number): Promise<JobListing[]> {
  const last = await lastJobRuns(db, jobs.map((j) => j.name));
  const counts = await messageCountsOfRuns(db, [...last.values()].map((r) => r.id));
  const out: JobListing[] = [];
  for (const job of jobs) {
    const run = last.get(job.name);
    const s = scheduleOf(job);
    const cur = s ? await s.current(db) : null;
    let next = s ? await s.next(db, now) : null;
    // Today's slot already run (at the old time, before the office moved it later): the next is the following one.
    const taken = next ? await getSlotRun(db, job.name, next.slot) : null;
    if (s && next && taken && taken.state !== 'failed') next = await s.next(db, Date.parse(`${next.slot}T23:59:59+08:00`));
    out.push({
      name: job.name, title: job.title ?? job.name,
      schedule: cur ? (cur.enabled ? cur.text : `${cur.text}（已停用）`) : null,
      defaultSchedule: s?.text ?? null, time: cur?.time ?? null, defaultTime: s?.time ?? null, enabled: cur?.enabled ?? false,
      lastRun: run ? brief(job, run, counts.get(run.id) ?? 0) : null,
      nextRun: next ? isoAt(next.at) : null, nextSlot: next?.slot ?? null,
    });
  }
  return out;
}

/** A job's recent runs, the latest first. */
export async function describeRuns(db: Knex, job: Job, o: { limit: number; before?: number | null }): Promise<RunBrief[]> {
  const runs = await listJobRuns(db, job.name, o);
  const counts = await messageCountsOfRuns(db, runs.map((r) => r.id));
  return runs.map((r) => brief(job, r, counts.get(r.id) ?? 0));
}

// ---- messages -------------------------------------------------------------------------------

export const MESSAGE_STATE_TEXT: Record<string, string> = { sent: '已送达', pending: '发送中', sending: '发送中', dead: '失败' };

/** What a row is, by its dedup key's prefix (the jobs' own keys), else by its op. */
const KIND_BY_PREFIX: Array<[RegExp, string]> = [
  [/^digest:/, '单位预警卡片'],
  [/^digest-dm:/, '预警私信'],
  [/^leader-digest:/, '领导红灯汇总卡片'],
  [/^no-group:/, '未建工作群单位提醒'],
  [/^card:/, '卡片状态更新'],
  [/^request:/, '申请办理结果'],
  [/^(approval|request-card)/, '审批卡片'],
  [/^plan-expired/, '用编计划到期通知'],
  [/^weekly:[^:]+:office/, '每周督办清单（编办）'],
  [/^weekly:/, '每周督办清单（单位）'],
  [/^ranking:/, '红黑榜'],
  [/^self-check-lock-summary:/, '自查不足锁定汇总'],
  [/^self-check-lock:/, '账号锁定通知'],
  [/^self-check-reminder:/, '自查提醒'],
  [/^office-digest:/, '预警汇总（额度不足）'],
  [/^budget-warning:/, '消息额度提醒'],
];
const KIND_BY_OP: Record<string, string> = { createCard: '卡片', updateCard: '卡片更新', send: '消息', reply: '回复' };

/** A platform's error as the office reads it: Chinese kept; otherwise said in Chinese with the original after it. */
export function errorInChinese(raw: string | null): string | null {
  if (!raw) return null;
  if (/[\u4e00-\u9fff]/.test(raw)) return raw;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up/i.test(raw)) return `无法连接聊天平台（${raw}）`;
  if (/timeout|ETIMEDOUT/i.test(raw)) return `连接聊天平台超时（${raw}）`;
  if (/\b(401|403)\b|forbidden|unauthori[sz]ed|token/i.test(raw)) return `聊天平台拒绝访问，请检查应用凭据和权限（${raw}）`;
  if (/\b429\b|rate|limit|qps/i.test(raw)) return `聊天平台限流（${raw}）`;
  return `聊天平台返回错误（${raw}）`;
}

function titleOf(payload: string): string | null {
  try {
    const d = JSON.parse(payload) as { message?: { title?: string; content?: string }; card?: { data?: Record<string, string>; fallback?: { title?: string; content?: string } } };
    const m = d.message ?? d.card?.fallback;
    const t = d.card?.data?.title ?? m?.title ?? m?.content ?? null;
    return t ? String(t).split('\n')[0].slice(0, 60) : null;
  } catch {
    return null;
  }
}

/** Rows as people read them, groups and users by name (the office's group: 编办工作群). */
export async function describeMessages(db: Knex, rows: OutboxListRow[]): Promise<MessageView[]> {
  const targets = rows.map((r) => parseTarget(r.target));
  const groupIds = [...new Set(targets.flatMap((t) => (t?.kind === 'group' ? [t.groupId] : [])))];
  const userIds = [...new Set(targets.flatMap((t) => (t?.kind === 'users' ? t.userIds : [])))];
  const names = await targetNames(db, groupIds, userIds);
  const office = (await loadOffice(db)).groupId;
  const groupName = (id: string) => (id === office ? '编办工作群' : names.groups.has(id) ? `${names.groups.get(id)}工作群` : `工作群 ${id}`);
  return rows.map((r, i) => {
    const t = targets[i];
    const target: MessageView['target'] = !t ? null
      : t.kind === 'group' ? { kind: 'group', groupId: t.groupId, name: groupName(t.groupId) }
      : { kind: 'users', userIds: t.userIds, names: t.userIds.map((u) => names.users.get(u) ?? `用户 ${u}`) };
    return {
      id: r.id, at: isoMoment(r.createdAt), kind: r.op === 'send' || r.op === 'reply' ? 'message' : 'card',
      kindText: KIND_BY_PREFIX.find(([re]) => re.test(r.dedupKey))?.[1] ?? KIND_BY_OP[r.op] ?? r.op,
      op: r.op, title: titleOf(r.payload), target,
      targetText: !target ? '（原卡片所在会话）' : target.kind === 'group' ? target.name : target.names.join('、'),
      state: r.state, stateText: MESSAGE_STATE_TEXT[r.state] ?? r.state, attempts: r.attempts,
      sentAt: isoMoment(r.sentAt), error: r.state === 'sent' ? null : errorInChinese(r.lastError), jobRunId: r.jobRunId,
    };
  });
}

/** One run with what it sent; null when there is none of that id. */
export async function describeRun(db: Knex, jobs: Job[], id: number): Promise<RunDetail | null> {
  const run = await getJobRun(db, id);
  if (!run) return null;
  const job = jobs.find((j) => j.name === run.job);
  const sent = await describeMessages(db, await outboxRowsOfRun(db, id));
  return { ...brief(job, run, sent.length), job: run.job, title: job?.title ?? run.job, result: run.result, createdAt: isoMoment(run.createdAt), attempts: run.attempts, sent };
}

/** The broadcast history: a page of what went out, the latest first; `next`: the `before` of the next page. */
export async function broadcastHistory(db: Knex, o: { limit: number; before?: number | null; group?: string | null }): Promise<{ items: MessageView[]; next: number | null }> {
  const rows = await broadcastRows(db, { ...o, limit: o.limit + 1 });
  const more = rows.length > o.limit;
  const page = rows.slice(0, o.limit);
  return { items: await describeMessages(db, page), next: more ? page[page.length - 1].id : null };
}

/** The groups the history may be filtered by: the office's own first, then the units'. */
export async function broadcastGroups(db: Knex): Promise<Array<{ groupId: string; name: string }>> {
  const office = (await loadOffice(db)).groupId;
  const units = (await unitGroups(db)).filter((g) => g.groupId !== office).map((g) => ({ groupId: g.groupId, name: `${g.name}工作群` }));
  return office ? [{ groupId: office, name: '编办工作群' }, ...units] : units;
}
