import { describe, expect, it } from 'vitest';
import type { PersonInput } from '../../../core/inputs.ts';
import { changedFields, changesFor, optionsOf, PERSON_FIELDS, rebase, toCells, validateCells } from './form.ts';

const stored: PersonInput = {
  unitCode: '11330603002482189K',
  idNumber: '330603********1234',
  name: '张三',
  gender: '男',
  ethnicity: '汉族',
  birthDate: '1985-03-15',
  office: '办公室',
  status: '在编',
  quotaKind: '行政编制',
  posts: '科员',
  leaderLevel: '非领导',
  rank: '一级主任科员',
  dutyStatus: '在岗',
  enteredOn: '2008-08-01',
  education: '大学本科',
  identity: '干部',
  politics: '中共党员',
};

describe('person form fields', () => {
  it('has every column of the 人员 sheet, with dictionary selects', () => {
    const names = PERSON_FIELDS.map((f) => f.name);
    expect(names.slice(0, 3)).toEqual(['统一社会信用代码', '身份证号', '姓名']);
    expect(names).toContain('政治面貌');
    const ethnicity = PERSON_FIELDS.find((f) => f.name === '民族')!;
    expect(ethnicity.kind).toBe('select');
    expect(optionsOf(ethnicity)).toContain('汉族');
    const rank = PERSON_FIELDS.find((f) => f.name === '职级')!;
    expect(rank.groups!.map((g) => g.label)).toEqual(['公务员职级', '职员等级', '专业技术等级', '工勤技能等级']);
    expect(PERSON_FIELDS.find((f) => f.name === '入编时间')!.kind).toBe('date');
  });

  it('turns a stored record into cells, empty values as empty text', () => {
    const cells = toCells(stored);
    expect(cells['姓名']).toBe('张三');
    expect(cells['身份证号']).toBe('330603********1234');
    expect(cells['职称']).toBe('');
    expect(cells['出生日期']).toBe('1985-03-15');
  });
});

describe('validateCells (the 人员 zod schema)', () => {
  it('accepts the stored record with its masked ID number kept as it is', () => {
    const v = validateCells(toCells(stored));
    expect(v.errors).toEqual({});
    expect(v.value?.idNumber).toBe('330603********1234');
    expect(v.value?.name).toBe('张三');
  });

  it('gives the Chinese message of the field that is wrong', () => {
    const cells = { ...toCells(stored), 入编时间: '2008-13-01', 姓名: '' };
    const v = validateCells(cells);
    expect(v.value).toBeNull();
    expect(v.errors['入编时间']).toMatch(/不是有效日期/);
    expect(v.errors['姓名']).toBe('不能为空');
    expect(Object.keys(v.errors).sort()).toEqual(['入编时间', '姓名'].sort());
  });

  it('reads the dictionary date spellings', () => {
    const v = validateCells({ ...toCells(stored), 入编时间: '2008年8月1日', 参加工作时间: '2008-07' });
    expect(v.errors).toEqual({});
    expect(v.value?.enteredOn).toBe('2008-08-01');
    expect(v.value?.workStartOn).toBe('2008-07');
  });

  it('judges a newly typed ID number', () => {
    expect(validateCells({ ...toCells(stored), 身份证号: '' }).errors['身份证号']).toBe('不能为空');
    const typed = validateCells({ ...toCells(stored), 身份证号: '33060319850315123x' });
    expect(typed.errors).toEqual({});
    expect(typed.value?.idNumber).toBe('33060319850315123X');
  });

  it('flags text longer than the column holds', () => {
    expect(validateCells({ ...toCells(stored), 民族: '很长'.repeat(10) }).errors['民族']).toMatch(/内容过长/);
  });
});

describe('changes', () => {
  it('sends only changed columns, by Chinese name, null for a cleared one, never the masked ID', () => {
    const base = toCells(stored);
    const cells = { ...base, 民族: '回族', 职务: '', 姓名: ' 张三 ' };
    expect(changedFields(base, cells)).toEqual(['民族', '职务']);
    expect(changesFor(base, cells)).toEqual({ 民族: '回族', 职务: null });
    expect(changesFor(base, { ...base, 身份证号: '330603198503151234' })).toEqual({ 身份证号: '330603198503151234' });
  });

  it('rebases the edits on a newer record and names the fields both changed', () => {
    const oldBase = toCells(stored);
    const edits = { ...oldBase, 民族: '回族', 学历: '硕士研究生' };
    const newBase = { ...oldBase, 学历: '博士研究生', 职务: '副科长' };
    const r = rebase(oldBase, edits, newBase);
    expect(r.cells['民族']).toBe('回族');
    expect(r.cells['学历']).toBe('硕士研究生');
    expect(r.cells['职务']).toBe('副科长');
    expect(r.conflicts).toEqual(['学历']);
  });
});
