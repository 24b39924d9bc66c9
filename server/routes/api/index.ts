// The mini-app and console API (server/API.md): findings, units, people, import, export, check.
// The session guard (server/auth/session.ts) has already refused requests without a login or
// without the CSRF token; every route here checks the role and the unit scope itself.

import os from 'node:os';
import path from 'node:path';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { todayInShanghai } from '../../../core/dates.ts';
import type { IsoDate } from '../../../core/model.ts';
import type { AppContext } from '../../context.ts';
import { createInProcessRunner } from '../../jobs/in-process.ts';
import { officeJobs } from '../../jobs/office-jobs.ts';
import type { JobRunner } from '../../jobs/registry.ts';
import { adminRoutes } from './admin.ts';
import { analysisRoutes } from './analysis.ts';
import { annualRoutes } from './annual.ts';
import { auditRoutes } from './audit.ts';
import { calendarRoutes } from './calendar.ts';
import { dashboardRoutes } from './dashboard.ts';
import { CommandError } from '../../../commands/errors.ts';
import { budgetRoutes } from './budgets.ts';
import type { ApiDeps } from './common.ts';
import { exportRoutes } from './exports.ts';
import { explanationRoutes } from './explanations.ts';
import { feedRoutes } from './feeds.ts';
import { findingRoutes } from './findings.ts';
import { fixGuideRoutes } from './fix-guides.ts';
import { lockRoutes } from './locks.ts';
import { manualRoutes } from './manuals.ts';
import { messageBudgetRoutes } from './message-budget.ts';
import { monthlyConfirmationRoutes } from './monthly-confirmations.ts';
import { noticeRoutes } from './notices.ts';
import { jobRoutes } from './jobs.ts';
import { personRoutes } from './people.ts';
import { portraitRoutes } from './portrait.ts';
import { provenanceRoutes } from './provenance.ts';
import { reportRoutes } from './reports.ts';
import { requestRoutes } from './requests.ts';
import { registrationFormRoutes } from './registration-forms.ts';
import { scoreRoutes } from './scores.ts';
import { snapshotRoutes } from './snapshots.ts';
import { townRoutes } from './towns.ts';
import { unitRoutes } from './units.ts';
import { unitRecordRoutes } from './unit-records.ts';
import { workerRoutes } from './workers.ts';
import { weeklyRoutes } from './weekly.ts';

export interface ApiRoutesOptions {
  ctx: Pick<AppContext, 'db' | 'pii' | 'config'>;
  kick?: () => void;
  today?: () => IsoDate;
  /** Uploads, error workbooks and exports (default: the system's temp dir). */
  workDir?: string;
  /** Where POST /api/check and /api/jobs/:name/run queue runs (serve's runner); default: the office's jobs run in this process, no schedule. */
  jobs?: JobRunner;
  /** The moment the jobs' next runs are reckoned from (tests); default: now. */
  now?: () => number;
}

export const apiRoutes: FastifyPluginAsync<ApiRoutesOptions> = async (app, opts) => {
  const deps: ApiDeps = {
    db: opts.ctx.db,
    pii: opts.ctx.pii,
    config: opts.ctx.config,
    today: opts.today ?? (() => todayInShanghai()),
    kick: opts.kick ?? (() => {}),
    workDir: opts.workDir ?? path.join(os.tmpdir(), 'sanse'),
    jobs: opts.jobs ?? createInProcessRunner({ db: opts.ctx.db, jobs: officeJobs({ pii: opts.ctx.pii, publicBaseUrl: opts.ctx.config.publicBaseUrl, kick: opts.kick, llm: opts.ctx.config.llm }) }),
    now: opts.now,
  };

  app.setErrorHandler((err: FastifyError | CommandError, req, reply) => {
    if (err instanceof CommandError) return reply.code(err.status).send({ ...err.extra, error: err.message, ...(err.fields ? { fields: err.fields } : {}) });
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') return reply.code(413).send({ error: '上传内容过大' });
    if (status === 415) return reply.code(415).send({ error: '不支持的内容类型' });
    if (status >= 400 && status < 500) return reply.code(status).send({ error: '请求格式有误' });
    req.log.error(err);
    return reply.code(500).send({ error: '服务器内部错误，请稍后重试' });
  });

  // Checks queued by this app end before the app closes (the database may close right after).
  if (!opts.jobs) app.addHook('onClose', async () => deps.jobs.idle());
  await app.register(findingRoutes, { deps });
  await app.register(explanationRoutes, { deps });
  await app.register(unitRoutes, { deps });
  await app.register(personRoutes, { deps });
  await app.register(provenanceRoutes, { deps });
  await app.register(workerRoutes, { deps });
  await app.register(unitRecordRoutes, { deps });
  await app.register(adminRoutes, { deps });
  await app.register(exportRoutes, { deps });
  await app.register(requestRoutes, { deps });
  await app.register(registrationFormRoutes, { deps });
  await app.register(lockRoutes, { deps });
  await app.register(snapshotRoutes, { deps });
  await app.register(messageBudgetRoutes, { deps });
  await app.register(monthlyConfirmationRoutes, { deps });
  await app.register(budgetRoutes, { deps });
  await app.register(noticeRoutes, { deps });
  await app.register(weeklyRoutes, { deps });
  await app.register(jobRoutes, { deps });
  await app.register(scoreRoutes, { deps });
  await app.register(calendarRoutes, { deps });
  await app.register(portraitRoutes, { deps });
  await app.register(townRoutes, { deps });
  await app.register(reportRoutes, { deps });
  await app.register(analysisRoutes, { deps });
  await app.register(annualRoutes, { deps });
  await app.register(dashboardRoutes, { deps });
  await app.register(feedRoutes, { deps });
  await app.register(auditRoutes, { deps });
  await app.register(fixGuideRoutes, { deps });
  await app.register(manualRoutes, { deps });
};
