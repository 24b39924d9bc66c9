// The office's message of the monthly 排查 of the audit trail (commands/audit-review.ts): how many
// users acted, who was unusual and why, the rule, and the link to the summary in the console.

import type { OutboundMessage } from '../core/outbound.ts';
import { monthText } from '../core/self-check-lock.ts';
import { render, trusted } from './render.ts';

export function auditReviewMessage(r: { month: string; users: number; flagged: Array<{ name: string; flags: Array<{ text: string }> }>; rule: string; link: string }): OutboundMessage {
  return {
    kind: 'markdown',
    title: `${monthText(r.month)}审计日志排查`,
    text: render('audit-review', {
      monthText: monthText(r.month), users: r.users, flaggedCount: r.flagged.length, rule: r.rule, link: trusted(r.link),
      flagged: r.flagged.map((f) => ({ name: f.name, text: f.flags.map((x) => x.text).join('；') })),
    }),
  };
}
