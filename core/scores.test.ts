import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { RULES } from './rules/index.ts';
import { board, DEFAULT_SCORE_POLICY, familyOf, mergeScorePolicy, monthSpan, openDuring, rank, redWorkdaysInMonth, scoreUnit, ScorePolicyError } from './scores.ts';

// November 2026 has no holiday: 21 working days (2–6, 9–13, 16–20, 23–27, 30).
const cal = createCalendar([]);
const nov = monthSpan('2026-11');

describe('the month a finding counts in', () => {
  it('open at any time during the month', () => {
    expect(nov).toEqual({ month: '2026-11', first: '2026-11-01', last: '2026-11-30' });
    expect(openDuring({ openedOn: '2026-10-20', resolvedOn: null }, nov)).toBe(true);
    expect(openDuring({ openedOn: '2026-10-20', resolvedOn: '2026-11-01' }, nov)).toBe(true);
    expect(openDuring({ openedOn: '2026-10-20', resolvedOn: '2026-10-31' }, nov)).toBe(false);
    expect(openDuring({ openedOn: '2026-11-30', resolvedOn: null }, nov)).toBe(true);
    expect(openDuring({ openedOn: '2026-12-01', resolvedOn: null }, nov)).toBe(false);
    expect(monthSpan('2028-02').last).toBe('2028-02-29');
  });

  it('red working days within the month', () => {
    // Opened Tue 10-20: yellow 10-21, 22, 23; red from Mon 10-26. Red all of November: 21.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-10-20', resolvedOn: null }, nov, cal)).toBe(21);
    // Opened Mon 11-02, red from Fri 11-06, resolved Tue 11-10 (green that day): red 11-06, 11-09.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-11-02', resolvedOn: '2026-11-10' }, nov, cal)).toBe(2);
    // Opened Wed 11-25: red from Tue 12-01, so none in November.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-11-25', resolvedOn: null }, nov, cal)).toBe(0);
    // Resolved on the 1st: never red in November.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-10-20', resolvedOn: '2026-11-01' }, nov, cal)).toBe(0);
    // Asked on 11-12 for the month so far: 11-02 … 11-12 = 9 working days.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-10-20', resolvedOn: null }, nov, cal, '2026-11-12')).toBe(9);
    // A 提示 is never red.
    expect(redWorkdaysInMonth({ rule: 'U-QT-02', openedOn: '2026-10-20', resolvedOn: null }, nov, cal)).toBe(0);
    // October 2026: the National Day break (10-01…10-07 off, make-up Saturday 10-10). Opened Mon 09-28: yellow 09-29, 09-30, 10-08;
    // red from 10-09. Red working days in October: 9, 10, 12–16, 19–23, 26–30 = 2 + 15 = 17.
    expect(redWorkdaysInMonth({ rule: 'P-ID-01', openedOn: '2026-09-28', resolvedOn: null }, monthSpan('2026-10'), cal)).toBe(17);
  });
});

describe('the families', () => {
  it('every rule of the catalogue deducts from one family, or never (提示, U-PR-01)', () => {
    for (const r of RULES) {
      const f = familyOf(r.code);
      if (r.severity === 'S3' || r.code === 'U-PR-01') expect(f, r.code).toBeNull();
      else expect(['completeness', 'accuracy', 'timeliness'], r.code).toContain(f);
    }
    expect(familyOf('P-ID-01')).toBe('completeness');
    expect(familyOf('P-ID-03')).toBe('accuracy');
    expect(familyOf('P-TM-01')).toBe('timeliness');
    expect(familyOf('P-RT-01')).toBe('timeliness');
    expect(familyOf('U-QT-02')).toBeNull();
  });
});

describe('scoreUnit', () => {
  it('a clean month with its self-checks is 100', () => {
    expect(scoreUnit({ findings: [], selfChecks: 2, selfChecksRequired: 2 })).toEqual({ score: 100, deductions: { completeness: 0, accuracy: 0, timeliness: 0, selfCheck: 0 } });
  });

  it('hand-computed: each family, red days and self-checks', () => {
    const s = scoreUnit({
      findings: [
        { rule: 'P-ID-01', redWorkdays: 21, count: 1 }, // S1 完整度 2; red 21 × 0.2 = 4.2
        { rule: 'P-ID-09', redWorkdays: 2, count: 3 }, // S2 准确度 3 × 1; red 3 × 2 × 0.2 = 1.2
        { rule: 'P-TM-01', redWorkdays: 0, count: 2 }, // S2 及时度 2 × 1
        { rule: 'U-QT-02', redWorkdays: 0, count: 1 }, // 提示: nothing
        { rule: 'U-PR-01', redWorkdays: 5, count: 1 }, // scored as self-checks: nothing here
      ],
      selfChecks: 1,
      selfChecksRequired: 2, // 1 short × 5
    });
    expect(s.deductions).toEqual({ completeness: 2, accuracy: 3, timeliness: 7.4, selfCheck: 5 });
    expect(s.score).toBe(82.6);
  });

  it('each family is capped and the score never goes below 0', () => {
    const s = scoreUnit({ findings: [{ rule: 'P-ID-11', redWorkdays: 20, count: 40 }, { rule: 'P-ID-01', redWorkdays: 0, count: 40 }], selfChecks: 0, selfChecksRequired: 2 });
    // accuracy 80 → 30; completeness 80 → 30; timeliness 0.2 × 800 = 160 → 30; self-check 10.
    expect(s).toEqual({ score: 0, deductions: { completeness: 30, accuracy: 30, timeliness: 30, selfCheck: 10 } });
    const zeroFloor = scoreUnit({ findings: [{ rule: 'P-ID-11', redWorkdays: 20, count: 40 }], selfChecks: 0, selfChecksRequired: 2 }, mergeScorePolicy({ caps: { accuracy: 100, timeliness: 100 } }));
    expect(zeroFloor.score).toBe(0);
    expect(zeroFloor.deductions).toEqual({ completeness: 0, accuracy: 80, timeliness: 100, selfCheck: 10 });
  });

  it('the office may ask for no self-checks (U-PR-01 off) or change weights', () => {
    expect(scoreUnit({ findings: [], selfChecks: 0, selfChecksRequired: 0 }).score).toBe(100);
    const p = mergeScorePolicy({ weights: { S2: 0.5, redWorkday: 0 } });
    expect(p.weights).toEqual({ ...DEFAULT_SCORE_POLICY.weights, S2: 0.5, redWorkday: 0 });
    expect(scoreUnit({ findings: [{ rule: 'P-ID-09', redWorkdays: 10, count: 3 }], selfChecks: 2, selfChecksRequired: 2 }, p).score).toBe(98.5);
  });
});

describe('the policy', () => {
  it('defaults, and overrides merged', () => {
    expect(mergeScorePolicy(undefined)).toEqual(DEFAULT_SCORE_POLICY);
    expect(mergeScorePolicy({ autoBroadcast: true, caps: { selfCheck: 20 } })).toMatchObject({ autoBroadcast: true, caps: { selfCheck: 20, accuracy: 30 } });
  });
  it('refuses bad values in Chinese, naming the field', () => {
    expect(() => mergeScorePolicy({ weights: { S1: -1 } })).toThrow(ScorePolicyError);
    expect(() => mergeScorePolicy({ weights: { S1: -1 } })).toThrow('严重问题每项扣分应为 0 到 100 之间的数');
    expect(() => mergeScorePolicy({ caps: { timeliness: 'x' } })).toThrow('及时度扣分上限');
    expect(() => mergeScorePolicy({ autoBroadcast: 'yes' })).toThrow('自动发布红黑榜应为是或否');
    expect(() => mergeScorePolicy({ bonus: 5 })).toThrow('不认识的项目');
  });
});

describe('rank and the 红黑榜', () => {
  it('standard competition ranking, ties listed by unit id', () => {
    const r = rank([{ unitId: 4, score: 90 }, { unitId: 1, score: 95 }, { unitId: 3, score: 90 }, { unitId: 2, score: 80 }, { unitId: 5, score: 90 }]);
    expect(r.map((x) => [x.unitId, x.rank])).toEqual([[1, 1], [3, 2], [4, 2], [5, 2], [2, 5]]);
  });
  it('top 10 best first, bottom 10 worst first, no unit on both', () => {
    const ranked = Array.from({ length: 25 }, (_, i) => i + 1);
    const b = board(ranked);
    expect(b.top).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b.bottom).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(board([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])).toEqual({ top: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], bottom: [14, 13, 12, 11] });
    expect(board([1, 2])).toEqual({ top: [1, 2], bottom: [] });
  });
});
