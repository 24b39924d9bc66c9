import { describe, expect, it } from 'vitest';
import { parseRequest, planExpired, refusals, requestIdOf, requestNo, transition, warnings, type RefusalFacts, type RequestBody } from './requests.ts';

const today = '2026-11-23';
const facts = (f: Partial<RefusalFacts> = {}): RefusalFacts => ({
  today, unitId: 7, unitName: '某某局', suspension: null, quota: { approved: 10, actual: 8, inTransit: 1 }, plan: null, posts: null,
  redFindings: 0, blockOnRed: true, onQuotaIn: [], person: null, recordErrors: {}, ruleHits: [], ...f,
});
const plan = (count: number): RequestBody => ({ kind: '用编计划', quotaKind: '行政编制', count, reason: '补充', validUntil: '2027-05-23' });

describe('transitions', () => {
  it('follows the two steps with the roles that may take each', () => {
    expect(transition('submitted', 'pass', '编办业务人员')).toEqual({ ok: true, to: 'reviewed' });
    expect(transition('submitted', 'return', '编办管理员')).toEqual({ ok: true, to: 'returned' });
    expect(transition('submitted', 'reject', '编办业务人员')).toEqual({ ok: true, to: 'rejected' });
    expect(transition('reviewed', 'approve', '分管领导')).toEqual({ ok: true, to: 'approved' });
    expect(transition('reviewed', 'reject', '分管领导')).toEqual({ ok: true, to: 'rejected' });
    expect(transition('returned', 'resubmit', '单位专管员')).toEqual({ ok: true, to: 'submitted' });
    expect(transition('returned', 'withdraw', '单位专管员')).toEqual({ ok: true, to: 'withdrawn' });
    expect(transition('approved', 'expire', 'system')).toEqual({ ok: true, to: 'expired' });
  });
  it('refuses the wrong role (403) and the wrong state (409) in Chinese', () => {
    const r1 = transition('submitted', 'approve', '分管领导');
    expect(r1).toMatchObject({ ok: false, status: 409 });
    expect((r1 as { reason: string }).reason).toContain('待初审');
    expect(transition('reviewed', 'approve', '编办业务人员')).toMatchObject({ ok: false, status: 403, reason: '同意须由分管领导办理' });
    expect(transition('submitted', 'pass', '单位专管员')).toMatchObject({ ok: false, status: 403 });
    expect(transition('reviewed', 'reject', '编办业务人员')).toMatchObject({ ok: false, status: 403 });
    expect(transition('approved', 'approve', '分管领导')).toMatchObject({ ok: false, status: 409 });
    expect(transition('reviewed', 'withdraw', '单位专管员')).toMatchObject({ ok: false, status: 409 });
  });
});

describe('parseRequest', () => {
  it('reads each kind from the Chinese keys', () => {
    expect(parseRequest({ 申请类型: '用编计划', 统一社会信用代码: 'X', 编制类型: '行政编制', 数量: '2', 申请理由: '补充' }, today)).toMatchObject({ ok: true, value: { unitRef: 'X', body: { kind: '用编计划', count: 2, validUntil: '2027-05-23' } } });
    expect(parseRequest({ 申请类型: '减人出编', 单位ID: 3, 身份证号: '1', 出编原因: '退休', 出编日期: '2026-11-30' }, today)).toMatchObject({ ok: true, value: { unitRef: '3', body: { exitReason: '退休', exitDate: '2026-11-30' } } });
    const e = parseRequest({ 申请类型: '增人入编', 单位ID: 3, 身份证号: '1', 姓名: '张三', 使用编制类型: '事业编制', 用编计划编号: 'SQ2026-000012' }, today);
    expect(e).toMatchObject({ ok: true, value: { body: { kind: '增人入编', quotaKind: '事业编制', planId: 12 } } });
    expect((e as any).value.body.cells).toMatchObject({ 姓名: '张三', 在编状态: '在编', 使用编制类型: '事业编制' });
  });
  it('names each bad field', () => {
    const r = parseRequest({ 申请类型: '减人出编', 单位ID: 3, 身份证号: '1', 出编原因: '开除', 出编日期: '2026-02-30' }, today);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields['出编原因']).toContain('退休、调出、辞职、辞退、死亡、其他');
    expect(r.fields['出编日期']).toContain('不是有效日期');
    expect(parseRequest({ 申请类型: '调动' }, today)).toMatchObject({ ok: false, fields: { 申请类型: expect.stringContaining('用编计划') } });
    expect(parseRequest({ 申请类型: '用编计划', 单位ID: 1, 编制类型: '行政编制', 数量: 0, 申请理由: 'x' }, today)).toMatchObject({ ok: false, fields: { 数量: expect.any(String) } });
  });
});

describe('refusals', () => {
  it('passes a request within 可用', () => {
    expect(refusals(plan(1), facts())).toEqual([]);
  });
  it('refuses beyond 可用 saying 核定/实有/在途/可用, and freezes 满编 and 超编', () => {
    expect(refusals(plan(2), facts())).toEqual(['行政编制可用编制不足：核定 10，实有 8，在途 1，可用 1，申请 2 名']);
    expect(refusals(plan(1), facts({ quota: { approved: 10, actual: 10, inTransit: 0 } }))[0]).toContain('满编单位冻结用编');
    expect(refusals(plan(1), facts({ quota: { approved: 10, actual: 12, inTransit: 0 } }))[0]).toContain('已超编 2 名');
    expect(refusals(plan(1), facts({ quota: null }))[0]).toContain('核定 0');
  });
  it('lets an entry use its plan reservation, and only its own unit, kind and unused plan', () => {
    const entry: RequestBody = { kind: '增人入编', quotaKind: '行政编制', count: 1, reason: '', cells: {}, planId: 5 };
    const p = { id: 5, unitId: 7, kind: '用编计划', no: 'SQ2026-000005', quotaKind: '行政编制', state: 'approved', used: false, validUntil: '2027-01-01', count: 2, usedCount: 0 };
    // 可用 0 (10 − 8 − 2 在途, the plan's 2 among them): the plan's reservation is the entry's.
    expect(refusals(entry, facts({ quota: { approved: 10, actual: 8, inTransit: 2 }, plan: p }))).toEqual([]);
    expect(refusals({ ...entry, planId: null }, facts({ quota: { approved: 10, actual: 8, inTransit: 2 } }))[0]).toContain('可用 0');
    expect(refusals(entry, facts({ quota: { approved: 10, actual: 8, inTransit: 2 }, plan: { ...p, used: true } }))[0]).toContain('已使用');
    expect(refusals(entry, facts({ quota: { approved: 10, actual: 8, inTransit: 2 }, plan: { ...p, unitId: 8 } }))[0]).toContain('不是某某局的用编计划');
    expect(refusals(entry, facts({ quota: { approved: 10, actual: 8, inTransit: 2 }, plan: { ...p, validUntil: '2026-11-01' } }))[0]).toContain('已于2026-11-01过期');
    // 超编 since the plan was approved: frozen all the same.
    expect(refusals(entry, facts({ quota: { approved: 10, actual: 11, inTransit: 2 }, plan: p }))[0]).toContain('含本用编计划 2 名');
  });
  it('refuses a suspended unit or ancestor with the end date, red findings when the office says so', () => {
    expect(refusals(plan(1), facts({ suspension: { unitName: '某某局', endsOn: '2027-01-31', reason: '连续3个月亮红灯' } }))[0]).toBe('本单位被暂停办理机构编制事项至2027-01-31（连续3个月亮红灯），暂停期间不予受理');
    expect(refusals(plan(1), facts({ suspension: { unitName: '上级局', endsOn: '2027-01-31', reason: 'r' } }))[0]).toContain('上级单位上级局');
    expect(refusals(plan(1), facts({ redFindings: 2 }))).toEqual(['某某局尚有 2 个红灯问题未整改，整改后方可办理机构编制事项']);
    expect(refusals(plan(1), facts({ redFindings: 2, blockOnRed: false }))).toEqual([]);
  });
  it('refuses one person on two quotas, bad records and S1/S2 rule hits; S3 only warns', () => {
    const entry: RequestBody = { kind: '增人入编', quotaKind: '行政编制', count: 1, reason: '', cells: {}, planId: null };
    const r = refusals(entry, facts({ onQuotaIn: ['另一局'], recordErrors: { 出生日期: '不是有效日期' }, ruleHits: [{ code: 'P-ID-01', title: '身份证号校验位错误', severity: 'S1', field: '身份证号' }, { code: 'P-X', title: '提示项', severity: 'S3' }] }));
    expect(r).toEqual(['该身份证号已在另一局在编，一人只能占用一个编制', '出生日期：不是有效日期', '人员信息不符合规则：身份证号：身份证号校验位错误（P-ID-01）']);
    expect(warnings(entry, facts({ ruleHits: [{ code: 'P-X', title: '提示项', severity: 'S3' }] }))).toEqual(['提示：提示项（P-X）']);
  });
  it('refuses 减人出编 of someone not 在编 in the unit', () => {
    const exit: RequestBody = { kind: '减人出编', idNumber: 'x', exitReason: '退休', exitDate: today, reason: '' };
    expect(refusals(exit, facts({ person: null }))).toEqual(['某某局没有该身份证号的人员']);
    expect(refusals(exit, facts({ person: { name: '李四', status: '已出编', leaderLevel: null } }))[0]).toContain('不是在编人员');
    expect(refusals(exit, facts({ person: { name: '李四', status: '在编', leaderLevel: null } }))).toEqual([]);
    // The remedy for 超编 and 退休未出编 is not held back by the red findings it fixes.
    expect(refusals(exit, facts({ person: { name: '李四', status: '在编', leaderLevel: null }, redFindings: 3 }))).toEqual([]);
  });
  it('refuses a leader post beyond its 核定', () => {
    const lead: RequestBody = { kind: '领导职数使用', postKind: '单位副职', idNumber: 'x', reason: '提拔' };
    const person = { name: '王五', status: '在编', leaderLevel: '非领导' };
    expect(refusals(lead, facts({ person, posts: { approved: 2, holders: 1 } }))).toEqual([]);
    expect(refusals(lead, facts({ person, posts: { approved: 2, holders: 2 } }))).toEqual(['单位副职职数已满：核定 2，现有 2 人，未核准的领导职数使用不得办理干部提拔']);
    expect(refusals(lead, facts({ person, posts: { approved: null, holders: 0 } }))).toEqual(['某某局没有核定单位副职职数，不能使用']);
  });
});

describe('numbers and expiry', () => {
  it('numbers requests SQyyyy-nnnnnn and reads them back', () => {
    expect(requestNo(123, '2026-11-23 10:00:00')).toBe('SQ2026-000123');
    expect(requestIdOf('SQ2026-000123')).toBe(123);
    expect(requestIdOf('77')).toBe(77);
    expect(requestIdOf('abc')).toBeNull();
  });
  it('expires an approved unused plan past its validity', () => {
    const p = { kind: '用编计划', state: 'approved', used: false, validUntil: '2026-11-22' };
    expect(planExpired(p, today)).toBe(true);
    expect(planExpired({ ...p, validUntil: today }, today)).toBe(false);
    expect(planExpired({ ...p, used: true }, today)).toBe(false);
  });
});
