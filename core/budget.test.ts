import { describe, expect, it } from 'vitest';
import {
  addLimit, addToSums, BUDGET_STATES, budgetTransition, budgetYearRefusal, emptySums, parseBudgetLines, parseReason, type BudgetAction, type KindFacts,
} from './budget.ts';

const facts: KindFacts[] = [
  { kind: '行政编制', approved: 10, actual: 8, vacant: 2, over: 0, retireForecast: 1 },
  { kind: '事业编制', approved: 5, actual: 6, vacant: 0, over: 1, retireForecast: 0 },
];

describe('budget transitions', () => {
  const to = (from: Parameters<typeof budgetTransition>[0], a: BudgetAction) => {
    const t = budgetTransition(from, a);
    return 'to' in t ? t.to : null;
  };
  it('a unit saves and submits from 未填, 草稿 and 已退回, never from 已提交 or 已通过', () => {
    for (const from of ['none', 'draft', 'returned'] as const) {
      expect(to(from, 'save')).toBe('draft');
      expect(to(from, 'submit')).toBe('submitted');
    }
    for (const from of ['submitted', 'approved'] as const) {
      expect(to(from, 'save')).toBeNull();
      expect(to(from, 'submit')).toBeNull();
    }
    expect(budgetTransition('approved', 'save')).toEqual({ refused: expect.stringContaining('已审核通过并锁定') });
  });
  it('the office approves or returns only a submitted budget, and reopens only an approved one (to 已退回)', () => {
    for (const from of BUDGET_STATES) {
      expect(to(from, 'approve')).toBe(from === 'submitted' ? 'approved' : null);
      expect(to(from, 'return')).toBe(from === 'submitted' ? 'returned' : null);
      expect(to(from, 'reopen')).toBe(from === 'approved' ? 'returned' : null);
    }
  });
  it('a return and a reopen need a reason', () => {
    expect(parseReason('  ', 'return')).toEqual({ error: '退回修改须填写原因' });
    expect(parseReason('人数偏多', 'reopen')).toEqual({ reason: '人数偏多' });
    expect(parseReason('很'.repeat(501), 'return')).toEqual({ error: '原因不能超过 500 个字' });
  });
});

describe('budget lines', () => {
  it('a draft keeps what was entered, the kinds not entered get the forecast', () => {
    const r = parseBudgetLines([{ kind: '行政编制', addRecruit: '9' }], facts, { draft: true });
    expect('lines' in r && r.lines).toEqual([
      { kind: '行政编制', addRecruit: 9, addTransfer: 0, addMilitary: 0, addOther: 0, retire: 0, otherOut: 0, retireReason: null, note: null },
      { kind: '事业编制', addRecruit: 0, addTransfer: 0, addMilitary: 0, addOther: 0, retire: 0, otherOut: 0, retireReason: null, note: null },
    ]);
  });
  it('a submission may not plan beyond 核定: additions ≤ 核定 − 实有 + 减少, naming kind and field', () => {
    const ok = parseBudgetLines([{ kind: '行政编制', addRecruit: 2, addTransfer: 1, retire: 1 }], facts, { draft: false });
    expect('lines' in ok).toBe(true);
    const bad = parseBudgetLines([{ kind: '行政编制', addRecruit: 3, addTransfer: 1, retire: 1 }], facts, { draft: false });
    expect('errors' in bad && bad.errors['行政编制.addRecruit']).toBe('行政编制的“计划补充（入编）”合计 4 人，超过可补充数 3 人（核定 10，实有 8，空编 2 人，预计减少 1），编制使用不能超出核定数');
    // Over-staffed by 1: two leaving allow one in.
    expect(addLimit(facts[1], { retire: 0, otherOut: 2 })).toBe(1);
    const over = parseBudgetLines([{ kind: '行政编制', retire: 1 }, { kind: '事业编制', otherOut: 2, addOther: 2 }], facts, { draft: false });
    expect('errors' in over && over.errors['事业编制.addRecruit']).toMatch(/目前超编 1 人/);
  });
  it('a 退休 figure other than the forecast needs its reason; reductions stay within 实有; counts are whole numbers', () => {
    const r = parseBudgetLines([{ kind: '行政编制', retire: 3 }], facts, { draft: false });
    expect('errors' in r && r.errors['行政编制.retireReason']).toMatch(/与退休预测的 1 人不同/);
    expect('lines' in parseBudgetLines([{ kind: '行政编制', retire: 3, retireReason: '两人提前退休' }], facts, { draft: false })).toBe(true);
    const many = parseBudgetLines([{ kind: '事业编制', otherOut: 7 }, { kind: '行政编制', retire: 1 }], facts, { draft: false });
    expect('errors' in many && many.errors['事业编制.otherOut']).toMatch(/超过实有在编 6 人/);
    const neg = parseBudgetLines([{ kind: '行政编制', addMilitary: -1 }], facts, { draft: true });
    expect('errors' in neg && neg.errors['行政编制.addMilitary']).toBe('行政编制的“计划补充（军转安置）”须为 0 到 9999 之间的整数');
    const other = parseBudgetLines([{ kind: '工勤编制X' }], facts, { draft: true });
    expect('errors' in other && Object.values(other.errors)[0]).toMatch(/不是本单位核定或实有的编制类型/);
  });
  it('sums add up per line', () => {
    const s = emptySums();
    const r = parseBudgetLines([{ kind: '行政编制', addRecruit: 2, retire: 1 }, { kind: '事业编制', otherOut: 1 }], facts, { draft: false });
    if (!('lines' in r)) throw new Error('refused');
    facts.forEach((f, i) => addToSums(s, f, r.lines[i]));
    expect(s).toMatchObject({ approved: 15, actual: 14, vacant: 2, over: 1, addTotal: 2, retire: 1, otherOut: 1, reduceTotal: 2, yearEnd: 14 });
    // The over-staffed kind's 超编 is not hidden: 空编 − 超编 = 核定 − 实有.
    expect(s.vacant - s.over).toBe(s.approved - s.actual);
  });
  it('full-width digits typed with a Chinese IME count (NFKC)', () => {
    const r = parseBudgetLines([{ kind: '行政编制', addRecruit: '１', addTransfer: ' ２ ', retire: '１' }], facts, { draft: false });
    expect('lines' in r && r.lines[0]).toMatchObject({ addRecruit: 1, addTransfer: 2, retire: 1 });
    const bad = parseBudgetLines([{ kind: '行政编制', addRecruit: '两' }], facts, { draft: true });
    expect('errors' in bad && bad.errors['行政编制.addRecruit']).toMatch(/须为 0 到 9999 之间的整数/);
  });
  it('the year opened is this year or the next two', () => {
    expect(budgetYearRefusal(2027, '2026-12-06')).toBeNull();
    expect(budgetYearRefusal(2025, '2026-12-06')).toMatch(/2026 到 2028/);
    expect(budgetYearRefusal('x', '2026-12-06')).toMatch(/四位数年份/);
  });
});
