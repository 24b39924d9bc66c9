// X-RG-01 市县数据不一致: planted differences between a county's snapshot and the city's copy fire;
// identical copies and a county without a snapshot stay silent.
import { describe, expect, it } from 'vitest';
import type { CountyCopyFacts } from '../model.ts';
import { ruleByCode } from './index.ts';
import { makeUnit, runRule } from './testing.ts';

const rule = () => ruleByCode('X-RG-01')!;
const same = (): CountyCopyFacts => ({
  region: '330604', month: '2026-11',
  unit: { quotas: { 行政编制: 10 }, leaderPosts: { 单位正职: 1 } },
  people: [{ personId: 7, name: '张三', idMasked: '330604********1234', status: '在编', quotaKind: '行政编制', county: { unitCode: '11330604MB0000001X', unitName: '上虞区某局', status: '在编', quotaKind: '行政编制' } }],
  onlyInCounty: [],
});
const unit = (c: CountyCopyFacts | undefined) => makeUnit({ code: '11330604MB0000001X', name: '上虞区某局', quotas: { 行政编制: 10 }, leaderPosts: { 单位正职: 1 }, agg: { countyCopy: c } });

describe('X-RG-01 市县数据不一致', () => {
  it('is silent when the copies agree, and for a county without a snapshot', () => {
    expect(runRule(rule(), unit(same()))).toEqual([]);
    expect(runRule(rule(), unit(undefined))).toEqual([]);
  });

  it('reports a person the county lacks, or in another unit, status or 编制类型', () => {
    const c = same();
    c.people[0].county = null;
    expect(runRule(rule(), unit(c))).toEqual([{ qualifier: 'person:7', subject: { kind: 'person', name: '张三', idMasked: '330604********1234' }, detail: { countyRegion: '330604', countyMonth: '2026-11', differences: ['县级数据中没有此人'] } }]);
    const d = same();
    d.people[0].county = { unitCode: '12330604MB0000002X', unitName: '上虞区某中心', status: '待入编', quotaKind: '事业编制' };
    const [hit] = runRule(rule(), unit(d));
    expect(hit.qualifier).toBe('person:7');
    expect(hit.detail!.differences).toEqual(['所在单位：市级“上虞区某局”，县级“上虞区某中心”', '人员状态：市级在编，县级待入编', '编制类型：市级行政编制，县级事业编制']);
  });

  it('reports a person only in the county\'s copy, a unit the county lacks, and a different 核定', () => {
    const c = same();
    c.onlyInCounty.push({ name: '李四', idMasked: '330604********5678', status: '在编', quotaKind: '行政编制' });
    c.unit = { quotas: { 行政编制: 12, 工勤编制: 1 }, leaderPosts: { 单位正职: 1, 单位副职: 2 } };
    const hits = runRule(rule(), unit(c));
    expect(hits.map((h) => h.qualifier)).toEqual(['quota:工勤编制', 'quota:行政编制', 'post:单位副职', 'county:330604********5678:李四']);
    expect(hits[2].detail!.differences).toEqual(['领导职数（单位副职）：市级0名，县级2名']);
    expect(hits[1].detail!.differences).toEqual(['核定行政编制：市级10名，县级12名']);
    expect(hits[3].subject).toEqual({ kind: 'person', name: '李四', idMasked: '330604********5678' });
    const gone = same();
    gone.unit = null;
    expect(runRule(rule(), unit(gone)).map((h) => h.qualifier)).toEqual(['unit']);
  });
});
