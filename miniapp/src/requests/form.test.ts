import { describe, expect, it } from 'vitest';
import { checkRequest, clearRequestDraft, draftKey, frozenText, loadRequestDraft, prefill, quotaText, requestBody, saveRequestDraft, type Availability } from './form.ts';

const T = '2026-11-23';
const av = (quotas: Availability['quotas'], posts: Availability['posts'] = []): Availability => ({ unit: { id: 7, code: '11330603MB0000007X', name: '某局' }, quotas, posts });
const q = (kind: string, approved: number, actual: number, inTransit = 0) => ({
  kind, approved, actual, inTransit, available: Math.max(0, approved - actual - inTransit), over: Math.max(0, actual - approved), full: approved > 0 && actual === approved,
});

describe('the request form', () => {
  it('prefills 减人出编 from a 退休未出编 finding: 退休, today; another finding leaves the reason to the user', () => {
    expect(prefill('减人出编', T, 'P-RT-01')).toMatchObject({ 出编原因: '退休', 出编日期: T });
    expect(prefill('减人出编', T, 'P-RT-03')).toMatchObject({ 出编原因: '退休' });
    expect(prefill('减人出编', T, 'U-ST-01')).toMatchObject({ 出编原因: '', 出编日期: T });
    expect(prefill('增人入编', T, null)).toMatchObject({ 在岗状态: '在岗' });
  });

  it('says 满编 and 超编 plainly, and freezes 用编 when no kind is free', () => {
    expect(quotaText(q('行政编制', 5, 5))).toBe('本单位行政编制已满编（核定 5，实有 5），暂不能申请用编');
    expect(quotaText(q('行政编制', 5, 7))).toBe('本单位行政编制已超编 2 名（核定 5，实有 7），暂不能申请用编');
    expect(quotaText(q('事业编制', 5, 3, 1))).toBe('事业编制可用 1 名（核定 5，实有 3，在途 1）');
    expect(frozenText('用编计划', av([q('行政编制', 5, 5)]))).toBe('本单位行政编制已满编，暂不能申请用编');
    expect(frozenText('增人入编', av([q('行政编制', 5, 5), q('事业编制', 3, 4)]))).toBe('本单位行政编制已满编、事业编制已超编 1 名，暂不能申请用编');
    expect(frozenText('用编计划', av([q('行政编制', 5, 5), q('事业编制', 3, 1)]))).toBeNull();
    // 减人出编 is how a full unit gets room again: never frozen.
    expect(frozenText('减人出编', av([q('行政编制', 5, 7)]))).toBeNull();
    expect(frozenText('领导职数使用', av([], [{ kind: '单位正职', approved: 1, holders: 1, available: 0 }]))).toContain('用满');
  });

  it('mirrors the server: required fields, the count against 可用, the 人员 schema of an 增人入编', () => {
    const a = av([q('行政编制', 5, 3)]);
    expect(checkRequest('用编计划', { 编制类型: '', 数量: '1', 申请理由: '' }, a, T, null)).toMatchObject({ 编制类型: '请填写编制类型', 申请理由: '请填写申请理由' });
    expect(checkRequest('用编计划', { 编制类型: '行政编制', 数量: '3', 申请理由: '补充' }, a, T, null)).toEqual({ 数量: '行政编制可用 2 名，申请 3 名超出可用数' });
    expect(checkRequest('用编计划', { 编制类型: '行政编制', 数量: '2', 申请理由: '补充', 有效期至: '2026-02-30' }, a, T, null)).toHaveProperty('有效期至');
    expect(checkRequest('用编计划', { 编制类型: '行政编制', 数量: '2', 申请理由: '补充' }, a, T, null)).toEqual({});
    expect(checkRequest('减人出编', { 出编原因: '退休', 出编日期: T }, a, T, '12')).toEqual({});
    expect(checkRequest('减人出编', { 出编原因: '', 出编日期: '2026-13-01' }, a, T, '12')).toMatchObject({ 出编原因: expect.stringContaining('退休'), 出编日期: expect.any(String) });
    const entry = checkRequest('增人入编', { 使用编制类型: '行政编制', 姓名: '张三', 身份证号: '123' }, a, T, null);
    expect(entry).toHaveProperty('身份证号');
    expect(checkRequest('增人入编', { 使用编制类型: '行政编制', 姓名: '张三', 身份证号: '11010519491231002X', 性别: '男', 出生日期: '1949-12-31' }, av([q('行政编制', 5, 5)]), T, null))
      .toMatchObject({ 使用编制类型: '本单位行政编制已满编（核定 5，实有 5），暂不能申请用编' });
  });

  it('sends the workbook\'s Chinese names, the person by 人员ID', () => {
    expect(requestBody('减人出编', 7, { 出编原因: '退休', 出编日期: T, 申请理由: ' ' }, '12')).toEqual({ 申请类型: '减人出编', 单位ID: '7', 出编原因: '退休', 出编日期: T, 人员ID: '12' });
    expect(requestBody('增人入编', 7, { 使用编制类型: '行政编制', 姓名: '张三', 其他: 'x' }, null)).toEqual({ 申请类型: '增人入编', 单位ID: '7', 使用编制类型: '行政编制', 姓名: '张三' });
  });

  it('keeps the draft until submitted', () => {
    const m = new Map<string, string>();
    const s = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    const k = draftKey('减人出编', '7', '12', null);
    expect(k).not.toBe(draftKey('减人出编', '7', '13', null));
    expect(saveRequestDraft(k, { 出编原因: '调出' }, s, 5)).toBe(true);
    expect(loadRequestDraft(k, s)).toEqual({ cells: { 出编原因: '调出' }, savedAt: 5 });
    clearRequestDraft(k, s);
    expect(loadRequestDraft(k, s)).toBeNull();
  });
});
