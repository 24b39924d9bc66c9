import { describe, expect, it } from 'vitest';
import { areaFigures, quotaFigures } from './staffing.ts';
import { assessMonth } from './escalation.ts';

describe('staffing arithmetic (domain.md §7)', () => {
  it('computes vacancy, over-staffing and what is still available', () => {
    expect(quotaFigures({ kind: '行政编制', approved: 10, actual: 7, inTransit: 2 })).toMatchObject({ vacant: 3, over: 0, available: 1, full: false, saturation: 0.7 });
    expect(quotaFigures({ kind: '行政编制', approved: 10, actual: 12, inTransit: 0 })).toMatchObject({ vacant: 0, over: 2, available: 0 });
    expect(quotaFigures({ kind: '事业编制', approved: 5, actual: 5, inTransit: 0 }).full).toBe(true);
    expect(quotaFigures({ kind: '事业编制', approved: 0, actual: 0, inTransit: 0 }).vacancyRate).toBeNull();
  });

  it('reproduces the Shengzhou figures and shows gross beside net', () => {
    const a = areaFigures([
      { kind: '行政编制', approved: 2976, actual: 2592, inTransit: 0 },
      { kind: '事业编制', approved: 13244, actual: 11358, inTransit: 0 },
    ]);
    expect(a.netVacant).toBe(2270);
    expect(a.netVacancyRate!).toBeCloseTo(0.13995, 4);
    const b = areaFigures([
      { kind: '事业编制', approved: 10, actual: 13, inTransit: 0 },
      { kind: '事业编制', approved: 10, actual: 5, inTransit: 0 },
    ]);
    expect(b).toMatchObject({ netVacant: 2, grossVacant: 5, grossOver: 3, overUnits: 1 });
    expect(b.grossVacant - b.grossOver).toBe(b.netVacant);
  });
});

describe('monthly escalation (Ningbo art. 21)', () => {
  it('reminds once, suspends 3 months at 2 in a row and 6 months at 3', () => {
    expect(assessMonth('2026-09', 'yellow', 1)).toEqual({ light: 'yellow', consecutiveRed: 0, action: null });
    expect(assessMonth('2026-09', 'red', 0).action).toEqual({ kind: 'reminder' });
    expect(assessMonth('2026-09', 'red', 1)).toMatchObject({ consecutiveRed: 2, action: { kind: 'suspension', months: 3, startsMonth: '2026-10', endsMonth: '2026-12' } });
    expect(assessMonth('2026-12', 'red', 2)).toMatchObject({ consecutiveRed: 3, action: { kind: 'suspension', months: 6, startsMonth: '2027-01', endsMonth: '2027-06' } });
  });
});
