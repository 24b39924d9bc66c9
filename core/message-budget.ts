// The platform's monthly budget of OpenAPI calls (消息额度), pure: how much of the month's budget is
// used, where the month is heading, and how today's alerts fit into what is left.
//
// Source (docs/dingtalk.md §4a): a DingTalk standard-edition organisation has a monthly budget of
// OpenAPI calls across all its internal apps, 5,000 a month per DingTalk's throttling document
// (token, login and contact calls not counted; over it `Forbidden.AccessDenied.ApiCountLimitForOrg`,
// oapi errcode 90020); DingTalk's help centre adds that the month is the calendar month and that
// only metered calls stop when it is spent. Zheng-Ding publishes no monthly call budget (only
// per-user limits on work notifications, §6): unlimited unless the office sets one.
//
// The month's calls are spread over its working days (most sends are the working mornings'
// alerts), so the projection is: the calls so far per working day elapsed, times the working
// days left.

import type { WorkdayCalendar } from './calendar.ts';
import { addDays, daysInMonth, ymParts } from './dates.ts';
import type { IsoDate } from './model.ts';

export type BudgetPlatform = 'dingtalk' | 'zhengding' | 'sandbox';
export const BUDGET_PLATFORMS: readonly BudgetPlatform[] = ['dingtalk', 'zhengding', 'sandbox'];

/** Monthly budgets by platform; null: no budget (unlimited). */
export type MessageBudgets = Record<BudgetPlatform, number | null>;

/**
 * DingTalk standard edition: 5,000 a month. Zheng-Ding: none published, so unlimited. The sandbox
 * plays DingTalk standard edition, so the demo shows the figures and the fallback.
 */
export const DEFAULT_BUDGETS: MessageBudgets = { dingtalk: 5000, zhengding: null, sandbox: 5000 };

/** The office is warned once a month when this share of the budget is used. */
export const WARN_SHARE = 0.8;

/** Kinds of counted calls (db api_calls.kind). */
export type ApiCallKind = 'send-group' | 'send-users' | 'create-card' | 'update-card' | 'reply';
export const API_CALL_KINDS: readonly ApiCallKind[] = ['send-group', 'send-users', 'create-card', 'update-card', 'reply'];

export type BudgetState = 'ok' | 'warn' | 'short';

export interface BudgetStatus {
  month: string;
  budget: number | null;
  used: number;
  /** budget − used, never below 0; null when unlimited. */
  remaining: number | null;
  /** used / budget (0.8 = 80 %); null when unlimited. */
  usedShare: number | null;
  /** Working days of the month up to and including `date`, after it, and in all. */
  workdays: { elapsed: number; left: number; total: number };
  /** Calls per working day elapsed so far. */
  perWorkday: number;
  /** Calls expected by the month's end at that pace (rounded). */
  projected: number;
  /**
   * ok; warn: ≥ 80 % used; short: the budget is spent, or the projection goes over it (at this
   * pace the per-unit cards cannot all be sent to the month's end).
   */
  state: BudgetState;
  /** Today's even share of what is left: remaining / working days from today on (floor); null when unlimited. */
  allowanceToday: number | null;
}

/** The month's last day. */
export function monthEnd(date: IsoDate): IsoDate {
  const { y, m } = ymParts(date);
  return `${date.slice(0, 7)}-${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

export function budgetStatus(input: { budget: number | null; used: number; date: IsoDate; calendar: WorkdayCalendar }): BudgetStatus {
  const { budget, used, date, calendar: cal } = input;
  const month = date.slice(0, 7);
  const dayBefore = addDays(`${month}-01`, -1);
  const elapsed = cal.workdaysBetween(dayBefore, date);
  const left = cal.workdaysBetween(date, monthEnd(date));
  const perWorkday = elapsed > 0 ? used / elapsed : 0;
  const projected = Math.round(used + perWorkday * left);
  const workdays = { elapsed, left, total: elapsed + left };
  if (budget === null) {
    return { month, budget, used, remaining: null, usedShare: null, workdays, perWorkday, projected, state: 'ok', allowanceToday: null };
  }
  const remaining = Math.max(0, budget - used);
  const usedShare = budget > 0 ? used / budget : 1;
  const state: BudgetState = used >= budget || projected > budget ? 'short' : usedShare >= WARN_SHARE ? 'warn' : 'ok';
  // Today counts as a day still to spend on when it is a working day (the alerts go out this morning).
  const daysToSpend = Math.max(1, left + (cal.isWorkday(date) ? 1 : 0));
  return { month, budget, used, remaining, usedShare, workdays, perWorkday, projected, state, allowanceToday: Math.floor(remaining / daysToSpend) };
}

/** Of several platforms' statuses, the tightest: short before warn before ok, then the smallest allowance. */
export function tightest<T extends BudgetStatus>(statuses: T[]): T | null {
  const rank = { short: 0, warn: 1, ok: 2 } as const;
  return [...statuses].sort((a, b) => rank[a.state] - rank[b.state] || (a.allowanceToday ?? Infinity) - (b.allowanceToday ?? Infinity))[0] ?? null;
}

// ---- the day's plan --------------------------------------------------------------------------

/** A unit that would get its own alert today (a card in its group, or 1:1 messages): one call. */
export interface PlannedUnit {
  unitId: number;
  red: number;
  yellow: number;
}

/** At most this many units per office-level digest message (each one a call). */
export const UNITS_PER_DIGEST = 40;

export interface AlertPlan {
  mode: 'cards' | 'digest';
  /** The calls today's alerts may use (null: unlimited). */
  allowance: number | null;
  /** Calls today's alerts would use with a card per unit and per leader. */
  needed: number;
  /** Units that get their own card (or 1:1 message), in the order taken. */
  cardUnits: number[];
  /** Units listed in the office-level digest instead, red units first. */
  digestUnits: number[];
  /** Whether the leaders' cards of the day go out. */
  leaderCards: boolean;
  /** Office-level digest messages (calls). */
  digestMessages: number;
}

/** Red units first (most red items first), then the others (most items first); ties by unit id. */
export function byRedFirst(a: PlannedUnit, b: PlannedUnit): number {
  return (b.red > 0 ? 1 : 0) - (a.red > 0 ? 1 : 0) || b.red - a.red || b.yellow - a.yellow || a.unitId - b.unitId;
}

/**
 * Per-unit cards, or the office-level digest. When the day's even share of the remaining budget
 * covers a card per unit, one per leader and the day's other messages (`otherCalls`), every
 * card goes out. Otherwise: the office digest messages are paid for first, then cards for the
 * units with red items (most red first), then the leaders' cards (all or none), then the other
 * units' cards, while the allowance lasts; every unit without its own card is listed in the
 * office digest.
 */
export function planDailyAlerts(input: { allowance: number | null; units: PlannedUnit[]; leaders: number; otherCalls?: number }): AlertPlan {
  const { allowance, units, leaders } = input;
  const other = input.otherCalls ?? 0;
  const needed = units.length + leaders + other;
  const ordered = [...units].sort(byRedFirst);
  if (allowance === null || needed <= allowance) {
    return { mode: 'cards', allowance, needed, cardUnits: ordered.map((u) => u.unitId), digestUnits: [], leaderCards: leaders > 0, digestMessages: 0 };
  }
  // Reserved up front: the digest messages as if every unit were listed (an upper bound), and the other calls.
  const digestMessages = Math.max(1, Math.ceil(units.length / UNITS_PER_DIGEST));
  let left = allowance - digestMessages - other;
  const cardUnits: number[] = [];
  const digestUnits: number[] = [];
  const red = ordered.filter((u) => u.red > 0);
  const rest = ordered.filter((u) => u.red === 0);
  for (const u of red) {
    if (left >= 1) {
      cardUnits.push(u.unitId);
      left--;
    } else digestUnits.push(u.unitId);
  }
  const leaderCards = leaders > 0 && left >= leaders;
  if (leaderCards) left -= leaders;
  for (const u of rest) {
    if (left >= 1) {
      cardUnits.push(u.unitId);
      left--;
    } else digestUnits.push(u.unitId);
  }
  return { mode: 'digest', allowance, needed, cardUnits, digestUnits, leaderCards, digestMessages: Math.ceil(digestUnits.length / UNITS_PER_DIGEST) };
}

/**
 * Card updates in place while the budget is short: only the update that turns a card green (all
 * its items fixed) is sent; "已整改 2/5" steps are skipped, and the next update sent carries the
 * whole progress.
 */
export function sendCardUpdate(state: BudgetState | null, allFixed: boolean): boolean {
  return state !== 'short' || allFixed;
}
