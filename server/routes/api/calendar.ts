// The working-day calendar (server/API.md "Calendar"): a year's office overrides, whether the
// year's holiday arrangement is known, the coverage warning; an office's entry of days
// (编办管理员, commands/set-calendar-days.ts). Office roles only.

import type { FastifyPluginAsync } from 'fastify';
import { coverageWarning } from '../../../core/calendar.ts';
import { OFFICE_ROLES } from '../../../core/roles.ts';
import { setCalendarDays } from '../../../commands/set-calendar-days.ts';
import { overridesOfYear } from '../../../db/calendar.ts';
import { loadCalendar } from '../../../db/settings.ts';
import { ApiError, requireRole, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

export const calendarRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  const yearView = async (year: number) => {
    const cal = await loadCalendar(db);
    return { year, covered: cal.isCovered(`${year}-01-01`), overrides: await overridesOfYear(db, year), warning: coverageWarning(cal, deps.today()) };
  };

  app.get('/api/calendar', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES, '工作日历仅供编办工作人员查看');
    const q = (req.query ?? {}) as { year?: string };
    let year = Number(deps.today().slice(0, 4));
    if (q.year !== undefined && q.year !== '') {
      if (!/^(19|20)\d\d$/.test(q.year)) throw new ApiError(400, 'year 应为四位年份，如 2027', { year: '格式有误' });
      year = Number(q.year);
    }
    return yearView(year);
  });

  app.put('/api/calendar', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '只有编办管理员可以调整工作日历');
    requireCityLevel(user, '工作日历');
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ApiError(400, '请求内容应为 JSON 对象：{"dates": ["YYYY-MM-DD"], "work": false, "note": "说明"}');
    const body = b as { dates?: unknown; work?: unknown; note?: unknown };
    const r = await setCalendarDays(db, user, { dates: body.dates, work: body.work === undefined ? undefined : body.work, note: body.note });
    return { ...(await yearView(Number(r.dates[0].slice(0, 4)))), changed: r.dates };
  });
};
