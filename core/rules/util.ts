// Small, allocation-free helpers shared by the rule families. Dates are the ISO strings of
// core/model.ts ('YYYY-MM-DD' or 'YYYY-MM'); every helper tolerates a malformed string without
// throwing (P-TM-07 reports those), so one bad cell can never stop the nightly scan.

import type { WorkdayCalendar } from '../calendar.ts';
import { daysInMonth, isoDay } from '../dates.ts';
import type { IsoDate } from '../model.ts';

export { daysInMonth };

/** The digit at s[i], NaN when it is none. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/** The digits s[i .. i+n) as a number; NaN when any of them is not a digit. */
export function digits(s: string, i: number, n: number): number {
  if (n === 2) return digit(s, i) * 10 + digit(s, i + 1);
  if (n === 4) return ((digit(s, i) * 10 + digit(s, i + 1)) * 10 + digit(s, i + 2)) * 10 + digit(s, i + 3);
  let v = 0;
  for (let k = i; k < i + n; k++) v = v * 10 + digit(s, k);
  return v;
}

/** 10 for a real 'YYYY-MM-DD', 7 for 'YYYY-MM', 0 for anything else (empty included). */
export function dateKind(s: string | null | undefined): 0 | 7 | 10 {
  if (!s) return 0;
  const len = s.length;
  if ((len !== 7 && len !== 10) || s.charCodeAt(4) !== 45) return 0;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  if (!(y >= 0) || !(m >= 1 && m <= 12)) return 0;
  if (len === 7) return 7;
  if (s.charCodeAt(7) !== 45) return 0;
  const d = digits(s, 8, 2);
  return d >= 1 && d <= daysInMonth(y, m) ? 10 : 0;
}

export function yearOf(s: string): number {
  return digits(s, 0, 4);
}

/** Month index y*12 + (m-1). */
export function monthIdx(s: string): number {
  return digits(s, 0, 4) * 12 + digits(s, 5, 2) - 1;
}

/** Day of month; 1 for a month-only date. */
function dayOf(s: string): number {
  return s.length >= 10 ? digits(s, 8, 2) : 1;
}

/** Whole years from `birth` to `on` (the birthday counts on the day). Month-only dates count from the 1st. */
export function ageOn(birth: string, on: string): number {
  const bm = digits(birth, 5, 2);
  const om = digits(on, 5, 2);
  let a = digits(on, 0, 4) - digits(birth, 0, 4);
  if (om < bm || (om === bm && dayOf(on) < dayOf(birth))) a--;
  return a;
}

/**
 * Compares two valid dates; when either is month-only only the year and month count
 * ('2020-05' equals '2020-05-10'). Negative, 0 or positive.
 */
export function compareDates(a: string, b: string): number {
  const n = a.length === 7 || b.length === 7 ? 7 : 10;
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return 0;
}

/** Same year and month (the first 7 characters). */
export function sameMonth(a: string, b: string): boolean {
  for (let i = 0; i < 7; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** `date` lies after `since` + `months` calendar months (the day clamped to the month's end). */
export function monthsElapsed(since: string, months: number, date: string): boolean {
  const t = monthIdx(since) + months;
  const di = monthIdx(date);
  if (di !== t) return di > t;
  const ty = Math.floor(t / 12);
  const tm = (t % 12) + 1;
  return dayOf(date) > Math.min(dayOf(since), daysInMonth(ty, tm));
}

/** The last day of a month 'YYYY-MM' (or of the month of a day). */
export function lastDayOfMonth(s: string): IsoDate {
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  return isoDay(y, m, daysInMonth(y, m));
}

/**
 * More than `grace` working days have passed since `anchor` by `date`, i.e.
 * `calendar.workdaysBetween(anchor, date) > grace` (the anchor day itself not counted), computed
 * without walking the whole span. A month-only anchor counts from the month's last day, so an
 * imprecise date never makes a finding early. False for an anchor that is no date.
 */
export function workdaysPassed(cal: WorkdayCalendar, anchor: string | null, date: IsoDate, grace: number): boolean {
  const k = dateKind(anchor);
  if (k === 0) return false;
  const from = k === 7 ? lastDayOfMonth(anchor!) : anchor!;
  if (from >= date) return false;
  const g = grace > 0 ? Math.floor(grace) : 0;
  return cal.addWorkdays(from, g + 1) <= date;
}

/** Code-point length, stopping once `limit` is reached (no allocation). */
export function lengthAtLeast(s: string, limit: number): boolean {
  let n = 0;
  for (let i = 0; i < s.length && n < limit; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    n++;
  }
  return n >= limit;
}

/** A value is set: neither null, undefined nor the empty string. */
export function present(v: string | null | undefined): v is string {
  return v != null && v !== '';
}
