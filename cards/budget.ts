// The messages of the 年度编制使用预算 (core/budget.ts): the notice that the office opened a year's
// budget round, and the reminder to a unit that has not submitted. Markdown with a link to the
// unit's budget form in the mini-app.

import { yearText } from '../core/budget.ts';
import type { OutboundMessage } from '../core/outbound.ts';
import { render, trusted } from './render.ts';
import { dayText } from './self-check.ts';

/** The mini-app's budget form of a unit. */
export function budgetUrl(publicBaseUrl: string, unitId: number, year: number): string {
  return `${publicBaseUrl}/m/#/annual-budget/${unitId}?year=${year}`;
}

export interface BudgetNoticeData { unitName: string; year: number; dueOn: string; link: string; atUserIds: string[]; stateText?: string }

function message(template: 'budget-open' | 'budget-reminder', title: string, r: BudgetNoticeData): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${r.unitName} ${yearText(r.year)}${title}`,
    text: render(template, { unitName: r.unitName, yearText: yearText(r.year), dueText: dayText(r.dueOn), stateText: r.stateText ?? '未填', link: trusted(r.link) }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}

export const budgetNotice = (r: BudgetNoticeData) => message('budget-open', '编制使用预算填报', r);
export const budgetReminder = (r: BudgetNoticeData) => message('budget-reminder', '编制使用预算填报提醒', r);

const OUTCOMES = {
  approve: { outcome: '审核通过', hint: '预算已锁定；如需调整，请联系编办。' },
  return: { outcome: '退回修改', hint: '请单位专管员在小程序中按意见修改后重新提交。' },
  reopen: { outcome: '重新打开', hint: '预算已退回本单位，请单位专管员在小程序中修改后重新提交。' },
} as const;

/** The office's decision on a unit's budget, to the unit (通过, 退回修改 or 重新打开, with the reason). */
export function budgetReviewed(r: { unitName: string; year: number; action: keyof typeof OUTCOMES; reason: string | null; link: string; atUserIds: string[] }): OutboundMessage {
  const o = OUTCOMES[r.action];
  return {
    kind: 'markdown',
    title: `${r.unitName} ${yearText(r.year)}编制使用预算${o.outcome}`,
    text: render('budget-reviewed', { unitName: r.unitName, yearText: yearText(r.year), outcome: o.outcome, reason: r.reason ?? '', hint: o.hint, link: trusted(r.link) }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}
