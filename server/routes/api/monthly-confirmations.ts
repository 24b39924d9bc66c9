// 月度核账 (server/API.md "Monthly confirmation"): a unit's 核账清单 and its confirmation (单位专管员,
// 单位领导 in scope), the units waiting for the user's confirmation, and the office's list of a month
// with its .xlsx, the 催办 and the due-day setting. Thin over commands/confirm-month.ts,
// commands/remind-monthly-confirmation.ts, commands/set-monthly-confirmation.ts and
// commands/monthly-confirmation-views.ts.

import type { FastifyPluginAsync } from 'fastify';
import { validMonth, DateInputError } from '../../../core/dates.ts';
import { dueText } from '../../../core/monthly-confirmation.ts';
import { FULL_ID_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { confirmMonth } from '../../../commands/confirm-month.ts';
import {
  officeMonthList, officeMonthWorkbook, pendingConfirmations, STATE_FILTERS, unitChecklist, type StateFilter,
} from '../../../commands/monthly-confirmation-views.ts';
import { remindMonthlyConfirmation } from '../../../commands/remind-monthly-confirmation.ts';
import { setMonthlyConfirmation } from '../../../commands/set-monthly-confirmation.ts';
import { loadConfirmationSetting, unitOpenFindingRows } from '../../../db/monthly-confirmations.ts';
import { calendarFromRows, calendarRowsQuery } from '../../../db/settings.ts';
import { audit } from '../../../db/store.ts';
import { withFixes } from './fixes.ts';
import { ApiError, contentDisposition, openFindingItems, requireRole, unitInScope, userOf, withBirthMismatch, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const monthQuery = { type: 'object', properties: { month: { type: 'string', maxLength: 16 }, state: { type: 'string', enum: [...STATE_FILTERS] } }, additionalProperties: false } as const;
const unitParams = { type: 'object', properties: { unit: { type: 'string', maxLength: 64 } }, required: ['unit'] } as const;

/** A month parameter: 'YYYY-MM' (core/dates.ts validMonth), absent → undefined; 400 naming the field. */
function monthParam(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  try {
    return validMonth(v, '月份');
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { month: e.message });
    throw e;
  }
}

export const monthlyConfirmationRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/monthly-confirmations', { schema: { querystring: monthQuery } }, async (req) => {
    const user = userOf(req);
    const q = req.query as { month?: string; state?: StateFilter };
    return officeMonthList(db, user, { month: monthParam(q.month), state: q.state, today: deps.today() });
  });

  app.get('/api/monthly-confirmations/export', { schema: { querystring: monthQuery } }, async (req, reply) => {
    const user = userOf(req);
    const q = req.query as { month?: string; state?: StateFilter };
    const list = await officeMonthList(db, user, { month: monthParam(q.month), state: q.state, today: deps.today() });
    const buf = Buffer.from(await officeMonthWorkbook(list).xlsx.writeBuffer());
    await audit(db, user.id, 'monthly-confirmation.export', 'month', null, { month: list.month, state: q.state ?? null, rows: list.rows.length }, { ip: req.ip });
    const m = list.month ?? 'none';
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(`月度核账-${m}.xlsx`, `monthly-${m}.xlsx`)).header('Cache-Control', 'no-store').send(buf);
  });

  app.get('/api/monthly-confirmations/settings', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, '月度核账设置仅供编办工作人员查看');
    const s = await loadConfirmationSetting(db);
    return { ...s, text: dueText(s) };
  });

  app.put('/api/monthly-confirmations/settings', {
    schema: { body: { type: 'object', properties: { dueKind: { type: 'string', maxLength: 16 }, dueDay: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 4 }] } }, additionalProperties: false } },
  }, async (req) => setMonthlyConfirmation(db, userOf(req), req.body));

  app.post('/api/monthly-confirmations/remind', {
    schema: { body: { type: 'object', properties: { month: { type: 'string', maxLength: 16 } }, additionalProperties: false } },
  }, async (req) => {
    const user = userOf(req);
    const r = await remindMonthlyConfirmation(db, { date: deps.today(), publicBaseUrl: deps.config.publicBaseUrl, month: monthParam((req.body as { month?: string } | undefined)?.month), actor: user });
    deps.kick();
    return r;
  });

  app.get('/api/monthly-confirmations/pending', async (req) => pendingConfirmations(db, userOf(req), deps.today()));

  app.get('/api/monthly-confirmations/units/:unit', { schema: { params: unitParams } }, async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const view = await unitChecklist(db, user, Number(unit.id), deps.today());
    const [rows, calRows] = await Promise.all([unitOpenFindingRows(db, Number(unit.id)), calendarRowsQuery(db)]);
    const items = openFindingItems(rows, deps.today(), calendarFromRows(calRows), { limit: 1000 });
    return { ...view, findings: withFixes(await withBirthMismatch(db, items, FULL_ID_ROLES.has(user.role)), user.role) };
  });

  app.post('/api/monthly-confirmations/units/:unit/confirm', {
    schema: {
      params: unitParams,
      body: { type: 'object', properties: { month: { type: 'string', maxLength: 16 }, note: { type: ['string', 'null'], maxLength: 2000 }, confirmRed: { type: 'boolean' } }, additionalProperties: false },
    },
  }, async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const b = (req.body ?? {}) as { month?: string; note?: string | null; confirmRed?: boolean };
    const r = await confirmMonth(db, { actor: user, unitId: Number(unit.id), month: monthParam(b.month), note: b.note, confirmRed: b.confirmRed, today: deps.today() });
    deps.kick();
    return r;
  });
};
