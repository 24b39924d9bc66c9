// The messages of the monthly self-check (core/self-check-lock.ts): the reminder to a unit short
// of the office's number, the note to a specialist whose account was locked, and the office's
// list of the units locked at month close.

import type { OutboundMessage } from '../core/outbound.ts';
import { monthText, unlockersText, type Unlocker } from '../core/self-check-lock.ts';
import { render, trusted } from './render.ts';

/** The day as users read it: 2026年12月31日. */
export function dayText(day: string): string {
  return `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

/** The mini-app's 自查 page for a unit. */
export function selfCheckUrl(publicBaseUrl: string, unitId: number): string {
  return `${publicBaseUrl}/m/#/self-check?unit=${unitId}`;
}

export function selfCheckReminder(r: { unitName: string; month: string; count: number; required: number; deadline: string; link: string; atUserIds: string[] }): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${r.unitName} 自查提醒`,
    text: render('self-check-reminder', {
      unitName: r.unitName, monthText: monthText(r.month), count: r.count, required: r.required, missing: r.required - r.count,
      deadline: dayText(r.deadline), link: trusted(r.link),
    }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}

export function selfCheckLockedMessage(r: { name: string; unitName: string; month: string; count: number; required: number; unlockers: Unlocker[] }): OutboundMessage {
  return {
    kind: 'markdown',
    title: '账号已锁定',
    text: render('self-check-locked', { ...r, monthText: monthText(r.month), unlockers: unlockersText(r.unlockers) }),
  };
}

export function selfCheckLockSummary(month: string, required: number, units: Array<{ name: string; selfChecks: number; names: string[] }>): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${monthText(month)}自查不足锁定账号`,
    text: render('self-check-lock-summary', {
      monthText: monthText(month), required, count: units.length, users: units.reduce((n, u) => n + u.names.length, 0),
      units: units.map((u) => ({ name: u.name, selfChecks: u.selfChecks, names: u.names.join('、') })),
    }),
  };
}
