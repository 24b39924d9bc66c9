import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { CHECK_WINDOW, DateInputError, validCheckDate, validDay, validMonth } from './dates.ts';
import { dateCell } from './sheets.ts';

describe('the one validator of dates', () => {
  it('takes real days within 1900..2100 and refuses the rest in Chinese, naming the field', () => {
    expect(validDay('2026-11-23', '检查日期')).toBe('2026-11-23');
    expect(validDay('2024-02-29', 'x')).toBe('2024-02-29');
    for (const bad of ['2026-13-01', '2026-02-30', '2025-02-29', '0000-01-01', '9999-12-31', '1899-12-31', '2101-01-01', '26-11-23', '2026-1-1', '', 20261123, null]) {
      expect(() => validDay(bad, '检查日期'), String(bad)).toThrow(DateInputError);
      try {
        validDay(bad, '检查日期');
      } catch (e) {
        expect((e as Error).message).toMatch(/^检查日期/);
      }
    }
    expect(validMonth('1971-04', '--birth')).toBe('1971-04');
    for (const bad of ['1971-13', '1971-00', '0000-01', '9999-05', '1971-4', '1971-04-01']) expect(() => validMonth(bad, '--birth'), bad).toThrow(/--birth/);
  });

  it('keeps check dates within the window around today', () => {
    const today = '2026-12-06';
    expect(CHECK_WINDOW).toEqual({ daysBack: 31, daysAhead: 7 });
    expect(validCheckDate('2026-11-05', today)).toBe('2026-11-05');
    expect(validCheckDate('2026-12-13', today)).toBe('2026-12-13');
    expect(() => validCheckDate('2026-11-04', today)).toThrow(/允许范围/);
    expect(() => validCheckDate('2026-12-14', today)).toThrow(/允许范围/);
    expect(validCheckDate('2020-01-02', today, { force: true })).toBe('2020-01-02');
    expect(() => validCheckDate('9999-12-31', today, { force: true })).toThrow(/有效范围/);
    expect(() => validCheckDate('2026-13-01', today, { force: true })).toThrow(/不是有效日期/);
  });

  it('checks import date cells with the same validator', () => {
    expect(dateCell('2026年3月5日')).toBe('2026-03-05');
    expect(dateCell('1985-07')).toBe('1985-07');
    expect(dateCell(new Date(Date.UTC(1990, 4, 6)))).toBe('1990-05-06');
    expect(() => dateCell('1899-12-31')).toThrow(/超出有效范围/);
    expect(() => dateCell('2101-01')).toThrow(/超出有效范围/);
    expect(() => dateCell(new Date(Date.UTC(1800, 0, 1)))).toThrow(/超出有效范围/);
    expect(() => dateCell('2026-02-30')).toThrow(/不是有效日期/);
    expect(() => dateCell('2026-13')).toThrow(/不是有效日期/);
  });

  it('checks the calendar\'s local overrides with the same validator', () => {
    expect(() => createCalendar([{ date: '2026-02-30', work: true }])).toThrow(/工作日历调整日期/);
    expect(() => createCalendar([{ date: '0000-01-01', work: false }])).toThrow(/有效范围/);
    expect(createCalendar([{ date: '2027-02-06', work: true }]).isWorkday('2027-02-06')).toBe(true);
  });
});
