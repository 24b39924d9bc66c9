// 月度核账 (issue 16 deliverable 4; Haining's 月度核账清单, Ningbo's 月报 第十条(三)): each month
// every unit reviews its figures and comparison results and confirms them in the mini-app. Pure:
// the office's setting of the due day, the due date and reminder day of a month, a unit's state,
// and the family a finding's rule belongs to on the 核账清单. U-PR-02 (core/rules/process.ts)
// fires on a unit whose row is still unconfirmed after its due date.

import type { WorkdayCalendar } from './calendar.ts';
import { addDays, addMonthsToMonth, daysInMonth } from './dates.ts';
import type { IsoDate } from './model.ts';

/**
 * By when units confirm the month just ended: the n-th working day of the following month
 * ('workday'), or day n of the following month, moved to the next working day when it is not one
 * ('day').
 */
export interface MonthlyConfirmationSetting {
  dueKind: 'workday' | 'day';
  dueDay: number;
}

export const MONTHLY_CONFIRMATION_KEY = 'monthly_confirmation';
export const DEFAULT_MONTHLY_CONFIRMATION: MonthlyConfirmationSetting = { dueKind: 'workday', dueDay: 5 };
/** The reminder goes this many working days before the due date. */
export const REMIND_WORKDAYS_BEFORE = 2;
/** Bounds of the setting: a month has at least 15 working days, and every month a 28th. */
export const MAX_DUE = { workday: 15, day: 28 } as const;

/** The setting as users read it: 次月第5个工作日 / 次月10日（遇节假日顺延）. */
export function dueText(s: MonthlyConfirmationSetting): string {
  return s.dueKind === 'workday' ? `次月第${s.dueDay}个工作日` : `次月${s.dueDay}日（遇节假日顺延）`;
}

/** A setting from input, or the Chinese reason it is refused (field → message). */
export function parseSetting(input: unknown): { setting: MonthlyConfirmationSetting } | { errors: Record<string, string> } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { errors: { dueKind: '请求格式有误：应为截止日设置' } };
  const b = input as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const kind = b.dueKind;
  if (kind !== 'workday' && kind !== 'day') errors.dueKind = '截止方式须为“次月第N个工作日”（workday）或“次月N日”（day）';
  const n = typeof b.dueDay === 'string' && /^\d{1,2}$/.test(b.dueDay.trim()) ? Number(b.dueDay) : b.dueDay;
  const max = kind === 'day' ? MAX_DUE.day : MAX_DUE.workday;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) errors.dueDay = kind === 'day' ? `截止日须为 1 到 ${max} 之间的整数（次月几日）` : `截止日须为 1 到 ${max} 之间的整数（次月第几个工作日）`;
  if (Object.keys(errors).length) return { errors };
  return { setting: { dueKind: kind as 'workday' | 'day', dueDay: n as number } };
}

/** The due date of `month`'s confirmation ('YYYY-MM'): in the following month, by the setting and the calendar. */
export function dueOnFor(month: string, s: MonthlyConfirmationSetting, cal: WorkdayCalendar): IsoDate {
  const next = addMonthsToMonth(month, 1);
  if (s.dueKind === 'workday') {
    const first = cal.firstWorkdayOfMonth(next);
    return s.dueDay <= 1 ? first : cal.addWorkdays(first, s.dueDay - 1);
  }
  const [y, m] = next.split('-').map(Number);
  const day = `${next}-${String(Math.min(s.dueDay, daysInMonth(y, m))).padStart(2, '0')}`;
  return cal.addWorkdays(day, 0);
}

/** The day the unconfirmed units are reminded: REMIND_WORKDAYS_BEFORE working days before the due date (the first working day on or after the opening at the earliest). */
export function reminderDayFor(dueOn: IsoDate, cal: WorkdayCalendar): IsoDate {
  let day = dueOn;
  for (let n = 0; n < REMIND_WORKDAYS_BEFORE; ) {
    day = addDays(day, -1);
    if (cal.isWorkday(day)) n++;
  }
  return day;
}

export type ConfirmationState = 'confirmed' | 'open' | 'overdue';

/** 已确认; 未确认 up to and including the due date; 逾期未确认 from the day after (when U-PR-02 fires). */
export function confirmationState(r: { confirmedOn: IsoDate | null; dueOn: IsoDate }, today: IsoDate): ConfirmationState {
  if (r.confirmedOn) return 'confirmed';
  return today > r.dueOn ? 'overdue' : 'open';
}

export const STATE_TEXT: Record<ConfirmationState, string> = { confirmed: '已确认', open: '未确认', overdue: '逾期未确认' };

/** Families of findings on the 核账清单: the person rules, the unit's own rules, the cross-system comparison (X-*), 编外人员 (W-*). */
export type FindingFamily = 'person' | 'unit' | 'cross' | 'worker';
export const FAMILY_TEXT: Record<FindingFamily, string> = { person: '人员信息', unit: '单位与编制', cross: '跨部门比对', worker: '编外人员' };
export const FAMILIES: readonly FindingFamily[] = ['person', 'unit', 'cross', 'worker'];

export function familyOf(rule: string): FindingFamily {
  if (rule.startsWith('X-')) return 'cross';
  if (rule.startsWith('P-')) return 'person';
  if (rule.startsWith('W-')) return 'worker';
  return 'unit';
}

/** The month as users read it: 2026年11月. */
export function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}
