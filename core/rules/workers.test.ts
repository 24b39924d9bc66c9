import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makeIdNumber, makeUnit, makeWorker, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe('W-01 编外人员身份证号无效', () => {
  it('fires once, qualified by the failing check', () => {
    expect(runRule(rule('W-01'), makeWorker({ idNumber: '3306031990' }))).toEqual([{ qualifier: '格式错误' }]);
    const good = makeIdNumber('19900601', '女');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(runRule(rule('W-01'), makeWorker({ idNumber: bad }))).toEqual([{ qualifier: '校验码错误', detail: { expected: good[17] } }]);
    expect(runRule(rule('W-01'), makeWorker({ idNumber: makeIdNumber('19901301', '女') }))).toEqual([{ qualifier: '出生日期无效', detail: { reason: 'invalid' } }]);
    expect(runRule(rule('W-01'), makeWorker({ idNumber: makeIdNumber('20120101', '女') }))[0]).toMatchObject({ qualifier: '出生日期无效', detail: { reason: 'young' } });
  });
  it('is silent on a valid number', () => {
    expect(runRule(rule('W-01'), makeWorker())).toEqual([]);
  });
});

describe('W-02 用工方式缺失或无效', () => {
  it('fires on an empty or unknown value', () => {
    expect(runRule(rule('W-02'), makeWorker({ employment: null }))).toEqual([{ detail: { value: null } }]);
    expect(runRule(rule('W-02'), makeWorker({ employment: '临时工' }))).toEqual([{ detail: { value: '临时工' } }]);
  });
  it('is silent on a dictionary value', () => {
    expect(runRule(rule('W-02'), makeWorker())).toEqual([]);
  });
});

describe('W-03 岗位分类缺失或无效', () => {
  it('fires on an empty value or one outside the 5 classes', () => {
    expect(runRule(rule('W-03'), makeWorker({ postClass: '' }))).toHaveLength(1);
    expect(runRule(rule('W-03'), makeWorker({ postClass: '行政类' }))).toEqual([{ detail: { value: '行政类' } }]);
  });
  it('is silent on one of the 5 classes', () => {
    expect(runRule(rule('W-03'), makeWorker())).toEqual([]);
  });
});

describe('W-04 编外人员在禁用岗位', () => {
  it('fires on 人事, 财务, 行政管理, 行政执法 and 涉密 posts', () => {
    expect(runRule(rule('W-04'), makeWorker({ postName: '财务出纳' }))).toEqual([{ detail: { post: '财务', postName: '财务出纳' } }]);
    expect(runRule(rule('W-04'), makeWorker({ postName: '行政执法队员', postClass: '普通辅助类' }))[0].detail).toMatchObject({ post: '行政执法' });
    expect(runRule(rule('W-04'), makeWorker({ postName: '涉密文件管理' }))).toHaveLength(1);
  });
  it('is silent on ordinary posts and on 执法辅助 work', () => {
    expect(runRule(rule('W-04'), makeWorker())).toEqual([]);
    expect(runRule(rule('W-04'), makeWorker({ postName: '行政执法辅助', postClass: '执法辅助类' }))).toEqual([]);
    expect(runRule(rule('W-04'), makeWorker({ postName: null }))).toEqual([]);
  });
});

describe('W-05 首次签订合同时间无效', () => {
  it('fires when missing, not a date, in the future, or before 16', () => {
    expect(runRule(rule('W-05'), makeWorker({ firstContractOn: null }))).toEqual([{ detail: { reason: 'missing' } }]);
    expect(runRule(rule('W-05'), makeWorker({ firstContractOn: '2015/03/01' }))[0].detail).toMatchObject({ reason: 'invalid' });
    expect(runRule(rule('W-05'), makeWorker({ firstContractOn: '2026-01-01' }))[0].detail).toMatchObject({ reason: 'future' });
    expect(runRule(rule('W-05'), makeWorker({ firstContractOn: '2005-01-01' }))[0].detail).toMatchObject({ reason: 'young' });
  });
  it('is silent on a plausible date', () => {
    expect(runRule(rule('W-05'), makeWorker())).toEqual([]);
    expect(runRule(rule('W-05'), makeWorker({ firstContractOn: '2006-06' }))).toEqual([]);
  });
});

describe('W-06 编外人员超龄', () => {
  it('fires after the retirement month: a woman born 1975-01 retires 2025-02 at 50y1m', () => {
    const w = makeWorker({ idNumber: makeIdNumber('19750120', '女') });
    expect(runRule(rule('W-06'), w, { date: '2025-02-28' })).toEqual([]);
    expect(runRule(rule('W-06'), w, { date: '2025-03-03' })).toEqual([{ detail: { retireMonth: '2025-02', retireAge: '50岁1个月', category: 'female50' } }]);
  });
  it('fires for a man born 1965-04 from June 2025', () => {
    const w = makeWorker({ idNumber: makeIdNumber('19650410', '男'), gender: '男' });
    expect(runRule(rule('W-06'), w, { date: '2025-06-03' })[0].detail).toMatchObject({ retireMonth: '2025-05', category: 'male' });
  });
  it('is silent before the age, under 劳务协议, and for 技术技能类 women under the 55 table', () => {
    expect(runRule(rule('W-06'), makeWorker())).toEqual([]);
    expect(runRule(rule('W-06'), makeWorker({ idNumber: makeIdNumber('19600101', '女'), employment: '劳务协议' }))).toEqual([]);
    expect(runRule(rule('W-06'), makeWorker({ idNumber: makeIdNumber('19720105', '女'), postClass: '技术技能类' }))).toEqual([]);
  });
});

describe('W-07 编外人员未及时登记', () => {
  const contracts = [
    { key: 'feed-1', name: '王五', idMasked: '330603********1234', signedOn: '2025-06-03' },
    { key: 'feed-2', name: '赵六', idMasked: '330603********5678', signedOn: '2025-06-12' },
  ];
  it('reports each contract past 5 working days as a worker subject of the unit', () => {
    const hits = runRule(rule('W-07'), makeUnit({ agg: { unregisteredContracts: contracts } }), { date: '2025-06-16' });
    expect(hits).toEqual([{ qualifier: 'feed-1', subject: { kind: 'worker', name: '王五', idMasked: '330603********1234' }, detail: { signedOn: '2025-06-03' } }]);
  });
  it('is silent within the grace and without contracts', () => {
    expect(runRule(rule('W-07'), makeUnit({ agg: { unregisteredContracts: contracts } }), { date: '2025-06-10' })).toEqual([]);
    expect(runRule(rule('W-07'), makeUnit())).toEqual([]);
  });
});
