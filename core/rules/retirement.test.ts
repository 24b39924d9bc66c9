import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { personRetirement } from './retirement.ts';
import { makeIdNumber, makePerson, makeUnit, runRule, type PersonOverrides } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

/** A person born on `birth` (YYYY-MM-DD), consistent ID number and 出生日期. */
function born(birth: string, gender: '男' | '女', o: PersonOverrides = {}) {
  return makePerson({ idNumber: makeIdNumber(birth.replaceAll('-', ''), gender), birthDate: birth, gender, ...o });
}

describe('P-RT-01 退休人员未及时出编', () => {
  const man = born('1965-04-10', '男');

  it('man born 1965-04 retires 2025-05 at 60y1m: silent through May and the 端午 holiday, fires on the first working day of June', () => {
    expect(personRetirement(man, makeUnit())?.retirement).toMatchObject({ month: '2025-05', age: { years: 60, months: 1 } });
    expect(runRule(rule('P-RT-01'), man, { date: '2025-05-31' })).toEqual([]);
    expect(runRule(rule('P-RT-01'), man, { date: '2025-06-02' })).toEqual([]); // 端午节 day off
    const hits = runRule(rule('P-RT-01'), man, { date: '2025-06-03' });
    expect(hits).toHaveLength(1);
    expect(hits[0].detail).toMatchObject({ retireMonth: '2025-05', retireAge: '60岁1个月', category: 'male' });
  });

  it('female worker (工人) born 1975-01 retires 2025-02 at 50y1m', () => {
    const woman = born('1975-01-20', '女', { identity: '工人', quotaKind: '事业编制', postCategory: '工勤技能岗位', rank: '技术工三级' });
    expect(runRule(rule('P-RT-01'), woman, { date: '2025-02-28' })).toEqual([]);
    const hits = runRule(rule('P-RT-01'), woman, { date: '2025-03-03' });
    expect(hits[0].detail).toMatchObject({ retireMonth: '2025-02', retireAge: '50岁1个月', category: 'female50' });
  });

  it('takes the 工人 category from 岗位类别 when 人员身份 is empty', () => {
    const woman = born('1975-01-20', '女', { identity: null, quotaKind: '事业编制', postCategory: '工勤技能岗位' });
    expect(runRule(rule('P-RT-01'), woman, { date: '2025-03-03' })[0].detail).toMatchObject({ category: 'female50' });
  });

  it('falls back to the ID birth date when 出生日期 is empty', () => {
    const p = makePerson({ idNumber: makeIdNumber('19650410'), birthDate: null });
    expect(runRule(rule('P-RT-01'), p, { date: '2025-06-03' })[0].detail).toMatchObject({ retireMonth: '2025-05', birthFrom: 'id' });
  });

  it('does not flag a female_60 woman (正高级) past her 55 month', () => {
    const woman = born('1968-03-05', '女', { title: '正高级', quotaKind: '事业编制', postCategory: '专业技术岗位', rank: '专技四级' });
    expect(runRule(rule('P-RT-01'), woman, { date: '2025-06-16' })).toEqual([]);
    // Without the title she is overdue under the 55 table (retired 2023-03).
    expect(runRule(rule('P-RT-01'), { ...woman, title: '中级' }, { date: '2025-06-16' })[0].detail).toMatchObject({ retireMonth: '2023-03' });
  });

  it('does not flag a woman 单位正职 of a 正处级 unit', () => {
    const woman = born('1968-03-05', '女', { leaderLevel: '单位正职', rank: '一级调研员' });
    expect(runRule(rule('P-RT-01'), woman, { date: '2025-06-16' })).toEqual([]);
  });

  it('is silent with an approved late retirement still running, and for people not 在编', () => {
    expect(runRule(rule('P-RT-01'), { ...man, lateRetireUntil: '2026-05-31' }, { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('P-RT-01'), { ...man, status: '已出编' }, { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('P-RT-01'), makePerson())).toEqual([]);
  });

  it('recomputes when the record changes', () => {
    const p = born('1965-04-10', '男');
    expect(runRule(rule('P-RT-01'), p, { date: '2025-06-16' })).toHaveLength(1);
    p.birthDate = '1975-04-10';
    expect(runRule(rule('P-RT-01'), p, { date: '2025-06-16' })).toEqual([]);
  });
});

describe('P-RT-02 即将达到退休年龄', () => {
  it('fires when the retirement month is within the next 3 months', () => {
    const p = born('1965-07-01', '男'); // 60y2m → 2025-09
    const hits = runRule(rule('P-RT-02'), p, { date: '2025-06-16' });
    expect(hits[0].detail).toMatchObject({ retireMonth: '2025-09', retireAge: '60岁2个月' });
    expect(runRule(rule('P-RT-02'), born('1965-04-01', '男'), { date: '2025-05-02' })).toHaveLength(1); // this month
  });
  it('is silent further ahead and once the month is over', () => {
    expect(runRule(rule('P-RT-02'), born('1965-09-01', '男'), { date: '2025-06-16' })).toEqual([]); // 2025-12
    expect(runRule(rule('P-RT-02'), born('1965-04-01', '男'), { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('P-RT-02'), makePerson())).toEqual([]);
  });
});

describe('P-RT-03 弹性延迟到期未出编', () => {
  const man = born('1963-01-10', '男'); // retired 2023-01 at 60
  it('fires one working day after the end date has passed', () => {
    const p = { ...man, lateRetireUntil: '2025-06-12' };
    expect(runRule(rule('P-RT-03'), p, { date: '2025-06-13' })).toEqual([]); // the grace day
    const hits = runRule(rule('P-RT-03'), p, { date: '2025-06-16' });
    expect(hits).toEqual([{ qualifier: '已到期', detail: { lateRetireUntil: '2025-06-12' } }]);
  });
  it('fires on a delay longer than 36 months', () => {
    const hits = runRule(rule('P-RT-03'), { ...man, lateRetireUntil: '2026-06-30' }, { date: '2025-06-16' });
    expect(hits).toEqual([{ qualifier: '延迟超限', detail: { lateRetireUntil: '2026-06-30', retireMonth: '2023-01', delayMonths: 41 } }]);
  });
  it('is silent while a permitted delay runs, and without one', () => {
    expect(runRule(rule('P-RT-03'), { ...man, lateRetireUntil: '2025-12-31' }, { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('P-RT-03'), makePerson())).toEqual([]);
  });
});

describe('P-RT-04 年龄超出合理范围', () => {
  it('fires over 66 while 在编 and under 18', () => {
    expect(runRule(rule('P-RT-04'), born('1958-01-01', '男'))[0].detail).toEqual({ age: 67, maxAge: 66 });
    expect(runRule(rule('P-RT-04'), born('2008-01-01', '男', { status: '待入编' }))[0].detail).toEqual({ age: 17, minAge: 18 });
  });
  it('is silent in range and for people who left', () => {
    expect(runRule(rule('P-RT-04'), makePerson())).toEqual([]);
    expect(runRule(rule('P-RT-04'), born('1950-01-01', '男', { status: '已出编' }))).toEqual([]);
  });
});

describe('P-RT-05 退休年龄类别缺失或矛盾', () => {
  it('fires on a woman with no category to tell', () => {
    const w = born('1980-01-01', '女', { identity: null, quotaKind: '事业编制', postCategory: null });
    expect(runRule(rule('P-RT-05'), w)).toEqual([{ qualifier: '缺失' }]);
  });
  it('fires on a 工人 in a 管理岗位 and on an invalid value', () => {
    const w = born('1980-01-01', '女', { identity: '工人', quotaKind: '事业编制', postCategory: '管理岗位' });
    expect(runRule(rule('P-RT-05'), w)[0]).toMatchObject({ qualifier: '矛盾' });
    expect(runRule(rule('P-RT-05'), { ...w, identity: '职员' })[0]).toMatchObject({ qualifier: '无效' });
  });
  it('is silent on consistent or derivable categories, and for men', () => {
    expect(runRule(rule('P-RT-05'), born('1980-01-01', '女', { identity: null }))).toEqual([]); // 行政编制 → 干部
    expect(runRule(rule('P-RT-05'), born('1980-01-01', '女', { identity: '干部', quotaKind: '事业编制', postCategory: '管理岗位' }))).toEqual([]);
    expect(runRule(rule('P-RT-05'), makePerson({ identity: null, quotaKind: '事业编制' }))).toEqual([]);
  });
});

describe('P-RT-06 女处级/高级职称人员退休年龄待核', () => {
  it('fires for a female_60 woman past her 55/58 month, showing the 60 rule', () => {
    const w = born('1968-03-05', '女', { title: '正高级', quotaKind: '事业编制', postCategory: '专业技术岗位', rank: '专技四级' });
    expect(runRule(rule('P-RT-06'), w, { date: '2025-06-16' })[0].detail).toEqual({
      rule: '60周岁', retireMonth: '2028-03', tableMonth: '2023-03', tableAge: '55岁', over60: false,
    });
  });
  it('is silent before her 55/58 month, and for women outside the group', () => {
    const w = born('1972-01-05', '女', { title: '副高级', quotaKind: '事业编制', postCategory: '专业技术岗位', rank: '专技六级' });
    expect(runRule(rule('P-RT-06'), w, { date: '2025-06-16' })).toEqual([]); // 55y7m → 2027-08
    expect(runRule(rule('P-RT-06'), born('1968-03-05', '女'), { date: '2025-06-16' })).toEqual([]);
  });
});
