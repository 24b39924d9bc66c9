import { describe, expect, it } from 'vitest';
import { amountCell, feedHeader, feedSheetKind, headerIssues, monthCell, parseFeedRow } from './feed-sheets.ts';
import { tryCell } from './sheets.ts';

const err = (parse: (v: any) => unknown, v: unknown) => {
  const r = tryCell(parse as any, v as any);
  return r.ok ? null : r.message;
};

describe('feed cells', () => {
  it('reads months in their spellings and refuses the rest', () => {
    expect(monthCell('2026-3')).toBe('2026-03');
    expect(monthCell('2026/11')).toBe('2026-11');
    expect(monthCell('2026年11月')).toBe('2026-11');
    expect(monthCell('202611')).toBe('2026-11');
    expect(monthCell(202611)).toBe('2026-11');
    expect(monthCell('2026-11-30')).toBe('2026-11');
    expect(monthCell(new Date(Date.UTC(2026, 10, 5)))).toBe('2026-11');
    expect(monthCell(' ')).toBeNull();
    expect(err(monthCell, '2026-13')).toContain('不是有效年月');
    expect(err(monthCell, '十一月')).toContain('不是有效年月');
    expect(err(monthCell, '2026-02-30')).toContain('不是有效年月');
  });

  it('reads amounts ≥ 0 and refuses what is no number', () => {
    expect(amountCell('8,123.456')).toBe(8123.46);
    expect(amountCell('¥0')).toBe(0);
    expect(amountCell(12)).toBe(12);
    expect(err(amountCell, '-1')).toContain('不是金额');
    expect(err(amountCell, -1)).toContain('应为不小于0的金额');
    expect(err(amountCell, '一万')).toContain('不是金额');
  });

  it('knows the sheets by name', () => {
    expect(feedSheetKind(' 社保 ')).toBe('社保');
    expect(feedSheetKind('工资统发')).toBe('工资统发');
    expect(feedSheetKind('名单')).toBeNull();
  });
});

describe('feed rows', () => {
  it('parses a payroll row; paid by amount, flag, or neither', () => {
    const h = feedHeader('工资统发', ['身份证号', '姓名', '发薪单位', '月份', '应发', '是否发放', '备注']);
    expect(h.notices).toEqual(['工资统发：未识别的列“备注”已忽略']);
    const row = (cells: unknown[]) => parseFeedRow('工资统发', h, 2, cells as any);
    expect(row(['', '张三', '某局', '2026-10', 0, null]).record).toMatchObject({ paid: false, amount: 0, month: '2026-10', idNumber: null });
    expect(row(['', '张三', '某局', '2026-10', null, '是']).record).toMatchObject({ paid: true });
    expect(row(['', '张三', '某局', '2026-10', null, null]).record).toMatchObject({ paid: true });
    expect(row(['', '张三', '某局', '2026-10', 1, '否']).record).toMatchObject({ paid: true });
    expect(row(['', '', '某局', '', 'x', '也许']).issues.map((i) => i.message)).toEqual([
      '第2行 姓名：不能为空', '第2行 月份：不能为空', '第2行 应发：“x”不是金额（应为不小于0的数字）', '第2行 是否发放：“也许”应填“是”或“否”',
    ]);
  });

  it('accepts an ID number with a wrong check digit or none, refuses a masked or rounded one', () => {
    const h = feedHeader('社保', ['身份证号', '姓名', '参保单位', '参保状态']);
    const row = (id: unknown) => parseFeedRow('社保', h, 3, [id, '张三', '某局', '参保'] as any);
    expect(row('330621198001010010').record).toMatchObject({ idNumber: '330621198001010010' });
    expect(row(null).issues).toEqual([]);
    expect(row('330621********0011').issues[0].message).toBe('第3行 身份证号：为脱敏号码（含“*”），请填写完整的身份证号');
    expect(row(330621198001010000).issues[0].message).toMatch(/^第3行 身份证号：以数值格式保存/);
    expect(row('3.30621E+17').issues[0].message).toMatch(/^第3行 身份证号：以科学计数法保存/);
  });

  it('reports a missing required column once, on row 1', () => {
    const h = feedHeader('组织部任免', ['姓名', '单位', '任免']);
    expect(headerIssues('组织部任免', h).map((i) => i.message)).toEqual(['第1行 日期：缺少必填列“日期”']);
    const r = parseFeedRow('组织部任免', h, 2, ['张三', '某局', '任职']);
    expect(r.record).toBeNull();
    expect(r.issues).toEqual([]);
  });
});
