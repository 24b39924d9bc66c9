import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { budgetStatus, monthEnd, planDailyAlerts, sendCardUpdate, tightest, UNITS_PER_DIGEST } from './message-budget.ts';

// November 2026 has no holiday: 1st a Sunday, working days 2–6, 9–13, 16–20, 23–27 and 30 = 21.
// October 2026: 国庆 10-01…10-07 off, make-up Saturday 10-10 (core/rhythms.test.ts).
const cal = createCalendar([]);

describe('the month budget', () => {
  it('Monday 16 November, 2,200 of 5,000 used: 11 working days elapsed, 10 left, 200 a day → 4,200 by the 30th, ok', () => {
    const s = budgetStatus({ budget: 5000, used: 2200, date: '2026-11-16', calendar: cal });
    expect(s.workdays).toEqual({ elapsed: 11, left: 10, total: 21 });
    expect(s.perWorkday).toBe(200);
    expect(s.projected).toBe(4200);
    expect(s.usedShare).toBeCloseTo(0.44);
    expect(s.remaining).toBe(2800);
    expect(s.state).toBe('ok');
    // 2,800 left over today and the 10 working days after it: 254 a day.
    expect(s.allowanceToday).toBe(254);
  });

  it('Friday 27 November, 4,100 used (82 %): 20 days elapsed, 1 left, projection 4,305 within budget → warn', () => {
    const s = budgetStatus({ budget: 5000, used: 4100, date: '2026-11-27', calendar: cal });
    expect(s.workdays).toEqual({ elapsed: 20, left: 1, total: 21 });
    expect(s.projected).toBe(4305);
    expect(s.state).toBe('warn');
    expect(s.allowanceToday).toBe(450); // 900 over 2 days
  });

  it('Friday 13 November, 3,000 used (60 %): 300 a day over 10 days → 6,300 by the end → short', () => {
    const s = budgetStatus({ budget: 5000, used: 3000, date: '2026-11-13', calendar: cal });
    expect(s.workdays).toEqual({ elapsed: 10, left: 11, total: 21 });
    expect(s.projected).toBe(6300);
    expect(s.state).toBe('short');
    expect(s.allowanceToday).toBe(166); // 2,000 over 12 days
  });

  it('on a Saturday today is no day to spend on; a spent budget is short with nothing allowed', () => {
    expect(budgetStatus({ budget: 5000, used: 1000, date: '2026-11-14', calendar: cal }).allowanceToday).toBe(363); // 4,000 / 11
    const spent = budgetStatus({ budget: 5000, used: 5003, date: '2026-11-30', calendar: cal });
    expect(spent).toMatchObject({ state: 'short', remaining: 0, allowanceToday: 0, projected: 5003 });
  });

  it('counts working days by the calendar: October 2026 has 16 (国庆 off, make-up Saturday 10 October on)', () => {
    // 1–9 October: working days 8, 9 → elapsed 2; after: 10 (Sat, make-up), 12–16, 19–23, 26–30 → 16 left.
    const s = budgetStatus({ budget: 5000, used: 400, date: '2026-10-09', calendar: cal });
    expect(s.workdays).toEqual({ elapsed: 2, left: 16, total: 18 });
    expect(s.projected).toBe(400 + 200 * 16);
    expect(monthEnd('2026-02-10')).toBe('2026-02-28');
  });

  it('without a budget (Zheng-Ding by default) the state is ok and nothing is allowanced', () => {
    const s = budgetStatus({ budget: null, used: 90_000, date: '2026-11-16', calendar: cal });
    expect(s).toMatchObject({ state: 'ok', remaining: null, usedShare: null, allowanceToday: null });
  });

  it('the tightest of several platforms is the short one, else the one with the least allowance', () => {
    const a = budgetStatus({ budget: 5000, used: 100, date: '2026-11-16', calendar: cal });
    const b = budgetStatus({ budget: 5000, used: 3000, date: '2026-11-13', calendar: cal });
    expect(tightest([a, b])).toBe(b);
    expect(tightest([])).toBeNull();
  });
});

describe("the day's plan", () => {
  // E has 3 red items, A 2, C 1; B only yellow (5), D only yellow (1).
  const units = [
    { unitId: 1, red: 2, yellow: 0 }, // A
    { unitId: 2, red: 0, yellow: 5 }, // B
    { unitId: 3, red: 1, yellow: 2 }, // C
    { unitId: 4, red: 0, yellow: 1 }, // D
    { unitId: 5, red: 3, yellow: 0 }, // E
  ];

  it('sends every card when the allowance covers 5 units + 2 leaders', () => {
    const p = planDailyAlerts({ allowance: 10, units, leaders: 2 });
    expect(p).toMatchObject({ mode: 'cards', needed: 7, cardUnits: [5, 1, 3, 2, 4], digestUnits: [], leaderCards: true, digestMessages: 0 });
    expect(planDailyAlerts({ allowance: null, units, leaders: 2 }).mode).toBe('cards');
  });

  it('allowance 5 < 7: one digest message, red units E, A, C, no room for both leaders, then B; D in the digest', () => {
    const p = planDailyAlerts({ allowance: 5, units, leaders: 2 });
    expect(p).toMatchObject({ mode: 'digest', needed: 7, cardUnits: [5, 1, 3, 2], digestUnits: [4], leaderCards: false, digestMessages: 1 });
  });

  it('allowance 7 with one other message: E, A, C, then both leaders (red before yellow); B and D in the digest', () => {
    const p = planDailyAlerts({ allowance: 7, units, leaders: 2, otherCalls: 1 });
    // 7 − 1 digest − 1 other = 5: E, A, C (2 left), leaders (0 left); B and D in the digest.
    expect(p).toMatchObject({ mode: 'digest', needed: 8, cardUnits: [5, 1, 3], digestUnits: [2, 4], leaderCards: true, digestMessages: 1 });
  });

  it('allowance 2: only E gets a card; allowance 0: everything in the digest, red units first', () => {
    expect(planDailyAlerts({ allowance: 2, units, leaders: 2 })).toMatchObject({ cardUnits: [5], digestUnits: [1, 3, 2, 4] });
    expect(planDailyAlerts({ allowance: 0, units, leaders: 2 })).toMatchObject({ cardUnits: [], digestUnits: [5, 1, 3, 2, 4], leaderCards: false, digestMessages: 1 });
  });

  it('a long list takes one digest message per 40 units', () => {
    const many = Array.from({ length: 95 }, (_, i) => ({ unitId: i + 1, red: i % 2, yellow: 1 }));
    const p = planDailyAlerts({ allowance: 0, units: many, leaders: 0 });
    expect(UNITS_PER_DIGEST).toBe(40);
    expect(p.digestMessages).toBe(3);
    expect(p.digestUnits.slice(0, 47).every((id) => id % 2 === 0)).toBe(true); // the 47 red units (ids 2, 4, …) first
  });

  it('while short only the update that turns a card green is sent', () => {
    expect(sendCardUpdate('short', false)).toBe(false);
    expect(sendCardUpdate('short', true)).toBe(true);
    expect(sendCardUpdate('warn', false)).toBe(true);
    expect(sendCardUpdate(null, false)).toBe(true);
  });
});
