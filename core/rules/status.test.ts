import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makePerson, makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;
const institution = makeUnit({ code: '12330603MB12345621', nature: '事业单位', category: '公益一类', quotas: { 事业编制: 20 }, agg: { onQuotaByKind: { 事业编制: 10 } } });

describe('P-ST-01 在编状态缺失', () => {
  it('fires on an empty or unknown status', () => {
    expect(runRule(rule('P-ST-01'), makePerson({ status: null }))).toEqual([{}]);
    expect(runRule(rule('P-ST-01'), makePerson({ status: '离职' }))).toEqual([{ detail: { value: '离职' } }]);
  });
  it('is silent on a dictionary status', () => {
    expect(runRule(rule('P-ST-01'), makePerson())).toEqual([]);
  });
});

describe('P-ST-02 在编状态与任职情况不符', () => {
  it('fires on a 编外 person holding a leader post', () => {
    expect(runRule(rule('P-ST-02'), makePerson({ status: '编外', leaderLevel: '中层正职' }))[0].detail).toEqual({ status: '编外', leaderLevel: '中层正职' });
  });
  it('is silent for 在编 leaders and 编外 non-leaders', () => {
    expect(runRule(rule('P-ST-02'), makePerson({ leaderLevel: '单位正职' }))).toEqual([]);
    expect(runRule(rule('P-ST-02'), makePerson({ status: '编外' }))).toEqual([]);
  });
});

describe('P-ST-03 使用编制类型缺失', () => {
  it('fires on 在编 without 编制类型', () => {
    expect(runRule(rule('P-ST-03'), makePerson({ quotaKind: null }))).toHaveLength(1);
  });
  it('is silent with one', () => {
    expect(runRule(rule('P-ST-03'), makePerson())).toEqual([]);
  });
});

describe('P-ST-04 人编不对应', () => {
  it('fires when the unit has no (or a zero) quota of the kind', () => {
    expect(runRule(rule('P-ST-04'), makePerson({ quotaKind: '政法专项编制' }))[0].detail).toEqual({ quotaKind: '政法专项编制' });
    expect(runRule(rule('P-ST-04'), makePerson(), { unit: makeUnit({ quotas: { 行政编制: 0 } }) })).toHaveLength(1);
  });
  it('is silent when the unit has the quota', () => {
    expect(runRule(rule('P-ST-04'), makePerson())).toEqual([]);
  });
});

describe('P-ST-05 编制类型与机构性质不符', () => {
  it('fires on 行政编制 in a 事业单位 and 事业编制 in an organ', () => {
    expect(runRule(rule('P-ST-05'), makePerson(), { unit: institution })[0].detail).toEqual({ quotaKind: '行政编制', nature: '事业单位' });
    expect(runRule(rule('P-ST-05'), makePerson({ quotaKind: '事业编制', postCategory: '管理岗位' }))).toHaveLength(1);
  });
  it('is silent on matching kinds and on 事业编制 in an organ with a 机关事业编制 quota', () => {
    expect(runRule(rule('P-ST-05'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ST-05'), makePerson({ quotaKind: '事业编制', postCategory: '管理岗位' }), { unit: institution })).toEqual([]);
    expect(runRule(rule('P-ST-05'), makePerson({ quotaKind: '事业编制' }), { unit: makeUnit({ quotas: { 行政编制: 10, 机关事业编制: 2 } }) })).toEqual([]);
  });
});

describe('P-ST-06 岗位类别与编制类型不符', () => {
  it('fires on a 岗位类别 for 行政编制, 机关工勤 on 管理岗, 事业编制 without one', () => {
    expect(runRule(rule('P-ST-06'), makePerson({ postCategory: '管理岗位' }))[0].detail).toEqual({ quotaKind: '行政编制', postCategory: '管理岗位' });
    expect(runRule(rule('P-ST-06'), makePerson({ quotaKind: '机关工勤编制', postCategory: '管理岗位' }))).toHaveLength(1);
    expect(runRule(rule('P-ST-06'), makePerson({ quotaKind: '事业编制', postCategory: null }), { unit: institution })).toHaveLength(1);
  });
  it('is silent on consistent values (行政编制 may say 公务员)', () => {
    expect(runRule(rule('P-ST-06'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ST-06'), makePerson({ postCategory: '公务员' }))).toEqual([]);
    expect(runRule(rule('P-ST-06'), makePerson({ quotaKind: '事业编制', postCategory: '专业技术岗位' }), { unit: institution })).toEqual([]);
  });
});

describe('P-ST-07 职级序列与编制类型不符', () => {
  it('fires on a 公务员职级 for non-参公 事业编制 and a 职员等级 for 行政编制', () => {
    expect(runRule(rule('P-ST-07'), makePerson({ quotaKind: '事业编制', postCategory: '管理岗位' }), { unit: institution })[0].detail).toEqual({ quotaKind: '事业编制', rank: '一级主任科员' });
    expect(runRule(rule('P-ST-07'), makePerson({ rank: '五级职员' }))).toHaveLength(1);
  });
  it('is silent on matching sequences and for a 参公 unit', () => {
    expect(runRule(rule('P-ST-07'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ST-07'), makePerson({ quotaKind: '事业编制', postCategory: '管理岗位' }), { unit: { ...institution, isCanGong: true } })).toEqual([]);
  });
});

describe('P-ST-08 所在处(科)室不存在', () => {
  it('fires on an office the unit does not have', () => {
    expect(runRule(rule('P-ST-08'), makePerson({ office: '财务科' }))[0].detail).toEqual({ office: '财务科' });
  });
  it('is silent on a listed office, the unit itself, or a unit without a list', () => {
    expect(runRule(rule('P-ST-08'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ST-08'), makePerson({ office: '绍兴市柯桥区示例局' }))).toEqual([]);
    expect(runRule(rule('P-ST-08'), makePerson({ office: '财务科' }), { unit: makeUnit({ internalOffices: [] }) })).toEqual([]);
  });
});

describe('P-ST-09 领导职务所在机构填写错误', () => {
  it('fires on a unit leader placed in an internal office', () => {
    expect(runRule(rule('P-ST-09'), makePerson({ leaderLevel: '单位正职', office: '办公室' }))[0].detail).toEqual({ leaderLevel: '单位正职', office: '办公室' });
  });
  it('is silent for a unit leader in the unit, and for middle leaders in offices', () => {
    expect(runRule(rule('P-ST-09'), makePerson({ leaderLevel: '单位正职', office: '绍兴市柯桥区示例局' }))).toEqual([]);
    expect(runRule(rule('P-ST-09'), makePerson({ leaderLevel: '中层正职' }))).toEqual([]);
  });
});

describe('P-ST-10 在岗状态缺失', () => {
  it('fires on a 在编 person without 在岗状态', () => {
    expect(runRule(rule('P-ST-10'), makePerson({ dutyStatus: null }))).toHaveLength(1);
    expect(runRule(rule('P-ST-10'), makePerson({ dutyStatus: '出差' }))[0].detail).toEqual({ value: '出差' });
  });
  it('is silent with one', () => {
    expect(runRule(rule('P-ST-10'), makePerson())).toEqual([]);
  });
});

describe('P-ST-11 借调/挂职超期', () => {
  it('fires once the secondment has lasted more than 12 months', () => {
    expect(runRule(rule('P-ST-11'), makePerson({ dutyStatus: '借调', dutyStatusSince: '2024-06-15' }))[0].detail).toEqual({ dutyStatus: '借调', since: '2024-06-15', months: 12 });
  });
  it('is silent up to 12 months, with the limit configurable', () => {
    expect(runRule(rule('P-ST-11'), makePerson({ dutyStatus: '挂职', dutyStatusSince: '2024-06-16' }))).toEqual([]);
    expect(runRule(rule('P-ST-11'), makePerson({ dutyStatus: '挂职', dutyStatusSince: '2024-06-16' }), { params: { months: 6 } })).toHaveLength(1);
    expect(runRule(rule('P-ST-11'), makePerson())).toEqual([]);
  });
});

describe('P-ST-12 离岗创业超期', () => {
  it('fires after 3 years', () => {
    expect(runRule(rule('P-ST-12'), makePerson({ dutyStatus: '离岗创业', dutyStatusSince: '2022-06-01' }))).toHaveLength(1);
  });
  it('is silent within 3 years', () => {
    expect(runRule(rule('P-ST-12'), makePerson({ dutyStatus: '离岗创业', dutyStatusSince: '2022-06-17' }))).toEqual([]);
  });
});

describe('P-ST-13 在编不在岗风险', () => {
  it('fires after 6 months of 长期病休 / 待岗 / 下落不明 / 其他', () => {
    expect(runRule(rule('P-ST-13'), makePerson({ dutyStatus: '下落不明', dutyStatusSince: '2024-12-01' }))[0].detail).toMatchObject({ dutyStatus: '下落不明' });
  });
  it('is silent within 6 months and for other statuses', () => {
    expect(runRule(rule('P-ST-13'), makePerson({ dutyStatus: '长期病休', dutyStatusSince: '2025-01-01' }))).toEqual([]);
    expect(runRule(rule('P-ST-13'), makePerson({ dutyStatus: '进修学习', dutyStatusSince: '2020-01-01' }))).toEqual([]);
  });
});

describe('P-ST-14 职务与职级不匹配', () => {
  it('fires on a 县处级正职 leader below 四级调研员', () => {
    const hits = runRule(rule('P-ST-14'), makePerson({ leaderLevel: '单位正职', office: '绍兴市柯桥区示例局', rank: '一级主任科员' }));
    expect(hits[0].detail).toEqual({ leaderLevel: '单位正职', postLevel: '正处级', rank: '一级主任科员', minRank: '四级调研员' });
  });
  it('is silent at or above the band, and for non-leaders', () => {
    expect(runRule(rule('P-ST-14'), makePerson({ leaderLevel: '单位正职', rank: '四级调研员' }))).toEqual([]);
    expect(runRule(rule('P-ST-14'), makePerson({ leaderLevel: '单位副职', rank: '一级主任科员' }))).toEqual([]);
    expect(runRule(rule('P-ST-14'), makePerson())).toEqual([]);
  });
});
