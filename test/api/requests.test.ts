// The requests API as the mini-app and the console call it: availability, submit, 初审, 终审, the
// loser of a second decision told who decided, refusals as 409/422 with Chinese reasons.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idRow } from '../../db/store.ts';
import { login, startApp, type ApiTestApp } from './helpers.ts';

const AT = '2026-01-01 00:00:00';
const CODE = '11330603MB0000007X';
let a: ApiTestApp;
let unitId: number;

beforeAll(async () => {
  a = await startApp({ seed: false });
  const db = a.t.db;
  [unitId] = (await db('units').insert({ code: CODE, name: '接口局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  await db('quotas').insert({ unit_id: unitId, kind: '行政编制', approved: 2 });
  await db('leader_posts').insert({ unit_id: unitId, kind: '单位正职', approved: 1 });
  await db('users').insert([
    { id: 'spec', name: '专管员', role: '单位专管员', unit_id: unitId, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead', name: '领导甲', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
}, 120_000);
afterAll(async () => { await a?.close(); });

describe('/api/requests', () => {
  it('shows 可用 before the form, submits, reviews, decides once', async () => {
    const spec = await login(a.app, 'spec');
    const av = await a.app.inject({ method: 'GET', url: `/api/units/${unitId}/availability`, headers: spec.read });
    expect(av.statusCode).toBe(200);
    expect(av.json()).toMatchObject({ quotas: [{ kind: '行政编制', approved: 2, actual: 0, inTransit: 0, available: 2 }], posts: expect.arrayContaining([{ kind: '单位正职', approved: 1, holders: 0, available: 1 }]) });

    const bad = await a.app.inject({ method: 'POST', url: '/api/requests', headers: spec.write, payload: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '编制', 数量: 1 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().fields).toMatchObject({ 编制类型: expect.stringContaining('行政编制'), 申请理由: '请填写申请理由' });
    const over = await a.app.inject({ method: 'POST', url: '/api/requests', headers: spec.write, payload: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 3, 申请理由: '补充' } });
    expect(over.statusCode).toBe(409);
    expect(over.json().reasons).toEqual(['行政编制可用编制不足：核定 2，实有 0，在途 0，可用 2，申请 3 名']);

    const s = await a.app.inject({ method: 'POST', url: '/api/requests', headers: spec.write, payload: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 2, 申请理由: '补充' } });
    expect(s.statusCode).toBe(201);
    const id = s.json().id;
    const clerk = await login(a.app, 'clerk');
    const r = await a.app.inject({ method: 'POST', url: `/api/requests/${id}/review`, headers: clerk.write, payload: { decision: 'pass', comment: '同意报送' } });
    expect(r.statusCode, r.body).toBe(200);
    const lead = await login(a.app, 'lead');
    // What waits for the 分管领导 (his console home's 待终审 N 件 and the first section of his tab): the reviewed request.
    const mine = await a.app.inject({ method: 'GET', url: '/api/requests?state=reviewed', headers: lead.read });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().map((x: { id: number; state: string }) => [x.id, x.state])).toEqual([[id, 'reviewed']]);
    expect((await a.app.inject({ method: 'GET', url: '/api/requests?state=submitted', headers: lead.read })).json()).toEqual([]);
    const d = await a.app.inject({ method: 'POST', url: `/api/requests/${id}/decide`, headers: lead.write, payload: { decision: 'approve', comment: '同意' } });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().request.state).toBe('approved');
    expect((await a.app.inject({ method: 'GET', url: '/api/requests?state=reviewed', headers: lead.read })).json()).toEqual([]);
    const d2 = await a.app.inject({ method: 'POST', url: `/api/requests/${id}/decide`, headers: lead.write, payload: { decision: 'approve' } });
    expect(d2.statusCode).toBe(409);
    expect(d2.json().error).toMatch(/^该申请已由领导甲于.+终审（已批准），无需重复操作$/);

    const one = await a.app.inject({ method: 'GET', url: `/api/requests/${id}`, headers: spec.read });
    expect(one.json().steps.map((x: { decision: string }) => x.decision)).toEqual(['submit', 'pass', 'approve']);
    const list = await a.app.inject({ method: 'GET', url: '/api/requests?state=approved', headers: spec.read });
    expect(list.json().map((x: { id: number }) => x.id)).toEqual([id]);
    const after = await a.app.inject({ method: 'GET', url: `/api/units/${unitId}/availability`, headers: spec.read });
    expect(after.json().quotas[0]).toMatchObject({ inTransit: 2, available: 0 });
  });

  it('takes 人员ID for 减人出编 (a unit sees ID numbers only masked), within the actor\'s scope', async () => {
    const db = a.t.db;
    const [otherUnit] = (await db('units').insert({ code: '11330603MB0000008X', name: '别的局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
    const person = (u: number, name: string, idn: string) => ({ unit_id: u, name, status: '在编', quota_kind: '行政编制', ...idRow(idn, a.t.pii, '2026-11-23'), created_at: AT, updated_at: AT });
    const [pid] = (await db('people').insert(person(unitId, '出编甲', '110105195001010014'))).map(Number);
    const [otherPid] = (await db('people').insert(person(otherUnit, '别人', '110105195001010030'))).map(Number);
    const spec = await login(a.app, 'spec');
    const post = (payload: object) => a.app.inject({ method: 'POST', url: '/api/requests', headers: spec.write, payload });
    const ok = await post({ 申请类型: '减人出编', 单位ID: unitId, 人员ID: pid, 身份证号: '110105********0014', 出编原因: '退休', 出编日期: '2026-11-23' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().request).toMatchObject({ kind: '减人出编', person: { id: pid, name: '出编甲' } });
    expect(ok.body).not.toContain('110105195001010014');
    expect((await post({ 申请类型: '减人出编', 单位ID: unitId, 人员ID: otherPid, 出编原因: '退休', 出编日期: '2026-11-23' })).statusCode).toBe(403);
    const none = await post({ 申请类型: '减人出编', 单位ID: unitId, 人员ID: 999999, 出编原因: '退休', 出编日期: '2026-11-23' });
    expect(none.statusCode).toBe(422);
    expect(none.json().fields).toEqual({ 人员ID: '没有该人员' });
    // The form's choice of a person: the unit's 在编 people, masked.
    const av = (await a.app.inject({ method: 'GET', url: `/api/units/${unitId}/availability?people=1`, headers: spec.read })).json();
    expect(av.people).toEqual([{ id: pid, name: '出编甲', idMasked: expect.stringContaining('*'), quotaKind: '行政编制', leaderLevel: null }]);
    expect(JSON.stringify(av)).not.toContain('110105195001010014');
  });
});
