// The 数据大屏 (server/API.md "Dashboard"): one route per panel, for any logged-in role, always
// within the viewer's scope (office roles: every unit, from the stored sums; 单位领导/单位专管员:
// their unit and below). GET /api/dashboard/quotas, /structure, /quality, /retirements, and the
// drill-downs /drill (the units behind a figure) and /drill/people (one unit's people behind it).
// Every answer carries `asOf`, the date of the check the figures are from.

import type { FastifyPluginAsync } from 'fastify';
import { DRILL_LIGHTS, DRILL_STAT_DIMS, QUALITY_FAMILIES, QUALITY_FAMILY_TITLES, QUOTA_DIMS, quotaPanel, retirementPanel, structurePanel, type QualityFamily } from '../../../core/dashboard.ts';
import { SECTORS, STRUCTURE_DIMS, type Sector, type StatDim } from '../../../core/unit-stats.ts';
import { drillFamily, drillFindings, drillLight, drillPeople, drillStat, openFindingsByFamily, redTrend, scopedSums, scoreDistribution, unitsByLight, waveStart } from '../../../db/dashboard.ts';
import { statsAsOf } from '../../../db/unit-stats.ts';
import { ApiError, unitInScope, userOf, type ApiDeps } from './common.ts';

const DRILL_LIMIT = 200;
const PEOPLE_LIMIT = 500;

const str = { type: 'string', maxLength: 64 } as const;
const query = (properties: Record<string, unknown>) => ({ schema: { querystring: { type: 'object', properties } } });

function sectorParam(q: Record<string, unknown>): Sector | undefined {
  const v = q.sector;
  if (v === undefined || v === '' || v === '全部') return undefined;
  if (typeof v === 'string' && (SECTORS as readonly string[]).includes(v)) return v as Sector;
  throw new ApiError(400, `sector（领域）应为 ${SECTORS.join('、')} 之一`, { sector: '领域无效' });
}

type Figure = { kind: 'stat'; dim: StatDim; key: string } | { kind: 'light'; light: (typeof DRILL_LIGHTS)[number] } | { kind: 'family'; family: QualityFamily };

const RETIRE_KEY = /^\d{4}(-(0[1-9]|1[0-2])(\|.{1,40})?)?$/;

/** The figure a drill-down names: dim (a stat dim, light or family) and key, 400 in Chinese otherwise. */
function figureParam(q: Record<string, unknown>): Figure {
  const dim = typeof q.dim === 'string' ? q.dim : '';
  const key = typeof q.key === 'string' ? q.key.trim() : '';
  if (!dim) throw new ApiError(400, '缺少 dim（统计口径）', { dim: '必填' });
  if (!key || key.length > 48) throw new ApiError(400, '缺少或无效的 key（统计项）', { key: '必填' });
  if (dim === 'light') {
    if (!(DRILL_LIGHTS as readonly string[]).includes(key)) throw new ApiError(400, 'key（亮灯颜色）应为 red、yellow 或 green', { key: '颜色无效' });
    return { kind: 'light', light: key as (typeof DRILL_LIGHTS)[number] };
  }
  if (dim === 'family') {
    if (!(QUALITY_FAMILIES as readonly string[]).includes(key)) throw new ApiError(400, `key（问题类别）应为 ${QUALITY_FAMILIES.join('、')} 之一`, { key: '类别无效' });
    return { kind: 'family', family: key as QualityFamily };
  }
  if (!(DRILL_STAT_DIMS as readonly string[]).includes(dim)) throw new ApiError(400, `dim（统计口径）无效：${dim.slice(0, 20)}`, { dim: '口径无效' });
  if (dim === 'retire' && !RETIRE_KEY.test(key)) throw new ApiError(400, 'key（退休时间）应为 YYYY、YYYY-MM 或 YYYY-MM|编制类型', { key: '格式无效' });
  return { kind: 'stat', dim: dim as StatDim, key };
}

export const dashboardRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/dashboard/quotas', query({ sector: str }), async (req) => {
    const user = userOf(req);
    const sector = sectorParam(req.query as Record<string, unknown>);
    const { all, bySector } = await scopedSums(db, user.scope, QUOTA_DIMS, sector, user.unitId);
    return { asOf: await statsAsOf(db), sector: sector ?? null, scope: user.scope === null ? 'all' : 'units', ...quotaPanel(all, bySector) };
  });

  app.get('/api/dashboard/structure', query({ sector: str }), async (req) => {
    const user = userOf(req);
    const sector = sectorParam(req.query as Record<string, unknown>);
    const { all } = await scopedSums(db, user.scope, STRUCTURE_DIMS.map((d) => d.dim), sector, user.unitId);
    return { asOf: await statsAsOf(db), sector: sector ?? null, ...structurePanel(all) };
  });

  app.get('/api/dashboard/quality', async (req) => {
    const user = userOf(req);
    const [asOf, lights, families, scores, trend] = await Promise.all([
      statsAsOf(db), unitsByLight(db, user.scope), openFindingsByFamily(db, user.scope), scoreDistribution(db, user.scope), redTrend(db, user.scope),
    ]);
    return {
      asOf, lights,
      families: QUALITY_FAMILIES.map((family) => ({ family, title: QUALITY_FAMILY_TITLES[family], open: families[family] })),
      scores, redTrend: trend,
    };
  });

  app.get('/api/dashboard/retirements', query({ years: str, sector: str }), async (req) => {
    const user = userOf(req);
    const q = req.query as Record<string, unknown>;
    const years = q.years === undefined || q.years === '' ? 5 : Number(q.years);
    if (!Number.isInteger(years) || years < 1 || years > 10) throw new ApiError(400, 'years（年数）应为 1 到 10 之间的整数', { years: '年数无效' });
    const sector = sectorParam(q);
    const asOf = await statsAsOf(db);
    const { all, bySector } = await scopedSums(db, user.scope, ['retire'], sector, user.unitId);
    return { asOf, sector: sector ?? null, span: years, ...retirementPanel(all, bySector, waveStart(asOf, deps.today()), years) };
  });

  app.get('/api/dashboard/drill', query({ dim: str, key: str, sector: str }), async (req) => {
    const user = userOf(req);
    const q = req.query as Record<string, unknown>;
    const figure = figureParam(q);
    const sector = sectorParam(q);
    const asOf = await statsAsOf(db);
    if (figure.kind === 'light') return { asOf, dim: 'light', key: figure.light, limit: DRILL_LIMIT, ...(await drillLight(db, figure.light, user.scope, DRILL_LIMIT)) };
    if (figure.kind === 'family') return { asOf, dim: 'family', key: figure.family, title: QUALITY_FAMILY_TITLES[figure.family], limit: DRILL_LIMIT, ...(await drillFamily(db, figure.family, user.scope, DRILL_LIMIT)) };
    return { asOf, dim: figure.dim, key: figure.key, sector: sector ?? null, limit: DRILL_LIMIT, ...(await drillStat(db, figure.dim, figure.key, user.scope, sector, DRILL_LIMIT)) };
  });

  app.get('/api/dashboard/drill/people', query({ unit: str, dim: str, key: str }), async (req) => {
    const user = userOf(req);
    const q = req.query as Record<string, unknown>;
    if (!q.unit) throw new ApiError(400, '缺少 unit（单位编号）', { unit: '必填' });
    const figure = figureParam(q);
    const unit = await unitInScope(db, user, q.unit);
    const unitId = Number(unit.id);
    const asOf = await statsAsOf(db);
    const head = { asOf, unitId, unitName: unit.name, portrait: `#/portrait/${unitId}`, limit: PEOPLE_LIMIT };
    if (figure.kind === 'light') return { ...head, dim: 'light', key: figure.light, people: [], ...(await drillFindings(db, unitId, { light: figure.light }, PEOPLE_LIMIT)) };
    if (figure.kind === 'family') return { ...head, dim: 'family', key: figure.family, people: [], ...(await drillFindings(db, unitId, { family: figure.family }, PEOPLE_LIMIT)) };
    const r = await drillPeople(db, unitId, figure.dim, figure.key, PEOPLE_LIMIT);
    return { ...head, dim: figure.dim, key: figure.key, findings: [], ...r };
  });
};
