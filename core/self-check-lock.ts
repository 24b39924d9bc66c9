// The monthly self-check and its lock (Keqiao: 每月登录系统校验数据不少于2次，未按要求开展自查的，
// 系统将自动锁定账号; rule U-PR-01, its minPerMonth the office's number). Pure: given each unit's
// self-checks in a month, which units fall short and are locked or reminded, and the sentences a
// locked user reads.
//
// Exemptions (a unit is never short):
// - a unit without a 单位专管员 on the 用户 sheet: nobody to lock or remind (U-PR-03 says so);
// - a unit that came into sanse after the month's first day (its row created during the month or
//   later, e.g. imported mid-month, also the first month after the office's first import): it did
//   not have the whole month;
// - the office's number is 0 or less, or the office switched U-PR-01 off: nobody is short.

import { monthOf } from './dates.ts';
import type { IsoDate } from './model.ts';

/** A unit's self-checks in a month, as db/ reads them. */
export interface UnitSelfChecks {
  unitId: number;
  name: string;
  /** When the unit's row came into sanse (units.created_at: 'YYYY-MM-DD HH:MM:SS' or a day). */
  createdAt: string | null;
  /** Self-checks recorded in the month. */
  count: number;
  /** 单位专管员 of the unit on the 用户 sheet (locked ones too). */
  specialists: number;
}

export interface ShortUnit {
  unitId: number;
  name: string;
  count: number;
  required: number;
}

export type Exemption = 'no-specialist' | 'new-unit';

/** Why a unit below the number is not short, or null when it is held to it. */
export function exemptionOf(u: UnitSelfChecks, month: string): Exemption | null {
  if (u.specialists <= 0) return 'no-specialist';
  if (u.createdAt && u.createdAt.slice(0, 10) > `${month}-01`) return 'new-unit';
  return null;
}

/**
 * The units short of `required` self-checks in `month` ('YYYY-MM'), by unit id; `enabled` false
 * (U-PR-01 switched off) or a number of 0 or less: none.
 */
export function shortUnits(units: UnitSelfChecks[], month: string, required: number, enabled = true): ShortUnit[] {
  if (!enabled || !(required > 0)) return [];
  return units
    .filter((u) => u.count < required && exemptionOf(u, month) === null)
    .map((u) => ({ unitId: u.unitId, name: u.name, count: u.count, required }))
    .sort((a, b) => a.unitId - b.unitId);
}

/** The month a lock on `date` closes: the month before the date's. */
export function closedMonthOf(date: IsoDate): string {
  const [y, m] = monthOf(date).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** 2026-11 → 2026年11月. */
export function monthText(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** A 编办管理员 who can unlock, as a locked user is told. */
export interface Unlocker {
  name: string;
  mobile: string | null;
}

/** 张三（13800000000）、李四 — or the office in general when none is on the sheet. */
export function unlockersText(unlockers: Unlocker[]): string {
  if (!unlockers.length) return '本地编办的编办管理员';
  return `编办管理员${unlockers.map((u) => (u.mobile ? `${u.name}（${u.mobile}）` : u.name)).join('、')}`;
}

/** What a lock says about itself: a self-check lock with its month and counts, else a lock set on the 用户 sheet. */
export type LockReason =
  | { kind: 'self-check'; month: string; count: number; required: number }
  | { kind: 'manual' };

/** Why the account is locked, in one sentence. */
export function lockReasonText(r: LockReason): string {
  if (r.kind === 'self-check') return `本单位 ${monthText(r.month)} 自查 ${r.count} 次，少于规定的 ${r.required} 次`;
  return '账号已由编办停用';
}

/** The whole notice a locked user reads (API 423, login, robot, card buttons, the mini-app's locked page). */
export function lockNoticeText(r: LockReason, unlockers: Unlocker[]): string {
  return `您的账号已被锁定：${lockReasonText(r)}。请联系${unlockersText(unlockers)}解锁。`;
}
