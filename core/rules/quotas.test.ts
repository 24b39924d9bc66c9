import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { availableQuota } from './quotas.ts';
import { makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe('U-QT-01 超编', () => {
  it('fires per kind, qualified by the kind', () => {
    const u = makeUnit({ quotas: { 行政编制: 10, 事业编制: 5 }, agg: { onQuotaByKind: { 行政编制: 12, 事业编制: 6, 政法专项编制: 1 } } });
    const hits = runRule(rule('U-QT-01'), u);
    expect(hits.map((h) => h.qualifier)).toEqual(['行政编制', '事业编制', '政法专项编制']);
    expect(hits[0].detail).toEqual({ kind: '行政编制', approved: 10, actual: 12, over: 2 });
    expect(hits[2].detail).toMatchObject({ approved: 0, actual: 1 });
  });
  it('is silent within the quota (full is not over)', () => {
    expect(runRule(rule('U-QT-01'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-QT-01'), makeUnit({ agg: { onQuotaByKind: { 行政编制: 10 } } }))).toEqual([]);
  });
});

describe('U-QT-02 满编', () => {
  it('fires per full kind', () => {
    const u = makeUnit({ quotas: { 行政编制: 10, 事业编制: 5 }, agg: { onQuotaByKind: { 行政编制: 10, 事业编制: 3 } } });
    expect(runRule(rule('U-QT-02'), u)).toEqual([{ qualifier: '行政编制', detail: { kind: '行政编制', approved: 10, actual: 10 } }]);
  });
  it('is silent below the quota, over it, and on a zero quota', () => {
    expect(runRule(rule('U-QT-02'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-QT-02'), makeUnit({ agg: { onQuotaByKind: { 行政编制: 11 } } }))).toEqual([]);
    expect(runRule(rule('U-QT-02'), makeUnit({ quotas: { 行政编制: 0 }, agg: { onQuotaByKind: {} } }))).toEqual([]);
  });
});

describe('U-QT-03 可用编制不足以办理用编', () => {
  it('fires when in-transit commitments exceed the vacancies', () => {
    const u = makeUnit({ agg: { inTransitByKind: { 行政编制: 3 } } }); // 10 − 8 − 3 = −1
    expect(availableQuota(u, '行政编制')).toBe(-1);
    expect(runRule(rule('U-QT-03'), u)).toEqual([{ qualifier: '行政编制', detail: { kind: '行政编制', approved: 10, actual: 8, inTransit: 3, available: -1, requested: 0 } }]);
  });
  it('judges a request: more requested than available', () => {
    expect(runRule(rule('U-QT-03'), makeUnit(), { params: { requested: 3, kind: '行政编制' } })[0].detail).toMatchObject({ available: 2, requested: 3 });
    expect(runRule(rule('U-QT-03'), makeUnit(), { params: { requested: 2, kind: '行政编制' } })).toEqual([]);
  });
  it('is silent when commitments fit', () => {
    expect(runRule(rule('U-QT-03'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-QT-03'), makeUnit({ agg: { inTransitByKind: { 行政编制: 2 } } }))).toEqual([]);
  });
});

describe('U-QT-04 空壳机构', () => {
  it('reports a unit with quota and nobody on it, held back 12 months', () => {
    expect(runRule(rule('U-QT-04'), makeUnit({ agg: { onQuotaByKind: {} } }))).toEqual([{ holdDays: 365, detail: { approved: 10, actual: 0 } }]);
  });
  it('is silent with people or without quota', () => {
    expect(runRule(rule('U-QT-04'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-QT-04'), makeUnit({ quotas: {}, agg: { onQuotaByKind: {} } }))).toEqual([]);
  });
});

describe('U-QT-05 编外用工超控制数', () => {
  it('fires above the cap', () => {
    expect(runRule(rule('U-QT-05'), makeUnit({ workerCap: 2 }))).toEqual([{ detail: { cap: 2, actual: 3, over: 1 } }]);
  });
  it('is silent at the cap or without one', () => {
    expect(runRule(rule('U-QT-05'), makeUnit({ workerCap: 3 }))).toEqual([]);
    expect(runRule(rule('U-QT-05'), makeUnit({ workerCap: null }))).toEqual([]);
  });
});

describe('U-QT-06 区域编制总量超额', () => {
  it('fires per kind over the area total', () => {
    const u = makeUnit({ agg: { regionOverTotal: [{ kind: '行政编制', sum: 3010, total: 2976 }] } });
    expect(runRule(rule('U-QT-06'), u)).toEqual([{ qualifier: '行政编制', detail: { kind: '行政编制', sum: 3010, total: 2976, over: 34 } }]);
  });
  it('is silent within the totals', () => {
    expect(runRule(rule('U-QT-06'), makeUnit())).toEqual([]);
  });
});

describe('U-QT-07 用编计划逾期未使用', () => {
  it('fires on expired unused plans', () => {
    expect(runRule(rule('U-QT-07'), makeUnit({ agg: { expiredPlans: 2 } }))).toEqual([{ detail: { count: 2 } }]);
  });
  it('is silent without any', () => {
    expect(runRule(rule('U-QT-07'), makeUnit())).toEqual([]);
  });
});
