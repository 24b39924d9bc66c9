// A unit's own record: GET /api/unit-records/:id (the 机构 fields, its 编制 and 领导职数, its
// open findings each with its fix, the version, who may change what), PUT (the fields the unit
// keeps, commands/save-unit.ts), PUT …/approval (the office's fields from approval documents,
// commands/save-unit-approval.ts) and GET …/history.

import type { FastifyPluginAsync } from 'fastify';
import { DICTIONARY } from '../../../core/dictionary.ts';
import { ADMIN_ROLES, WRITE_ROLES } from '../../../core/roles.ts';
import { saveUnit, UNIT_APPROVAL_FIELDS, UNIT_KEPT_FIELDS, unitCells } from '../../../commands/save-unit.ts';
import { saveUnitApproval } from '../../../commands/save-unit-approval.ts';
import { runReads } from '../../../db/batch.ts';
import { calendarFromRows, calendarRowsQuery } from '../../../db/settings.ts';
import { approvalDocumentsQuery, leaderPostsQuery, quotasQuery, specialistsQuery, unitFindingsQuery, unitRowQuery, unitVersionQuery } from '../../../db/unit-records.ts';
import { versionsOf } from '../../../db/workers.ts';
import { ApiError, openFindingItems, requireRole, unitInScope, userOf, type ApiDeps } from './common.ts';
import { withFixes } from './fixes.ts';
import { provenanceFromRows, provenanceQuery, type Provenance } from '../../../db/provenance.ts';
import { historyOf } from './workers.ts';

type Row = Record<string, any>;
const MAX_REASON = 500;

/** The body of a save: `changes`, `reason` (required) and `version` (the one read), checked; 400 naming each. */
export function readEdit(body: unknown): { changes: Record<string, unknown>; reason: string; version: number; body: Record<string, unknown> } {
  const b = (body ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (!reason) fields['修改原因'] = '请填写修改原因';
  else if ([...reason].length > MAX_REASON) fields['修改原因'] = `最多${MAX_REASON}个字符`;
  const version = typeof b.version === 'number' ? b.version : typeof b.version === 'string' && /^\d+$/.test(b.version) ? Number(b.version) : NaN;
  if (!Number.isInteger(version) || version < 0) fields['版本'] = '缺少版本号（version），请刷新后重试';
  const changes = b.changes ?? {};
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) fields['修改内容'] = '缺少修改内容（changes）';
  if (Object.keys(fields).length) throw new ApiError(400, Object.values(fields)[0], fields);
  return { changes: changes as Record<string, unknown>, reason, version, body: b };
}

const COLUMN_LABEL: Record<string, string> = {
  code: '统一社会信用代码', name: '机构名称', parent_code: '上级机构代码', parent_id: '上级机构', region_code: '所属区划', region_name: '区划名称', nature: '机构性质',
  category: '事业单位类别', is_can_gong: '是否参公', level: '机构规格', funding: '经费形式', approval_no: '批准文号', approval_date: '批准日期',
  internal_offices: '内设机构', internal_offices_approved: '内设机构核定数', duties: '主要职责', annual_report: '是否年报单位', worker_cap: '编外用工控制数', group_id: '工作群',
};

export const unitRecordRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  async function page(id: number, role: string) {
    let row: Row = {};
    let cal: Row[] = [];
    let findings: Row[] = [];
    let quotas: Row[] = [];
    let posts: Row[] = [];
    let docs: Row[] = [];
    let specialists: Row[] = [];
    let version = 0;
    let provenance: Provenance = { first: null, last: null };
    await runReads(db, [
      { query: provenanceQuery(db, 'unit', [id]), apply: (rows) => { provenance = provenanceFromRows(rows).get(id) ?? provenance; } },
      { query: unitRowQuery(db, id), apply: (rows) => { row = rows[0]; } },
      { query: calendarRowsQuery(db), apply: (rows) => { cal = rows; } },
      { query: unitFindingsQuery(db, id), apply: (rows) => { findings = rows; } },
      { query: quotasQuery(db, id), apply: (rows) => { quotas = rows; } },
      { query: leaderPostsQuery(db, id), apply: (rows) => { posts = rows; } },
      { query: approvalDocumentsQuery(db, id), apply: (rows) => { docs = rows; } },
      { query: specialistsQuery(db, id), apply: (rows) => { specialists = rows; } },
      { query: unitVersionQuery(db, id), apply: (rows) => { version = Number(rows[0]?.v ?? 0); } },
    ], true);
    const ledger = (rows: Row[]) => rows.map((r) => ({ kind: r.kind, approved: Number(r.approved), approvalNo: r.approval_no ?? null }));
    return {
      unit: { id, ...unitCells(row) },
      quotas: ledger(quotas),
      leaderPosts: ledger(posts),
      documents: docs.map((d) => ({ no: d.doc_no, date: d.issued_on, subject: d.subject ?? null })),
      specialists: specialists.map((s) => s.name),
      findings: withFixes(openFindingItems(findings, deps.today(), calendarFromRows(cal), { limit: 1000 }), role),
      version,
      unitFields: UNIT_KEPT_FIELDS,
      approvalFields: UNIT_APPROVAL_FIELDS,
      lists: { 机构性质: DICTIONARY.机构性质, 事业单位类别: DICTIONARY.事业单位类别, 机构规格: DICTIONARY.机构规格, 经费形式: DICTIONARY.经费形式, 编制类型: DICTIONARY.编制类型, 职数类型: DICTIONARY.职数类型 },
      canEdit: WRITE_ROLES.has(role),
      canApprove: ADMIN_ROLES.has(role),
      provenance,
    };
  }

  const idOf = async (req: { params: unknown }, user: ReturnType<typeof userOf>) => {
    const p = String((req.params as { id: string }).id);
    if (!/^[1-9]\d{0,9}$/.test(p)) throw new ApiError(404, '没有该单位');
    return Number((await unitInScope(db, user, p)).id);
  };

  app.get('/api/unit-records/:id', async (req) => {
    const user = userOf(req);
    return page(await idOf(req, user), user.role);
  });

  app.put('/api/unit-records/:id', async (req) => {
    const user = userOf(req);
    requireRole(user, WRITE_ROLES, '您的角色无权修改单位信息');
    const unitId = await idOf(req, user);
    const { changes, reason, version } = readEdit(req.body);
    const saved = await saveUnit(db, { actor: user, unitId, changes, reason, version, today: deps.today() });
    if (saved.changed) deps.kick();
    const p = await page(unitId, user.role);
    return { ...p, resolved: saved.resolved, version: saved.version };
  });

  app.put('/api/unit-records/:id/approval', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '核定数、领导职数和批准文号由编办修改，您的角色无权修改');
    const unitId = await idOf(req, user);
    const { changes, reason, version, body } = readEdit(req.body);
    const obj = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
    const doc = obj(body.document) ?? {};
    const saved = await saveUnitApproval(db, { actor: user, unitId, changes, quotas: obj(body.quotas), leaderPosts: obj(body.leaderPosts), document: { no: doc.no, date: doc.date }, reason, version, today: deps.today() });
    deps.kick();
    const p = await page(unitId, user.role);
    return { ...p, resolved: saved.resolved, version: saved.version, source: saved.source };
  });

  app.get('/api/unit-records/:id/history', async (req) => {
    const user = userOf(req);
    return historyOf(await versionsOf(db, 'unit', await idOf(req, user)), COLUMN_LABEL);
  });
};
