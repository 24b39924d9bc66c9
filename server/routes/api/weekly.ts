// The weekly supervision list (server/API.md "Weekly list"): GET /api/weekly (the list of a
// date's week as JSON: office roles see all of it, a unit role its own units' part), GET
// /api/weekly/export (the same as .xlsx), POST /api/weekly/send (queue it now, office staff),
// GET and PUT /api/weekly/settings (the office's request limit; changed by 编办管理员 only).

import type { FastifyPluginAsync } from 'fastify';
import { DateInputError, validCheckDate, validDay } from '../../../core/dates.ts';
import type { IsoDate } from '../../../core/model.ts';
import { ADMIN_ROLES } from '../../../core/roles.ts';
import { MAX_REQUEST_LIMIT_WORKDAYS, type WeeklyUnitLine } from '../../../core/weekly-list.ts';
import { lineSummary, lineTodo } from '../../../cards/weekly.ts';
import { sendWeeklyList, viewForUnits, weeklyLinks, weeklyListView, weeklyListWorkbook, type WeeklyListView } from '../../../commands/weekly-list.ts';
import { audit } from '../../../db/store.ts';
import { loadWeeklySettings, setRequestLimit } from '../../../db/weekly-list.ts';
import type { SessionUser } from '../../auth/session.ts';
import { ApiError, contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ADMIN_ONLY: ReadonlySet<string> = new Set(['编办管理员']);

/** The `date` of a query or body: a real day (validDay), today when absent; 400 naming the field. */
function dateParam(value: unknown, today: IsoDate, window = false): IsoDate {
  if (value === undefined || value === null || value === '') return today;
  try {
    return window ? validCheckDate(value, today, { field: 'date' }) : validDay(value, 'date');
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { date: e.message });
    throw e;
  }
}

/** The view a user may see: all of it for an office role (scope null), else their units' part. */
function scoped(view: WeeklyListView, user: SessionUser): WeeklyListView {
  return user.scope === null ? view : viewForUnits(view, user.scope);
}

const lineJson = (l: WeeklyUnitLine, done: Set<number>) => ({ ...l, summary: lineSummary(l), todo: lineTodo(l), done: done.has(l.unitId) });

export const weeklyRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/weekly', async (req) => {
    const user = userOf(req);
    const date = dateParam((req.query as { date?: string }).date, deps.today());
    const v = scoped(await weeklyListView(db, date), user);
    const done = new Set(v.doneUnitIds);
    return {
      date: v.list.date, week: v.list.week, requestedDate: date, sentAt: v.sentAt, settings: v.list.settings, counts: v.list.counts, doneUnitIds: v.doneUnitIds,
      regions: v.list.regions.map((r) => ({ code: r.code, name: r.name, counts: r.counts, units: r.units.map((l) => lineJson(l, done)) })),
    };
  });

  app.get('/api/weekly/export', async (req, reply) => {
    const user = userOf(req);
    const date = dateParam((req.query as { date?: string }).date, deps.today());
    const { workbook, rows } = await weeklyListWorkbook(db, date, { unitIds: user.scope });
    await audit(db, user.id, 'weekly_export', 'weekly', null, { date, rows, file: `每周督办清单-${date}.xlsx`, via: 'console' }, { ip: req.ip });
    const buf = Buffer.from(await workbook.xlsx.writeBuffer());
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(`每周督办清单-${date}.xlsx`, `weekly-${date}.xlsx`)).header('Cache-Control', 'no-store').send(buf);
  });

  app.post('/api/weekly/send', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以发送每周督办清单');
    requireCityLevel(user, '发送每周督办清单');
    const date = dateParam(((req.body ?? {}) as { date?: unknown }).date, deps.today(), true);
    const r = await sendWeeklyList(db, date, weeklyLinks(deps.config.publicBaseUrl), { actor: user.id, ip: req.ip });
    if (!r.sent) throw new ApiError(409, `本周（${r.week} 起）的督办清单已于 ${r.createdAt ?? '此前'} 发送，不再重复发送`, undefined, { week: r.week, sentAt: r.createdAt });
    deps.kick();
    return r;
  });

  app.get('/api/weekly/settings', async (req) => {
    userOf(req);
    return { ...(await loadWeeklySettings(db)), maxRequestLimitWorkdays: MAX_REQUEST_LIMIT_WORKDAYS };
  });

  app.put('/api/weekly/settings', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ONLY, '只有编办管理员可以修改督办时限');
    requireCityLevel(user, '督办时限');
    const body = (req.body ?? {}) as { requestLimitWorkdays?: unknown };
    const n = body.requestLimitWorkdays;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_REQUEST_LIMIT_WORKDAYS) {
      const msg = `申请办理时限应为 1 至 ${MAX_REQUEST_LIMIT_WORKDAYS} 之间的整数（工作日）`;
      throw new ApiError(400, msg, { requestLimitWorkdays: msg });
    }
    await setRequestLimit(db, n);
    await audit(db, user.id, 'weekly_settings', 'settings', null, { requestLimitWorkdays: n }, { ip: req.ip });
    return { ...(await loadWeeklySettings(db)), maxRequestLimitWorkdays: MAX_REQUEST_LIMIT_WORKDAYS };
  });
};
