// Date strings and month arithmetic. Everything is an ISO string in Asia/Shanghai; no Date
// object crosses a module boundary, so a server running in UTC cannot shift a day.

import type { IsoDate } from './model.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month m (1–12) of year y. Allocation-free: the rules call it for every record. */
export function daysInMonth(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1];
}

export function isoDay(y: number, m: number, d: number): IsoDate {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

export function isoMonth(y: number, m: number): string {
  return `${pad(y, 4)}-${pad(m)}`;
}

/** Today in Asia/Shanghai (UTC+8, no daylight saving). */
export function todayInShanghai(now: number = Date.now()): IsoDate {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Parses the date spellings of the data dictionary. Returns null when the text is no date. */
export function parseDateText(text: string): IsoDate | null {
  const t = text.trim().replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(t);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isRealDate(y, mo, d) ? isoDay(y, mo, d) : null;
  }
  m = /^(\d{4})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})年(\d{1,2})月$/.exec(t);
  if (m) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    return mo >= 1 && mo <= 12 ? isoMonth(y, mo) : null;
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isRealDate(y, mo, d) ? isoDay(y, mo, d) : null;
  }
  return null;
}

/** An Excel date cell (a JS Date at UTC midnight as exceljs gives it) as an ISO day. */
export function excelDateToIso(d: Date): IsoDate {
  // exceljs builds dates in UTC; a time part from a serial with a fraction is dropped.
  return isoDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function monthOf(date: IsoDate): string {
  return date.slice(0, 7);
}

export function ymParts(date: IsoDate): { y: number; m: number } {
  return { y: Number(date.slice(0, 4)), m: Number(date.slice(5, 7)) };
}

/** Month index: y*12 + (m-1). */
export function monthIndex(date: IsoDate): number {
  const { y, m } = ymParts(date);
  return y * 12 + m - 1;
}

export function monthFromIndex(i: number): string {
  return isoMonth(Math.floor(i / 12), (i % 12) + 1);
}

export function addMonthsToMonth(month: string, n: number): string {
  return monthFromIndex(monthIndex(month) + n);
}

/** Adds calendar months to a day, clamping to the month's end (2026-01-31 + 1 → 2026-02-28). */
export function addMonths(date: IsoDate, n: number): IsoDate {
  const i = monthIndex(date) + n;
  const y = Math.floor(i / 12);
  const m = (i % 12) + 1;
  const d = date.length >= 10 ? Number(date.slice(8, 10)) : 1;
  return isoDay(y, m, Math.min(d, daysInMonth(y, m)));
}

export function addDays(date: IsoDate, n: number): IsoDate {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + n * 86400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function daysBetween(a: IsoDate, b: IsoDate): number {
  const t = (s: IsoDate) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)) || 1);
  return Math.round((t(b) - t(a)) / 86400_000);
}

/** The first day of a possibly month-only date. */
export function firstDay(date: IsoDate): IsoDate {
  return date.length === 7 ? `${date}-01` : date;
}

/** Whole years from `from` to `on` (age on a day); month-only dates count from the 1st. */
export function yearsBetween(from: IsoDate, on: IsoDate): number {
  const a = firstDay(from);
  const b = firstDay(on);
  let years = Number(b.slice(0, 4)) - Number(a.slice(0, 4));
  if (b.slice(5) < a.slice(5)) years -= 1;
  return years;
}

// ---- The one validator of dates that enter the system -------------------------------------
// CLI options, API bodies and queries, import cells and settings all come through here, so a
// date is either a real calendar day within the years the data can mean, or a Chinese refusal
// naming the field. Nothing downstream (the check, the calendar walks) sees 0000-01-01 or
// 2026-13-01.

/** Years a stored date may fall in: no record of a staffing office is older or further ahead. */
export const DATA_YEARS = { min: 1900, max: 2100 } as const;

/** A date that cannot be accepted; the message is the Chinese sentence to show. */
export class DateInputError extends Error {
  constructor(readonly field: string, message: string, readonly reason: 'invalid' | 'range' | 'window' = 'invalid') {
    super(message);
    this.name = 'DateInputError';
  }
}

const shown = (v: unknown) => String(v).slice(0, 20);

/**
 * A day as text (YYYY-MM-DD, or any spelling of the data dictionary when `spellings` is set),
 * checked: a real calendar day within DATA_YEARS. Throws DateInputError naming `field`.
 */
export function validDay(value: unknown, field: string, opts: { spellings?: boolean } = {}): IsoDate {
  if (typeof value !== 'string') throw new DateInputError(field, `${field} 应为 YYYY-MM-DD 格式的日期`);
  const t = value.trim();
  const iso = opts.spellings ? parseDateText(t) : /^\d{4}-\d{2}-\d{2}$/.test(t) && isRealDate(Number(t.slice(0, 4)), Number(t.slice(5, 7)), Number(t.slice(8, 10))) ? t : null;
  if (!iso || iso.length !== 10) throw new DateInputError(field, `${field} 应为 YYYY-MM-DD 格式的真实日期，“${shown(value)}”不是有效日期`);
  return inDataYears(iso, field);
}

/** A month 'YYYY-MM' (e.g. a birth month), checked like validDay. */
export function validMonth(value: unknown, field: string): string {
  const t = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})-(\d{2})$/.exec(t);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new DateInputError(field, `${field} 应为 YYYY-MM，例如 1971-04；“${shown(value)}”不是有效年月`);
  return inDataYears(t, field);
}

/** An Excel date cell, checked like validDay. */
export function validExcelDay(d: Date, field: string): IsoDate {
  if (Number.isNaN(d.getTime())) throw new DateInputError(field, `${field}不是有效日期`);
  return inDataYears(excelDateToIso(d), field);
}

/** A date of the data dictionary's spellings: a day, or a month when the text gives only one. */
export function validDataDate(value: string, field: string): IsoDate {
  const iso = parseDateText(value);
  if (!iso) throw new DateInputError(field, `${field}“${shown(value)}”不是有效日期`, 'invalid');
  return inDataYears(iso, field);
}

function inDataYears<T extends string>(iso: T, field: string): T {
  const y = Number(iso.slice(0, 4));
  if (y < DATA_YEARS.min || y > DATA_YEARS.max) throw new DateInputError(field, `${field}“${iso}”超出有效范围（${DATA_YEARS.min}年至${DATA_YEARS.max}年）`, 'range');
  return iso;
}

/**
 * The days around today a check may be run for: a missed day of the past month can be caught
 * up, a day of next week prepared; anything further would open findings dated far from the
 * truth, resolve real ones and push false alerts. The command line may go further with --force.
 */
export const CHECK_WINDOW = { daysBack: 31, daysAhead: 7 } as const;

/** A check date: a valid day (validDay) within CHECK_WINDOW of `today` unless `force`. */
export function validCheckDate(value: unknown, today: IsoDate, opts: { field?: string; force?: boolean } = {}): IsoDate {
  const field = opts.field ?? '检查日期';
  const date = validDay(value, field);
  if (opts.force) return date;
  const from = addDays(today, -CHECK_WINDOW.daysBack);
  const to = addDays(today, CHECK_WINDOW.daysAhead);
  if (date < from || date > to) {
    throw new DateInputError(field, `${field}“${date}”超出允许范围：只能检查今天（${today}）前 ${CHECK_WINDOW.daysBack} 天至后 ${CHECK_WINDOW.daysAhead} 天内的日期（${from} 至 ${to}）`, 'window');
  }
  return date;
}
