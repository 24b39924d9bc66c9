// 首录人查询 (issue 18 deliverable 7; ningbo-data-regulation art. 22 首录负责制): the office finds
// the records a user first entered or last changed in a date range (db/provenance.ts), each with a
// link to the record. Office roles only (a county's office: its county's records); ID numbers masked; every search is an audit row.

import type { FastifyPluginAsync } from 'fastify';
import { addDays, DateInputError, validDay } from '../../../core/dates.ts';
import { OFFICE_ROLES } from '../../../core/roles.ts';
import { audit } from '../../../db/audit.ts';
import { recordLabels, searchProvenance, usersMatching, type ProvenanceEntity } from '../../../db/provenance.ts';
import { ApiError, requireRole, userOf, type ApiDeps } from './common.ts';

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').trim();
const ENTITIES: Record<string, ProvenanceEntity> = { person: 'person', worker: 'worker', unit: 'unit' };
const ENTITY_WORD: Record<ProvenanceEntity, string> = { person: '人员', worker: '编外人员', unit: '单位' };
export const PROVENANCE_LIMIT = 500;

function day(v: string, field: string): string {
  try {
    return validDay(v, field);
  } catch (e) {
    if (e instanceof DateInputError) throw new ApiError(400, e.message, { [field]: '日期无效' });
    throw e;
  }
}

export const provenanceRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/provenance', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '首录人查询仅供编办使用，您的角色无权查询');
    const q = req.query as Record<string, unknown>;
    const who = one(q.user);
    if (!who) throw new ApiError(400, '请填写录入人（姓名或账号）', { 录入人: '请填写录入人（姓名或账号）' });
    if ([...who].length > 64) throw new ApiError(400, '录入人最多64个字符', { 录入人: '最多64个字符' });
    const kindText = one(q.kind) || 'first';
    if (kindText !== 'first' && kindText !== 'last') throw new ApiError(400, '查询类型应为 first（首录）或 last（最后修改）', { 查询类型: '应为 first 或 last' });
    const entityText = one(q.entity);
    if (entityText && !ENTITIES[entityText]) throw new ApiError(400, '记录类型应为 person、worker 或 unit', { 记录类型: '应为 person、worker 或 unit' });
    const today = deps.today();
    const to = one(q.to) ? day(one(q.to), '截止日期') : today;
    const from = one(q.from) ? day(one(q.from), '起始日期') : addDays(to, -365);
    if (from > to) throw new ApiError(400, '起始日期不能晚于截止日期', { 起始日期: '不能晚于截止日期' });

    // 系统导入 (demo data, the system's own writes) is searchable as 系统.
    const users = who === '系统' || who === 'system' ? [{ id: 'system', name: '系统导入', role: '系统' }] : await usersMatching(db, who, user.scope);
    const { rows, total } = users.length
      ? await searchProvenance(db, { by: users.map((u) => u.id), kind: kindText, from: `${from} 00:00:00`, to: `${to} 23:59:59`, entity: entityText ? ENTITIES[entityText] : undefined, unitIds: user.scope, limit: PROVENANCE_LIMIT })
      : { rows: [], total: 0 };
    const labels = await recordLabels(db, rows.map((r) => ({ entity: String(r.entity), id: Number(r.entity_id) })));
    await audit(db, user.id, 'provenance_search', null, null, { query: who, kind: kindText, from, to, count: total }, { ip: req.ip });
    const href = (e: string, id: number) => (e === 'person' ? `#/person/${id}` : e === 'worker' ? `#/worker/${id}` : `#/console/unit/${id}`);
    return {
      users,
      kind: kindText,
      from,
      to,
      total,
      limit: PROVENANCE_LIMIT,
      records: rows.map((r) => {
        const entity = String(r.entity) as ProvenanceEntity;
        const id = Number(r.entity_id);
        const l = labels.get(`${entity}:${id}`);
        return {
          entity, entityText: ENTITY_WORD[entity], id,
          name: l?.name ?? '（已删除）', idMasked: l?.idMasked ?? null, unitId: l?.unitId ?? null, unitName: l?.unitName ?? null,
          by: String(r.changed_by), byName: r.changed_by === 'system' ? '系统导入' : r.user_name ?? String(r.changed_by), byRole: r.user_role ?? null,
          at: String(r.changed_at), source: String(r.source), version: Number(r.version),
          href: href(entity, id),
        };
      }),
    };
  });
};
