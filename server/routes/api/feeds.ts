// The other departments' rosters in the console (issue 16, server/API.md "外部数据"): upload a
// feed (POST /api/feeds/:kind/import, multipart field `file`, `?month=YYYY-MM` for 社保 and
// 组织部任免; answered at once with a job, polled at GET /api/feeds/import/:id, its error
// workbook served by GET /api/import/errors/:name like the main import's), the versions by kind
// and month, the rows whose unit was not found, and the rows without a valid ID number with
// their candidates, confirmed (or marked 无对应人员, or withdrawn) by 编办管理员 / 编办业务人员.
// Office roles only: a unit's roles are refused.

import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { requireCityLevel } from '../../../commands/city-level.ts';
import { confirmFeedCandidate, markFeedNoMatch, withdrawFeedLink, withdrawFeedNoMatch } from '../../../commands/feed-links.ts';
import { DateInputError, validMonth } from '../../../core/dates.ts';
import { type FeedKind, feedKindOf } from '../../../core/feeds.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { FEED_LIMITS, type FeedImportResult, importFeed, listFeedDecisions, listFeedImports, unlinkedFeedRows, unmatchedUnitRows } from '../../../db/feeds.ts';
import { pollImportJob, receiveUpload, startImportJob } from './admin.ts';
import { ApiError, requireRole, userOf, type ApiDeps } from './common.ts';
import { ImportJobs } from './import-jobs.ts';

const READ_REFUSED = '外部数据比对仅供编办工作人员查看';
const WRITE_REFUSED = '只有编办管理员和编办业务人员可以导入外部名单';
const ERRORS_SHOWN = 1000;

const KIND_PARAM = { type: 'object', required: ['kind'], properties: { kind: { type: 'string', maxLength: 16 } } } as const;
const ID_PARAM = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } } } as const;
const SOURCE_KEY = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

function kindParam(v: unknown): FeedKind {
  const kind = typeof v === 'string' ? feedKindOf(decodeURIComponent(v)) : null;
  if (!kind) throw new ApiError(404, '名单类型应为 社保（si）、工资统发（payroll）或 组织部任免（appointments）');
  return kind;
}

function resultView(r: FeedImportResult) {
  return {
    ok: r.ok, kind: r.kind,
    errors: r.errors.slice(0, ERRORS_SHOWN), errorCount: r.errors.length,
    notices: r.notices, versions: r.versions, unmatchedUnits: r.unmatchedUnits,
    ...(r.errorFile ? { errorFile: `/api/import/errors/${path.basename(r.errorFile)}` } : {}),
  };
}

export const feedRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, pii } = deps;
  const errorsDir = path.join(deps.workDir, 'import-errors');
  const jobs = new ImportJobs<FeedImportResult>(db, pii, 'feed', resultView, (err, what) => app.log.error({ err }, what));
  await app.register(multipart, { limits: { fileSize: FEED_LIMITS.uploadBytes, files: 1, fields: 5, parts: 6 } });
  app.addHook('onClose', async () => {
    await jobs.idle();
  });
  // The feeds hold every county's people (市县贯通): the city's office imports and matches them.
  app.addHook('preHandler', async (req) => {
    requireCityLevel(userOf(req), '外部数据（社保、工资统发、组织部任免）的导入和比对');
  });

  app.post('/api/feeds/:kind/import', {
    schema: { params: KIND_PARAM, querystring: { type: 'object', properties: { month: { type: 'string', maxLength: 10 } } } },
  }, async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, WRITE_REFUSED);
    const kind = kindParam((req.params as { kind: string }).kind);
    const monthText = (req.query as { month?: string }).month;
    let month: string | undefined;
    if (monthText) {
      if (kind === '工资统发') throw new ApiError(400, '工资统发名单按各行的“月份”分月保存，不用选择月份', { month: '不用选择月份' });
      try {
        month = validMonth(monthText, '月份');
      } catch (e) {
        if (e instanceof DateInputError) throw new ApiError(400, e.message, { month: e.message });
        throw e;
      }
    }
    const upload = await receiveUpload(req, {
      workDir: deps.workDir, errorsDir, zipLimits: FEED_LIMITS,
      typeMessage: `只能导入 .xlsx 工作簿（工作表名为“${kind}”）或 .csv 文件`,
      tooLargeMessage: `文件过大，最大 ${FEED_LIMITS.uploadBytes / 1024 / 1024} MB。更大的名单请拆分后分批导入，或由管理员用命令 sanse feed import 导入`,
      // A CSV file is imported as a folder holding it alone.
      csvFolder: () => 'csv',
    });
    const job = await startImportJob(jobs, req, db, user.id, upload, (into, progress) =>
      importFeed(into, pii, kind, upload.source, { by: user.id, today: deps.today(), month, errorOut: upload.errorOut, onProgress: progress, fileName: upload.name, ip: req.ip }));
    return reply.code(202).send(job);
  });

  app.get('/api/feeds/import/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } } }, async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, WRITE_REFUSED);
    return pollImportJob(jobs, (req.params as { id: string }).id, user.id);
  });

  app.get('/api/feeds/imports', { schema: { querystring: { type: 'object', properties: { kind: { type: 'string', maxLength: 16 } } } } }, async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, READ_REFUSED);
    const k = (req.query as { kind?: string }).kind;
    return listFeedImports(db, k ? kindParam(k) : undefined);
  });

  app.get('/api/feeds/:kind/unmatched-units', { schema: { params: KIND_PARAM } }, async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, READ_REFUSED);
    return unmatchedUnitRows(db, kindParam((req.params as { kind: string }).kind));
  });

  app.get('/api/feeds/:kind/candidates', { schema: { params: KIND_PARAM } }, async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, READ_REFUSED);
    return unlinkedFeedRows(db, kindParam((req.params as { kind: string }).kind));
  });

  app.get('/api/feeds/:kind/decisions', { schema: { params: KIND_PARAM } }, async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, READ_REFUSED);
    return listFeedDecisions(db, kindParam((req.params as { kind: string }).kind));
  });

  app.post('/api/feeds/:kind/links', {
    schema: { params: KIND_PARAM, body: { type: 'object', required: ['sourceKey', 'personId'], properties: { sourceKey: SOURCE_KEY, personId: { type: 'integer', minimum: 1 } } } },
  }, async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, READ_REFUSED);
    const body = req.body as { sourceKey: string; personId: number };
    return confirmFeedCandidate(db, { actor: user, kind: kindParam((req.params as { kind: string }).kind), sourceKey: body.sourceKey, personId: body.personId, today: deps.today() });
  });

  app.post('/api/feeds/:kind/no-match', {
    schema: { params: KIND_PARAM, body: { type: 'object', required: ['sourceKey'], properties: { sourceKey: SOURCE_KEY } } },
  }, async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, READ_REFUSED);
    return markFeedNoMatch(db, { actor: user, kind: kindParam((req.params as { kind: string }).kind), sourceKey: (req.body as { sourceKey: string }).sourceKey });
  });

  app.post('/api/feeds/links/:id/withdraw', { schema: { params: ID_PARAM } }, async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, READ_REFUSED);
    return withdrawFeedLink(db, { actor: user, id: Number((req.params as { id: string }).id), today: deps.today() });
  });

  app.post('/api/feeds/no-match/:id/withdraw', { schema: { params: ID_PARAM } }, async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, READ_REFUSED);
    return withdrawFeedNoMatch(db, { actor: user, id: Number((req.params as { id: string }).id) });
  });
};
