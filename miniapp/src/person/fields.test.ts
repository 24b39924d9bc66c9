import { describe, expect, it } from 'vitest';
import { RULES } from '../../../core/rules/index.ts';
import { fieldToFocus, findingFields, flaggedFields } from './fields.ts';
import { PERSON_FIELDS } from './form.ts';

const f = (id: number, rule: string, extra: { qualifier?: string | null; detail?: Record<string, unknown> | null; title?: string } = {}) => ({
  id, rule, qualifier: extra.qualifier ?? null, detail: extra.detail ?? null, title: extra.title ?? rule,
});

describe('the fields a finding concerns', () => {
  it('names at least one form field for every person rule', () => {
    const names = new Set(PERSON_FIELDS.map((d) => d.name));
    for (const r of RULES.filter((x) => x.scope === 'person')) {
      // P-ID-14 and P-TM-07 name the field in their qualifier, P-TM-01 in detail.missing.
      const sample = f(1, r.code, { qualifier: '民族', detail: { field: '民族', missing: ['民族'] } });
      const fields = findingFields(sample);
      expect(fields.length, r.code).toBeGreaterThan(0);
      for (const x of fields) expect(names.has(x), `${r.code} ${x}`).toBe(true);
    }
  });

  it('marks each field of several findings, with every finding about it', () => {
    const m = flaggedFields([
      f(1, 'P-ID-08', { title: '出生日期与身份证不一致' }),
      f(2, 'P-TM-01', { detail: { missing: ['性别', '民族'] }, title: '入编后信息未完善' }),
      f(3, 'P-ID-09', { title: '性别与身份证不一致' }),
    ]);
    expect(m.get('出生日期')).toEqual(['出生日期与身份证不一致']);
    expect(m.get('民族')).toEqual(['入编后信息未完善']);
    expect(m.get('性别')).toEqual(['入编后信息未完善', '性别与身份证不一致']);
    expect(m.get('身份证号')).toEqual(['出生日期与身份证不一致', '性别与身份证不一致']);
  });

  it('focuses the field of the finding the form was opened for, else the first marked in the form', () => {
    const list = [f(1, 'P-ST-11'), f(2, 'P-ID-12')];
    expect(fieldToFocus(list, 1)).toBe('在岗状态');
    expect(fieldToFocus(list, 2)).toBe('姓名');
    expect(fieldToFocus(list, null)).toBe('姓名');
    expect(fieldToFocus([], null)).toBeNull();
  });
});
