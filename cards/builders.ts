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

/** How long an item has been open: 今日发现 on its first day, else 已 N 个工作日. */
export function ageText(daysOpen: number): string {
  return daysOpen > 0 ? phrase('daysOpen', { n: daysOpen }) : phrase('foundToday');
}

function itemsView<T extends DigestItem>(items: T[], max = DIGEST_ITEMS) {
  return items.slice(0, max).map((i) => ({ ...i, lightText: PHRASES.light[i.light], age: ageText(i.daysOpen) }));
}

export function digestMarkdown(d: UnitDigest): OutboundMessage & { kind: 'markdown' } {
  const red = d.items.filter((i) => i.light === 'red').length;
  const text = render('alert-digest', {
    unitName: d.unitName, date: d.date, red, yellow: d.items.length - red,
    items: itemsView(d.items), more: Math.max(0, d.items.length - DIGEST_ITEMS), mentions: d.mentions.map((m) => m.name),
  });
  return { kind: 'markdown', title: phrase('alertTitle', { unitName: d.unitName }), text, atUserIds: d.mentions.map((m) => m.userId) };
}

/** A card's state after updates: counts, and the items still open (with their lights of the day), red first. */
export interface DigestProgress {
  resolved: number;
  total: number;
  red: number;
  yellow: number;
  remaining: DigestItem[];
}

/** The digest as an interactive card (template alert.card.json) with its message fallback. */
export function digestCard(d: UnitDigest, progress?: DigestProgress): CardPayload {
  const red = progress ? progress.red : d.items.filter((i) => i.light === 'red').length;
  const yellow = progress ? progress.yellow : d.items.length - red;
  const total = progress ? progress.total : d.items.length;
  const resolved = progress ? progress.resolved : 0;
  const done = resolved >= total;
  const light = done ? 'green' : red ? 'red' : 'yellow';
  const body = progress
    ? render('alert-progress', { unitName: d.unitName, date: d.date, resolved, total, red, yellow, done, items: done ? [] : itemsView(progress.remaining), more: done ? 0 : Math.max(0, progress.remaining.length - DIGEST_ITEMS) })
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

/** A leader's red items: those of the units in the leader's scope, with the unit of each. */
export interface LeaderDigest {
  leaderId: string;
  /** The leader's own unit (the card's title, the button's list of it and the units below it). */
  unitId: number;
  unitCode: string;
  unitName: string;
  date: string;
  items: Array<DigestItem & { unitName: string }>;
  url: string;
}

/** How many red items a leader's card lists. */
export const LEADER_ITEMS = 10;

export function leaderCardId(leaderId: string, date: string): string {
  return `leader-digest:${leaderId}:${date}`;
}

/**
 * A leader's one card of the day (template alert.card.json, sent 1:1): the red items of the
 * units in their scope, then, as items are fixed, what is left of them.
 */
export function leaderDigestCard(d: LeaderDigest, progress?: DigestProgress): CardPayload {
  const remaining = progress ? progress.remaining : d.items;
  const total = progress ? progress.total : d.items.length;
  const resolved = progress ? progress.resolved : 0;
  const done = resolved >= total;
  const byId = new Map(d.items.map((i) => [i.findingId, i.unitName]));
  // A unit's own finding names the unit as its subject: said once.
  const items = remaining.map((i) => {
    const unitName = byId.get(i.findingId) ?? '';
    return { ...i, unitName, subject: i.subject === unitName ? '' : i.subject };
  });
  const red = items.filter((i) => i.light === 'red').length;
  const units = new Set(items.map((i) => i.unitName)).size;
  const body = render('leader-digest', {
    unitName: d.unitName, date: d.date, resolved, total, red, done, several: new Set(d.items.map((i) => i.unitName)).size > 1 || d.items.some((i) => i.unitName !== d.unitName),
    unitCount: units, items: itemsView(items, LEADER_ITEMS), more: Math.max(0, items.length - LEADER_ITEMS),
  });
  const light = done ? 'green' : 'red';
  const data: Record<string, string> = {
    title: phrase('leaderTitle', { unitName: d.unitName }),
    date: escapeText(d.date),
    light,
    lightText: PHRASES.light[light],
    red: String(red),
    yellow: String(items.length - red),
    resolved: String(resolved),
    total: String(total),
    progress: done ? phrase('leaderProgressDone') : phrase('progressPartial', { resolved, total }),
    markdown: body,
    mentions: '',
    buttonText: phrase('leaderButton'),
    url: d.url,
    unitCode: escapeText(d.unitCode),
    unitId: String(d.unitId),
    // No 重新检查: a leader fixes nothing; the button leads to the units' lists and people.
    recheckText: '',
  };
  const fallback: OutboundMessage = { kind: 'actionCard', title: data.title, text: body, buttons: [{ title: data.buttonText, url: d.url }] };
  return { template: 'alert', cardId: leaderCardId(d.leaderId, d.date), data, fallback };
}

export function noGroupMessage(date: string, units: Array<{ name: string; red: number; yellow: number; specialists: number }>): OutboundMessage {
  return { kind: 'markdown', title: phrase('noGroupTitle'), text: render('no-group-units', { date, count: units.length, units }) };
}

/** The office-level digest that stands in for per-unit cards while the message budget is short (one part of it). */
export function officeDigestMessage(v: {
  date: string; used: number; budget: number; part: number; parts: number; carded: number;
  units: Array<{ name: string; red: number; yellow: number }>;
}): OutboundMessage {
  const red = v.units.filter((u) => u.red > 0);
  const yellow = v.units.filter((u) => u.red === 0);
  const text = render('office-digest', { ...v, parts: v.parts > 1 ? v.parts : 0, count: v.units.length, red, yellow });
  return { kind: 'markdown', title: phrase('officeDigestTitle'), text };
}

/** The once-a-month warning to the office that 80 % of the message budget is used. */
export function budgetWarningMessage(v: { month: string; platform: string; used: number; budget: number; percent: number; elapsed: number; projected: number; over: boolean }): OutboundMessage {
  return { kind: 'markdown', title: phrase('budgetWarningTitle'), text: render('budget-warning', v) };
}

export function replyMarkdown(text: string): OutboundMessage {
  return { kind: 'markdown', title: phrase('replyTitle'), text };
}

/** A staffing request as its approval card and messages show it. */
export interface RequestCardView {
  id: number;
  no: string;
  kind: string;
  unitName: string;
  /** core/requests.ts RequestState */
  state: string;
  stateText: string;
  summary: string;
  reason: string | null;
  requester: string;
  submittedAt: string;
  quota?: { kind: string; approved: number; actual: number; inTransit: number; available: number } | null;
  steps: Array<{ step: string; byName: string; decisionText: string; comment: string | null; at: string }>;
  /** The 终审 once taken. */
  decided?: { by: string; at: string; comment: string | null } | null;
  /** The mini-app at this request. */
  url: string;
}

export function approvalCardId(requestId: number): string {
  return `request:${requestId}`;
}

const CARD_STATUS: Record<string, string> = { reviewed: 'pending', approved: 'approved', rejected: 'rejected' };

/**
 * The approval card (template approval.card.json), sent 1:1 to each 分管领导 at 初审 pass and
 * updated in place at 终审. State, decider and comment are public; the buttons show only by the
 * private `canDecide` of the leaders in `deciders`, and only while the request waits.
 */
export function approvalCard(r: RequestCardView, deciders: string[] = []): CardPayload {
  const status = CARD_STATUS[r.state] ?? r.state;
  const markdown = render('request-card', r);
  const d = r.decided;
  const resultText = d ? phrase(d.comment ? 'approvalDecidedComment' : 'approvalDecided', { stateText: r.stateText, decidedBy: d.by, decidedAt: d.at, comment: d.comment ?? '' }) : '';
  const pending = status === 'pending';
  const data: Record<string, string> = {
    title: phrase('approvalTitle', { kind: r.kind }),
    unitName: escapeText(r.unitName),
    markdown,
    status,
    statusText: pending ? phrase('approvalPending') : r.stateText,
    requestId: String(r.id),
    requestNo: r.no,
    decidedBy: d ? escapeText(d.by) : '',
    decidedAt: d ? d.at : '',
    comment: d?.comment ? escapeText(d.comment) : '',
    resultText,
    canDecide: 'false',
    url: r.url,
  };
  const privateData: Record<string, Record<string, string>> = {};
  for (const id of deciders) privateData[id] = { canDecide: pending ? 'true' : 'false' };
  const fallback: OutboundMessage = pending
    ? { kind: 'actionCard', title: data.title, text: markdown, buttons: [{ title: phrase('approvalOpen'), url: r.url }] }
    : { kind: 'markdown', title: data.title, text: `${markdown}\n\n${resultText}` };
  return { template: 'approval', cardId: approvalCardId(r.id), data, fallback, ...(deciders.length ? { privateData } : {}) };
}

/** The requester told the outcome of a step (初审 return or reject, 终审), with the comment and any refusal reasons. */
export function requestOutcomeMessage(r: RequestCardView, step: { by: string; at: string; comment: string | null; refusals?: string[] }): OutboundMessage {
  const text = render('request-outcome', { ...r, by: step.by, at: step.at, comment: step.comment, refusals: step.refusals ?? [] });
  return { kind: 'markdown', title: phrase('requestOutcomeTitle', { stateText: r.stateText }), text };
}

/** Issue 18: the unit told its 《人员入(出)编登记表》 was issued, with a button to the request page (downloads after login); no ID number. */
export function registrationFormMessage(f: { unitName: string; personName: string; requestKind: string; no: string; approvedText: string; title: string; number: string }, url: string): OutboundMessage {
  const button = phrase('registrationFormButton');
  return { kind: 'actionCard', title: phrase('registrationFormTitle', { title: f.title }), text: render('registration-form', { ...f, button }), buttons: [{ title: button, url }] };
}

/** One unit on the 红黑榜. */
export interface BoardLine {
  name: string;
  score: number;
  rank: number;
}

/** 2026-11 → 2026年11月. */
export function monthText(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** The 红黑榜 as markdown: 红榜 best first, 黑榜 worst first. */
export function rankingBoardMarkdown(r: { month: string; units: number; top: BoardLine[]; bottom: BoardLine[] }): string {
  return render('ranking-board', { monthText: monthText(r.month), units: r.units, top: r.top, bottom: r.bottom });
}

/** The published 红黑榜 for a group: an action card (Zheng-Ding: its action_card; elsewhere the markdown) with a button to the scores. */
export function rankingBoardMessage(r: { month: string; units: number; top: BoardLine[]; bottom: BoardLine[] }, url: string): OutboundMessage {
  return { kind: 'actionCard', title: phrase('rankingTitle', { monthText: monthText(r.month) }), text: rankingBoardMarkdown(r), buttons: [{ title: phrase('rankingButton'), url }] };
}

/** The robot's 排名: the board, then the asker's unit (rank, score, deductions) when asked by a unit. */
export function rankingReplyText(r: { month: string; units: number; top: BoardLine[]; bottom: BoardLine[] }, own?: { name: string; score: number; rank: number; deductions: Record<string, number> } | null): string {
  const board = rankingBoardMarkdown(r);
  if (own === undefined) return board;
  return `${board}\n\n${render('ranking-own', { own, units: r.units, monthText: monthText(r.month) })}`;
}
