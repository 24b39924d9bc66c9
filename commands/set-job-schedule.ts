// The office's change to a job's schedule (the console, `sanse jobs set`): another time of day
// (HH:MM, Beijing time) or switched off / on again. For 编办管理员 only; validated before anything
// is written; stored in settings 'job-schedules' (read by the schedules at each look, so every
// instance follows at its next minute) with its audit row, in one transaction.

import type { Knex } from 'knex';
import { audit } from '../db/store.ts';
import { getSetting, putSetting } from '../db/settings.ts';
import { CommandError } from './errors.ts';

/** The settings key the schedules read (server/jobs/schedule.ts SCHEDULES_KEY). */
export const JOB_SCHEDULES_KEY = 'job-schedules';

export interface JobScheduleChange {
  time?: string;
  enabled?: boolean;
}

/** A job as this command knows it: its name, the title people read, its default time (null: run only by hand). */
export interface SchedulableJob {
  name: string;
  title?: string;
  defaultTime: string | null;
}

export interface SetJobScheduleInput {
  name: unknown;
  /** HH:MM (Beijing time); absent: the time stays. */
  time?: unknown;
  /** false: switched off; true: on again; absent: stays. */
  enabled?: unknown;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Returns the job's schedule change as stored after the command. */
export async function setJobSchedule(
  db: Knex,
  actor: { id: string; role: string },
  jobs: SchedulableJob[],
  input: SetJobScheduleInput,
): Promise<{ name: string; title: string; time: string; enabled: boolean; change: JobScheduleChange }> {
  if (actor.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以修改计划任务的排程');
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new CommandError(404, `没有名为“${name.slice(0, 40)}”的计划任务（可用：${jobs.filter((j) => j.defaultTime).map((j) => j.name).join('、')}）`, { name: '任务名称不存在' });
  if (!job.defaultTime) throw new CommandError(400, `“${job.title ?? job.name}”没有排程，只能手动运行`, { name: '该任务没有排程' });
  const fields: Record<string, string> = {};
  let time: string | undefined;
  if (input.time !== undefined && input.time !== null && input.time !== '') {
    const raw = typeof input.time === 'string' ? input.time.trim() : '';
    // 9:00 is read as 09:00; anything else must be a real time of day.
    const t = /^\d:\d\d$/.test(raw) ? `0${raw}` : raw;
    if (!TIME.test(t)) fields.time = `运行时间应为 HH:MM（北京时间，00:00 至 23:59），如 08:30；收到“${String(input.time).slice(0, 20)}”`;
    else time = t;
  }
  let enabled: boolean | undefined;
  if (input.enabled !== undefined && input.enabled !== null) {
    if (typeof input.enabled !== 'boolean') fields.enabled = '是否启用应为 true 或 false';
    else enabled = input.enabled;
  }
  if (Object.keys(fields).length) throw new CommandError(400, Object.values(fields).join('；'), fields);
  if (time === undefined && enabled === undefined) throw new CommandError(400, '请指定新的运行时间（HH:MM），或停用、启用', { time: '未指定修改内容' });

  return db.transaction(async (trx) => {
    const all = (await getSetting<Record<string, JobScheduleChange>>(trx, JOB_SCHEDULES_KEY)) ?? {};
    const before = all[name] ?? {};
    const next: JobScheduleChange = { ...before, ...(time !== undefined ? { time } : {}), ...(enabled !== undefined ? { enabled } : {}) };
    // The code's own time and "on" need no entry: a later change of the code's default then applies.
    if (next.time === job.defaultTime) delete next.time;
    if (next.enabled === true) delete next.enabled;
    if (Object.keys(next).length) all[name] = next;
    else delete all[name];
    await putSetting(trx, JOB_SCHEDULES_KEY, all);
    await audit(trx, actor.id, 'set_job_schedule', 'job', null, { job: name, before, after: next });
    return { name, title: job.title ?? name, time: next.time ?? job.defaultTime!, enabled: next.enabled !== false, change: next };
  });
}
