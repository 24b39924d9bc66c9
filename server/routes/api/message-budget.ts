// GET /api/message-budget (office roles): this month's platform calls by kind, the budget, the
// share used, the projection to the month's end and what happens when it runs short.
// PUT /api/message-budget (编办管理员): the monthly budget per platform (server/API.md).

import type { FastifyPluginAsync } from 'fastify';
import { OFFICE_ROLES } from '../../../core/roles.ts';
import { messageBudgetView, setMessageBudgets } from '../../../commands/message-budget.ts';
import { loadCalendar } from '../../../db/settings.ts';
import { requireRole, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

export const messageBudgetRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/api/message-budget', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES);
    return messageBudgetView(deps.db, deps.today(), await loadCalendar(deps.db), deps.config.platform);
  });

  app.put('/api/message-budget', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES);
    requireCityLevel(user, '消息额度');
    await setMessageBudgets(deps.db, user, req.body);
    return messageBudgetView(deps.db, deps.today(), await loadCalendar(deps.db), deps.config.platform);
  });
};
