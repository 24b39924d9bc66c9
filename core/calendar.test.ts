import { describe, expect, it } from 'vitest';
import { coverageWarning, createCalendar, uncoveredYears } from './calendar.ts';
import { findingLight, HINT_RULES, isHint, openLightsOn, redFrom } from './lights.ts';
import { RULES } from './rules/index.ts';

const cal = createCalendar();

describe('working-day calendar (chinese-days)', () => {
  it('knows the 2026 National Day break and its make-up days', () => {
    expect(cal.isWorkday('2026-09-20')).toBe(true); // Sunday, make-up day
    for (let d = 1; d <= 7; d++) expect(cal.isWorkday(`2026-10-0${d}`)).toBe(false);
    expect(cal.isWorkday('2026-10-08')).toBe(true);
    expect(cal.isWorkday('2026-10-10')).toBe(true); // Saturday, make-up day
    expect(cal.isWorkday('2026-10-11')).toBe(false);
  });

  it('counts working days without the start day', () => {
    expect(cal.addWorkdays('2025-09-26', 5)).toBe('2025-10-10');
    expect(cal.workdaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(cal.workdaysBetween('2026-11-23', '2026-11-23')).toBe(0);
    expect(cal.addWorkdays('2026-10-03', 0)).toBe('2026-10-08');
  });

  it('guards the coverage of the package', () => {
    expect(cal.isCovered('2026-05-01')).toBe(true);
    expect(cal.isCovered('2027-01-01')).toBe(false);
  });

  it('lets an office override a day, before the package', () => {
    const local = createCalendar([{ date: '2026-11-24', work: false, note: '本地调休' }, { date: '2027-02-06', work: true }]);
    expect(local.isWorkday('2026-11-24')).toBe(false);
    expect(local.isWorkday('2027-02-06')).toBe(true);
    expect(local.isCovered('2027-03-01')).toBe(true);
  });
});

describe('lights (Ningbo art. 10)', () => {
  it('is yellow for 3 working days after the opening day, red from the 4th, across the 2026 National Day break', () => {
    // Opened Wednesday 2026-09-30: working days after it are 10-08, 10-09, 10-10 (make-up Saturday), 10-12.
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: null }, '2026-10-07', cal)).toBe('yellow');
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: null }, '2026-10-10', cal)).toBe('yellow');
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: null }, '2026-10-11', cal)).toBe('yellow');
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: null }, '2026-10-12', cal)).toBe('red');
    expect(redFrom('2026-09-30', cal)).toBe('2026-10-12');
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: '2026-10-12' }, '2026-10-12', cal)).toBe('green');
  });

  it('counts a make-up Sunday as a working day', () => {
    // Opened Thursday 2026-09-17: 09-18 (Fri), 09-20 (Sun, make-up), 09-21 (Mon) → still yellow; 09-22 red.
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-17', resolvedOn: null }, '2026-09-21', cal)).toBe('yellow');
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-17', resolvedOn: null }, '2026-09-22', cal)).toBe('red');
  });

  it('lights a finding of an S3 rule (提示) hint while open, however long, and green once resolved', () => {
    for (const rule of ['U-QT-02', 'P-RT-02', 'U-LD-07', 'U-QT-04', 'U-QT-07', 'P-ID-06', 'P-ID-13', 'P-ST-10']) {
      expect(findingLight({ rule, openedOn: '2026-09-30', resolvedOn: null }, '2026-09-30', cal), rule).toBe('hint');
      expect(findingLight({ rule, openedOn: '2026-09-30', resolvedOn: null }, '2027-09-30', cal), rule).toBe('hint');
      expect(findingLight({ rule, openedOn: '2026-09-30', resolvedOn: '2026-10-12' }, '2026-10-12', cal), rule).toBe('green');
    }
    expect(findingLight({ rule: 'U-QT-01', openedOn: '2026-09-30', resolvedOn: null }, '2027-09-30', cal)).toBe('red');
    const lightOf = openLightsOn('2026-10-12', cal);
    expect(lightOf('2026-09-30', 'U-QT-02')).toMatchObject({ light: 'hint', workdaysOpen: 4 });
    expect(lightOf('2026-09-30', 'U-QT-01')).toMatchObject({ light: 'red', workdaysOpen: 4 });
    expect(lightOf('2026-09-30', 'U-QT-02')).toMatchObject({ light: 'hint' });
    // One definition: the catalogue's S3 rules, and only they.
    expect([...HINT_RULES].sort()).toEqual(RULES.filter((r) => r.severity === 'S3').map((r) => r.code).sort());
    expect(RULES.filter((r) => r.severity !== 'S3').some((r) => isHint(r.code))).toBe(false);
  });
});

describe('coverage warning', () => {
  it('names the years within 60 days ahead that neither the package nor an override knows', () => {
    expect(uncoveredYears(cal, '2026-06-01')).toEqual([]);
    expect(coverageWarning(cal, '2026-06-01')).toBeNull();
    // 2026-11-01 + 60 days is still 2026; 2026-11-02 + 60 reaches 2027-01-01.
    expect(coverageWarning(cal, '2026-11-01')).toBeNull();
    expect(uncoveredYears(cal, '2026-11-02')).toEqual([2027]);
    expect(coverageWarning(cal, '2026-12-06')).toBe(
      '2027年的节假日安排尚未录入工作日历：在录入前，该年按周一至周五为工作日推算（元旦、春节等假期会被当作工作日）。请编办管理员在国务院办公厅公布安排后录入。',
    );
    expect(uncoveredYears(cal, '2027-12-01')).toEqual([2027, 2028]);
    expect(coverageWarning(cal, '2027-12-01')).toMatch(/^2027年、2028年的节假日安排尚未录入工作日历/);
  });

  it('is gone once the office has entered a day of that year', () => {
    const entered = createCalendar([{ date: '2027-01-01', work: false, note: '2027年元旦' }]);
    expect(coverageWarning(entered, '2026-12-06')).toBeNull();
    expect(uncoveredYears(entered, '2027-12-01')).toEqual([2028]);
  });
});
