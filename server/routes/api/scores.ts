// The monthly scores and the 红黑榜 (server/API.md): GET /api/scores?month=, GET /api/units/:id/scores,
// GET /api/rankings/:month, POST /api/rankings/:month/publish, GET and PUT /api/score-policy.

import type { FastifyPluginAsync } from 'fastify';
import { addMonthsToMonth, DateInputError, monthOf, validMonth } from '../../../core/dates.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { publishRanking } from '../../../commands/publish-ranking.ts';
import { scorePolicyView, updateScorePolicy } from '../../../commands/update-score-policy.ts';
import { monthScores, rankingOfMonth, scoredUnitsByMonth, unitScoreHistory } from '../../../db/scores.ts';
import { ApiError, requireRole, unitInScope, userOf, type ApiDeps } from './common.ts';
import { isCountyOffice, requireCityLevel } from '../../../commands/city-level.ts';

function monthParam(value: unknown, field: string, fallback?: string): string {
  if ((value === undefined || value === '') && fallback) return fallback;
  try {
    return validMonth(value, field);
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { [field]: e.message });
    throw e;
  }
}

export const scoreRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  // The month's scores: the office sees every unit, a unit its own row (with its rank among all).
  app.get('/api/scores', async (req) => {
    const user = userOf(req);
    const month = monthParam((req.query as Record<string, unknown>).month, 'month', addMonthsToMonth(monthOf(deps.today()), -1));
    const office = OFFICE_ROLES.has(user.role);
    if (!office && user.unitId == null) throw new ApiError(403, '您的账号未关联单位');
    // The office's scope: every unit, or a county office's units (ranks stay those among all).
    const scores = await monthScores(db, month, office ? user.scope : [user.unitId!]);
    const units = (await scoredUnitsByMonth(db, [month])).get(month) ?? 0;
    const ranking = await rankingOfMonth(db, month);
    return {
      month, scored: units > 0, units, computedAt: scores[0]?.computedAt ?? null,
      ranking: ranking && (office || ranking.state === 'published') ? { state: ranking.state, publishedAt: ranking.publishedAt, publishedBy: ranking.publishedBy } : null,
      scores: scores.map((s) => ({ unitId: s.unitId, unit: s.unit, name: s.name, score: s.score, rank: s.rank, deductions: s.deductions })),
    };
  });

  app.get('/api/units/:unit/scores', async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const history = await unitScoreHistory(db, Number(unit.id));
    const counts = await scoredUnitsByMonth(db, history.map((h) => h.month));
    return { unitId: Number(unit.id), name: unit.name, history: history.map((h) => ({ month: h.month, score: h.score, rank: h.rank, units: counts.get(h.month) ?? 0, deductions: h.deductions })) };
  });

  // The 红黑榜: the office sees the preview and the published list; units only a published one.
  app.get('/api/rankings/:month', async (req) => {
    const user = userOf(req);
    const month = monthParam((req.params as { month: string }).month, 'month');
    const r = await rankingOfMonth(db, month);
    // The preview ranks every county's units: the city office's; a county office sees the published list.
    if (!r || ((!OFFICE_ROLES.has(user.role) || isCountyOffice(user)) && r.state !== 'published')) throw new ApiError(404, `${month} 的红黑榜尚未${r ? '发布' : '生成'}`);
    return r;
  });

  app.post('/api/rankings/:month/publish', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以发布红黑榜');
    requireCityLevel(user, '发布红黑榜');
    const month = monthParam((req.params as { month: string }).month, 'month');
    const r = await publishRanking({ db, month, actor: user.id, publicBaseUrl: deps.config.publicBaseUrl });
    if (r.groups) deps.kick();
    return r;
  });

  app.get('/api/score-policy', async (req) => {
    requireRole(userOf(req), OFFICE_ROLES);
    return scorePolicyView(db);
  });

  app.put('/api/score-policy', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES);
    requireCityLevel(user, '评分规则');
    return updateScorePolicy(db, user, req.body ?? {});
  });
};
