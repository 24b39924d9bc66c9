// Scope: a unit role sees and changes only its unit and the units below it. Every /api route is
// called as a user of another unit and refused (or, for the lists, answers without the other
// unit's rows); the table is checked against the routes the app really has, so a new route
// without an entry fails here.

import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subtreeIds } from '../../db/scope.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, multipartBody, startApp, type ApiTestApp, type Session } from './helpers.ts';
import { addOfficeUser, addSecondCounty, type SecondCounty } from '../fixtures/second-county.ts';
import { answer } from '../../bot/robot.ts';
import { lockNotice } from '../../db/user-locks.ts';
import type { OutboundMessage } from '../../core/outbound.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let unitA: Row;
let unitB: Row;
let personB: Row;
let specialistA: Session;
let leaderA: Session;
let admin: Session;
let requestB: number;
let workerB: Row;
let findingXB: number;
let explanationB: number;
let noticeB: number;

/** Method and path of every route the app has, from printRoutes' tree. */
function routesOf(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || !m[2]) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const url = stack.join('').replace(/^\/+/, '/');
    if (m[3]) for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push({ method, url });
  }
  return out;
}

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  // A: a unit with a specialist whose subtree leaves out B, a unit with people and open findings.
  const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
  for (const s of specialists) {
    const sub = new Set(await subtreeIds(a.t.db, Number(s.unit_id)));
    const b = await a.t.db('findings as f').join('people as p', 'p.id', 'f.entity_id').where({ 'f.status': 'open', 'f.scope': 'person' })
      .whereNotIn('f.unit_id', [...sub]).first('f.unit_id', 'p.id as person_id');
    const leader = await a.t.db('users').where({ role: '单位领导', unit_id: s.unit_id }).first();
    if (b && leader) {
      unitA = await a.t.db('units').where({ id: s.unit_id }).first();
      unitB = await a.t.db('units').where({ id: b.unit_id }).first();
      personB = await a.t.db('people').where({ id: b.person_id }).first();
      specialistA = await login(a.app, s.id);
      leaderA = await login(a.app, leader.id);
      break;
    }
  }
  admin = await login(a.app, 'demo-admin');
  // A request of unit B, waiting for 初审.
  const [rid] = await a.t.db('staffing_requests').insert({
    unit_id: unitB.id, kind: '用编计划', quota_kind: '行政编制', count: 1, status: 'submitted', version: 1, requested_by: 'demo-admin', request_no: 'SQ2026-999999',
    payload: JSON.stringify({ kind: '用编计划', quotaKind: '行政编制', count: 1, reason: '补充', validUntil: '2027-05-23' }), created_at: '2026-11-23 09:00:00', updated_at: '2026-11-23 09:00:00',
  });
  requestB = Number(rid);
  workerB = await a.t.db('workers').whereNotIn('unit_id', await subtreeIds(a.t.db, Number(unitA.id))).orderBy('id').first();
  // A cross-system finding of unit B and an explained difference of B (已说明差异).
  ({ finding: findingXB, explanation: explanationB } = await plantExplained(Number(unitB.id)));
  // 年度预算: the 2027 round is open and unit B has submitted its budget; 书面函告: a notice to unit B.
  await a.t.db('budget_rounds').insert({ year: 2027, due_on: '2026-12-31', opened_at: '2026-11-23 09:00:00', opened_by: 'demo-admin' });
  await plantBudget(Number(unitB.id));
  noticeB = await plantNotice(Number(unitB.id), 1);
});
afterAll(async () => {
  await a?.close();
});

/** An open cross-system finding of a unit, and an explained (已说明) one with its mapping. */
async function plantExplained(unitId: number): Promise<{ finding: number; explanation: number }> {
  const fx = { rule: 'X-PY-01', scope: 'unit', entity_id: unitId, unit_id: unitId, qualifier: '330603********001X·越权', first_seen_on: D0, opened_on: D0, last_seen_on: D0, subject_kind: 'person', subject_name: '越权', subject_id_masked: '330603********001X' };
  const [finding] = await a.t.db('findings').insert({ ...fx, fingerprint: `X-PY-01|unit:${unitId}|a`, open_key: `X-PY-01|unit:${unitId}|a`, status: 'open', resolved_on: null });
  const [fe] = await a.t.db('findings').insert({ ...fx, fingerprint: `X-PY-01|unit:${unitId}|b`, open_key: null, status: 'explained', resolved_on: D0 });
  const [explanation] = await a.t.db('explained_differences').insert({
    rule: 'X-PY-01', fingerprint: `X-PY-01|unit:${unitId}|b`, finding_id: fe, unit_id: unitId, subject_name: '越权', subject_id_masked: '330603********001X', reason: '借调', reason_text: '借调', evidence_no: '测〔2026〕1号',
    evidence_file: 'a.txt', evidence_sha256: 'a'.repeat(64), evidence_data: Buffer.from('x').toString('base64'), created_by: 'demo-admin', created_at: '2026-11-23 09:00:00', review_due: '2027-11-23',
  });
  return { finding: Number(finding), explanation: Number(explanation) };
}

/** A submitted 2027 budget of a unit. */
async function plantBudget(unitId: number): Promise<void> {
  await a.t.db('budgets').insert({ unit_id: unitId, year: 2027, state: 'submitted', lines: '[]', version: 1, saved_at: '2026-11-23 09:00:00', saved_by: 'demo-admin', submitted_at: '2026-11-23 09:00:00', submitted_by: 'demo-admin' });
}

/** A 书面函告 of 2026H1 to a unit, replied (so the office could review it). */
async function plantNotice(unitId: number, seq: number): Promise<number> {
  const unit: Row = await a.t.db('units').where({ id: unitId }).first();
  const facts = { half: '2026H1', unitId, unitName: unit.name, officeName: '测试编办', issuedOn: '2026-07-01', replyDue: '2026-07-15', overdueWorkdays: 10, repeatTimes: 3, overdue: [], repeated: [] };
  const [id] = await a.t.db('notices').insert({
    year: 2026, seq: 900 + seq, number: `越权函〔2026〕${900 + seq}号`, unit_id: unitId, half: '2026H1', facts: JSON.stringify(facts), overdue_count: 0, repeated_count: 0,
    issued_on: '2026-07-01', issued_at: '2026-07-01 09:00:00', issued_by: 'demo-admin', reply_due: '2026-07-15', reply_state: 'replied', replied_at: '2026-07-02 09:00:00', replied_by: 'demo-admin', reply_text: '已整改', reply_items: '{}',
  });
  return Number(id);
}

interface Probe {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** The route pattern it exercises. */
  route: string;
  payload?: () => { payload: unknown; headers?: Record<string, string> };
}

interface Target { unitB: Row; personB: Row; requestB: number; workerB: Row; unlockUser: string; findingX: number; explanation: number; notice: number }

const probes = (x: Target = { unitB, personB, requestB, workerB, unlockUser: specialistA.userId, findingX: findingXB, explanation: explanationB, notice: noticeB }): Probe[] => [
  { method: 'GET', route: '/api/findings', url: `/api/findings?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/export/findings', url: `/api/export/findings?unit=${x.unitB.id}` },
  { method: 'POST', route: '/api/units/:unit/self-check', url: `/api/units/${x.unitB.id}/self-check`, payload: () => ({ payload: {} }) },
  { method: 'GET', route: '/api/people/:id', url: `/api/people/${x.personB.id}` },
  { method: 'PUT', route: '/api/people/:id', url: `/api/people/${x.personB.id}`, payload: () => ({ payload: { changes: { ethnicity: '汉族' }, reason: '越权修改', version: 1 } }) },
  { method: 'GET', route: '/api/people/:id/history', url: `/api/people/${x.personB.id}/history` },
  { method: 'GET', route: '/api/workers/:id', url: `/api/workers/${x.workerB.id}` },
  { method: 'PUT', route: '/api/workers/:id', url: `/api/workers/${x.workerB.id}`, payload: () => ({ payload: { changes: { 用工方式: '劳动合同' }, reason: '越权修改', version: 1 } }) },
  { method: 'GET', route: '/api/workers/:id/history', url: `/api/workers/${x.workerB.id}/history` },
  { method: 'GET', route: '/api/unit-records/:id', url: `/api/unit-records/${x.unitB.id}` },
  { method: 'PUT', route: '/api/unit-records/:id', url: `/api/unit-records/${x.unitB.id}`, payload: () => ({ payload: { changes: { 主要职责: '越权' }, reason: '越权修改', version: 1 } }) },
  { method: 'PUT', route: '/api/unit-records/:id/approval', url: `/api/unit-records/${x.unitB.id}/approval`, payload: () => ({ payload: { quotas: { 事业编制: 99 }, reason: '越权修改', version: 1, document: { no: '越权〔2026〕1号', date: '2026-11-20' } } }) },
  { method: 'GET', route: '/api/unit-records/:id/history', url: `/api/unit-records/${x.unitB.id}/history` },
  { method: 'GET', route: '/api/people/:id/id-number', url: `/api/people/${x.personB.id}/id-number` },
  { method: 'POST', route: '/api/import', url: '/api/import', payload: () => multipartBody('file', 'x.xlsx', Buffer.from('not a workbook')) },
  { method: 'GET', route: '/api/import/errors/:name', url: `/api/import/errors/${'a'.repeat(32)}.xlsx` },
  { method: 'GET', route: '/api/import/:id', url: `/api/import/${'a'.repeat(24)}` },
  { method: 'POST', route: '/api/check', url: '/api/check', payload: () => ({ payload: {} }) },
  { method: 'GET', route: '/api/check/runs/:id', url: '/api/check/runs/1' },
  { method: 'GET', route: '/api/export/data', url: '/api/export/data?fullIds=1' },
  { method: 'GET', route: '/api/template', url: '/api/template' },
  { method: 'GET', route: '/api/requests', url: `/api/requests?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/requests/:id', url: `/api/requests/${x.requestB}` },
  { method: 'POST', route: '/api/requests', url: '/api/requests', payload: () => ({ payload: { 申请类型: '用编计划', 单位ID: x.unitB.id, 编制类型: '行政编制', 数量: 1, 申请理由: '越权申请' } }) },
  { method: 'POST', route: '/api/requests/:id/resubmit', url: `/api/requests/${x.requestB}/resubmit`, payload: () => ({ payload: {} }) },
  { method: 'POST', route: '/api/requests/:id/review', url: `/api/requests/${x.requestB}/review`, payload: () => ({ payload: { decision: 'reject', comment: '越权' } }) },
  { method: 'POST', route: '/api/requests/:id/decide', url: `/api/requests/${x.requestB}/decide`, payload: () => ({ payload: { decision: 'approve' } }) },
  { method: 'POST', route: '/api/requests/:id/withdraw', url: `/api/requests/${x.requestB}/withdraw`, payload: () => ({ payload: {} }) },
  // Issue 18: the 《人员入(出)编登记表》 of another unit's request, and the office's register filtered to that unit.
  { method: 'GET', route: '/api/requests/:id/registration-form', url: `/api/requests/${x.requestB}/registration-form` },
  { method: 'GET', route: '/api/requests/:id/registration-form.pdf', url: `/api/requests/${x.requestB}/registration-form.pdf` },
  { method: 'GET', route: '/api/requests/:id/registration-form.docx', url: `/api/requests/${x.requestB}/registration-form.docx` },
  { method: 'GET', route: '/api/registration-forms', url: `/api/registration-forms?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/registration-forms.xlsx', url: `/api/registration-forms.xlsx?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/units/:unit/availability', url: `/api/units/${x.unitB.id}/availability` },
  // The office's jobs and broadcast history: office roles only.
  { method: 'GET', route: '/api/jobs', url: '/api/jobs' },
  { method: 'PUT', route: '/api/jobs/:name/schedule', url: '/api/jobs/daily-check/schedule', payload: () => ({ payload: { enabled: false } }) },
  { method: 'POST', route: '/api/jobs/:name/run', url: '/api/jobs/daily-check/run', payload: () => ({ payload: {} }) },
  { method: 'GET', route: '/api/jobs/:name/runs', url: '/api/jobs/daily-check/runs' },
  { method: 'GET', route: '/api/jobs/runs/:id', url: '/api/jobs/runs/1' },
  { method: 'GET', route: '/api/broadcasts', url: `/api/broadcasts?group=${encodeURIComponent(String(x.unitB.group_id ?? ''))}` },
  // The office's rhythm: another unit's score history; the office's own actions and settings.
  { method: 'GET', route: '/api/units/:unit/scores', url: `/api/units/${x.unitB.id}/scores` },
  { method: 'POST', route: '/api/rankings/:month/publish', url: '/api/rankings/2026-10/publish', payload: () => ({ payload: {} }) },
  { method: 'PUT', route: '/api/score-policy', url: '/api/score-policy', payload: () => ({ payload: { autoBroadcast: true } }) },
  { method: 'POST', route: '/api/weekly/send', url: '/api/weekly/send', payload: () => ({ payload: {} }) },
  { method: 'PUT', route: '/api/weekly/settings', url: '/api/weekly/settings', payload: () => ({ payload: { requestLimitWorkdays: 9 } }) },
  { method: 'GET', route: '/api/locks', url: '/api/locks' },
  { method: 'POST', route: '/api/users/:id/unlock', url: `/api/users/${encodeURIComponent(x.unlockUser)}/unlock`, payload: () => ({ payload: { note: '越权解锁' } }) },
  { method: 'GET', route: '/api/message-budget', url: '/api/message-budget' },
  // 月度核账: another unit's 核账清单 and confirmation; the office's list, its export, 催办 and setting.
  { method: 'GET', route: '/api/monthly-confirmations/units/:unit', url: `/api/monthly-confirmations/units/${x.unitB.id}` },
  { method: 'POST', route: '/api/monthly-confirmations/units/:unit/confirm', url: `/api/monthly-confirmations/units/${x.unitB.id}/confirm`, payload: () => ({ payload: { confirmRed: true, note: '越权确认' } }) },
  { method: 'GET', route: '/api/monthly-confirmations', url: '/api/monthly-confirmations' },
  { method: 'GET', route: '/api/monthly-confirmations/export', url: '/api/monthly-confirmations/export' },
  { method: 'GET', route: '/api/monthly-confirmations/settings', url: '/api/monthly-confirmations/settings' },
  { method: 'PUT', route: '/api/monthly-confirmations/settings', url: '/api/monthly-confirmations/settings', payload: () => ({ payload: { dueKind: 'day', dueDay: 9 } }) },
  { method: 'POST', route: '/api/monthly-confirmations/remind', url: '/api/monthly-confirmations/remind', payload: () => ({ payload: {} }) },
  { method: 'PUT', route: '/api/message-budget', url: '/api/message-budget', payload: () => ({ payload: { sandbox: 1 } }) },
  // The working-day calendar: office roles read it, only the 编办管理员 changes it.
  { method: 'GET', route: '/api/calendar', url: '/api/calendar?year=2027' },
  { method: 'PUT', route: '/api/calendar', url: '/api/calendar', payload: () => ({ payload: { dates: ['2027-01-01'], work: false, note: '越权' } }) },
  { method: 'GET', route: '/api/units/:unit/portrait', url: `/api/units/${x.unitB.id}/portrait` },
  { method: 'PUT', route: '/api/towns/thresholds', url: '/api/towns/thresholds', payload: () => ({ payload: { greenSaturation: 50 } }) },
  { method: 'POST', route: '/api/towns/map', url: '/api/towns/map', payload: () => ({ payload: { geojson: '{"type":"FeatureCollection","features":[]}' } }) },
  { method: 'DELETE', route: '/api/towns/map', url: '/api/towns/map' },
  // The retirement forecast of another unit; the office's reports and its sector mapping.
  { method: 'GET', route: '/api/forecast', url: `/api/forecast?years=5&unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/sectors', url: '/api/sectors' },
  { method: 'PUT', route: '/api/sectors', url: '/api/sectors', payload: () => ({ payload: { units: { [String(x.unitB.id)]: '教育' } } }) },
  { method: 'GET', route: '/api/reports', url: '/api/reports' },
  { method: 'GET', route: '/api/reports/:file', url: '/api/reports/admin-quota.xlsx' },
  { method: 'POST', route: '/api/reports/generate', url: '/api/reports/generate', payload: () => ({ payload: {} }) },
  // The quarterly analysis report and the AI drafts: office roles only.
  { method: 'GET', route: '/api/reports/quarterly.docx', url: '/api/reports/quarterly.docx?quarter=2026Q3' },
  { method: 'GET', route: '/api/reports/quarterly.pdf', url: '/api/reports/quarterly.pdf?quarter=2026Q3' },
  { method: 'GET', route: '/api/analysis/:kind/:period', url: '/api/analysis/quarterly/2026Q3' },
  { method: 'PUT', route: '/api/analysis/:kind/:period', url: '/api/analysis/quarterly/2026Q3', payload: () => ({ payload: { text: '越权修改' } }) },
  { method: 'POST', route: '/api/analysis/:kind/:period/draft', url: '/api/analysis/negative-list/2026-10/draft', payload: () => ({ payload: {} }) },
  // 已说明差异: marking, withdrawing and reviewing are the office's; the evidence is the unit's.
  { method: 'POST', route: '/api/explanations', url: '/api/explanations', payload: () => ({ payload: { findingId: x.findingX, reason: '借调', reasonText: '越权', evidenceNo: '越权〔2026〕1号' } }) },
  { method: 'POST', route: '/api/explanations/:id/withdraw', url: `/api/explanations/${x.explanation}/withdraw`, payload: () => ({ payload: { reason: '越权' } }) },
  { method: 'POST', route: '/api/explanations/:id/review', url: `/api/explanations/${x.explanation}/review`, payload: () => ({ payload: {} }) },
  { method: 'GET', route: '/api/explanations/:id/evidence', url: `/api/explanations/${x.explanation}/evidence` },
  // The other departments' rosters (外部数据): office roles only.
  { method: 'POST', route: '/api/feeds/:kind/import', url: '/api/feeds/si/import?month=2026-10', payload: () => multipartBody('file', 'si.xlsx', Buffer.from('not a workbook')) },
  { method: 'GET', route: '/api/feeds/import/:id', url: `/api/feeds/import/${'a'.repeat(24)}` },
  { method: 'GET', route: '/api/feeds/imports', url: '/api/feeds/imports?kind=si' },
  { method: 'GET', route: '/api/feeds/:kind/unmatched-units', url: '/api/feeds/si/unmatched-units' },
  { method: 'GET', route: '/api/feeds/:kind/candidates', url: '/api/feeds/si/candidates' },
  { method: 'GET', route: '/api/feeds/:kind/decisions', url: '/api/feeds/si/decisions' },
  { method: 'POST', route: '/api/feeds/:kind/links', url: '/api/feeds/si/links', payload: () => ({ payload: { sourceKey: 'a'.repeat(64), personId: Number(x.personB.id) } }) },
  { method: 'POST', route: '/api/feeds/:kind/no-match', url: '/api/feeds/si/no-match', payload: () => ({ payload: { sourceKey: 'a'.repeat(64) } }) },
  { method: 'POST', route: '/api/feeds/links/:id/withdraw', url: '/api/feeds/links/1/withdraw', payload: () => ({ payload: {} }) },
  { method: 'POST', route: '/api/feeds/no-match/:id/withdraw', url: '/api/feeds/no-match/1/withdraw', payload: () => ({ payload: {} }) },
  // The dashboard: another unit's people behind a figure.
  { method: 'GET', route: '/api/dashboard/drill/people', url: `/api/dashboard/drill/people?unit=${x.unitB.id}&dim=status&key=${encodeURIComponent('在编')}` },
  // 市县贯通: the counties' snapshots and keys, the city office's only.
  { method: 'GET', route: '/api/snapshots', url: '/api/snapshots' },
  { method: 'POST', route: '/api/snapshots', url: '/api/snapshots', payload: () => ({ payload: { data: Buffer.from('not a snapshot').toString('base64') } }) },
  { method: 'POST', route: '/api/snapshots/keys', url: '/api/snapshots/keys', payload: () => ({ payload: { region: '330604', publicKey: 'not a key' } }) },
  // The audit trail: the 数据安全管理员's only (三员分立: no other role, the 编办管理员 included).
  { method: 'GET', route: '/api/audit', url: `/api/audit?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/audit/export', url: `/api/audit/export?unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/audit/reviews', url: '/api/audit/reviews' },
  { method: 'GET', route: '/api/audit/integrity', url: '/api/audit/integrity' },
  { method: 'GET', route: '/api/audit/units', url: `/api/audit/units?q=${encodeURIComponent(String(x.unitB.name).slice(0, 2))}` },
  { method: 'POST', route: '/api/audit/reviews', url: '/api/audit/reviews', payload: () => ({ payload: { month: '2026-09' } }) },
  // The 错题本 (issue 18): the office writes guides and reads the county's most frequent mistakes.
  { method: 'PUT', route: '/api/fix-guides/:entry', url: '/api/fix-guides/P-ID-01', payload: () => ({ payload: { what: '越权', why: '越权', how: ['越权'], right: '越权', wrong: '越权', reason: '越权' } }) },
  { method: 'POST', route: '/api/fix-guides', url: '/api/fix-guides', payload: () => ({ payload: { title: '越权', what: '越权', why: '越权', how: ['越权'], right: '越权', wrong: '越权' } }) },
  { method: 'POST', route: '/api/fix-guides/:entry/restore', url: '/api/fix-guides/P-ID-01/restore', payload: () => ({ payload: { version: 0 } }) },
  { method: 'GET', route: '/api/mistakes', url: '/api/mistakes?month=2026-11' },
  { method: 'GET', route: '/api/mistakes/export', url: '/api/mistakes/export?month=2026-11' },
  // 首录人查询 (issue 18): the office's only; a county's office finds its county's records.
  { method: 'GET', route: '/api/provenance', url: `/api/provenance?user=${encodeURIComponent('系统')}&from=2000-01-01` },
  // The annual 决算 (office roles; a county's office its county) and another unit's 机构编制报告.
  { method: 'GET', route: '/api/reports/annual', url: '/api/reports/annual?year=2025' },
  { method: 'GET', route: '/api/reports/annual.xlsx', url: '/api/reports/annual.xlsx?year=2025' },
  { method: 'GET', route: '/api/reports/unit-annual.docx', url: `/api/reports/unit-annual.docx?year=2025&unit=${x.unitB.id}` },
  { method: 'GET', route: '/api/reports/unit-annual.xlsx', url: `/api/reports/unit-annual.xlsx?year=2025&unit=${x.unitB.id}` },
  // 年度预算: the office's list, its export, the round (the whole deployment's) and 催办; another unit's budget.
  { method: 'GET', route: '/api/budgets', url: '/api/budgets?year=2027' },
  { method: 'GET', route: '/api/budgets/export', url: '/api/budgets/export?year=2027' },
  { method: 'POST', route: '/api/budgets/rounds', url: '/api/budgets/rounds', payload: () => ({ payload: { year: 2028, dueOn: '2026-12-31' } }) },
  { method: 'POST', route: '/api/budgets/remind', url: '/api/budgets/remind', payload: () => ({ payload: { year: 2027 } }) },
  { method: 'GET', route: '/api/budgets/units/:unit', url: `/api/budgets/units/${x.unitB.id}?year=2027` },
  { method: 'PUT', route: '/api/budgets/units/:unit', url: `/api/budgets/units/${x.unitB.id}`, payload: () => ({ payload: { year: 2027, lines: [] } }) },
  { method: 'POST', route: '/api/budgets/units/:unit/submit', url: `/api/budgets/units/${x.unitB.id}/submit`, payload: () => ({ payload: { year: 2027, lines: [] } }) },
  { method: 'POST', route: '/api/budgets/units/:unit/review', url: `/api/budgets/units/${x.unitB.id}/review`, payload: () => ({ payload: { year: 2027, action: 'return', reason: '越权退回', version: 1 } }) },
  // 书面函告: the office's settings and the half-year run (every county's units); another unit's notice, its file, reply and review.
  { method: 'GET', route: '/api/notices/settings', url: '/api/notices/settings' },
  { method: 'PUT', route: '/api/notices/settings', url: '/api/notices/settings', payload: () => ({ payload: { replyWorkdays: 3 } }) },
  { method: 'POST', route: '/api/notices/run', url: '/api/notices/run', payload: () => ({ payload: { half: '2026H1' } }) },
  { method: 'GET', route: '/api/notices/:id', url: `/api/notices/${x.notice}` },
  { method: 'GET', route: '/api/notices/:id/file', url: `/api/notices/${x.notice}/file?format=docx` },
  { method: 'POST', route: '/api/notices/:id/reply', url: `/api/notices/${x.notice}/reply`, payload: () => ({ payload: { text: '越权回复' } }) },
  { method: 'POST', route: '/api/notices/:id/review', url: `/api/notices/${x.notice}/review`, payload: () => ({ payload: { decision: 'close', note: '越权办结' } }) },
];

/** The routes only the 数据安全管理员 reaches (and it no other): checked below for the office. */
const SECURITY_ONLY = ['GET /api/audit', 'GET /api/audit/export', 'GET /api/audit/reviews', 'GET /api/audit/integrity', 'GET /api/audit/units', 'POST /api/audit/reviews'];

/** Routes that answer a unit role within its scope (its units' part of the week's list, its own scores) or hold no unit data (the published 红黑榜, the policy, the list's settings, the towns in its scope and the town map's shapes). */
const SCOPED = ['/api/weekly', '/api/weekly/export', '/api/weekly/settings', '/api/scores', '/api/rankings/:month', '/api/score-policy', '/api/towns', '/api/towns/map',
  '/api/dashboard/quotas', '/api/dashboard/structure', '/api/dashboard/quality', '/api/dashboard/retirements', '/api/dashboard/drill',
  '/api/monthly-confirmations/pending', '/api/fix-guides', '/api/fix-guides/:entry', '/api/budgets/pending', '/api/notices'];

/** Routes that answer every logged-in user about themselves, or only in their scope, or are not unit data. */
const LISTS = ['/api/findings', '/api/units', '/api/export/findings', '/api/explanations'];
const NOT_UNIT_DATA = ['/api/me', '/api/health', '/api/outbox/dead', '/api/outbox/stats', '/api/outbox/:id/resend'];
/** The user manuals (issue 18): every logged-in user reads both; no data of the office (the 数据安全管理员 is kept to the audit routes, checked below). */
const MANUALS = ['/api/manuals/images/:file', '/api/manuals/office.pdf', '/api/manuals/unit.pdf', '/api/manuals/:which'];

describe('scope', () => {
  it('found two units: a specialist\'s and another one outside its subtree', () => {
    expect(unitA && unitB && personB).toBeTruthy();
    expect(Number(personB.unit_id)).toBe(Number(unitB.id));
  });

  it('has a probe for every /api route', () => {
    const table = new Set([...probes().map((p) => `${p.method} ${p.route}`), ...[...LISTS, ...SCOPED].map((r) => `GET ${r}`)]);
    const missing = routesOf(a.app)
      .filter((r) => r.url.startsWith('/api/') && !NOT_UNIT_DATA.includes(r.url) && !MANUALS.includes(r.url))
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !table.has(k));
    expect(missing).toEqual([]);
    expect(routesOf(a.app).some((r) => r.url === '/api/people/:id/id-number' && r.method === 'GET')).toBe(true);
  });

  for (const who of ['specialist', 'leader'] as const) {
    it(`refuses every route on another unit's data to its ${who === 'specialist' ? '单位专管员' : '单位领导'}`, async () => {
      const s = who === 'specialist' ? specialistA : leaderA;
      const before = await a.t.db('record_versions').where({ entity: 'person', entity_id: personB.id }).count({ n: '*' }).first();
      for (const p of probes()) {
        const body = p.payload?.();
        const res = await a.app.inject({ method: p.method, url: p.url, headers: { ...(p.method === 'GET' ? s.read : s.write), ...body?.headers }, payload: body?.payload as any });
        expect([403, 404], `${p.method} ${p.url} → ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        expect(res.json().error, p.url).toMatch(/[\u4e00-\u9fff]/);
      }
      const after = await a.t.db('record_versions').where({ entity: 'person', entity_id: personB.id }).count({ n: '*' }).first();
      expect(Number(after!.n)).toBe(Number(before!.n));
      expect(await a.t.db('self_checks').where({ unit_id: unitB.id, user_id: s.userId }).first()).toBeUndefined();
    });

    it(`gives the ${who} lists without the other unit's rows`, async () => {
      const s = who === 'specialist' ? specialistA : leaderA;
      const scope = new Set(await subtreeIds(a.t.db, Number(unitA.id)));
      const codes = new Set((await a.t.db('units').whereIn('id', [...scope]).select('code')).map((u: Row) => u.code));
      const findings = (await a.app.inject({ method: 'GET', url: '/api/findings?status=all', headers: s.read })).json();
      expect(findings.every((f: Row) => codes.has(f.unit))).toBe(true);
      expect(findings.some((f: Row) => f.unit === unitB.code)).toBe(false);
      const units = (await a.app.inject({ method: 'GET', url: '/api/units', headers: s.read })).json();
      expect(units.map((u: Row) => u.code).sort()).toEqual([...codes].sort());
      const exp = await a.app.inject({ method: 'GET', url: '/api/export/findings', headers: s.read });
      expect(exp.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(exp.rawPayload as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('问题清单')!;
      const rowCodes: string[] = [];
      ws.eachRow((row, n) => { if (n > 1) rowCodes.push(String(row.getCell(4).value)); });
      expect(rowCodes.every((c) => codes.has(c))).toBe(true);
      expect(rowCodes).toHaveLength(findings.filter((f: Row) => f.light !== 'green').length);
      // The week's supervision list and the month's scores: only units in scope.
      const weekly = (await a.app.inject({ method: 'GET', url: '/api/weekly', headers: s.read })).json();
      const listed = weekly.regions.flatMap((r: Row) => r.units);
      expect(listed.every((l: Row) => scope.has(Number(l.unitId)))).toBe(true);
      const scores = (await a.app.inject({ method: 'GET', url: '/api/scores', headers: s.read })).json();
      expect(scores.scores.every((r: Row) => scope.has(Number(r.unitId)))).toBe(true);
      // The dashboard's drill-downs: only units in scope, never unit B.
      for (const q of ['dim=status&key=%E5%9C%A8%E7%BC%96', 'dim=light&key=green', 'dim=family&key=accuracy', 'dim=unitTotal&key=units']) {
        const drill = (await a.app.inject({ method: 'GET', url: `/api/dashboard/drill?${q}`, headers: s.read })).json();
        expect(drill.units.every((u: Row) => scope.has(Number(u.unitId))), q).toBe(true);
      }
      // 本月核账待确认: only units in scope.
      const pending = (await a.app.inject({ method: 'GET', url: '/api/monthly-confirmations/pending', headers: s.read })).json();
      expect(pending.every((p: Row) => scope.has(Number(p.unitId)))).toBe(true);
      // 已说明差异: only its units' mappings; the explained finding of B is not in its list either.
      const expl = (await a.app.inject({ method: 'GET', url: '/api/explanations?state=all', headers: s.read })).json();
      expect(expl.items.every((e: Row) => scope.has(Number(e.unitId)))).toBe(true);
      expect(expl.items.some((e: Row) => e.id === explanationB)).toBe(false);
      const quotas = (await a.app.inject({ method: 'GET', url: '/api/dashboard/quotas', headers: s.read })).json();
      expect(quotas.totals.units).toBe(scope.size);
      // 年度预算 to fill and 书面函告 to read: its own units only, never unit B's.
      const budgets = (await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: s.read })).json();
      expect(budgets.every((b: Row) => scope.has(Number(b.unitId)))).toBe(true);
      const notices = await a.app.inject({ method: 'GET', url: '/api/notices', headers: s.read });
      expect(notices.statusCode).toBe(200);
      expect(JSON.stringify(notices.json())).not.toContain(String(unitB.name));
    });
  }

  it('refuses every probe but the audit trail to the 数据安全管理员, and the audit trail to the 编办管理员', async () => {
    const security = await login(a.app, 'demo-security');
    expect(security.me.role).toBe('数据安全管理员');
    for (const p of probes()) {
      const body = p.payload?.();
      const key = `${p.method} ${p.route}`;
      const res = await a.app.inject({ method: p.method, url: p.url, headers: { ...(p.method === 'GET' ? security.read : security.write), ...body?.headers }, payload: body?.payload as any });
      if (SECURITY_ONLY.includes(key)) {
        expect(res.statusCode, `${key} → ${res.body.slice(0, 200)}`).toBe(200);
        const office = await a.app.inject({ method: p.method, url: p.url, headers: p.method === 'GET' ? admin.read : admin.write, payload: body?.payload as any });
        expect(office.statusCode, `${key} (编办管理员)`).toBe(403);
        continue;
      }
      expect(res.statusCode, `${key} → ${res.statusCode} ${res.body.slice(0, 200)}`).toBe(403);
      expect(res.json().error, key).toMatch(/[\u4e00-\u9fff]/);
    }
    // The manuals too: the session guard keeps it to the audit routes (SECURITY_API); its own duties are in the audit console.
    for (const r of MANUALS) expect((await a.app.inject({ method: 'GET', url: r.replace(':which', 'office').replace(':file', 'x.png'), headers: security.read })).statusCode, r).toBe(403);
    for (const r of [...LISTS, ...SCOPED]) expect((await a.app.inject({ method: 'GET', url: r.replace(':month', '2026-10'), headers: security.read })).statusCode, r).toBe(403);
  });

  it('lets the office see the other unit', async () => {
    const expl = (await a.app.inject({ method: 'GET', url: '/api/explanations?state=all', headers: admin.read })).json();
    expect(expl.items.map((e: Row) => e.id)).toContain(explanationB);
    const explained = (await a.app.inject({ method: 'GET', url: `/api/findings?unit=${unitB.id}&status=explained`, headers: admin.read })).json();
    expect(explained.map((f: Row) => [f.rule, f.status])).toEqual([['X-PY-01', 'explained']]);
    for (const url of [`/api/findings?unit=${unitB.code}`, `/api/people/${personB.id}`, `/api/people/${personB.id}/history`, `/api/explanations/${explanationB}/evidence`]) {
      expect((await a.app.inject({ method: 'GET', url, headers: admin.read })).statusCode, url).toBe(200);
    }
  });

  it('lets the specialist work on its own unit', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${unitA.code}`, headers: specialistA.read });
    expect(res.statusCode).toBe(200);
    const own = await a.app.inject({ method: 'POST', url: `/api/units/${unitA.code}/self-check`, headers: specialistA.write, payload: {} });
    expect(own.statusCode).toBe(200);
    expect(own.json().selfChecksThisMonth).toBeGreaterThanOrEqual(1);
    // …but its leader only reads.
    const lead = await a.app.inject({ method: 'POST', url: `/api/units/${unitA.code}/self-check`, headers: leaderA.write, payload: {} });
    expect(lead.statusCode).toBe(403);
  });

  it('keeps a unit whose credit code another unit shares (U-IN-06) apart from that other unit', async () => {
    const dup = await a.t.db('units').whereNot('code', '').select('code').count({ n: '*' }).groupBy('code').havingRaw('count(*) > 1').first() as Row | undefined;
    expect(dup, 'the demo county has a shared credit code').toBeTruthy();
    const [first, second] = await a.t.db('units').where({ code: dup!.code }).orderBy('id');
    const firstTree = await subtreeIds(a.t.db, Number(first.id));
    const secondTree = new Set(await subtreeIds(a.t.db, Number(second.id)));
    expect(firstTree.some((id) => !secondTree.has(id))).toBe(true);
    const at = '2026-11-23 09:00:00';
    await a.t.db('users').insert({ id: 'dup-zgy', name: '钱专管', role: '单位专管员', unit_code: second.code, unit_id: second.id, mobile: null, locked: false, created_at: at, updated_at: at });
    const s = await login(a.app, 'dup-zgy');
    const list = (await a.app.inject({ method: 'GET', url: `/api/findings?unit=${dup!.code}&status=all`, headers: s.read })).json() as Row[];
    const firstOnly = new Set((await a.t.db('findings').whereIn('unit_id', firstTree.filter((id) => !secondTree.has(id))).select('id')).map((r: Row) => Number(r.id)));
    expect(firstOnly.size).toBeGreaterThan(0);
    expect(list.some((f) => firstOnly.has(f.id))).toBe(false);
    // The export goes by the unit's id: its own unit, not the other one sharing the code.
    const exp = await a.app.inject({ method: 'GET', url: '/api/export/findings', headers: s.read });
    expect(exp.statusCode).toBe(200);
    const self = await a.app.inject({ method: 'POST', url: `/api/units/${dup!.code}/self-check`, headers: s.write, payload: {} });
    expect(self.statusCode).toBe(200);
    expect(await a.t.db('self_checks').where({ user_id: 'dup-zgy' }).pluck('unit_id')).toEqual([Number(second.id)]);
  });

  it('answers 404 for a unit or person that does not exist', async () => {
    expect((await a.app.inject({ method: 'GET', url: '/api/findings?unit=NOSUCHUNIT', headers: admin.read })).statusCode).toBe(404);
    expect((await a.app.inject({ method: 'GET', url: '/api/people/99999999', headers: admin.read })).statusCode).toBe(404);
    expect((await a.app.inject({ method: 'GET', url: '/api/people/abc', headers: admin.read })).statusCode).toBe(404);
  });
});

// 市县贯通: one deployment with two counties. A county's office (编办管理员 with 所属区划 330603)
// probes every route against the other county's unit, person, worker, request and user: refused,
// or answered without them (the routes it may read: its county's export, the calendar, the jobs'
// schedule, the message budget, the template, its county's locks); the office-wide actions are
// refused in Chinese. The city's office (no 所属区划) sees both counties.
describe('county and city office roles (市县贯通)', () => {
  let county: SecondCounty;
  let tgt: Target;
  let countyA: Session;
  let countyB: Session;
  let city: Session;
  let demoUnits: number[];
  /** Routes a county's office may call and that answer within its county (checked below) or hold no unit data. */
  const COUNTY_READS = ['GET /api/export/data', 'GET /api/template', 'GET /api/jobs', 'GET /api/message-budget', 'GET /api/calendar', 'GET /api/locks',
    'GET /api/monthly-confirmations', 'GET /api/monthly-confirmations/export', 'GET /api/monthly-confirmations/settings',
    'GET /api/mistakes', 'GET /api/mistakes/export', 'GET /api/provenance', 'GET /api/reports/annual', 'GET /api/reports/annual.xlsx',
    'GET /api/budgets', 'GET /api/budgets/export', 'GET /api/notices/settings'];
  /** Actions a county's office takes on its own county's units (checked below to leave the other county's alone). */
  const COUNTY_OWN = ['POST /api/monthly-confirmations/remind', 'POST /api/budgets/remind'];

  beforeAll(async () => {
    const db = a.t.db;
    demoUnits = (await db('units').pluck('id')).map(Number);
    county = await addSecondCounty(db, { units: 3 });
    const unit: Row = await db('units').where({ id: county.unitIds[0] }).first();
    const person: Row = await db('people').where({ unit_id: unit.id }).whereNot({ id: county.shared!.personB }).orderBy('id').first();
    const { id: _w, ...w } = (await db('workers').orderBy('id').first()) as Row;
    const [wid] = await db('workers').insert({ ...w, unit_id: unit.id, id_hash: null, id_enc: null });
    const at = '2026-11-23 09:00:00';
    await db('users').insert({ id: 'b-zgy', name: '上虞专管员', role: '单位专管员', unit_code: unit.code, unit_id: unit.id, mobile: null, locked: true, created_at: at, updated_at: at });
    const [rid] = await db('staffing_requests').insert({
      unit_id: unit.id, kind: '用编计划', quota_kind: '行政编制', count: 1, status: 'submitted', version: 1, requested_by: 'demo-admin', request_no: 'SQ2026-999998',
      payload: JSON.stringify({ kind: '用编计划', quotaKind: '行政编制', count: 1, reason: '补充', validUntil: '2027-05-23' }), created_at: at, updated_at: at,
    });
    const planted = await plantExplained(Number(unit.id));
    // The other county's budget, notice, and a record its 专管员 entered (首录人查询 by 系统 and by name).
    await plantBudget(Number(unit.id));
    const notice = await plantNotice(Number(unit.id), 2);
    await db('record_versions').insert({ entity: 'person', entity_id: person.id, version: 1000, changed_by: 'system', changed_at: '2026-11-20 08:00:00', source: '测试', before: null, after: JSON.stringify({ name: person.name }) });
    await db('record_versions').insert({ entity: 'person', entity_id: person.id, version: 1001, changed_by: 'b-zgy', changed_at: '2026-11-21 08:00:00', source: '测试', before: null, after: JSON.stringify({ name: person.name }) });
    tgt = { unitB: unit, personB: person, requestB: Number(rid), workerB: (await db('workers').where({ id: wid }).first()) as Row, unlockUser: 'b-zgy', findingX: planted.finding, explanation: planted.explanation, notice };
    await addOfficeUser(db, 'county-a-admin', '编办管理员', '330603');
    await addOfficeUser(db, 'county-b-admin', '编办管理员', '330604');
    await addOfficeUser(db, 'city-admin', '编办管理员', '330600');
    await dailyCheck(db, D0, 'http://127.0.0.1:3000');
    countyA = await login(a.app, 'county-a-admin');
    countyB = await login(a.app, 'county-b-admin');
    city = await login(a.app, 'city-admin');
  });

  it('scopes a county office role to its county and a city one to all', async () => {
    const me = (s: Session) => a.app.inject({ method: 'GET', url: '/api/units', headers: s.read }).then((r) => r.json().map((u: Row) => Number(u.id)).sort((x: number, y: number) => x - y));
    expect(await me(countyA)).toEqual([...demoUnits].sort((x, y) => x - y));
    expect(await me(countyB)).toEqual([...county.unitIds].sort((x, y) => x - y));
    expect((await me(city)).length).toBe(demoUnits.length + county.unitIds.length);
  });

  it('refuses every route on the other county\'s data, and the office-wide actions, to a county\'s office', async () => {
    const before = await a.t.db('record_versions').whereIn('entity', ['person', 'unit']).count({ n: '*' }).first();
    for (const p of probes(tgt)) {
      const body = p.payload?.();
      const res = await a.app.inject({ method: p.method, url: p.url, headers: { ...(p.method === 'GET' ? countyA.read : countyA.write), ...body?.headers }, payload: body?.payload as any });
      const key = `${p.method} ${p.route}`;
      if (COUNTY_READS.includes(key)) {
        expect(res.statusCode, `${key} → ${res.body.slice(0, 200)}`).toBe(200);
        continue;
      }
      if (COUNTY_OWN.includes(key)) {
        expect([200, 409], `${key} → ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        continue;
      }
      expect([400, 403, 404], `${key} → ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      expect(res.json().error, key).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const url of ['/api/outbox/dead', '/api/outbox/stats']) {
      const res = await a.app.inject({ method: 'GET', url, headers: countyA.read });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toContain('区县');
    }
    const after = await a.t.db('record_versions').whereIn('entity', ['person', 'unit']).count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n));
    expect(Number((await a.t.db('users').where({ id: 'b-zgy' }).first()).locked)).toBe(1);
    expect((await a.t.db('staffing_requests').where({ id: tgt.requestB }).first()).status).toBe('submitted');
    expect((await a.t.db('budgets').where({ unit_id: tgt.unitB.id, year: 2027 }).first()).state).toBe('submitted');
    expect(await a.t.db('budget_rounds').where({ year: 2028 }).first()).toBeUndefined();
    expect((await a.t.db('notices').where({ id: tgt.notice }).first()).reply_state).toBe('replied');
    expect(await a.t.db('notices').where({ half: '2026H1' }).whereNotIn('id', [noticeB, tgt.notice]).first()).toBeUndefined();
    // A refusal of an office-wide action says why.
    const cal = await a.app.inject({ method: 'PUT', url: '/api/calendar', headers: countyA.write, payload: { dates: ['2027-01-04'], work: false, note: '区县' } });
    expect(cal.json().error).toContain('涉及全市各区县');
    for (const [url, payload] of [['/api/budgets/rounds', { year: 2028, dueOn: '2026-12-31' }], ['/api/notices/run', { half: '2026H1' }]] as const) {
      const res = await a.app.inject({ method: 'POST', url, headers: countyA.write, payload });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error, url).toContain('涉及全市各区县');
    }
  });

  it('answers a county\'s office within its county: lists, dashboard, export, locks', async () => {
    const other = new Set(county.unitIds);
    const findings = (await a.app.inject({ method: 'GET', url: '/api/findings?status=all&limit=5000', headers: countyA.read })).json() as Row[];
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.some((f) => other.has(f.unitId))).toBe(false);
    const quotas = (await a.app.inject({ method: 'GET', url: '/api/dashboard/quotas', headers: countyA.read })).json();
    expect(quotas.totals.units).toBe(demoUnits.length);
    const quotasB = (await a.app.inject({ method: 'GET', url: '/api/dashboard/quotas', headers: countyB.read })).json();
    expect(quotasB.totals.units).toBe(county.unitIds.length);
    for (const q of ['dim=status&key=%E5%9C%A8%E7%BC%96', 'dim=unitTotal&key=units']) {
      const drill = (await a.app.inject({ method: 'GET', url: `/api/dashboard/drill?${q}`, headers: countyA.read })).json();
      expect(drill.units.some((u: Row) => other.has(Number(u.unitId))), q).toBe(false);
    }
    const weekly = (await a.app.inject({ method: 'GET', url: '/api/weekly', headers: countyA.read })).json();
    expect(weekly.regions.flatMap((r: Row) => r.units).some((l: Row) => other.has(Number(l.unitId)))).toBe(false);
    const scores = (await a.app.inject({ method: 'GET', url: '/api/scores', headers: countyA.read })).json();
    expect(scores.scores.some((r: Row) => other.has(Number(r.unitId)))).toBe(false);
    const requests = (await a.app.inject({ method: 'GET', url: '/api/requests', headers: countyA.read })).json() as Row[];
    expect(requests.some((r) => r.id === tgt.requestB)).toBe(false);
    // 本月高频错题 (错题本): the county's own findings only.
    const mistakesB = (await a.app.inject({ method: 'GET', url: '/api/mistakes?month=2026-11', headers: countyB.read })).json();
    const ownB = await a.t.db('findings').whereIn('unit_id', county.unitIds).where('opened_on', 'like', '2026-11-%').whereIn('status', ['open', 'resolved', 'explained']).count({ n: '*' }).first();
    expect(mistakesB.total).toBe(Number(ownB!.n));
    const locks = (await a.app.inject({ method: 'GET', url: '/api/locks', headers: countyA.read })).json();
    expect(locks.locks.some((l: Row) => l.user.id === 'b-zgy' || (l.unit && other.has(l.unit.id)))).toBe(false);
    // The export of units and people: the county's own, none of the other county's codes.
    const exp = await a.app.inject({ method: 'GET', url: '/api/export/data', headers: countyA.read });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exp.rawPayload as unknown as ArrayBuffer);
    const codesB = new Set((await a.t.db('units').whereIn('id', county.unitIds).pluck('code')) as string[]);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => { cells.push(String(c.value)); })));
    expect(cells.some((c) => codesB.has(c))).toBe(false);
    expect(cells.some((c) => c === unitA.code)).toBe(true);
    // 书面函告, 年度预算, 年度决算 and 首录人查询: the county's own units and records only.
    const notices = (await a.app.inject({ method: 'GET', url: '/api/notices', headers: countyA.read })).json();
    expect(JSON.stringify(notices)).not.toContain('上虞区');
    expect(JSON.stringify(notices)).toContain(String(unitB.name));
    const budgets = await a.app.inject({ method: 'GET', url: '/api/budgets?year=2027', headers: countyA.read });
    expect(budgets.statusCode).toBe(200);
    expect(budgets.json().rows.some((r: Row) => other.has(Number(r.unitId)))).toBe(false);
    const annual = (await a.app.inject({ method: 'GET', url: '/api/reports/annual?year=2025', headers: countyA.read })).json();
    expect(annual.units.length).toBeGreaterThan(0);
    expect(annual.units.some((u: Row) => other.has(Number(u.id)))).toBe(false);
    for (const who of ['系统', 'b-zgy', '上虞']) {
      for (const kind of ['first', 'last']) {
        const prov = (await a.app.inject({ method: 'GET', url: `/api/provenance?user=${encodeURIComponent(who)}&kind=${kind}&from=2000-01-01`, headers: countyA.read })).json();
        expect(prov.records.some((r: Row) => other.has(Number(r.unitId))), `${who} ${kind}`).toBe(false);
        expect(prov.users.some((u: Row) => u.id === 'b-zgy'), who).toBe(false);
      }
    }
    const own = (await a.app.inject({ method: 'GET', url: '/api/provenance?user=b-zgy&kind=last&from=2000-01-01', headers: countyB.read })).json();
    expect(own.records.map((r: Row) => [r.entity, r.id])).toEqual([['person', Number(tgt.personB.id)]]);
  });

  it('lets the city\'s office see and work on both counties', async () => {
    for (const url of [`/api/findings?unit=${tgt.unitB.id}`, `/api/people/${tgt.personB.id}`, `/api/unit-records/${tgt.unitB.id}`, `/api/requests/${tgt.requestB}`, `/api/people/${personB.id}`]) {
      expect((await a.app.inject({ method: 'GET', url, headers: city.read })).statusCode, url).toBe(200);
    }
    expect((await a.app.inject({ method: 'GET', url: '/api/snapshots', headers: city.read })).statusCode).toBe(200);
    const quotas = (await a.app.inject({ method: 'GET', url: '/api/dashboard/quotas', headers: city.read })).json();
    expect(quotas.totals.units).toBe(demoUnits.length + county.unitIds.length);
  });

  it('sends a locked user of a county to the city\'s and that county\'s 编办管理员, not another county\'s', async () => {
    const notice = await lockNotice(a.t.db, 'b-zgy');
    const names = new Set(notice!.unlockers.map((u) => u.name));
    expect(names.has('330604编办管理员')).toBe(true);
    expect(names.has('330600编办管理员')).toBe(true);
    expect(names.has('330603编办管理员')).toBe(false);
  });

  it('answers the robot\'s 查 within the county (the copies share names; the other county\'s units are 上虞区…)', async () => {
    const text = (m: OutboundMessage) => ('text' in m ? m.text : m.content);
    const asked = `查 ${tgt.personB.name}`;
    expect(text(await answer(a.t.db, 'city-admin', '市级', asked, D0))).toContain('上虞区');
    const own = text(await answer(a.t.db, 'county-a-admin', '柯桥', asked, D0));
    expect(own).toContain(tgt.personB.name);
    expect(own).not.toContain('上虞区');
  });

  it('fires P-ID-11 across counties; each county\'s office sees its own person\'s finding only', async () => {
    const { personA, personB: personInB } = county.shared!;
    const seen = async (s: Session) => ((await a.app.inject({ method: 'GET', url: '/api/findings?rule=P-ID-11&limit=5000', headers: s.read })).json() as Row[])
      .filter((f) => f.subject.kind === 'person' && [personA, personInB].includes(f.subject.id)).map((f) => f.subject.id);
    expect(await seen(countyA)).toEqual([personA]);
    expect(await seen(countyB)).toEqual([personInB]);
    expect((await seen(city)).sort((x, y) => x - y)).toEqual([personA, personInB].sort((x, y) => x - y));
  });
});
