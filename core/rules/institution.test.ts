import { describe, expect, it } from 'vitest';
import { makeUscc } from '../uscc.ts';
import { ruleByCode } from './index.ts';
import { makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;
const institution = (o: Parameters<typeof makeUnit>[0] = {}) =>
  makeUnit({ code: '12330603MB12345621', nature: '事业单位', category: '公益一类', quotas: { 事业编制: 20 }, agg: { onQuotaByKind: { 事业编制: 10 } }, ...o });

describe('U-IN-01 统一社会信用代码缺失', () => {
  it('fires on an empty code', () => {
    expect(runRule(rule('U-IN-01'), makeUnit({ code: '' }))).toEqual([{}]);
    expect(runRule(rule('U-IN-01'), makeUnit({ code: '  ' }))).toEqual([{}]);
  });
  it('is silent with a code', () => {
    expect(runRule(rule('U-IN-01'), makeUnit())).toEqual([]);
  });
});

describe('U-IN-02 统一社会信用代码格式错误', () => {
  it('fires on a wrong length or a letter outside the alphabet', () => {
    expect(runRule(rule('U-IN-02'), makeUnit({ code: '11330603002482189' }))).toEqual([{ detail: { length: 17 } }]);
    expect(runRule(rule('U-IN-02'), makeUnit({ code: '11330603O0248218IK' }))).toHaveLength(1);
    expect(runRule(rule('U-IN-02'), makeUnit({ code: '1133A603002482189K' }))).toHaveLength(1);
  });
  it('is silent on a well-formed code and on an empty one (U-IN-01)', () => {
    expect(runRule(rule('U-IN-02'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-02'), makeUnit({ code: '' }))).toEqual([]);
  });
});

describe('U-IN-03 统一社会信用代码校验码错误', () => {
  it('fires on a wrong check character', () => {
    expect(runRule(rule('U-IN-03'), makeUnit({ code: '11330603002482189A' }))).toEqual([{ detail: { expected: 'K' } }]);
    expect(runRule(rule('U-IN-03'), makeUnit({ code: '91350211M0000XUF46' }))).toHaveLength(1);
  });
  it('is silent on valid codes', () => {
    expect(runRule(rule('U-IN-03'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-03'), makeUnit({ code: '91110000101623741K' }))).toEqual([]);
  });
});

describe('U-IN-04 信用代码与机构性质不符', () => {
  it('fires on a 事业单位 with 11 and an organ with 12', () => {
    expect(runRule(rule('U-IN-04'), institution({ code: '11330603002482189K' }))).toEqual([{ detail: { prefix: '11', expected: '12', nature: '事业单位' } }]);
    expect(runRule(rule('U-IN-04'), makeUnit({ code: '12330603MB12345621' }))[0].detail).toMatchObject({ prefix: '12', expected: '11' });
    expect(runRule(rule('U-IN-04'), makeUnit({ code: '91110000101623741K' }))[0].detail).toMatchObject({ prefix: '91' });
    // Without a known 机构性质 only the registration authority (1 = 机构编制) is checked.
    expect(runRule(rule('U-IN-04'), makeUnit({ nature: null, code: '91110000101623741K' }))[0].detail).toMatchObject({ expected: '1' });
  });
  it('is silent on matching prefixes (a 群团 may carry 13 or 11)', () => {
    expect(runRule(rule('U-IN-04'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-04'), institution())).toEqual([]);
    expect(runRule(rule('U-IN-04'), makeUnit({ nature: '群团机关', code: '13330603123456788P' }))).toEqual([]);
    expect(runRule(rule('U-IN-04'), makeUnit({ nature: '群团机关' }))).toEqual([]);
    expect(runRule(rule('U-IN-04'), makeUnit({ nature: null }))).toEqual([]);
  });
});

describe('U-IN-05 信用代码行政区划不符', () => {
  const hangzhou = makeUscc('11330102', '00248218');
  it('fires on a code registered outside the office region', () => {
    expect(runRule(rule('U-IN-05'), makeUnit({ code: hangzhou }))).toEqual([{ detail: { region: '330102', office: '330603' } }]);
  });
  it('is silent inside the region (same city), for a province office, or with no region set', () => {
    expect(runRule(rule('U-IN-05'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-05'), makeUnit({ code: makeUscc('11330602', '00248218') }))).toEqual([]);
    expect(runRule(rule('U-IN-05'), makeUnit({ code: hangzhou }), { office: { regionCode: '330000' } })).toEqual([]);
    expect(runRule(rule('U-IN-05'), makeUnit({ code: hangzhou }), { office: { regionCode: null } })).toEqual([]);
  });
});

describe('U-IN-06 信用代码重复', () => {
  it('fires when another unit has the code', () => {
    expect(runRule(rule('U-IN-06'), makeUnit({ agg: { sameCodeUnits: 1 } }))).toEqual([{ detail: { others: 1 } }]);
  });
  it('is silent on a unique code', () => {
    expect(runRule(rule('U-IN-06'), makeUnit())).toEqual([]);
  });
});

describe('U-IN-07 机构性质/规格/经费形式缺失或无效', () => {
  it('fires once per empty or invalid field', () => {
    const hits = runRule(rule('U-IN-07'), makeUnit({ nature: null, level: '处级', funding: '财政拨款' }));
    expect(hits.map((h) => h.qualifier)).toEqual(['机构性质', '机构规格', '经费形式']);
    expect(hits[1].detail).toEqual({ field: '机构规格', value: '处级' });
  });
  it('is silent on dictionary values', () => {
    expect(runRule(rule('U-IN-07'), makeUnit())).toEqual([]);
  });
});

describe('U-IN-08 事业单位类别缺失', () => {
  it('fires on a 事业单位 without 类别', () => {
    expect(runRule(rule('U-IN-08'), institution({ category: null }))).toEqual([{ detail: { value: null } }]);
  });
  it('is silent with one, and for organs', () => {
    expect(runRule(rule('U-IN-08'), institution())).toEqual([]);
    expect(runRule(rule('U-IN-08'), makeUnit())).toEqual([]);
  });
});

describe('U-IN-09 经费形式与类别不符', () => {
  it('fires on 公益一类 or 参公 not 全额拨款, and 生产经营类 with 全额拨款', () => {
    expect(runRule(rule('U-IN-09'), institution({ funding: '差额拨款' }))[0].detail).toEqual({ category: '公益一类', isCanGong: false, funding: '差额拨款' });
    expect(runRule(rule('U-IN-09'), institution({ category: '承担行政职能', isCanGong: true, funding: '自收自支' }))).toHaveLength(1);
    expect(runRule(rule('U-IN-09'), institution({ category: '生产经营类', funding: '全额拨款' }))).toHaveLength(1);
  });
  it('is silent on usual combinations', () => {
    expect(runRule(rule('U-IN-09'), institution())).toEqual([]);
    expect(runRule(rule('U-IN-09'), institution({ category: '公益二类', funding: '差额拨款' }))).toEqual([]);
    expect(runRule(rule('U-IN-09'), makeUnit())).toEqual([]);
  });
});

describe('U-IN-10 台账未及时更新', () => {
  const u = makeUnit({ agg: { latestApprovalDate: '2025-06-03' } });
  it('fires after 5 working days past a newer approval document', () => {
    expect(runRule(rule('U-IN-10'), u, { date: '2025-06-10' })).toEqual([]);
    expect(runRule(rule('U-IN-10'), u, { date: '2025-06-11' })).toEqual([{ detail: { approvalDate: '2025-06-03', approvalNo: '绍柯编〔2023〕12号', ledgerUpdatedOn: '2023-03-05' } }]);
  });
  it('is silent once the ledger was updated on or after the document', () => {
    expect(runRule(rule('U-IN-10'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-10'), { ...u, ledgerUpdatedOn: '2025-06-03' }, { date: '2025-06-16' })).toEqual([]);
  });
});

describe('U-IN-11 隶属关系缺失或循环', () => {
  it('fires on a cycle, a dangling parent code and a 事业单位 without a parent', () => {
    expect(runRule(rule('U-IN-11'), makeUnit({ agg: { inCycle: true } }))).toEqual([{ qualifier: '循环' }]);
    expect(runRule(rule('U-IN-11'), makeUnit({ parentId: null }))[0]).toMatchObject({ qualifier: '缺失' });
    expect(runRule(rule('U-IN-11'), institution({ parentId: null, parentCode: null }))[0]).toMatchObject({ qualifier: '缺失' });
  });
  it('is silent with a parent, and for a top organ', () => {
    expect(runRule(rule('U-IN-11'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-11'), makeUnit({ parentId: null, parentCode: null }))).toEqual([]);
  });
});

describe('U-IN-12 内设机构超数', () => {
  it('fires above the approved number', () => {
    expect(runRule(rule('U-IN-12'), makeUnit({ internalOffices: ['办公室', '综合科', '业务科', '法规科'] }))).toEqual([{ detail: { approved: 3, actual: 4, over: 1 } }]);
  });
  it('is silent within it or without an approved number', () => {
    expect(runRule(rule('U-IN-12'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-IN-12'), makeUnit({ internalOfficesApproved: null }))).toEqual([]);
  });
});

describe('U-IN-13 机构名称不规范/重复', () => {
  it('fires on surrounding spaces and on a duplicate in the region', () => {
    expect(runRule(rule('U-IN-13'), makeUnit({ name: ' 绍兴市柯桥区示例局　' }))).toEqual([{ qualifier: '不规范', detail: { issue: 'space' } }]);
    expect(runRule(rule('U-IN-13'), makeUnit({ agg: { sameNameUnits: 1 } }))).toEqual([{ qualifier: '重复', detail: { others: 1 } }]);
  });
  it('is silent on a clean unique name', () => {
    expect(runRule(rule('U-IN-13'), makeUnit())).toEqual([]);
  });
});
