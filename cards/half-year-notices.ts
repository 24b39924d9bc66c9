// The message of a written notice (函告) of the half-yearly cross-check (core/half-year-notices.ts):
// to the unit's group (@ its 单位专管员 and 单位领导) and 1:1 to its 单位领导, with the link to the
// notice in the mini-app (read, download, reply). Records are shown as in the notice: masked IDs.

import { halfText, type NoticeFacts } from '../core/half-year-notices.ts';
import type { OutboundMessage } from '../core/outbound.ts';
import { render, trusted } from './render.ts';
import { dayText } from './self-check.ts';

/** The mini-app's page of a notice. */
export function noticeUrl(publicBaseUrl: string, id: number): string {
  return `${publicBaseUrl}/m/#/notices/${id}`;
}

const FIRST_ITEMS = 5;

export function halfYearNoticeMessage(r: { number: string; facts: NoticeFacts; link: string; atUserIds: string[] }): OutboundMessage {
  const f = r.facts;
  const items = [
    ...f.overdue.map((o) => `超期未整改：${o.ruleTitle}，${o.record}，${o.openedOn}发现，已${o.workdaysOpen}个工作日`),
    ...f.repeated.map((x) => `反复出现：${x.ruleTitle}，${x.count}次`),
  ];
  return {
    kind: 'markdown',
    title: `${f.unitName} 书面函告 ${r.number}`,
    text: render('half-year-notice', {
      number: r.number, unitName: f.unitName, halfText: halfText(f.half), overdueCount: f.overdue.length, repeatedCount: f.repeated.length,
      overdueWorkdays: f.overdueWorkdays, repeatTimes: f.repeatTimes, firstItems: items.slice(0, FIRST_ITEMS), more: items.length > FIRST_ITEMS,
      total: items.length, replyDueText: dayText(f.replyDue), link: trusted(r.link),
    }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}

/** The office returned the unit's reply (退回): the reason and the link to reply again. */
export function noticeReturnedMessage(r: { number: string; unitName: string; note: string; link: string; atUserIds: string[] }): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${r.unitName} 书面函告回复被退回`,
    text: render('half-year-notice-returned', { number: r.number, unitName: r.unitName, note: r.note, link: trusted(r.link) }),
    ...(r.atUserIds.length ? { atUserIds: r.atUserIds } : {}),
  };
}
