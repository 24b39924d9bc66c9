// Staffing requests end to end on the real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql):
// submit → 初审 → 终审 with their effects and the re-check resolving what they fix, the refusals,
// a unit suspended while its request waits, repeated and concurrent decisions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../core/idnumber.ts';
import { recheckRecord } from '../../commands/daily-check.ts';
import { decideRequest } from '../../commands/decide-request.ts';
import { listRequests, type RequestActor, type RequestDeps } from '../../commands/request-effects.ts';
import { reviewRequest } from '../../commands/review-request.ts';
import { resubmitRequest, submitRequest } from '../../commands/submit-request.ts';
import { withdrawRequest } from '../../commands/withdraw-request.ts';
import { expirePlans } from '../../commands/expire-plans.ts';
import { CommandError } from '../../commands/errors.ts';
import { unitAvailability } from '../../db/requests.ts';
import { personRow } from '../../db/store.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-23';
const AT = '2026-01-01 00:00:00';
const CODE = '11330603MB0000001X';
let t: TestDb;
let deps: RequestDeps;
let unitId: number;
let otherUnitId: number;

const idNo = (birth: string, seq: number, region = '330603') => {
  const body = `${region}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return body + idCheckChar(body);
};
const RETIRED = idNo('1960-03-15', 11); // 男, 60 in 2020: P-RT-01
const P2 = idNo('1985-05-05', 13);
const P3 = idNo('1988-06-06', 15);
const ELSEWHERE = idNo('1990-07-07', 17);
const NEWCOMER = idNo('1995-08-08', 19);

const actor = async (id: string): Promise<RequestActor> => {
  const u = await t.db('users').where({ id }).first();
  return { id, role: u.role, scope: u.role === '单位专管员' ? [unitId] : null };
};

async function addPerson(unit: number, id: string, name: string, extra: Record<string, string | null> = {}) {
  const row = personRow({ unitCode: CODE, idNumber: id, name, gender: '男', status: '在编', quotaKind: '行政编制', identity: '干部', enteredOn: '2010-01-01', workStartOn: '2008-07-01', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, education: '大学本科', leaderLevel: '非领导', ...extra } as any, unit, t.pii, TODAY);
  await t.db('people').insert({ ...row, created_at: AT, updated_at: AT });
}

beforeAll(async () => {
  t = await createTestDb();
  deps = { db: t.db, pii: t.pii, today: TODAY, publicBaseUrl: 'http://127.0.0.1:3000' };
  const unit = { code: CODE, name: '测试局', region_code: '330603', region_name: '柯桥区', level: '正科级', created_at: AT, updated_at: AT };
  [unitId] = (await t.db('units').insert(unit)).map(Number);
  [otherUnitId] = (await t.db('units').insert({ ...unit, code: '11330603MB0000002X', name: '另一局' })).map(Number);
  await t.db('quotas').insert([{ unit_id: unitId, kind: '行政编制', approved: 2 }, { unit_id: otherUnitId, kind: '行政编制', approved: 5 }]);
  await t.db('leader_posts').insert([{ unit_id: unitId, kind: '单位副职', approved: 1 }, { unit_id: unitId, kind: '单位正职', approved: 1 }]);
  await t.db('users').insert([
    { id: 'spec', name: '专管员小王', role: '单位专管员', unit_id: unitId, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科小李', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead1', name: '张主任', role: '分管领导', created_at: AT, updated_at: AT },
    { id: 'lead2', name: '赵主任', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
  await addPerson(unitId, RETIRED, '老周');
  await addPerson(unitId, P2, '小吴', { leaderLevel: '单位副职' });
  await addPerson(unitId, P3, '小郑');
  await addPerson(otherUnitId, ELSEWHERE, '外单位甲');
  await recheckRecord(t.db, { unitId }, TODAY);
  await recheckRecord(t.db, { personHash: t.pii.hash(RETIRED) }, TODAY);
});
afterAll(async () => { await t?.close(); });

const openRules = async () => (await t.db('findings').where({ unit_id: unitId, status: 'open' }).select('rule', 'qualifier')).map((r) => r.rule);
const refusal = async (p: Promise<unknown>): Promise<CommandError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof CommandError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('requests', () => {
  it('starts with the unit 超编 and a retired person on quota', async () => {
    expect(await openRules()).toEqual(expect.arrayContaining(['U-QT-01', 'P-RT-01']));
    const a = await unitAvailability(t.db, unitId, TODAY);
    expect(a.quotas).toEqual([expect.objectContaining({ kind: '行政编制', approved: 2, actual: 3, inTransit: 0, available: 0, over: 1 })]);
    expect(a.posts.find((p) => p.kind === '单位副职')).toEqual({ kind: '单位副职', approved: 1, holders: 1, available: 0 });
  });

  it('refuses a 用编计划 of an over-staffed unit with the figures', async () => {
    const e = await refusal(submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '用编计划', 统一社会信用代码: CODE, 编制类型: '行政编制', 数量: 1, 申请理由: '补充' } }));
    expect(e.status).toBe(409);
    expect(e.message).toBe('不予办理：行政编制可用编制不足：核定 2，实有 3，在途 0，可用 0，申请 1 名（已超编 1 名，超编单位冻结用编）');
  });

  it('refuses bad input naming the field, and other units', async () => {
    const e = await refusal(submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '减人出编', 单位ID: unitId, 身份证号: RETIRED, 出编原因: '开除', 出编日期: '2026-02-30' } }));
    expect(e.status).toBe(422);
    expect(Object.keys(e.fields!)).toEqual(['出编原因', '出编日期']);
    const o = await refusal(submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '减人出编', 单位ID: otherUnitId, 身份证号: ELSEWHERE, 出编原因: '退休', 出编日期: TODAY } }));
    expect(o.status).toBe(403);
    const n = await refusal(submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '减人出编', 单位ID: unitId, 身份证号: ELSEWHERE, 出编原因: '调出', 出编日期: TODAY } }));
    expect(n.message).toContain('测试局没有该身份证号的人员');
    const l = await refusal(submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '领导职数使用', 单位ID: unitId, 身份证号: P3, 领导职务层次: '单位副职', 申请理由: '提拔' } }));
    expect(l.message).toContain('单位副职职数已满：核定 1，现有 1 人');
    const x = await refusal(submitRequest(deps, { actor: await actor('clerk'), request: { 申请类型: '增人入编', 单位ID: unitId, 身份证号: ELSEWHERE, 姓名: '外单位甲', 使用编制类型: '行政编制' } }));
    expect(x.message).toContain('该身份证号已在另一局在编，一人只能占用一个编制');
  });

  it('减人出编: submitted, passed at 初审 (card to each 分管领导), approved once under two leaders at once; the person leaves, the findings resolve', async () => {
    const s = await submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '减人出编', 统一社会信用代码: CODE, 身份证号: RETIRED, 出编原因: '退休', 出编日期: '2026-11-20', 申请理由: '已到退休年龄' } });
    expect(s.state).toBe('submitted');
    expect(s.no).toMatch(/^SQ2\d{3}-\d{6}$/);
    const stored = await t.db('staffing_requests').where({ id: s.id }).first();
    expect(stored.payload).not.toContain(RETIRED);
    expect(stored.id_masked).toBe('330603***********' + RETIRED.slice(-1));

    const r = await reviewRequest(deps, { actor: await actor('clerk'), id: s.id, decision: 'pass', comment: '材料齐全' });
    expect(r.request.state).toBe('reviewed');
    expect(r.deciders).toEqual(['lead1', 'lead2']);
    const create = await t.db('outbox').where({ op: 'createCard' }).where('dedup_key', 'like', `request:${s.id}:%`).first();
    const card = JSON.parse(create.payload);
    expect(card.target).toEqual({ kind: 'users', userIds: ['lead1', 'lead2'] });
    expect(card.card).toMatchObject({ template: 'approval', cardId: `request:${s.id}`, data: { status: 'pending', canDecide: 'false' }, privateData: { lead1: { canDecide: 'true' } } });
    expect(card.card.data.markdown).toContain('退休出编');

    const [a, b] = await Promise.all([
      decideRequest(deps, { actor: await actor('lead1'), id: s.id, decision: 'approve', comment: '同意' }),
      decideRequest(deps, { actor: await actor('lead2'), id: s.id, decision: 'approve' }),
    ]);
    const outcomes = [a.outcome, b.outcome].sort();
    expect(outcomes).toEqual(['already', 'decided']);
    const won = a.outcome === 'decided' ? a : b;
    const lost = a.outcome === 'decided' ? b : a;
    if (lost.outcome !== 'already' || won.outcome !== 'decided') throw new Error('unreachable');
    expect(lost.message).toMatch(/^该申请已由(张主任|赵主任)于\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}终审（已批准），无需重复操作$/);
    expect(won.card.data).toMatchObject({ status: 'approved', statusText: '已批准' });
    expect(won.card.privateData?.lead1).toEqual({ canDecide: 'false' });

    const person = await t.db('people').where({ id_hash: t.pii.hash(RETIRED) }).first();
    expect(person).toMatchObject({ status: '已出编', exit_on: '2026-11-20', exit_reason: '退休' });
    const versions = await t.db('record_versions').where({ entity: 'person', entity_id: person.id });
    expect(versions.map((v) => v.source)).toEqual([`审批：${s.no}`]);
    expect(await t.db('request_steps').where({ request_id: s.id, decision: 'approve' })).toHaveLength(1);
    expect(await t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', 'like', `request:${s.id}:%`)).toHaveLength(1);
    const told = await t.db('outbox').where({ op: 'send' }).where('dedup_key', 'like', `request:${s.id}:outcome%`);
    expect(told).toHaveLength(1);
    expect(JSON.parse(told[0].payload).target).toEqual({ kind: 'users', userIds: ['spec'] });

    // The re-check at once: 超编 and 退休未出编 resolved.
    expect(won.recheck?.findings.resolved).toBeGreaterThanOrEqual(2);
    expect(await openRules()).not.toContain('U-QT-01');
    expect(await openRules()).not.toContain('P-RT-01');

    // A re-delivered callback later: nothing more.
    const again = await decideRequest(deps, { actor: await actor('lead1'), id: s.id, decision: 'reject' });
    expect(again.outcome).toBe('already');
    expect(await t.db('request_steps').where({ request_id: s.id })).toHaveLength(3);
  });

  it('用编计划 approved counts 在途; an 增人入编 uses its reservation and enters the person', async () => {
    const spec = await actor('spec');
    // 核定 2, 实有 2: 满编, frozen.
    const full = await refusal(submitRequest(deps, { actor: spec, request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '补充' } }));
    expect(full.message).toContain('已满编，满编单位冻结用编');
    await t.db('quotas').where({ unit_id: unitId, kind: '行政编制' }).update({ approved: 3 });
    const plan = await submitRequest(deps, { actor: spec, request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '补充', 有效期至: '2027-03-31' } });
    await reviewRequest(deps, { actor: await actor('clerk'), id: plan.id, decision: 'pass' });
    const d = await decideRequest(deps, { actor: await actor('lead2'), id: plan.id, decision: 'approve' });
    expect(d.outcome).toBe('decided');
    expect((await unitAvailability(t.db, unitId, TODAY)).quotas[0]).toMatchObject({ approved: 3, actual: 2, inTransit: 1, available: 0 });
    // Without the plan there is no room; with it there is.
    const noRoom = await refusal(submitRequest(deps, { actor: spec, request: { 申请类型: '增人入编', 单位ID: unitId, 身份证号: NEWCOMER, 姓名: '新人', 性别: '男', 出生日期: '1995-08-08', 使用编制类型: '行政编制', 人员身份: '干部', 参加工作时间: '2018-07-01', 学历: '大学本科' } }));
    expect(noRoom.message).toContain('可用 0');
    const entry = await submitRequest(deps, { actor: spec, request: { 申请类型: '增人入编', 单位ID: unitId, 身份证号: NEWCOMER, 姓名: '新人', 性别: '男', 出生日期: '1995-08-08', 使用编制类型: '行政编制', 人员身份: '干部', 参加工作时间: '2018-07-01', 学历: '大学本科', 用编计划编号: plan.no } });
    expect((await t.db('staffing_requests').where({ id: entry.id }).first()).payload).not.toContain(NEWCOMER);
    await reviewRequest(deps, { actor: await actor('clerk'), id: entry.id, decision: 'pass' });
    const e = await decideRequest(deps, { actor: await actor('lead1'), id: entry.id, decision: 'approve', comment: '同意入编' });
    expect(e.outcome).toBe('decided');
    const p = await t.db('people').where({ id_hash: t.pii.hash(NEWCOMER) });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ unit_id: unitId, status: '在编', quota_kind: '行政编制', name: '新人' });
    expect((await t.db('staffing_requests').where({ id: plan.id }).first()).completed_on).toBe(TODAY);
    expect((await unitAvailability(t.db, unitId, TODAY)).quotas[0]).toMatchObject({ approved: 3, actual: 3, inTransit: 0, available: 0 });
  });

  it('a request whose unit is suspended while it waits: the approval is refused with the reason, the state unchanged', async () => {
    await t.db('quotas').where({ unit_id: unitId, kind: '行政编制' }).update({ approved: 5 });
    const plan = await submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '补充' } });
    await reviewRequest(deps, { actor: await actor('clerk'), id: plan.id, decision: 'pass' });
    await t.db('sanctions').insert({ unit_id: unitId, kind: 'suspension', month: '2026-10', starts_on: '2026-11-01', ends_on: '2027-01-31', months: 3, consecutive_red: 3, reason: '测试局连续3个月亮红灯', created_at: AT });
    const e = await refusal(decideRequest(deps, { actor: await actor('lead1'), id: plan.id, decision: 'approve' }));
    expect(e.status).toBe(409);
    expect(e.message).toBe('不予办理：本单位被暂停办理机构编制事项至2027-01-31（测试局连续3个月亮红灯），暂停期间不予受理');
    const row = await t.db('staffing_requests').where({ id: plan.id }).first();
    expect(row.status).toBe('reviewed');
    // A rejection still goes through.
    const r = await decideRequest(deps, { actor: await actor('lead1'), id: plan.id, decision: 'reject', comment: '暂停期间' });
    expect(r.outcome === 'decided' && r.card.data.resultText).toContain('意见：暂停期间');
    await t.db('sanctions').where({ unit_id: unitId }).delete();
  });

  it('return, resubmit, withdraw, and the roles', async () => {
    const spec = await actor('spec');
    const s = await submitRequest(deps, { actor: spec, request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '补充' } });
    expect((await refusal(decideRequest(deps, { actor: await actor('lead1'), id: s.id, decision: 'approve' }))).message).toContain('待初审，不能同意');
    expect((await refusal(reviewRequest(deps, { actor: spec, id: s.id, decision: 'pass' }))).status).toBe(403);
    expect((await refusal(reviewRequest(deps, { actor: await actor('clerk'), id: s.id, decision: 'return' }))).message).toContain('请填写意见');
    await reviewRequest(deps, { actor: await actor('clerk'), id: s.id, decision: 'return', comment: '理由不充分' });
    const again = await resubmitRequest(deps, { actor: spec, id: s.id, request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '新增职能，需补充人员' } });
    expect(again.request.reason).toBe('新增职能，需补充人员');
    const w = await withdrawRequest(deps, { actor: spec, id: s.id });
    expect(w.request.state).toBe('withdrawn');
    const list = await listRequests(t.db, spec, { state: 'withdrawn' });
    expect(list.map((r) => r.id)).toContain(s.id);
    expect(list.find((r) => r.id === s.id)!.steps.map((x) => x.decision)).toEqual(['submit', 'return', 'submit', 'withdraw']);
  });

  it('an approved 用编计划 unused past its validity lapses once: 在途 released, the requester told, a plan still valid kept', async () => {
    await t.db('quotas').where({ unit_id: unitId, kind: '行政编制' }).update({ approved: 9 });
    const approved = async (validUntil: string) => {
      const p = await submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 2, 申请理由: '补充', 有效期至: validUntil } });
      await reviewRequest(deps, { actor: await actor('clerk'), id: p.id, decision: 'pass' });
      await decideRequest(deps, { actor: await actor('lead1'), id: p.id, decision: 'approve' });
      return p.id;
    };
    const lapsing = await approved('2026-12-31');
    const kept = await approved('2027-06-30');
    const inTransit = async (day: string) => (await unitAvailability(t.db, unitId, day)).quotas.find((q) => q.kind === '行政编制')!.inTransit;
    expect(await inTransit('2026-12-31')).toBe(4);
    expect(await expirePlans({ ...deps, today: '2026-12-31' })).toEqual({ date: '2026-12-31', expired: [] }); // its last valid day
    const r = await expirePlans({ ...deps, today: '2027-01-04' });
    expect(r.expired).toEqual([lapsing]);
    expect((await expirePlans({ ...deps, today: '2027-01-04' })).expired).toEqual([]); // a second run: nothing again
    const rows = await t.db('staffing_requests').whereIn('id', [lapsing, kept]).orderBy('id').select('id', 'status');
    expect(rows.map((x) => x.status)).toEqual(['expired', 'approved']);
    expect(await inTransit('2027-01-04')).toBe(2); // the kept plan's
    const steps = await t.db('request_steps').where({ request_id: lapsing }).orderBy('id').pluck('decision');
    expect(steps.at(-1)).toBe('expire');
    const told = (await t.db('outbox').where('dedup_key', 'like', `request:${lapsing}:outcome:%`).pluck('payload')).map(String);
    expect(told.some((p) => p.includes('已过期') && p.includes('有效期届满'))).toBe(true);
  });

  it('a plan of the office\'s history (imported: no number, no requester) lapses too, with no message and no failure', async () => {
    const [id] = await t.db('staffing_requests').insert({ unit_id: unitId, kind: '用编计划', quota_kind: '行政编制', count: 1, status: 'approved', approved_on: '2026-06-01', valid_until: '2026-12-31', created_at: '2026-06-01 09:00:00' });
    const r = await expirePlans({ ...deps, today: '2027-01-05' });
    expect(r.expired).toEqual([Number(id)]);
    expect((await t.db('staffing_requests').where({ id }).first()).status).toBe('expired');
    expect(await t.db('outbox').where('dedup_key', 'like', `request:${id}:%`)).toEqual([]);
  });
});

describe('增人入编: the smallest entry the form accepts is clean once approved', () => {
  it('no person rule flags the new person\'s own data (the form demands or defaults every field the rules require of a 在编 person)', async () => {
    const { checkRequest } = await import('../../miniapp/src/requests/form.ts');
    const { entryRecord } = await import('../../commands/request-effects.ts');
    const { parseRequest } = await import('../../core/requests.ts');
    const { personFromRow } = await import('../../db/records.ts');
    const { createEvaluator, configureRules } = await import('../../core/check.ts');
    const { RULES } = await import('../../core/rules/index.ts');
    const { createCalendar } = await import('../../core/calendar.ts');
    const id = idNo('1996-09-09', 21);
    // What a specialist must fill in: anything less is refused by the form (and by the server, same core check).
    const cells = { 使用编制类型: '行政编制', 身份证号: id, 姓名: '王晓明', 性别: '男', 出生日期: '1996-09-09', 人员身份: '干部', 参加工作时间: '2018-07-01', 学历: '大学本科', 入编时间: '2026-11-20' };
    expect(checkRequest('增人入编', cells, null, TODAY, null)).toEqual({});
    const parsed = parseRequest({ 申请类型: '增人入编', 单位ID: String(unitId), ...cells }, TODAY);
    if (!parsed.ok || parsed.value.body.kind !== '增人入编') throw new Error(JSON.stringify(parsed));
    const rec = entryRecord(parsed.value.body, { id: unitId, code: CODE }, id, TODAY);
    expect(rec.errors).toEqual({});
    const record = personFromRow({ id: 0, ...personRow(rec.input!, unitId, t.pii, TODAY) });
    const evaluate = createEvaluator(configureRules(RULES, {}), { date: TODAY, calendar: createCalendar(), office: {} as any });
    const own = evaluate('person', record, null).filter((e) => !e.rule.code.startsWith('X-')).map((e) => `${e.rule.code} ${e.rule.title} ${e.rule.severity}`);
    expect(own).toEqual([]);
  });
});
