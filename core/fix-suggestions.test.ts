import { describe, expect, it } from 'vitest';
import { fixSuggestions, idIsValid, officeKey, officeMatch, type SuggestionInput } from './fix-suggestions.ts';
import { idFacts } from './idnumber.ts';
import { makeIdNumber } from './rules/testing.ts';

const TODAY = '2026-11-23';
const ID = makeIdNumber('19850315', '男'); // valid 18-digit, male, born 1985-03-15
const person = (o: Partial<SuggestionInput> & { id?: string } = {}): SuggestionInput => {
  const { id, ...rest } = o;
  return { kind: 'person', idFacts: idFacts(id ?? ID, TODAY), gender: '男', birthDate: '1985-03-15', office: null, unitOffices: [], ...rest };
};
const fields = (s: ReturnType<typeof fixSuggestions>) => s.map((x) => x.field);

describe('fixSuggestions: 出生日期 and 性别 from a valid ID number', () => {
  it('suggests the encoded birth date when it differs, saying the 档案 may prevail, and the rule it resolves', () => {
    const [s] = fixSuggestions(person({ birthDate: '1985-04-15' }));
    expect(s).toMatchObject({ field: '出生日期', current: '1985-04-15', suggested: '1985-03-15', rule: 'P-ID-08' });
    expect(s.reason).toContain('请先核对人事档案，档案与身份证不一致时以档案为准');
    // The pre-filled 修改原因 does not claim, in the user's name, that the 档案 was checked.
    expect(s.saveReason).toBe('按系统建议：依据身份证号修正出生日期');
    expect(s.saveReason).not.toContain('档案');
  });
  it('suggests the encoded sex when it differs', () => {
    expect(fixSuggestions(person({ gender: '女' }))).toEqual([expect.objectContaining({ field: '性别', current: '女', suggested: '男', rule: 'P-ID-09' })]);
    expect(fixSuggestions(person({ id: makeIdNumber('19850315', '女'), gender: '男' }))[0]).toMatchObject({ suggested: '女' });
  });
  it('works from a valid legacy 15-digit number', () => {
    const id15 = '330603850315123'; // 1985-03-15, last digit odd: male
    expect(idIsValid(idFacts(id15, TODAY))).toBe(true);
    const s = fixSuggestions(person({ id: id15, birthDate: '1986-03-15', gender: '女' }));
    expect(s.map((x) => [x.field, x.suggested])).toEqual([['出生日期', '1985-03-15'], ['性别', '男']]);
    expect(s[0].reason).toContain('15位');
  });
  it('says nothing when the values already agree, or the roster gives the same month only', () => {
    expect(fixSuggestions(person())).toEqual([]);
    expect(fixSuggestions(person({ birthDate: '1985-03' }))).toEqual([]);
    expect(fixSuggestions(person({ birthDate: null, gender: null }))).toEqual([]);
  });
  it('says nothing when the number is invalid: wrong check character, bad province, impossible date, bad shape, empty', () => {
    const wrongCheck = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
    const badProvince = makeIdNumber('19850315', '男', '990603');
    const badDate = makeIdNumber('19850230', '男');
    for (const id of [wrongCheck, badProvince, badDate, '12345', '']) {
      expect(fixSuggestions(person({ id, birthDate: '1970-01-01', gender: '女' })), id).toEqual([]);
    }
  });
  it('gives no birth date when the birth is withheld from the role (facts.birth null)', () => {
    const f = { ...idFacts(ID, TODAY), birth: null };
    expect(fields(fixSuggestions(person({ idFacts: f, birthDate: '1990-01-01', gender: '女' })))).toEqual(['性别']);
  });
  it('offers a worker its sex (no rule) but never a birth date or an office', () => {
    const s = fixSuggestions({ kind: 'worker', idFacts: idFacts(ID, TODAY), gender: '女', birthDate: '1990-01-01', office: 'x', unitOffices: ['x '] });
    expect(s).toEqual([expect.objectContaining({ field: '性别', suggested: '男', rule: null })]);
  });
});

describe('fixSuggestions: the regular writing of the ID number', () => {
  it('suggests the regular form of a valid number written irregularly (lower-case x, full-width, spaces), masked', () => {
    const body = '11010519491231002';
    expect(idIsValid(idFacts(body + 'X', TODAY))).toBe(true);
    for (const raw of [body + 'x', '１１' + body.slice(2) + 'X', '110105 19491231002X']) {
      const s = fixSuggestions(person({ id: raw, birthDate: '1949-12-31', gender: '女' }));
      expect(s, raw).toEqual([expect.objectContaining({ field: '身份证号', suggested: '110105***********X', rule: 'P-ID-07' })]);
      expect(JSON.stringify(s)).not.toContain('1949123');
    }
  });
  it('says nothing for a regular number, or an irregular one that is not valid', () => {
    expect(fixSuggestions(person({ id: '11010519491231002X', birthDate: '1949-12-31', gender: '女' }))).toEqual([]);
    expect(fixSuggestions(person({ id: '11010519491231003x', birthDate: '1949-12-31', gender: '女' }))).toEqual([]);
  });
});

describe('fixSuggestions: 所在处室 against the unit’s 内设机构', () => {
  const offices = ['办公室', '政策法规科', 'ＩＴ中心'];
  it('suggests the one office that differs only in spacing or width', () => {
    expect(fixSuggestions(person({ office: '政策 法规科', unitOffices: offices }))).toEqual([expect.objectContaining({ field: '所在处室', current: '政策 法规科', suggested: '政策法规科', rule: 'P-ST-08' })]);
    expect(fixSuggestions(person({ office: '办公室\u3000', unitOffices: offices }))[0].suggested).toBe('办公室');
    expect(fixSuggestions(person({ office: 'IT中心', unitOffices: offices }))[0].suggested).toBe('ＩＴ中心');
  });
  it('says nothing when the name is already right, matches nothing, or matches two offices (ambiguous)', () => {
    expect(fixSuggestions(person({ office: '办公室', unitOffices: offices }))).toEqual([]);
    expect(fixSuggestions(person({ office: '财务科', unitOffices: offices }))).toEqual([]);
    expect(officeMatch('IT 中心', ['IT中心', 'ＩＴ中心'])).toBeNull();
    expect(fixSuggestions(person({ office: 'IT 中心', unitOffices: ['IT中心', 'ＩＴ中心'] }))).toEqual([]);
    expect(fixSuggestions(person({ office: '办 公室', unitOffices: [] }))).toEqual([]);
    // A 单位正职/副职 belongs to the unit, not an office (P-ST-09): the office is not certain.
    expect(fixSuggestions(person({ office: '政策 法规科', unitOffices: offices, leaderLevel: '单位正职' }))).toEqual([]);
    expect(fixSuggestions(person({ office: '政策 法规科', unitOffices: offices, leaderLevel: '中层正职' }))).toHaveLength(1);
  });
  it('compares NFKC with whitespace removed', () => {
    expect(officeKey(' Ａ\u3000科 ')).toBe('A科');
  });
});
