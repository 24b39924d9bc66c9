// Issue 18, the 《人员入(出)编登记表》 (server/API.md "Registration forms"): a request's form
// (GET /api/requests/:id/registration-form, .pdf, .docx: whoever may see the request; the full ID
// number only for FULL_ID_ROLES) and the office's register (GET /api/registration-forms,
// .xlsx). Thin over commands/registration-form.ts, which checks role and scope and audits.

import type { FastifyPluginAsync } from 'fastify';
import { registrationFormFile, registrationFormInfo, registrationRegister, registrationRegisterWorkbook } from '../../../commands/registration-form.ts';
import { requestIdOf } from '../../../core/requests.ts';
import { ApiError, contentDisposition, userOf, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const idParam = (req: { params: unknown }): number => {
  const id = requestIdOf(String((req.params as { id?: string }).id ?? ''));
  if (id === null) throw new ApiError(404, '没有该申请');
  return id;
};

export const registrationFormRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/requests/:id/registration-form', async (req) => {
    const form = await registrationFormInfo(db, userOf(req), idParam(req));
    return { form };
  });

  for (const format of ['pdf', 'docx'] as const) {
    app.get(`/api/requests/:id/registration-form.${format}`, async (req, reply) => {
      const via = (req.query as Record<string, unknown>).via === 'console' ? 'console' : 'miniapp';
      const f = await registrationFormFile(db, deps.pii, { ...userOf(req), ip: req.ip }, idParam(req), format, via);
      return reply.header('Content-Type', f.contentType).header('Content-Disposition', contentDisposition(f.fileName, `registration-form-${idParam(req)}.${format}`))
        .header('Cache-Control', 'no-store').send(f.body);
    });
  }

  app.get('/api/registration-forms', async (req) => registrationRegister(db, userOf(req), req.query as Record<string, unknown>));

  app.get('/api/registration-forms.xlsx', async (req, reply) => {
    const f = await registrationRegisterWorkbook(db, { ...userOf(req), ip: req.ip }, req.query as Record<string, unknown>);
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(f.fileName, 'registration-forms.xlsx')).header('Cache-Control', 'no-store').send(f.body);
  });
};
