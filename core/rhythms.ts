// The office's rhythms (每日预警、每周督办、每月排名): on which days of the working-day calendar a
// job falls due. Pure: a rhythm and a calendar say whether a day is one of its days; the time of
// day and the office's changes to it are the job registry's (server/jobs/schedule.ts).

import { addDays, monthOf } from './dates.ts';
import type { WorkdayCalendar } from './calendar.ts';
import type { IsoDate } from './model.ts';

export type Rhythm =
  /** Every working day. */
  | { kind: 'workdays' }
  /** The first working day of each week (Monday, or the next working day when Monday is a holiday). */
  | { kind: 'week-first-workday' }
  /** The first working day of each month. */
  | { kind: 'month-first-workday' }
  /** The first working day of January and of July (the half-yearly cross-check, issue 18). */
  | { kind: 'half-year-first-workday' }
  /** The first working day on or after day `day` of each month (mid-month: 15). */
  | { kind: 'month-day'; day: number }
  /** The working day `n` working days before the month's last working day (3: three working days before month end). */
  | { kind: 'before-month-end'; workdays: number }
  /** Every calendar day, working or not (backups). */
  | { kind: 'calendar-days' }
  /** These calendar days of each month, working or not (backups: the 1st and 16th). */
  | { kind: 'month-dates'; days: number[] };

/** Monday of the ISO week of `date`. */
export function mondayOf(date: IsoDate): IsoDate {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(date, -((dow + 6) % 7));
}

/** The last working day of a month 'YYYY-MM'. */
export function lastWorkdayOfMonth(cal: WorkdayCalendar, month: string): IsoDate {
  const [y, m] = month.split('-').map(Number);
  let day = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  for (let i = 0; i < 31 && !cal.isWorkday(day); i++) day = addDays(day, -1);
  return day;
}

/** The one day of the rhythm in the period that holds `date` (week or month), or null for a daily rhythm. */
function dayOfPeriod(rhythm: Rhythm, cal: WorkdayCalendar, date: IsoDate): IsoDate | null {
  switch (rhythm.kind) {
    case 'workdays':
    case 'calendar-days':
    case 'month-dates':
      return null;
    case 'week-first-workday': {
      // A make-up Saturday (调休) before Monday does not start the week: the week's first working day is Monday or later.
      const monday = mondayOf(date);
      let day = monday;
      for (let i = 0; i < 7 && !cal.isWorkday(day); i++) day = addDays(day, 1);
      return cal.isWorkday(day) ? day : monday;
    }
    case 'month-first-workday':
      return cal.firstWorkdayOfMonth(monthOf(date));
    case 'half-year-first-workday': {
      // Only January and July have the day; another month's first working day is not one.
      const month = monthOf(date);
      return month.endsWith('-01') || month.endsWith('-07') ? cal.firstWorkdayOfMonth(month) : '';
    }
    case 'month-day': {
      let day = `${monthOf(date)}-${String(rhythm.day).padStart(2, '0')}`;
      for (let i = 0; i < 31 && !cal.isWorkday(day) && monthOf(day) === monthOf(date); i++) day = addDays(day, 1);
      return day;
    }
    case 'before-month-end': {
      let day = lastWorkdayOfMonth(cal, monthOf(date));
      for (let n = 0; n < rhythm.workdays; ) {
        day = addDays(day, -1);
        if (cal.isWorkday(day)) n++;
      }
      return day;
    }
  }
}

/**
 * Whether a slot of `day` still belongs to the period of `today`: the same week for a weekly
 * rhythm, the same month for a monthly one (a reminder of a month already over, or last week's
 * list, is caught up by nobody); any day for the daily rhythm (its look-back bounds it).
 */
export function samePeriod(rhythm: Rhythm, day: IsoDate, today: IsoDate): boolean {
  switch (rhythm.kind) {
    case 'workdays':
    case 'calendar-days':
      return true;
    case 'week-first-workday':
      return mondayOf(day) === mondayOf(today);
    default:
      return monthOf(day) === monthOf(today);
  }
}

/** Whether `date` is a day of the rhythm. */
export function isRhythmDay(rhythm: Rhythm, cal: WorkdayCalendar, date: IsoDate): boolean {
  if (rhythm.kind === 'calendar-days') return true;
  if (rhythm.kind === 'month-dates') return rhythm.days.includes(Number(date.slice(8, 10)));
  if (!cal.isWorkday(date)) return false;
  const day = dayOfPeriod(rhythm, cal, date);
  return day === null || day === date;
}

/** For people: 每个工作日, 每周第一个工作日, 每月第一个工作日, 每月15日（遇节假日顺延）, 每月最后3个工作日前. */
export function rhythmText(rhythm: Rhythm): string {
  switch (rhythm.kind) {
    case 'workdays':
      return '每个工作日';
    case 'week-first-workday':
      return '每周第一个工作日';
    case 'month-first-workday':
      return '每月第一个工作日';
    case 'half-year-first-workday':
      return '每年1月、7月第一个工作日';
    case 'month-day':
      return `每月${rhythm.day}日（非工作日顺延）`;
    case 'before-month-end':
      return `每月最后一个工作日前第${rhythm.workdays}个工作日`;
    case 'calendar-days':
      return '每天';
    case 'month-dates':
      return `每月${rhythm.days.join('日、')}日`;
  }
}

/** How far ahead a rhythm's next day is looked for: every rhythm has a day in any two months. */
const NEXT_HORIZON_DAYS = 400;

/**
 * The first day of the rhythm on or after `from` (a holiday moves it to the next such day, a
 * make-up working day counts as the calendar says); null only when the calendar has none within
 * NEXT_HORIZON_DAYS (a calendar of holidays only).
 */
export function nextRhythmDay(rhythm: Rhythm, cal: WorkdayCalendar, from: IsoDate): IsoDate | null {
  let day = from;
  for (let i = 0; i < NEXT_HORIZON_DAYS; i++, day = addDays(day, 1)) if (isRhythmDay(rhythm, cal, day)) return day;
  return null;
}
