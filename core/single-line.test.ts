// One-line text fields (issue 11, item 6): no column of any sheet stores a line break or a
// control character, except the multi-line fields of MULTI_LINE_FIELDS. The same schema serves
// the import, the mini-app's form and PUT /api/people/:id.

import { describe, expect, it } from 'vitest';
import { MULTI_LINE_FIELDS, singleLineProblem } from './dictionary.ts';
import { SHEET_NAMES, SHEETS, type CellValue } from './sheets.ts';

const VALID: Record<string, Record<string, CellValue>> = {
  机构: { 统一社会信用代码: '11330603002482180X', 机构名称: '柯桥区测试局', 所属区划: '330603' },
  编制: { 统一社会信用代码: '11330603002482180X', 编制类型: '行政编制', 核定数: 3 },
  领导职数: { 统一社会信用代码: '11330603002482180X', 职数类型: '单位正职', 核定数: 1 },
  人员: { 统一社会信用代码: '11330603002482180X', 身份证号: '330621198001010011', 姓名: '张三' },
  编外人员: { 统一社会信用代码: '11330603002482180X', 身份证号: '330621198001010011', 姓名: '张三' },
  用户: { 用户ID: 'u1', 姓名: '张三', 角色: '查询用户' },
};
const row = (sheet: (typeof SHEET_NAMES)[number], cells: Record<string, CellValue>) => ({ ...Object.fromEntries(SHEETS[sheet].columns.map((c) => [c, null])), ...VALID[sheet], ...cells });
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
const BAD = ['甲\n乙', '甲\r\n乙', '甲\u2028乙', '甲\u0007乙', '甲\t乙', '甲\u202e乙'];
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('one-line text fields', () => {
  for (const sheet of SHEET_NAMES) {
    it(`${sheet}: every column refuses line breaks and control characters, or stores none`, () => {
      const spec = SHEETS[sheet];
      expect(spec.schema.safeParse(row(sheet, {})).success).toBe(true);
      for (const column of spec.columns) {
        for (const bad of BAD) {
          const r = spec.schema.safeParse(row(sheet, { [column]: bad }));
          if (!r.success) {
            expect(r.error.issues.map((i) => i.path[0])).toEqual([column]);
            continue;
          }
          // Accepted: a key that normalisation cleaned (身份证号, 统一社会信用代码), or a multi-line field's line break.
          if (MULTI_LINE_FIELDS.includes(column) && /^甲(\n|\r\n|\t)乙$/.test(bad)) continue;
          expect(strings(r.data).filter((v) => CONTROL.test(v)), `${sheet}.${column} ${JSON.stringify(bad)}`).toEqual([]);
        }
      }
    });
  }

  it('says why in Chinese', () => {
    expect(singleLineProblem('张三')).toBeNull();
    expect(singleLineProblem('张\n三')).toBe('不能换行，请在一行内填写');
    expect(singleLineProblem('张\u0007三')).toBe('含有不可见的控制字符（U+0007），请删除后重新填写');
    const r = SHEETS.人员.schema.safeParse(row('人员', { 姓名: '[点此整改](http://evil.example/phish)\n### 通知' }));
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([expect.objectContaining({ path: ['姓名'], message: '不能换行，请在一行内填写' })]);
  });

  it('keeps line breaks in 主要职责, the one multi-line field', () => {
    const r = SHEETS.机构.schema.safeParse(row('机构', { 主要职责: '一、负责测试。\n二、负责检查。' }));
    expect(r.success && r.data.duties).toBe('一、负责测试。\n二、负责检查。');
    expect(SHEETS.机构.schema.safeParse(row('机构', { 主要职责: '一\u0000二' })).success).toBe(false);
  });
});
