import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { isRhythmDay, lastWorkdayOfMonth, mondayOf, nextRhythmDay, type Rhythm } from './rhythms.ts';

// 2026: 中秋 Friday 09-25 off, make-up Sunday 09-20; 国庆 10-01…10-07 off (weekdays 1, 2, 5, 6, 7), make-up Saturday 10-10.
const cal = createCalendar([]);
const daysOf = (rhythm: Rhythm, from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) if (isRhythmDay(rhythm, cal, d)) out.push(d);
  return out;
};

describe('rhythms on the working-day calendar', () => {
  it('backups run on calendar days: every day, and the 1st and 16th of each month, holidays and weekends included', () => {
    expect(daysOf({ kind: 'calendar-days' }, '2026-10-01', '2026-10-04')).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04']);
    expect(daysOf({ kind: 'month-dates', days: [1, 16] }, '2026-09-01', '2026-11-30')).toEqual(['2026-09-01', '2026-09-16', '2026-10-01', '2026-10-16', '2026-11-01', '2026-11-16']);
    expect(nextRhythmDay({ kind: 'month-dates', days: [1, 16] }, cal, '2026-12-17')).toBe('2027-01-01');
  });
  it('every working day skips the holiday and keeps the make-up Saturday', () => {
    expect(daysOf({ kind: 'workdays' }, '2026-10-01', '2026-10-11')).toEqual(['2026-10-08', '2026-10-09', '2026-10-10']);
  });
  it('the first working day of the week: Monday, or the first after a holiday; a make-up weekend day does not start a week', () => {
    expect(mondayOf('2026-10-11')).toBe('2026-10-05');
    expect(daysOf({ kind: 'week-first-workday' }, '2026-09-14', '2026-10-18')).toEqual(['2026-09-14', '2026-09-21', '2026-09-28', '2026-10-08', '2026-10-12']);
  });
  it('the first working day of the month skips the National Day holiday', () => {
    expect(daysOf({ kind: 'month-first-workday' }, '2026-09-01', '2026-11-30')).toEqual(['2026-09-01', '2026-10-08', '2026-11-02']);
  });
  it('the half-yearly day: the first working day of January and of July only (元旦 moves it)', () => {
    // 2026-07-01 is a Wednesday; 2027-01-01 a Friday (the package does not know 2027 yet: a working day).
    expect(daysOf({ kind: 'half-year-first-workday' }, '2026-06-01', '2027-02-28')).toEqual(['2026-07-01', '2027-01-01']);
    expect(nextRhythmDay({ kind: 'half-year-first-workday' }, cal, '2026-07-02')).toBe('2027-01-01');
    // 元旦 entered by the office: the weekend follows, so Monday 01-04; a further local holiday on 01-04 moves it to 01-05.
    const yuandan = createCalendar([{ date: '2027-01-01', work: false }]);
    expect(nextRhythmDay({ kind: 'half-year-first-workday' }, yuandan, '2026-12-30')).toBe('2027-01-04');
    const local = createCalendar([{ date: '2027-01-01', work: false }, { date: '2027-01-04', work: false }]);
    expect(isRhythmDay({ kind: 'half-year-first-workday' }, local, '2027-01-04')).toBe(false);
    expect(nextRhythmDay({ kind: 'half-year-first-workday' }, local, '2026-12-30')).toBe('2027-01-05');
  });
  it('mid-month moves to the next working day; before month end counts working days back from the last one', () => {
    expect(daysOf({ kind: 'month-day', day: 15 }, '2026-11-01', '2026-11-30')).toEqual(['2026-11-16']);
    expect(lastWorkdayOfMonth(cal, '2026-10')).toBe('2026-10-30');
    // 10-30 is the last working day; three working days before it: 10-27.
    expect(daysOf({ kind: 'before-month-end', workdays: 3 }, '2026-10-01', '2026-10-31')).toEqual(['2026-10-27']);
    // September: the 25th is 中秋 (off), so 30 → 29, 28, 24.
    expect(daysOf({ kind: 'before-month-end', workdays: 3 }, '2026-09-01', '2026-09-30')).toEqual(['2026-09-24']);
  });
  it('the next day of a rhythm: over the National Day holiday, onto the make-up Saturday only where it counts', () => {
    // Every working day: from the holiday's first day the next is 10-08; from 10-10 (make-up Saturday) that day itself.
    expect(nextRhythmDay({ kind: 'workdays' }, cal, '2026-09-30')).toBe('2026-09-30');
    expect(nextRhythmDay({ kind: 'workdays' }, cal, '2026-10-01')).toBe('2026-10-08');
    expect(nextRhythmDay({ kind: 'workdays' }, cal, '2026-10-10')).toBe('2026-10-10');
    expect(nextRhythmDay({ kind: 'workdays' }, cal, '2026-10-11')).toBe('2026-10-12');
    // The week's first working day: the week of 10-05 starts on Thursday 10-08; the make-up Saturday 10-10 starts nothing.
    expect(nextRhythmDay({ kind: 'week-first-workday' }, cal, '2026-09-29')).toBe('2026-10-08');
    expect(nextRhythmDay({ kind: 'week-first-workday' }, cal, '2026-10-09')).toBe('2026-10-12');
    // The month's first working day: October's is 10-08; after it, November's (Monday 11-02).
    expect(nextRhythmDay({ kind: 'month-first-workday' }, cal, '2026-09-02')).toBe('2026-10-08');
    expect(nextRhythmDay({ kind: 'month-first-workday' }, cal, '2026-10-09')).toBe('2026-11-02');
    expect(nextRhythmDay({ kind: 'month-day', day: 15 }, cal, '2026-11-03')).toBe('2026-11-16');
    expect(nextRhythmDay({ kind: 'before-month-end', workdays: 3 }, cal, '2026-10-01')).toBe('2026-10-27');
    // A calendar that makes every day of the horizon a holiday has no next day.
    const closed = createCalendar(Array.from({ length: 400 }, (_, i) => ({ date: new Date(Date.parse('2026-10-01T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10), work: false })));
    expect(nextRhythmDay({ kind: 'workdays' }, closed, '2026-10-01')).toBeNull();
  });
});

describe('catching up a missed slot within its period only', () => {
  it('a weekly slot in its own week, a monthly one in its own month, a daily one always', async () => {
    const { samePeriod } = await import('./rhythms.ts');
    expect(samePeriod({ kind: 'week-first-workday' }, '2026-10-08', '2026-10-11')).toBe(true);
    expect(samePeriod({ kind: 'week-first-workday' }, '2026-10-08', '2026-10-12')).toBe(false);
    expect(samePeriod({ kind: 'month-first-workday' }, '2026-11-02', '2026-11-30')).toBe(true);
    expect(samePeriod({ kind: 'before-month-end', workdays: 3 }, '2026-11-25', '2026-12-06')).toBe(false);
    expect(samePeriod({ kind: 'workdays' }, '2026-11-25', '2026-12-06')).toBe(true);
  });
});
