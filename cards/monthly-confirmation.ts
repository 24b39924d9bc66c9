// The messages of the 月度核账 (core/monthly-confirmation.ts): the notice that a month is open for
// confirmation, and the reminder to a unit that has not confirmed yet. Markdown with a link to the
// unit's confirmation page in the mini-app.

import { monthLabel } from '../core/monthly-confirmation.ts';
import type { OutboundMessage } from '../core/outbound.ts';
import { render, trusted } from './render.ts';
import { dayText } from './self-check.ts';

/** The mini-app's 核账 page of a unit. */
export function monthlyConfirmationUrl(publicBaseUrl: string, unitId: number): string {
  return `${publicBaseUrl}/m/#/monthly/${unitId}`;
}

function message(template: 'monthly-confirm-open' | 'monthly-confirm-reminder', title: string, r: { unitName: string; month: string; dueOn: string; link: string; atUserIds: string[] }): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${r.unitName} ${title}`,
    text: render(template, { unitName: r.unitName, monthText: monthLabel(r.month), dueText: dayText(r.dueOn), link: trusted(r.link) }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}

export function monthlyConfirmationNotice(r: { unitName: string; month: string; dueOn: string; link: string; atUserIds: string[] }): OutboundMessage {
  return message('monthly-confirm-open', '月度核账', r);
}

export function monthlyConfirmationReminder(r: { unitName: string; month: string; dueOn: string; link: string; atUserIds: string[] }): OutboundMessage {
  return message('monthly-confirm-reminder', '月度核账提醒', r);
}
