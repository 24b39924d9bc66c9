// The audit trail for the 数据安全管理员 (SECURITY_ROLES only; every other role, the 编办管理员
// included, gets 403: 三员分立): GET /api/audit (the rows of a filter, newest first, with the
// edits of record_versions among them), GET /api/audit/export (the same filter as .xlsx, itself
// audited as audit_export) and GET /api/audit/reviews (the monthly 排查 summaries).

import type { FastifyPluginAsync } from 'fastify';
import { actionLabel, VERSION_ACTION } from '../../../core/audit-console.ts';
import { DateInputError, validDay, validMonth } from '../../../core/dates.ts';
import { SECURITY_ROLES } from '../../../core/roles.ts';
import { actorIdsFor, auditPage, auditWorkbook, listReviews, reviewOfMonth, subtreeOrUnit, type AuditFilter } from '../../../db/audit-queries.ts';
import { audit } from '../../../db/store.ts';
import { nowMoment } from '../../../db/clock.ts';
import { checkAuditIntegrity, findUnitsByName } from '../../../db/audit-integrity.ts';
import { reviewAuditMonth } from '../../../commands/audit-review.ts';
import { ApiError, contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const REFUSED = '审计日志仅供数据安全管理员查看';
/** The most rows one export holds. */
export const EXPORT_MAX = 100_000;

type Query = Record<string, unknown>;

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

function day(v: unknown, field: string): string | undefined {
  const s = one(v)?.trim();
  if (!s) return undefined;
  try {
    return validDay(s, field);
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { [field]: '日期无效' });
    throw e;
  }
}

/** What the filter says in Chinese (the export's 说明 sheet). */
export interface FilterText { label: string; value: string }

/** The query's filters, checked (Chinese errors naming the field); `who` resolved to actor ids, `unit` to its ids. */
async function filterOf(deps: ApiDeps, q: Query, paging: { maxLimit: number; defaultLimit: number }): Promise<{ filter: AuditFilter; text: FilterText[]; page: number }> {
  const text: FilterText[] = [];
  const filter: AuditFilter = { versions: one(q.versions) !== '0', limit: paging.defaultLimit, offset: 0 };
  const who = one(q.who)?.trim();
  if (who) {
    if (who.length > 64) throw new ApiError(400, '操作人过长（最多64个字符）', { who: '过长' });
    filter.actors = await actorIdsFor(deps.db, who);
    text.push({ label: '操作人', value: who });
  }
  const whatRaw = Array.isArray(q.what) ? q.what : one(q.what)?.split(',');
  const what = (whatRaw ?? []).map((s) => String(s).trim()).filter(Boolean);
  if (what.length) {
    const unknown = what.find((w) => w !== VERSION_ACTION && !/^[a-z][a-z0-9_.-]{0,31}$/.test(w));
    if (unknown) throw new ApiError(400, `操作类型“${unknown.slice(0, 32)}”无效`, { what: '取值无效' });
    filter.actions = what;
    text.push({ label: '操作类型', value: what.map(actionLabel).join('、') });
  }
  const unit = one(q.unit)?.trim();
  if (unit) {
    if (!/^[1-9]\d{0,9}$/.test(unit)) throw new ApiError(400, '请从单位列表中选择单位（按名称搜索后点选）', { unit: '取值无效' });
    const subtree = one(q.subtree) === '1';
    const u = await subtreeOrUnit(deps.db, Number(unit), subtree);
    if (!u) throw new ApiError(404, `没有编号为 ${unit} 的单位`, { unit: '没有该单位' });
    filter.unitIds = u.ids;
    text.push({ label: '单位', value: `${u.name}（编号 ${unit}）${subtree ? '及下级单位' : ''}` });
  }
  filter.from = day(q.from, '开始日期');
  filter.to = day(q.to, '结束日期');
  if (filter.from && filter.to && filter.from > filter.to) throw new ApiError(400, `开始日期 ${filter.from} 晚于结束日期 ${filter.to}`, { from: '晚于结束日期' });
  if (filter.from || filter.to) text.push({ label: '时间', value: `${filter.from ?? '最早'} 至 ${filter.to ?? '今天'}` });
  if (!filter.actions) text.push({ label: '修改记录', value: filter.versions ? '包含' : '不包含' });
  let limit = paging.defaultLimit;
  if (q.limit !== undefined) {
    limit = Number(one(q.limit));
    if (!Number.isInteger(limit) || limit < 1 || limit > paging.maxLimit) throw new ApiError(400, `每页条数应为 1 到 ${paging.maxLimit} 之间的整数`, { limit: '取值无效' });
  }
  let page = 1;
  if (q.page !== undefined) {
    page = Number(one(q.page));
    if (!Number.isInteger(page) || page < 1 || page > 1_000_000) throw new ApiError(400, '页码应为正整数', { page: '取值无效' });
  }
  filter.limit = limit;
  filter.offset = (page - 1) * limit;
  return { filter, text, page };
}

export const auditRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/audit', async (req) => {
    requireRole(userOf(req), SECURITY_ROLES, REFUSED);
    const { filter, page } = await filterOf(deps, req.query as Query, { maxLimit: 200, defaultLimit: 50 });
    const r = await auditPage(db, filter);
    return { total: r.total, page, limit: filter.limit, items: r.items };
  });

  app.get('/api/audit/export', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, SECURITY_ROLES, REFUSED);
    const { filter, text } = await filterOf(deps, req.query as Query, { maxLimit: EXPORT_MAX, defaultLimit: EXPORT_MAX });
    filter.offset = 0;
    const r = await auditPage(db, filter);
    const today = deps.today();
    const buffer = await auditWorkbook(r.items, text, { total: r.total, exportedAt: nowMoment().slice(0, 19), by: user.name });
    await audit(db, user.id, 'audit_export', null, null, { rows: r.items.length, filters: Object.fromEntries(text.map((t) => [t.label, t.value])) }, { ip: req.ip });
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(`审计日志-${today}.xlsx`, `audit-${today}.xlsx`)).header('Cache-Control', 'no-store').send(buffer);
  });

  app.get('/api/audit/reviews', async (req) => {
    requireRole(userOf(req), SECURITY_ROLES, REFUSED);
    const month = one((req.query as Query).month)?.trim();
    if (month) {
      let m: string;
      try {
        m = validMonth(month, '月份');
      } catch (e) {
        if (e instanceof DateInputError) throw new ApiError(400, e.message, { month: '取值无效' });
        throw e;
      }
      const r = await reviewOfMonth(db, m);
      if (!r) throw new ApiError(404, `${m} 尚未排查`);
      return { reviews: [r] };
    }
    return { reviews: await listReviews(db) };
  });

  // The chain checked now (the latest rows chained first): ok, or the first broken row.
  app.get('/api/audit/integrity', async (req) => {
    requireRole(userOf(req), SECURITY_ROLES, REFUSED);
    return checkAuditIntegrity(db, { pii: deps.pii });
  });

  // The unit filter's look-up: units whose name or code contains q (id, name, code only).
  app.get('/api/audit/units', async (req) => {
    requireRole(userOf(req), SECURITY_ROLES, REFUSED);
    const q = one((req.query as Query).q)?.trim() ?? '';
    if (!q) throw new ApiError(400, '请输入单位名称或代码的一部分', { q: '不能为空' });
    if (q.length > 40) throw new ApiError(400, '单位名称过长（最多40个字符）', { q: '过长' });
    return { units: await findUnitsByName(db, q) };
  });

  // 立即排查: the monthly review of an ended month, now (commands/audit-review.ts, itself audited).
  app.post('/api/audit/reviews', async (req) => {
    const user = userOf(req);
    requireRole(user, SECURITY_ROLES, REFUSED);
    const month = one((req.body as Query | undefined)?.month)?.trim();
    if (!month) throw new ApiError(400, '请选择要排查的月份', { month: '不能为空' });
    const r = await reviewAuditMonth({ db, month, actor: user.id, publicBaseUrl: deps.config.publicBaseUrl, today: deps.today() });
    deps.kick();
    return { month: r.month, created: r.created, sent: r.sent, review: r.review };
  });
};
