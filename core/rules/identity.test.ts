import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makeIdNumber, makePerson, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe('P-ID-01 身份证号缺失', () => {
  it('fires on an empty ID number', () => {
    expect(runRule(rule('P-ID-01'), makePerson({ idNumber: '' }))).toHaveLength(1);
    expect(runRule(rule('P-ID-01'), makePerson({ idNumber: null }))).toHaveLength(1);
  });
  it('is silent on a valid one', () => {
    expect(runRule(rule('P-ID-01'), makePerson())).toEqual([]);
  });
});

describe('P-ID-02 身份证号格式错误', () => {
  it('fires on a malformed number', () => {
    expect(runRule(rule('P-ID-02'), makePerson({ idNumber: '33060319850315' }))).toHaveLength(1);
    expect(runRule(rule('P-ID-02'), makePerson({ idNumber: '3306031985031512X3' }))).toHaveLength(1);
  });
  it('is silent on 18- and 15-character numbers', () => {
    expect(runRule(rule('P-ID-02'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-02'), makePerson({ idNumber: '340524800101001' }))).toEqual([]);
  });
});

describe('P-ID-03 身份证号校验码错误', () => {
  it('fires on a wrong check character and tells the expected one', () => {
    const good = makeIdNumber('19850315');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const hits = runRule(rule('P-ID-03'), makePerson({ idNumber: bad }));
    expect(hits).toHaveLength(1);
    expect(hits[0].detail).toEqual({ expected: good[17] });
  });
  it('is silent on the standard examples', () => {
    expect(runRule(rule('P-ID-03'), makePerson({ idNumber: '11010519491231002X' }))).toEqual([]);
    expect(runRule(rule('P-ID-03'), makePerson())).toEqual([]);
  });
});

describe('P-ID-04 身份证号出生日期无效', () => {
  it('fires on a date that does not exist', () => {
    const hits = runRule(rule('P-ID-04'), makePerson({ idNumber: makeIdNumber('19850230') }));
    expect(hits[0].detail).toMatchObject({ reason: 'invalid' });
  });
  it('fires below 16 and above 100', () => {
    expect(runRule(rule('P-ID-04'), makePerson({ idNumber: makeIdNumber('20100101') }))[0].detail).toMatchObject({ reason: 'young', age: 15 });
    expect(runRule(rule('P-ID-04'), makePerson({ idNumber: makeIdNumber('19200101') }))[0].detail).toMatchObject({ reason: 'old', age: 105 });
  });
  it('is silent on a plausible adult, and on the 16th birthday', () => {
    expect(runRule(rule('P-ID-04'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-04'), makePerson({ idNumber: makeIdNumber('20090616') }))).toEqual([]);
  });
});

describe('P-ID-05 身份证号地址码无效', () => {
  it('fires on an unknown province prefix', () => {
    expect(runRule(rule('P-ID-05'), makePerson({ idNumber: makeIdNumber('19850315', '男', '990603') }))).toHaveLength(1);
  });
  it('is silent on a known province', () => {
    expect(runRule(rule('P-ID-05'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-05'), makePerson({ idNumber: '' }))).toEqual([]);
  });
});

describe('P-ID-06 15位旧身份证号', () => {
  it('fires on a 15-digit number', () => {
    expect(runRule(rule('P-ID-06'), makePerson({ idNumber: '340524800101001' }))).toHaveLength(1);
  });
  it('is silent on an 18-character number', () => {
    expect(runRule(rule('P-ID-06'), makePerson())).toEqual([]);
  });
});

describe('P-ID-07 身份证号书写不规范', () => {
  it('fires on a lower-case x, full-width digits or spaces', () => {
    expect(runRule(rule('P-ID-07'), makePerson({ idNumber: '11010519491231002x' }))).toHaveLength(1);
    expect(runRule(rule('P-ID-07'), makePerson({ idNumber: '１１010519491231002X' }))).toHaveLength(1);
    expect(runRule(rule('P-ID-07'), makePerson({ idNumber: '110105 19491231002X' }))).toHaveLength(1);
  });
  it('is silent on a regular number', () => {
    expect(runRule(rule('P-ID-07'), makePerson({ idNumber: '11010519491231002X' }))).toEqual([]);
  });
});

describe('P-ID-08 出生日期与身份证不一致', () => {
  it('fires at year or month level on a year-month difference', () => {
    const hits = runRule(rule('P-ID-08'), makePerson({ birthDate: '1985-04-15' }));
    expect(hits).toHaveLength(1);
    // The level and the roster's date only: the number's own birth date is part of what the mask hides.
    expect(hits[0].detail).toEqual({ level: 'month', birthDate: '1985-04-15' });
    expect(runRule(rule('P-ID-08'), makePerson({ birthDate: '1984-03' }))[0].detail).toMatchObject({ level: 'year' });
  });
  it('fires at day level on a day-only difference', () => {
    expect(runRule(rule('P-ID-08'), makePerson({ birthDate: '1985-03-16' }))[0].detail).toEqual({ level: 'day', birthDate: '1985-03-16' });
  });
  it('is silent when they agree (a month-only 出生日期 agrees on its month)', () => {
    expect(runRule(rule('P-ID-08'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-08'), makePerson({ birthDate: '1985-03' }))).toEqual([]);
    expect(runRule(rule('P-ID-08'), makePerson({ birthDate: null }))).toEqual([]);
  });
});

describe('P-ID-09 性别与身份证不一致', () => {
  it('fires when 性别 contradicts the sequence parity', () => {
    expect(runRule(rule('P-ID-09'), makePerson({ gender: '女' }))[0].detail).toEqual({ gender: '女', idGender: '男' });
  });
  it('is silent when they agree or 性别 is empty', () => {
    expect(runRule(rule('P-ID-09'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-09'), makePerson({ gender: null }))).toEqual([]);
  });
});

describe('P-ID-10 同一单位重复录入', () => {
  it('fires when the same ID is in the unit twice', () => {
    expect(runRule(rule('P-ID-10'), makePerson({ cross: { sameIdInUnit: 1 } }))[0].detail).toEqual({ others: 1 });
  });
  it('is silent otherwise', () => {
    expect(runRule(rule('P-ID-10'), makePerson())).toEqual([]);
  });
});

describe('P-ID-11 一人多编', () => {
  it('fires when the ID is 在编 in another unit too', () => {
    expect(runRule(rule('P-ID-11'), makePerson({ cross: { otherQuotaUnits: 2 } }))[0].detail).toEqual({ otherUnits: 2 });
  });
  it('is silent for a single quota, and for a row not 在编', () => {
    expect(runRule(rule('P-ID-11'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-11'), makePerson({ status: '已出编', cross: { otherQuotaUnits: 1 } }))).toEqual([]);
  });
});

describe('P-ID-12 姓名不规范', () => {
  it('fires on spaces, digits, Latin letters and single characters', () => {
    expect(runRule(rule('P-ID-12'), makePerson({ name: '张 三' }))[0].detail).toEqual({ issue: 'space' });
    expect(runRule(rule('P-ID-12'), makePerson({ name: '张三　' }))[0].detail).toEqual({ issue: 'space' });
    expect(runRule(rule('P-ID-12'), makePerson({ name: '张三2' }))[0].detail).toEqual({ issue: 'digit' });
    expect(runRule(rule('P-ID-12'), makePerson({ name: 'Zhang三' }))[0].detail).toEqual({ issue: 'latin' });
    expect(runRule(rule('P-ID-12'), makePerson({ name: '张' }))[0].detail).toEqual({ issue: 'short' });
  });
  it('is silent on a regular name and a minority name with a middle dot', () => {
    expect(runRule(rule('P-ID-12'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-12'), makePerson({ name: '买买提·艾力' }))).toEqual([]);
    expect(runRule(rule('P-ID-12'), makePerson({ name: '𠮷祥' }))).toEqual([]);
  });
});

describe('P-ID-13 疑似同一人', () => {
  it('fires when another ID has the same name and birth date', () => {
    expect(runRule(rule('P-ID-13'), makePerson({ cross: { sameNameBirthOtherIds: 1 } }))).toHaveLength(1);
  });
  it('is silent otherwise', () => {
    expect(runRule(rule('P-ID-13'), makePerson())).toEqual([]);
  });
});

describe('P-ID-14 民族/政治面貌/学历 取值不规范', () => {
  it('fires once per field not in the dictionary, qualified by the field', () => {
    const hits = runRule(rule('P-ID-14'), makePerson({ ethnicity: '汉', politics: '党员', education: '大学' }));
    expect(hits.map((h) => h.qualifier)).toEqual(['民族', '政治面貌', '学历']);
    expect(hits[0].detail).toEqual({ field: '民族', value: '汉' });
  });
  it('is silent on dictionary values and on empty ones', () => {
    expect(runRule(rule('P-ID-14'), makePerson())).toEqual([]);
    expect(runRule(rule('P-ID-14'), makePerson({ ethnicity: null, politics: '', education: null }))).toEqual([]);
  });
});
