// Builders: domain objects → card variables and messages. Sentences come from the templates.

import type { CardPayload, OutboundMessage } from '../core/outbound.ts';
import { escapeText, phrase, PHRASES, render } from './render.ts';

export interface DigestItem {
  findingId: number;
  light: 'red' | 'yellow';
  title: string;
  subject: string;
  idMasked: string | null;
  daysOpen: number;
}

export interface UnitDigest {
  /** The stored unit: credit codes may be empty or shared (U-IN-01, U-IN-06), ids are not. */
  unitId: number;
  unitCode: string;
  unitName: string;
  date: string;
  /** All open findings of the unit, red first, oldest first. */
  items: DigestItem[];
  /** Names shown as @-mentions and the user ids behind them (the unit's 专管员). */
  mentions: Array<{ userId: string; name: string }>;
  /** The mini-app at this unit's list. */
  url: string;
}

/** How many items a card or message lists before "……另有 N 项". */
export const DIGEST_ITEMS = 5;

export function digestCardId(unitId: number, date: string): string {
  return `unit-digest:${unitId}:${date}`;
}

function itemsView(items: DigestItem[]) {
  return items.slice(0, DIGEST_ITEMS).map((i) => ({ ...i, lightText: PHRASES.light[i.light] }));
}

export function digestMarkdown(d: UnitDigest): OutboundMessage & { kind: 'markdown' } {
  const red = d.items.filter((i) => i.light === 'red').length;
  const text = render('alert-digest', {
    unitName: d.unitName, date: d.date, red, yellow: d.items.length - red,
    items: itemsView(d.items), more: Math.max(0, d.items.length - DIGEST_ITEMS), mentions: d.mentions.map((m) => m.name),
  });
  return { kind: 'markdown', title: phrase('alertTitle', { unitName: d.unitName }), text, atUserIds: d.mentions.map((m) => m.userId) };
}

/** The digest as an interactive card (template alert.card.json) with its message fallback. */
export function digestCard(d: UnitDigest, progress?: { resolved: number; total: number; red: number; yellow: number }): CardPayload {
  const red = progress ? progress.red : d.items.filter((i) => i.light === 'red').length;
  const yellow = progress ? progress.yellow : d.items.length - red;
  const total = progress ? progress.total : d.items.length;
  const resolved = progress ? progress.resolved : 0;
  const done = resolved >= total;
  const light = done ? 'green' : red ? 'red' : 'yellow';
  const body = progress
    ? render('alert-progress', { unitName: d.unitName, date: d.date, resolved, total, red, yellow, done })
    : digestMarkdown(d).text;
  // The card's `string` variables are shown as plain text: data in them is kept to one line
  // (phrase() does the same for the values it fills in); `markdown` is the rendered template,
  // its values already markdown-escaped; `url` is built by our code from PUBLIC_BASE_URL.
  const data: Record<string, string> = {
    title: phrase('alertTitle', { unitName: d.unitName }),
    date: escapeText(d.date),
    light,
    lightText: PHRASES.light[light],
    red: String(red),
    yellow: String(yellow),
    resolved: String(resolved),
    total: String(total),
    progress: done ? phrase('progressDone') : phrase('progressPartial', { resolved, total }),
    markdown: body,
    mentions: d.mentions.map((m) => `@${escapeText(m.name)}`).join(' '),
    buttonText: phrase('alertButton'),
    url: d.url,
    unitCode: escapeText(d.unitCode),
    // The recheck button's parameter: the unit's own id (its credit code may be shared).
    unitId: String(d.unitId),
    recheckText: phrase('recheckButton'),
  };
  const fallback: OutboundMessage = {
    kind: 'actionCard',
    title: data.title,
    text: body,
    buttons: [{ title: data.buttonText, url: d.url }],
  };
  return { template: 'alert', cardId: digestCardId(d.unitId, d.date), data, fallback, atUsers: d.mentions };
}

export function redAlertMessage(f: { unitName: string; title: string; subject: string; idMasked: string | null; detail?: string | null; openedOn: string; url: string }): OutboundMessage {
  return {
    kind: 'actionCard',
    title: phrase('redAlertTitle', { unitName: f.unitName }),
    text: render('red-alert', f),
    buttons: [{ title: phrase('redAlertButton'), url: f.url }],
  };
}

export function noGroupMessage(date: string, units: Array<{ name: string; red: number; yellow: number; specialists: number }>): OutboundMessage {
  return { kind: 'markdown', title: phrase('noGroupTitle'), text: render('no-group-units', { date, count: units.length, units }) };
}

export function replyMarkdown(text: string): OutboundMessage {
  return { kind: 'markdown', title: phrase('replyTitle'), text };
}
