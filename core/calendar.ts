// The statutory working-day calendar (domain.md §6): chinese-days for the State Council's
// arrangements, a coverage guard for years it does not know, and an office's own overrides,
// consulted first. Inputs and outputs are 'YYYY-MM-DD' strings.

import chineseDays from 'chinese-days';
import { addDays } from './dates.ts';
import type { IsoDate } from './model.ts';

export interface CalendarOverride {
  date: IsoDate;
  /** true: a working day (e.g. an announced make-up day); false: a day off. */
  work: boolean;
  note?: string;
}

export interface WorkdayCalendar {
  isWorkday(date: IsoDate): boolean;
  /** The package (or an override) knows the holiday arrangement of that year. */
  isCovered(date: IsoDate): boolean;
  /** Working days in (from, to]: the start day is not counted. 0 when to <= from. */
  workdaysBetween(from: IsoDate, to: IsoDate): number;
  /** The n-th working day after `date` (start day not counted); n = 0 gives the date itself if it is a working day, else the next. */
  addWorkdays(date: IsoDate, n: number): IsoDate;
  /** First working day of a month 'YYYY-MM'. */
  firstWorkdayOfMonth(month: string): IsoDate;
}

const coveredYears = new Map<number, boolean>();
function packageCovers(year: number): boolean {
  let c = coveredYears.get(year);
  if (c === undefined) {
    c = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    coveredYears.set(year, c);
  }
  return c;
}

export function createCalendar(overrides: CalendarOverride[] = []): WorkdayCalendar {
  const byDate = new Map(overrides.map((o) => [o.date, o.work]));
  const overrideYears = new Set(overrides.map((o) => Number(o.date.slice(0, 4))));
  const memo = new Map<IsoDate, boolean>();

  const isWorkday = (date: IsoDate): boolean => {
    const o = byDate.get(date);
    if (o !== undefined) return o;
    let w = memo.get(date);
    if (w === undefined) {
      w = chineseDays.isWorkday(date);
      memo.set(date, w);
    }
    return w;
  };

  const cal: WorkdayCalendar = {
    isWorkday,
    isCovered: (date) => packageCovers(Number(date.slice(0, 4))) || overrideYears.has(Number(date.slice(0, 4))),
    workdaysBetween(from, to) {
      let n = 0;
      for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkday(d)) n++;
      return n;
    },
    addWorkdays(date, n) {
      let d = date;
      if (n === 0) {
        while (!isWorkday(d)) d = addDays(d, 1);
        return d;
      }
      let left = n;
      while (left > 0) {
        d = addDays(d, 1);
        if (isWorkday(d)) left--;
      }
      return d;
    },
    firstWorkdayOfMonth(month) {
      return cal.addWorkdays(`${month}-01`, 0);
    },
  };
  return cal;
}
