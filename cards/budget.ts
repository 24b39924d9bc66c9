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
