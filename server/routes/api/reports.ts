// The retirement forecast and the office's reports (server/API.md "Forecast and reports"):
// GET /api/forecast (any role, within their scope), GET and PUT /api/sectors (the office's
// mapping of units to sectors: read by office roles, changed by 编办管理员, audited),
// GET /api/reports, GET /api/reports/:name.xlsx?month=, POST /api/reports/generate (office roles).

import type { FastifyPluginAsync } from 'fastify';
import { DateInputError, monthOf, validMonth } from '../../../core/dates.ts';
import { MAX_FORECAST_YEARS } from '../../../core/forecast.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { REPORTS, reportByName } from '../../../core/report-defs.ts';
import { SECTORS, type Sector } from '../../../core/unit-stats.ts';
import { forecastOf, ForecastRefusal } from '../../../db/forecast.ts';
import { generateMonthReports, listStoredReports, notGenerated, reportFile } from '../../../db/reports.ts';
import { changeSectorMapping, existingUnitIds, sectorUnits } from '../../../db/sectors.ts';
import { audit } from '../../../db/store.ts';
import { ApiError, contentDisposition, requireRole, unitInScope, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ADMIN_ONLY: ReadonlySet<string> = new Set(['编办管理员']);
const OFFICE_ONLY = '报表为编办所用，仅编办人员可以查看';

function monthParam(value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  try {
    return validMonth(value, 'month');
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { month: e.message });
    throw e;
  }
}

export const reportRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/forecast', async (req) => {
    const user = userOf(req);
    const q = req.query as { years?: string; from?: string; unit?: string; sector?: string };
    const years = q.years === undefined || q.years === '' ? 5 : Number(q.years);
    if (!Number.isInteger(years) || years < 1 || years > MAX_FORECAST_YEARS) throw new ApiError(400, `预测年数 years 应为 1 至 ${MAX_FORECAST_YEARS} 之间的整数`, { years: '预测年数有误' });
    const from = q.from === undefined || q.from === '' ? undefined : monthParam(q.from, '');
    if (q.sector !== undefined && q.sector !== '' && !(SECTORS as readonly string[]).includes(q.sector)) throw new ApiError(400, `领域 sector 应为 ${SECTORS.join('、')} 之一`, { sector: '领域有误' });
    const unit = q.unit === undefined || q.unit === '' ? null : await unitInScope(db, user, q.unit);
    try {
      const f = await forecastOf(db, { years, from, unitId: unit ? Number(unit.id) : undefined, sector: (q.sector || undefined) as Sector | undefined, scope: user.scope });
      return f;
    } catch (e) {
      if (e instanceof ForecastRefusal) throw new ApiError(400, e.message, { from: e.message });
      throw e;
    }
  });

  app.get('/api/sectors', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(user, '单位所属领域');
    const { mapping, units } = await sectorUnits(db);
    return {
      sectors: SECTORS,
      mapping,
      units,
      note: '领域调整在下一次每日检查后生效（各单位的统计数据记录其所属领域）',
    };
  });

  app.put('/api/sectors', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ONLY, '只有编办管理员可以调整单位所属领域');
    requireCityLevel(user, '单位所属领域');
    const body = (req.body ?? {}) as { units?: unknown };
    if (!body.units || typeof body.units !== 'object' || Array.isArray(body.units)) throw new ApiError(400, '请以 {"units": {"单位编号": "教育|卫生|其他" 或 null}} 提交', { units: '格式有误' });
    const changes = body.units as Record<string, unknown>;
    const ids = Object.keys(changes);
    if (!ids.length || ids.length > 5000) throw new ApiError(400, '请提交 1 至 5000 个单位的领域', { units: '数量有误' });
    const bad = ids.filter((id) => !/^\d+$/.test(id));
    if (bad.length) throw new ApiError(400, `单位编号应为数字：${bad.slice(0, 5).join('、')}`, { units: '单位编号有误' });
    const known = await existingUnitIds(db, ids.map(Number));
    const unknown = ids.filter((id) => !known.has(Number(id)));
    if (unknown.length) throw new ApiError(400, `没有这些编号的单位：${unknown.slice(0, 10).join('、')}`, { units: '单位编号有误' });
    const wrong = ids.filter((id) => changes[id] !== null && !(SECTORS as readonly unknown[]).includes(changes[id]));
    if (wrong.length) throw new ApiError(400, `领域应为 ${SECTORS.join('、')} 之一（或 null 取消调整）：单位 ${wrong.slice(0, 5).join('、')}`, { units: '领域有误' });
    const mapping = await changeSectorMapping(db, changes as Record<string, Sector | null>);
    await audit(db, user.id, 'sectors_update', 'settings', null, { units: changes }, { ip: req.ip });
    return { mapping, note: '领域调整在下一次每日检查后生效' };
  });

  app.get('/api/reports', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(user, '月度分析报表');
    const stored = await listStoredReports(db);
    return {
      currentMonth: monthOf(deps.today()),
      reports: REPORTS.map((r) => ({ name: r.name, title: r.title, months: stored.filter((s) => s.name === r.name).map((s) => ({ month: s.month, generatedAt: s.generatedAt, generatedBy: s.generatedBy, jobRunId: s.jobRunId, rows: s.rows, size: s.size })) })),
    };
  });

  app.get('/api/reports/:file', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, OFFICE_ONLY);
    requireCityLevel(user, '月度分析报表');
    const file = (req.params as { file: string }).file;
    const def = file.endsWith('.xlsx') ? reportByName(file.slice(0, -5)) : undefined;
    if (!def) throw new ApiError(404, '没有该报表');
    const today = deps.today();
    const month = monthParam((req.query as { month?: string }).month, monthOf(today));
    const f = await reportFile(db, def, month, today);
    if (!f) throw new ApiError(404, notGenerated(def, month));
    await audit(db, user.id, 'report_download', 'report', null, { name: def.name, month, via: 'console' }, { ip: req.ip });
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(`${def.title}-${month}.xlsx`, `${def.name}-${month}.xlsx`)).header('Cache-Control', 'no-store').send(f.bytes);
  });

  app.post('/api/reports/generate', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, OFFICE_ONLY);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以生成报表');
    requireCityLevel(user, '月度分析报表');
    const body = (req.body ?? {}) as { name?: unknown };
    const month = monthOf(deps.today());
    let names: string[] | undefined;
    if (body.name !== undefined && body.name !== null && body.name !== '') {
      const def = typeof body.name === 'string' ? reportByName(body.name) : undefined;
      if (!def) throw new ApiError(400, '没有该报表', { name: '报表名称有误' });
      names = [def.name];
    }
    const r = await generateMonthReports(db, month, { user: user.id }, names);
    await audit(db, user.id, 'report_generate', 'report', null, { month, names: r.generated.map((g) => g.name) }, { ip: req.ip });
    return { month, generated: r.generated };
  });
};
