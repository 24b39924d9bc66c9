// The statutory working-day calendar (domain.md §6): chinese-days for the State Council's
// arrangements, a coverage guard for years it does not know, and an office's own overrides,
// consulted first. Inputs and outputs are 'YYYY-MM-DD' strings.

import chineseDays from 'chinese-days';
import { addDays, daysBetween, validDay } from './dates.ts';
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

/**
 * The longest span a working-day walk takes: ten years, far beyond any finding's life or grace
 * period. A walk further (a date such as 9999-12-31 that slipped through) is refused at once
 * rather than counting millions of days while the server stops answering.
 */
export const MAX_WALK_DAYS = 3660;

/** A walk beyond MAX_WALK_DAYS; the message is Chinese. */
export class CalendarRangeError extends RangeError {
  constructor(from: IsoDate, to: IsoDate) {
    super(`工作日计算跨度过大（${from} 至 ${to}，超过 ${Math.round(MAX_WALK_DAYS / 366)} 年），已拒绝`);
    this.name = 'CalendarRangeError';
  }
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
  // An office's overrides are dates that enter the system: through the one validator.
  for (const o of overrides) validDay(o.date, '工作日历调整日期');
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
      if (to <= from) return 0;
      if (!(daysBetween(from, to) <= MAX_WALK_DAYS)) throw new CalendarRangeError(from, to);
      let n = 0;
      for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkday(d)) n++;
      return n;
    },
    addWorkdays(date, n) {
      // Every step counts against MAX_WALK_DAYS: a large n, or overrides that make every day
      // off, end in a refusal instead of a loop without end.
      let d = date;
      let steps = 0;
      const step = () => {
        if (++steps > MAX_WALK_DAYS) throw new CalendarRangeError(date, d);
        d = addDays(d, 1);
      };
      if (n === 0) {
        while (!isWorkday(d)) step();
        return d;
      }
      let left = n;
      while (left > 0) {
        step();
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

/** How far ahead the coverage warning looks: the office has two months to enter a new year. */
export const COVERAGE_LOOKAHEAD_DAYS = 60;

/** The years from `today` to today + COVERAGE_LOOKAHEAD_DAYS whose holiday arrangement the calendar does not know. */
export function uncoveredYears(cal: WorkdayCalendar, today: IsoDate): number[] {
  const first = Number(today.slice(0, 4));
  const last = Number(addDays(today, COVERAGE_LOOKAHEAD_DAYS).slice(0, 4));
  const out: number[] = [];
  for (let y = first; y <= last; y++) if (!cal.isCovered(`${y}-01-01`)) out.push(y);
  return out;
}

/** The Chinese warning for uncoveredYears, or null when every year ahead is known. */
export function coverageWarning(cal: WorkdayCalendar, today: IsoDate): string | null {
  const years = uncoveredYears(cal, today);
  if (!years.length) return null;
  const names = years.map((y) => `${y}年`).join('、');
  return `${names}的节假日安排尚未录入工作日历：在录入前，该年按周一至周五为工作日推算（元旦、春节等假期会被当作工作日）。请编办管理员在国务院办公厅公布安排后录入。`;
}
