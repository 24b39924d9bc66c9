import { describe, expect, it } from 'vitest';
import { closedMonthOf, exemptionOf, lockNoticeText, shortUnits, type UnitSelfChecks } from './self-check-lock.ts';

const unit = (unitId: number, count: number, o: Partial<UnitSelfChecks> = {}): UnitSelfChecks => ({
  unitId, name: `单位${unitId}`, createdAt: '2026-01-05 09:00:00', count, specialists: 1, ...o,
});

describe('self-check lock', () => {
  it('a unit below the office number is short; at or above it is not', () => {
    const units = [unit(3, 0), unit(1, 1), unit(2, 2), unit(4, 5)];
    expect(shortUnits(units, '2026-11', 2)).toEqual([
      { unitId: 1, name: '单位1', count: 1, required: 2 },
      { unitId: 3, name: '单位3', count: 0, required: 2 },
    ]);
    expect(shortUnits(units, '2026-11', 3).map((u) => u.unitId)).toEqual([1, 2, 3]);
  });

  it('exempts units without a specialist and units that came in after the first day of the month', () => {
    expect(exemptionOf(unit(1, 0, { specialists: 0 }), '2026-11')).toBe('no-specialist');
    expect(exemptionOf(unit(1, 0, { createdAt: '2026-11-02 08:00:00' }), '2026-11')).toBe('new-unit');
    expect(exemptionOf(unit(1, 0, { createdAt: '2026-12-01 08:00:00' }), '2026-11')).toBe('new-unit');
    expect(exemptionOf(unit(1, 0, { createdAt: '2026-11-01 18:00:00' }), '2026-11')).toBeNull();
    expect(exemptionOf(unit(1, 0, { createdAt: null }), '2026-11')).toBeNull();
    expect(shortUnits([unit(1, 0, { specialists: 0 }), unit(2, 1, { createdAt: '2026-11-20 10:00:00' }), unit(3, 1)], '2026-11', 2).map((u) => u.unitId)).toEqual([3]);
  });

  it('nobody is short when the rule is off or the number is 0', () => {
    expect(shortUnits([unit(1, 0)], '2026-11', 2, false)).toEqual([]);
    expect(shortUnits([unit(1, 0)], '2026-11', 0)).toEqual([]);
  });

  it('closes the month before the date', () => {
    expect(closedMonthOf('2026-12-01')).toBe('2026-11');
    expect(closedMonthOf('2027-01-04')).toBe('2026-12');
  });

  it('tells the locked user why and who unlocks', () => {
    expect(lockNoticeText({ kind: 'self-check', month: '2026-11', count: 1, required: 2 }, [{ name: '王管理', mobile: '13800000001' }, { name: '李管理', mobile: null }]))
      .toBe('您的账号已被锁定：本单位 2026年11月 自查 1 次，少于规定的 2 次。请联系编办管理员王管理（13800000001）、李管理解锁。');
    expect(lockNoticeText({ kind: 'manual' }, [])).toBe('您的账号已被锁定：账号已由编办停用。请联系本地编办的编办管理员解锁。');
  });
});
