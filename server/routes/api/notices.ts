// 书面函告 (server/API.md "Written notices"): the half-yearly cross-check's notices, their files,
// the unit's reply and the office's review, the office's settings and a run by hand. Thin over
// commands/half-year-notices.ts.

import type { FastifyPluginAsync } from 'fastify';
import {
  listNotices, NOTICE_FILTERS, noticeDetail, noticeFile, noticeSettingsView, replyToNotice, reviewNotice, runHalfYearNotices, setNoticeSettings,
} from '../../../commands/half-year-notices.ts';
import { DOCUMENT_CONTENT_TYPES, type DocumentFormat } from '../../../commands/official-documents.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';

const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } }, required: ['id'] } as const;

export const noticeRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/notices', {
    schema: { querystring: { type: 'object', properties: { half: { type: 'string', maxLength: 16 }, state: { type: 'string', enum: [...NOTICE_FILTERS] } }, additionalProperties: false } },
  }, async (req) => {
    const q = req.query as { half?: string; state?: string };
    return listNotices(db, userOf(req), { half: q.half, state: q.state, today: deps.today() });
  });

  app.get('/api/notices/settings', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, '书面函告设置仅供编办工作人员查看');
    return noticeSettingsView(db);
  });

  app.put('/api/notices/settings', {
    schema: {
      body: {
        type: 'object', additionalProperties: false,
        properties: Object.fromEntries([...['overdueWorkdays', 'repeatTimes', 'replyWorkdays'].map((k) => [k, { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 4 }] }]), ['prefix', { type: ['string', 'null'], maxLength: 16 }]]),
      },
    },
  }, async (req) => setNoticeSettings(db, userOf(req), req.body));

  app.post('/api/notices/run', {
    schema: { body: { type: 'object', properties: { half: { type: 'string', maxLength: 16 } }, additionalProperties: false } },
  }, async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员或编办业务人员可以进行半年交叉检查');
    const r = await runHalfYearNotices(db, { date: deps.today(), half: (req.body as { half?: string } | undefined)?.half, publicBaseUrl: deps.config.publicBaseUrl, by: user.id, actor: user });
    if (r.group + r.users) deps.kick();
    return r;
  });

  app.get('/api/notices/:id', { schema: { params: idParams } }, async (req) =>
    noticeDetail(db, userOf(req), Number((req.params as { id: string }).id), deps.today()));

  app.get('/api/notices/:id/file', {
    schema: { params: idParams, querystring: { type: 'object', properties: { format: { type: 'string', enum: ['docx', 'pdf'] } }, additionalProperties: false } },
  }, async (req, reply) => {
    const format = ((req.query as { format?: DocumentFormat }).format ?? 'pdf') as DocumentFormat;
    const f = await noticeFile(db, userOf(req), Number((req.params as { id: string }).id), format, deps.today(), req.ip);
    return reply.header('Content-Type', DOCUMENT_CONTENT_TYPES[format]).header('Content-Disposition', contentDisposition(f.fileName, `notice.${format}`)).header('Cache-Control', 'no-store').send(f.buffer);
  });

  app.post('/api/notices/:id/reply', {
    schema: {
      params: idParams,
      body: { type: 'object', properties: { text: { type: 'string', maxLength: 4000 }, items: { type: 'object', additionalProperties: { type: 'string', maxLength: 1000 }, maxProperties: 500 } }, additionalProperties: false },
    },
  }, async (req) => replyToNotice(db, { actor: userOf(req), id: Number((req.params as { id: string }).id), input: req.body, today: deps.today() }));

  app.post('/api/notices/:id/review', {
    schema: {
      params: idParams,
      body: { type: 'object', properties: { decision: { type: 'string', enum: ['close', 'return'] }, note: { type: ['string', 'null'], maxLength: 1000 } }, required: ['decision'], additionalProperties: false },
    },
  }, async (req) => {
    const b = req.body as { decision: string; note?: string | null };
    const r = await reviewNotice(db, { actor: userOf(req), id: Number((req.params as { id: string }).id), decision: b.decision, note: b.note, today: deps.today(), publicBaseUrl: deps.config.publicBaseUrl });
    deps.kick();
    return r;
  });

};
