// The weekly supervision list's cards (template alert.card.json): the office's card (counts,
// regions, the most urgent units) and each listed unit's own part (@ its 专管员). Both are updated
// in place: a unit that fixes its items reads 已整改 on its card and on the office's.

import type { CardPayload, OutboundMessage } from '../core/outbound.ts';
import { STATE_TEXT } from '../core/requests.ts';
import type { WeeklyCounts, WeeklySettings, WeeklyUnitLine } from '../core/weekly-list.ts';
import { escapeText, phrase, PHRASES, render } from './render.ts';

export function weeklyOfficeCardId(week: string): string {
  return `weekly-office:${week}`;
}

export function weeklyUnitCardId(unitId: number, week: string): string {
  return `weekly-unit:${unitId}:${week}`;
}

/** How many red items a unit's card lists before "……另有 N 项". */
export const WEEKLY_UNIT_ITEMS = 5;

/** A unit's line in one sentence (the office card, the console): what is wrong and since how long. */
export function lineSummary(l: WeeklyUnitLine): string {
  const parts: string[] = [];
  if (l.red) parts.push(phrase('weeklySummaryRed', { count: l.red.count, days: l.red.oldestWorkdays }));
  if (l.suspension) parts.push(phrase('weeklySummarySuspended', { endsOn: l.suspension.endsOn }));
  if (l.waitingRequests.length) parts.push(phrase('weeklySummaryRequests', { count: l.waitingRequests.length, days: l.waitingRequests[0].workdaysWaiting }));
  if (l.selfChecks) parts.push(phrase('weeklySummarySelfCheck', { count: l.selfChecks.count, min: l.selfChecks.min }));
  return parts.join('；');
}

/** What the unit is asked to do, as the card's closing sentence ('' when nothing is the unit's to do). */
export function lineTodo(l: Pick<WeeklyUnitLine, 'red' | 'selfChecks'>): string {
  const todo: string[] = [];
  if (l.red) todo.push(phrase('weeklyTodoRed'));
  if (l.selfChecks) todo.push(phrase('weeklyTodoSelfCheck'));
  return todo.join(phrase('weeklyTodoJoin'));
}

/** What the office card keeps (cards.data) to be rebuilt in place: the counts and the lines it shows. */
export interface OfficeCardView {
  date: string;
  week: string;
  settings: WeeklySettings;
  counts: WeeklyCounts;
  regions: Array<{ name: string; counts: WeeklyCounts }>;
  /** The most urgent lines (the card shows these). */
  lines: WeeklyUnitLine[];
  /** Listed units the card does not show. */
  more: number;
  /** Units marked 已整改 since the card was sent. */
  doneUnitIds: number[];
  /** The console's weekly tab. */
  url: string;
  /** Listed units sent no card of their own: the month's message budget was short. */
  heldForBudget?: number;
}

export function weeklyOfficeCard(v: OfficeCardView): CardPayload {
  const done = new Set(v.doneUnitIds);
  const markdown = render('weekly-office', {
    date: v.date, counts: v.counts, limit: v.settings.requestLimitWorkdays, minSelfChecks: v.settings.minSelfChecks, doneUnits: done.size,
    regions: v.regions.map((r) => ({ ...r, name: r.name || '未填区划' })),
    lines: v.lines.map((l) => ({ unitName: l.unitName, regionName: l.regionName, summary: lineSummary(l), done: done.has(l.unitId) })),
    more: v.more, heldForBudget: v.heldForBudget ?? 0,
  });
  const total = v.counts.units;
  const light = !total || v.counts.redUnits === 0 ? 'green' : 'red';
  const data: Record<string, string> = {
    title: phrase('weeklyTitle', { date: v.date }),
    date: escapeText(v.date),
    light,
    lightText: PHRASES.light[light],
    red: String(v.counts.redUnits),
    yellow: '0',
    resolved: String(done.size),
    total: String(total),
    progress: phrase('weeklyOfficeProgress', { done: done.size, total }),
    markdown,
    mentions: '',
    buttonText: phrase('weeklyOfficeButton'),
    url: v.url,
    unitCode: '',
    unitId: '',
    recheckText: '',
  };
  const fallback: OutboundMessage = { kind: 'actionCard', title: data.title, text: markdown, buttons: [{ title: data.buttonText, url: v.url }] };
  return { template: 'alert', cardId: weeklyOfficeCardId(v.week), data, fallback };
}

export interface UnitCardView {
  date: string;
  week: string;
  line: WeeklyUnitLine;
  mentions: Array<{ userId: string; name: string }>;
  /** The mini-app at the unit's list of findings. */
  url: string;
  done: boolean;
}

export function weeklyUnitCard(v: UnitCardView): CardPayload {
  const l = v.line;
  const markdown = render('weekly-unit', {
    unitName: l.unitName, date: v.date, done: v.done, red: l.red,
    items: l.redItems.slice(0, WEEKLY_UNIT_ITEMS), more: Math.max(0, l.redItems.length - WEEKLY_UNIT_ITEMS),
    suspension: l.suspension,
    requests: l.waitingRequests.map((r) => ({ ...r, stateText: STATE_TEXT[r.state] })),
    selfChecks: l.selfChecks,
    mentions: v.mentions.map((m) => m.name),
    todo: lineTodo(l),
  });
  const fixable = !!(l.red || l.selfChecks);
  const light = v.done ? 'green' : l.red || l.suspension ? 'red' : 'yellow';
  const data: Record<string, string> = {
    title: phrase('weeklyUnitTitle', { unitName: l.unitName }),
    date: escapeText(v.date),
    light,
    lightText: PHRASES.light[light],
    red: String(v.done ? 0 : l.red?.count ?? 0),
    yellow: '0',
    resolved: v.done ? '1' : '0',
    total: '1',
    progress: v.done ? phrase('weeklyUnitDone') : fixable ? phrase('weeklyUnitPending') : phrase('weeklyUnitInfo'),
    markdown,
    mentions: v.mentions.map((m) => `@${escapeText(m.name)}`).join(' '),
    buttonText: phrase('weeklyUnitButton'),
    url: v.url,
    unitCode: escapeText(l.unitCode ?? ''),
    unitId: String(l.unitId),
    // 已整改，重新检查 re-checks the unit: its card (and the office's) turn 已整改 once fixed.
    recheckText: fixable && !v.done ? phrase('recheckButton') : '',
  };
  const fallback: OutboundMessage = { kind: 'actionCard', title: data.title, text: markdown, buttons: [{ title: data.buttonText, url: v.url }] };
  return { template: 'alert', cardId: weeklyUnitCardId(l.unitId, v.week), data, fallback, atUsers: v.mentions };
}
