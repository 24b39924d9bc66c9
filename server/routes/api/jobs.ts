// The office's scheduled jobs (server/API.md "Jobs"): the list with each schedule as it stands,
// its last run and its next; an office's change to a schedule (编办管理员, commands/set-job-schedule.ts);
// a job's runs, one run with the messages it sent; a run asked for by hand (queued on the
// registry's runner); and the broadcast history (what went to which group or people, delivered
// or not). Office roles only.

import type { FastifyPluginAsync } from 'fastify';
import { DateInputError, validCheckDate } from '../../../core/dates.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { setJobSchedule } from '../../../commands/set-job-schedule.ts';
import { broadcastGroups, broadcastHistory, describeJobs, describeRun, describeRuns, schedulable } from '../../jobs/report.ts';
import { ApiError, requireRole, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

const OFFICE_ONLY = '计划任务和群消息记录仅供编办工作人员查看';

/** A positive integer query value within [1, max], or the default; a Chinese 400 naming it otherwise. */
function intParam(raw: unknown, name: string, dflt: number | null, max = Number.MAX_SAFE_INTEGER): number | null {
  if (raw === undefined || raw === '') return dflt;
  const n = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new ApiError(400, `${name} 应为 1 到 ${max === Number.MAX_SAFE_INTEGER ? '更大' : max} 之间的整数`, { [name]: '格式有误' });
  return n;
}

export const jobRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const jobs = () => deps.jobs.jobs;
  const now = () => deps.now?.() ?? Date.now();
  const jobNamed = (name: string) => {
    const job = jobs().find((j) => j.name === name);
    if (!job) throw new ApiError(404, `没有名为“${name.slice(0, 40)}”的计划任务`);
    return job;
  };

  app.get('/api/jobs', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, OFFICE_ONLY);
    return describeJobs(db, jobs(), now());
  });

  app.put('/api/jobs/:name/schedule', async (req) => {
    const user = userOf(req);
    const name = (req.params as { name: string }).name;
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ApiError(400, '请求内容应为 JSON 对象：{"time": "HH:MM"} 或 {"enabled": false}');
    requireCityLevel(user, '计划任务的排程');
    const body = b as { time?: unknown; enabled?: unknown };
    await setJobSchedule(db, user, schedulable(jobs()), { name, time: body.time, enabled: body.enabled });
    const [listing] = await describeJobs(db, [jobNamed(name)], now());
    return listing;
  });

  app.get('/api/jobs/runs/:id', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(userOf(req), '计划任务的运行记录');
    const raw = (req.params as { id: string }).id;
    const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    const run = Number.isSafeInteger(id) ? await describeRun(db, jobs(), id) : null;
    if (!run) throw new ApiError(404, '没有该运行记录');
    return run;
  });

  app.get('/api/jobs/:name/runs', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(userOf(req), '计划任务的运行记录');
    const job = jobNamed((req.params as { name: string }).name);
    const q = req.query as { limit?: string; before?: string };
    return describeRuns(db, job, { limit: intParam(q.limit, 'limit', 20, 200)!, before: intParam(q.before, 'before', null) });
  });

  app.post('/api/jobs/:name/run', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以手动运行计划任务');
    requireCityLevel(user, '手动运行计划任务');
    const job = jobNamed((req.params as { name: string }).name);
    const body = (req.body ?? {}) as { date?: unknown };
    const today = deps.today();
    let date = today;
    if (body.date !== undefined && body.date !== null && body.date !== '') {
      try {
        date = validCheckDate(body.date, today);
      } catch (e) {
        if (e instanceof DateInputError) throw new ApiError(400, e.message, { date: e.message });
        throw e;
      }
    }
    const { runId, created } = await deps.jobs.enqueue(job.name, date);
    return reply.code(202).send({ runId, job: job.name, date, created });
  });

  app.get('/api/broadcasts', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(userOf(req), '群消息发送记录');
    const q = req.query as { group?: string; before?: string; limit?: string };
    const group = typeof q.group === 'string' && q.group.trim() ? q.group.trim().slice(0, 200) : null;
    const page = await broadcastHistory(db, { limit: intParam(q.limit, 'limit', 50, 200)!, before: intParam(q.before, 'before', null), group });
    return { ...page, groups: await broadcastGroups(db) };
  });
};
