// One 编外人员: read (ID masked) with the unit, the open findings (each with its fix) and the
// version; save a change (commands/save-worker.ts: the 编外人员 sheet's schema, versioned,
// re-checked with the card update queued); the history of changes.

import type { FastifyPluginAsync } from 'fastify';
import { DICTIONARY } from '../../../core/dictionary.ts';
import type { IdFacts } from '../../../core/model.ts';
import { FULL_ID_ROLES, WRITE_ROLES } from '../../../core/roles.ts';
import { saveWorker, WORKER_FORM_FIELDS, workerCells } from '../../../commands/save-worker.ts';
import { audit } from '../../../db/audit.ts';
import { runReads } from '../../../db/batch.ts';
import { idFactsOf } from '../../../db/records.ts';
import { calendarFromRows, calendarRowsQuery } from '../../../db/settings.ts';
import { versionsOf, workerFindingsQuery, workerVersionQuery, workerWithUnit, workerWithUnitQuery } from '../../../db/workers.ts';
import { ApiError, inScope, openFindingItems, requireRole, userOf, type ApiDeps } from './common.ts';
import { withFixes } from './fixes.ts';
import { fixSuggestions } from '../../../core/fix-suggestions.ts';
import { provenanceFromRows, provenanceQuery, type Provenance } from '../../../db/provenance.ts';
import { readEdit } from './unit-records.ts';

type Row = Record<string, any>;

const COLUMN_LABEL: Record<string, string> = {
  name: '姓名', gender: '性别', post_class: '岗位分类', post_name: '具体工作岗位', employment: '用工方式', first_contract_on: '首次签订合同时间', id_masked: '身份证号', unit_id: '单位',
};

export const workerRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, pii } = deps;

  async function workerInScope(user: ReturnType<typeof userOf>, idParam: string): Promise<Row> {
    const id = /^[1-9]\d{0,9}$/.test(idParam) ? Number(idParam) : NaN;
    if (!Number.isSafeInteger(id)) throw new ApiError(404, '没有该编外人员');
    const row: Row | undefined = await workerWithUnit(db, id);
    if (!row) throw new ApiError(404, '没有该编外人员');
    if (!inScope(user, Number(row.unit_id))) throw new ApiError(403, '超出您的数据范围');
    return row;
  }

  async function page(id: number, role: string) {
    let row: Row = {};
    let cal: Row[] = [];
    let findings: Row[] = [];
    let version = 0;
    let provenance: Provenance = { first: null, last: null };
    await runReads(db, [
      { query: provenanceQuery(db, 'worker', [id]), apply: (rows) => { provenance = provenanceFromRows(rows).get(id) ?? provenance; } },
      { query: workerWithUnitQuery(db, id), apply: (rows) => { row = rows[0]; } },
      { query: calendarRowsQuery(db), apply: (rows) => { cal = rows; } },
      { query: workerFindingsQuery(db, id), apply: (rows) => { findings = rows; } },
      { query: workerVersionQuery(db, id), apply: (rows) => { version = Number(rows[0]?.v ?? 0); } },
    ], true);
    const facts = idFactsOf(row);
    // The birth date the number encodes is part of what the mask hides (as for people).
    const idFacts: IdFacts = FULL_ID_ROLES.has(role) ? facts : { ...facts, birth: null };
    const { 统一社会信用代码: _code, ...cells } = workerCells(row, row.id_masked ?? '');
    return {
      worker: { id: Number(row.id), ...cells },
      unit: { id: Number(row.unit_id), code: row.unit_code, name: row.unit_name },
      findings: withFixes(openFindingItems(findings, deps.today(), calendarFromRows(cal), { limit: 1000 }), role),
      version,
      idFacts,
      fields: WORKER_FORM_FIELDS,
      lists: { 性别: ['男', '女'], 岗位分类: DICTIONARY.岗位分类, 用工方式: DICTIONARY.用工方式 },
      canEdit: WRITE_ROLES.has(role),
      // Issue 18: 自动修正 (offered, never applied) and 首录负责制.
      suggestions: fixSuggestions({ kind: 'worker', idFacts, gender: row.gender ?? null }),
      provenance,
    };
  }

  app.get('/api/workers/:id', async (req) => {
    const user = userOf(req);
    const row = await workerInScope(user, (req.params as { id: string }).id);
    await audit(db, user.id, 'view_person', 'worker', Number(row.id), undefined, { unitId: Number(row.unit_id), ip: req.ip });
    return page(Number(row.id), user.role);
  });

  app.put('/api/workers/:id', async (req) => {
    const user = userOf(req);
    requireRole(user, WRITE_ROLES, '您的角色无权修改编外人员信息');
    const row = await workerInScope(user, (req.params as { id: string }).id);
    const { changes, reason, version } = readEdit(req.body);
    const today = deps.today();
    const saved = await saveWorker(db, pii, { actor: user, row, changes, reason, version, today });
    if (saved.changed) deps.kick();
    const p = await page(Number(row.id), user.role);
    return { worker: p.worker, findings: p.findings, resolved: saved.resolved, version: saved.version, suggestions: p.suggestions, provenance: p.provenance };
  });

  app.get('/api/workers/:id/history', async (req) => {
    const user = userOf(req);
    const row = await workerInScope(user, (req.params as { id: string }).id);
    await audit(db, user.id, 'view_person', 'worker', Number(row.id), { page: 'history' }, { unitId: Number(row.unit_id), ip: req.ip });
    return historyOf(await versionsOf(db, 'worker', Number(row.id)), COLUMN_LABEL);
  });
};

/** Versions as the history page shows them: who, when, from where, why, and each changed field before and after. */
export function historyOf(rows: Row[], labels: Record<string, string>) {
  const HIDDEN = new Set(['id', 'id_hash', 'id_enc', 'id_kind', 'id_check_ok', 'id_expected_check', 'id_birth', 'id_birth_invalid', 'id_gender', 'id_province_ok', 'id_irregular', 'extra']);
  return rows.map((r) => {
    const before = (r.before ? JSON.parse(r.before) : {}) as Row;
    const after = (r.after ? JSON.parse(r.after) : {}) as Row;
    const columns = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((c) => !HIDDEN.has(c));
    return {
      version: Number(r.version),
      changedBy: r.changed_by === 'system' ? '系统' : r.changed_by_name ?? r.changed_by,
      changedAt: r.changed_at,
      source: r.source,
      reason: r.reason ?? null,
      changes: columns.map((c) => ({ field: labels[c] ?? c, before: before[c] ?? null, after: after[c] ?? null })).filter((c) => c.before !== c.after),
    };
  });
}
