import { describe, expect, it } from 'vitest';
import { defaultIdentity, formatRetirementAge, retirement, retirementCategory } from './retirement.ts';

const r = (y: number, m: number, c: Parameters<typeof retirement>[2]) => retirement(y, m, c);

describe('2025 retirement reform (domain.md §1.3)', () => {
  it('leaves births before the first affected month at the original age', () => {
    expect(r(1964, 12, 'male')).toMatchObject({ age: { years: 60, months: 0 }, month: '2024-12' });
    expect(r(1969, 12, 'female55')).toMatchObject({ age: { years: 55, months: 0 }, month: '2024-12' });
    expect(r(1974, 12, 'female50')).toMatchObject({ age: { years: 50, months: 0 }, month: '2024-12' });
  });

  it('adds one month per 4 (or 2) months of birth from the first affected month', () => {
    expect(r(1965, 1, 'male')).toMatchObject({ age: { years: 60, months: 1 }, month: '2025-02' });
    expect(r(1965, 4, 'male')).toMatchObject({ age: { years: 60, months: 1 }, month: '2025-05' });
    expect(r(1965, 5, 'male')).toMatchObject({ age: { years: 60, months: 2 }, month: '2025-07' });
    expect(r(1965, 9, 'male').delayMonths).toBe(3);
    expect(r(1966, 1, 'male').delayMonths).toBe(4);
    expect(r(1975, 1, 'female50').delayMonths).toBe(1);
    expect(r(1975, 2, 'female50').delayMonths).toBe(1);
    expect(r(1975, 3, 'female50').delayMonths).toBe(2);
  });

  it('matches the worked examples', () => {
    expect(r(1975, 6, 'male')).toMatchObject({ age: { years: 62, months: 8 }, month: '2038-02', delayMonths: 32 });
    expect(r(1971, 4, 'female55')).toMatchObject({ age: { years: 55, months: 4 }, month: '2026-08' });
    expect(r(1977, 1, 'female50')).toMatchObject({ age: { years: 51, months: 1 }, month: '2028-02' });
  });

  it('leaves gaps: nobody retires in 2025-06 (men) or 2025-04 (women 50)', () => {
    const menMonths = new Set<string>();
    for (let y = 1964; y <= 1966; y++) for (let m = 1; m <= 12; m++) menMonths.add(r(y, m, 'male').month);
    expect(menMonths.has('2025-06')).toBe(false);
    expect(menMonths.has('2025-11')).toBe(false);
    expect(menMonths.has('2025-05')).toBe(true);
    const womenMonths = new Set<string>();
    for (let y = 1974; y <= 1976; y++) for (let m = 1; m <= 12; m++) womenMonths.add(r(y, m, 'female50').month);
    expect(womenMonths.has('2025-04')).toBe(false);
  });

  it('caps at 63, 58 and 55 from the first capped birth month', () => {
    expect(r(1976, 8, 'male')).toMatchObject({ age: { years: 62, months: 11 }, month: '2039-07' });
    expect(r(1976, 9, 'male')).toMatchObject({ age: { years: 63, months: 0 }, month: '2039-09' });
    expect(r(1981, 8, 'female55').age).toEqual({ years: 57, months: 11 });
    expect(r(1981, 9, 'female55').age).toEqual({ years: 58, months: 0 });
    expect(r(1984, 10, 'female50').age).toEqual({ years: 54, months: 11 });
    expect(r(1984, 11, 'female50').age).toEqual({ years: 55, months: 0 });
    for (const c of ['male', 'female55', 'female50'] as const) {
      const last = { male: 1976, female55: 1981, female50: 1984 }[c];
      expect(r(last, 12, c).month).toBe('2039-12');
    }
    expect(r(1990, 5, 'male')).toMatchObject({ age: { years: 63, months: 0 }, month: '2053-05' });
  });

  it('keeps the female_60 group at 60', () => {
    expect(r(1975, 3, 'female60')).toMatchObject({ age: { years: 60, months: 0 }, month: '2035-03' });
  });

  it('picks the category from gender and identity, and displays whole years without months', () => {
    expect(retirementCategory('男', null)).toBe('male');
    expect(retirementCategory('女', '干部')).toBe('female55');
    expect(retirementCategory('女', '工人')).toBe('female50');
    expect(retirementCategory('女', null)).toBeNull();
    expect(defaultIdentity('工勤技能岗位', '事业编制')).toBe('工人');
    expect(defaultIdentity(null, '行政编制')).toBe('干部');
    expect(formatRetirementAge({ years: 61, months: 0 })).toBe('61岁');
    expect(formatRetirementAge({ years: 62, months: 8 })).toBe('62岁8个月');
  });
});
