// The 错题本 (issue 18, server/API.md "错题本"): GET /api/fix-guides (every entry's effective guide),
// GET /api/fix-guides/:entry (one entry, its versions for the office), PUT /api/fix-guides/:entry
// (a new version), POST /api/fix-guides (an office entry), POST /api/fix-guides/:entry/restore,
// GET /api/mistakes?month= (the month's most frequent mistakes, office roles) and
// GET /api/mistakes/export?month= (the same as .xlsx). Writes are commands/fix-guides.ts's.

import type { FastifyPluginAsync } from 'fastify';
import { addOfficeGuide, fixGuideView, monthMistakesWorkbook, restoreFixGuide, saveFixGuide } from '../../../commands/fix-guides.ts';
import { DateInputError, monthOf, validMonth } from '../../../core/dates.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { listFixGuides, monthMistakes } from '../../../db/fix-guides.ts';
import { ApiError, contentDisposition, isCountyOffice, requireRole, userOf, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ENTRY = /^[A-Za-z]-[A-Za-z0-9-]{1,12}$/;

function entryParam(req: { params: unknown }): string {
  const e = String((req.params as { entry?: string }).entry ?? '');
  if (!ENTRY.test(e)) throw new ApiError(404, '错题本中没有该条目');
  return e.toUpperCase();
}

function monthParam(value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  try {
    return validMonth(value, '月份');
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { month: e.message });
    throw e;
  }
}

export const fixGuideRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/fix-guides', async (req) => {
    const user = userOf(req);
    return { canEdit: ADMIN_ROLES.has(user.role) && !isCountyOffice(user), guides: await listFixGuides(db) };
  });

  app.get('/api/fix-guides/:entry', async (req) => fixGuideView(db, userOf(req), entryParam(req)));

  app.put('/api/fix-guides/:entry', async (req) => saveFixGuide(db, userOf(req), entryParam(req), req.body));

  app.post('/api/fix-guides', async (req, reply) => reply.code(201).send(await addOfficeGuide(db, userOf(req), req.body)));

  app.post('/api/fix-guides/:entry/restore', async (req) => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as { version?: unknown; reason?: unknown };
    return restoreFixGuide(db, userOf(req), entryParam(req), b.version, b.reason);
  });

  app.get('/api/mistakes', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '本月高频错题仅编办可以查看');
    const month = monthParam((req.query as { month?: unknown }).month, monthOf(deps.today()));
    const items = await monthMistakes(db, month, user.scope);
    return { month, total: items.reduce((n, i) => n + i.findings, 0), items };
  });

  app.get('/api/mistakes/export', async (req, reply) => {
    const user = userOf(req);
    const month = monthParam((req.query as { month?: unknown }).month, monthOf(deps.today()));
    const x = await monthMistakesWorkbook(db, user, month, req.ip);
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(x.fileName, `mistakes-${month}.xlsx`)).header('Cache-Control', 'no-store').send(x.buffer);
  });
};
