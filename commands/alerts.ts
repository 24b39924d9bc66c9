// Alerts after the daily check, and card updates as findings are resolved. Everything here
// writes outbox rows (and the cards it created) inside the caller's transaction, so an alert
// exists exactly when the change that caused it was committed.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { openLightsOn } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { findingHeading } from '../cards/details.ts';
import { budgetWarningMessage, digestCard, leaderCardId, leaderDigestCard, noGroupMessage, officeDigestMessage, type DigestItem, type DigestProgress, type LeaderDigest, type UnitDigest } from '../cards/builders.ts';
import { PHRASES } from '../cards/render.ts';
import { planDailyAlerts, sendCardUpdate, UNITS_PER_DIGEST, WARN_SHARE, type BudgetState } from '../core/message-budget.ts';
import { activeBudget, type PlatformBudget } from '../db/api-calls.ts';
import { loadOffice } from '../db/settings.ts';
import { nowMoment } from '../db/clock.ts';
import { openFindingsQuery } from '../db/findings.ts';
import { enqueue, parseTarget, targetText } from '../db/outbox.ts';
import type { CardPayload, Target } from '../core/outbound.ts';
import { queueWeeklyCardUpdates } from './weekly-list.ts';

type Row = Record<string, any>;

/** What a card row keeps besides the variables: the findings it listed, to count progress. */
interface CardState {
  vars: Record<string, string>;
  unitId: number;
  unitCode: string;
  date: IsoDate;
  findingIds: number[];
  digest: UnitDigest;
}

/** A leader's card: the same, with the units whose red items it lists. */
interface LeaderCardState {
  vars: Record<string, string>;
  leaderId: string;
  date: IsoDate;
  unitIds: number[];
  findingIds: number[];
  digest: LeaderDigest;
}

export interface AlertLinks {
  /** The mini-app at a unit's list of findings, by the unit's id (a credit code may be shared, U-IN-06). */
  unitUrl(unitId: number): string;
}

export function miniAppLinks(publicBaseUrl: string): AlertLinks {
  return { unitUrl: (id) => `${publicBaseUrl}/m/#/todo?unit=${id}` };
}

export interface AlertSummary {
  digests: number;
  groupCards: number;
  directDigests: number;
  /** Leaders' cards of the day (one per leader with red items in their scope). */
  leaderCards: number;
  noGroupUnits: number;
  /** The month's message budget the day was planned against; null before any call was counted. */
  budget: { platform: string; budget: number | null; used: number; projected: number; state: BudgetState; allowance: number | null; mode: 'cards' | 'digest' } | null;
  /** Units listed in the office-level digest instead of getting their own card (budget short). */
  officeDigestUnits: number;
  /** Office-level digest messages queued. */
  officeDigests: number;
  /** The month's 80 % warning was queued by this call. */
  budgetWarning: boolean;
}

/** A unit's alert of the day, before the budget decides how it goes out. */
interface UnitAlert {
  unitId: number;
  first: Row;
  items: DigestItem[];
  digest: UnitDigest;
  red: number;
  /** A card into its group, 1:1 messages to its 专管员, or nothing (neither). */
  via: 'group' | 'dm' | 'none';
}

/**
 * One digest per unit with open findings: an interactive card in its 工作群 (@ its 专管员), or
 * 1:1 messages to its 专管员 when it has no group (and the office is told which units those
 * are); and one card per 单位领导 with the red items of the units in their scope (their unit and
 * the units below it), 1:1, once a day, updated in place as items are fixed.
 *
 * Within the month's message budget (core/message-budget.ts): when the day's even share of what
 * is left does not cover a card per unit and per leader, units with red items get their cards
 * first (most red first), then the leaders, then the others, while the share lasts; the rest are
 * listed in office-level digest messages to the office group. At 80 % of the budget the office
 * group is warned, once a month.
 */
export async function queueDailyAlerts(trx: Knex, date: IsoDate, cal: WorkdayCalendar, links: AlertLinks): Promise<AlertSummary> {
  const summary: AlertSummary = { digests: 0, groupCards: 0, directDigests: 0, leaderCards: 0, noGroupUnits: 0, budget: null, officeDigestUnits: 0, officeDigests: 0, budgetWarning: false };

  const budget = await activeBudget(trx, date, cal);
  if (budget) summary.budgetWarning = await queueBudgetWarning(trx, budget);

  // Most urgent first: each unit's items keep that order.
  const rows: Row[] = await openFindingsQuery(trx);
  if (!rows.length) return summary;

  const people = await trx('users').whereIn('role', ['单位专管员', '单位领导']).where({ locked: false }).whereNotNull('unit_id').select('id', 'name', 'role', 'unit_id');
  const specialists = new Map<number, Array<{ userId: string; name: string }>>();
  const leaders: Array<{ id: string; unitId: number }> = [];
  for (const p of people) {
    const uid = Number(p.unit_id);
    if (p.role === '单位专管员') specialists.set(uid, [...(specialists.get(uid) ?? []), { userId: p.id, name: p.name }]);
    else leaders.push({ id: p.id, unitId: uid });
  }
  const redByUnit = new Map<number, Array<DigestItem & { unitName: string }>>();

  const byUnit = new Map<number, Row[]>();
  for (const r of rows) {
    const list = byUnit.get(Number(r.unit_id)) ?? [];
    list.push(r);
    byUnit.set(Number(r.unit_id), list);
  }
  const lightOf = openLightsOn(date, cal);

  const alerts: UnitAlert[] = [];
  for (const [unitId, list] of byUnit) {
    const first = list[0];
    // Alert cards carry the findings with a deadline: a 提示 is never the reason for one, nor in
    // one's counts (it is listed in 待整改, the console and the exports).
    const items: DigestItem[] = list.flatMap((r) => {
      const l = lightOf(r.opened_on, r.rule);
      if (l.light === 'hint') return [];
      return [{ findingId: Number(r.id), light: l.light, title: findingHeading(r.rule, r.qualifier), subject: r.subject_name, idMasked: r.subject_id_masked ?? null, daysOpen: l.workdaysOpen }];
    });
    if (!items.length) continue;
    const digest: UnitDigest = { unitId, unitCode: first.code, unitName: first.unit_name, date, items, mentions: specialists.get(unitId) ?? [], url: links.unitUrl(unitId) };
    summary.digests++;
    const red = items.filter((i) => i.light === 'red');
    alerts.push({ unitId, first, items, digest, red: red.length, via: first.group_id ? 'group' : digest.mentions.length ? 'dm' : 'none' });
    if (red.length) redByUnit.set(unitId, red.map((i) => ({ ...i, unitName: first.unit_name })));
  }
  const leaderDigests = await leaderDigestsOf(trx, date, leaders, redByUnit, links);

  const sent = alerts.filter((a) => a.via !== 'none');
  const anyNoGroup = alerts.some((a) => !a.first.group_id);
  const plan = planDailyAlerts({
    allowance: budget?.allowanceToday ?? null,
    units: sent.map((a) => ({ unitId: a.unitId, red: a.red, yellow: a.items.length - a.red })),
    leaders: leaderDigests.length,
    otherCalls: anyNoGroup ? 1 : 0,
  });
  if (budget) summary.budget = { platform: budget.platform, budget: budget.budget, used: budget.used, projected: budget.projected, state: budget.state, allowance: plan.allowance, mode: plan.mode };
  const carded = new Set(plan.cardUnits);

  const noGroup: Array<{ name: string; red: number; yellow: number; specialists: number }> = [];
  for (const a of alerts) {
    const { unitId, first, items, digest } = a;
    if (!first.group_id) noGroup.push({ name: first.unit_name, red: a.red, yellow: items.length - a.red, specialists: digest.mentions.length });
    if (a.via === 'none' || !carded.has(unitId)) continue;
    if (a.via === 'group') {
      const target: Target = { kind: 'group', groupId: first.group_id };
      const card = digestCard(digest);
      if (await enqueue(trx, `digest:${unitId}:${date}`, { op: 'createCard', target, card })) {
        await saveCard(trx, card, target, { vars: card.data, unitId, unitCode: first.code, date, findingIds: items.map((i) => i.findingId), digest });
        summary.groupCards++;
      }
    } else {
      const card = digestCard(digest);
      if (await enqueue(trx, `digest-dm:${unitId}:${date}`, { op: 'send', target: { kind: 'users', userIds: digest.mentions.map((m) => m.userId) }, message: card.fallback })) summary.directDigests++;
    }
  }
  if (plan.leaderCards) summary.leaderCards = await queueLeaderCards(trx, leaderDigests);
  if (noGroup.length) {
    summary.noGroupUnits = noGroup.length;
    const office = await trx('users').whereIn('role', ['编办管理员', '编办业务人员']).where({ locked: false }).pluck('id');
    if (office.length) await enqueue(trx, `no-group:${date}`, { op: 'send', target: { kind: 'users', userIds: office }, message: noGroupMessage(date, noGroup) });
  }
  if (plan.digestUnits.length && budget?.budget != null) {
    const byId = new Map(alerts.map((a) => [a.unitId, a]));
    const listed = plan.digestUnits.map((id) => byId.get(id)!).map((a) => ({ name: a.first.unit_name as string, red: a.red, yellow: a.items.length - a.red }));
    summary.officeDigestUnits = listed.length;
    const target = await officeTarget(trx);
    const parts = Math.ceil(listed.length / UNITS_PER_DIGEST);
    const cardedRed = plan.cardUnits.filter((id) => (byId.get(id)?.red ?? 0) > 0).length;
    for (let i = 0; target && i < parts; i++) {
      const message = officeDigestMessage({ date, used: budget.used, budget: budget.budget, part: i + 1, parts, carded: cardedRed, units: listed.slice(i * UNITS_PER_DIGEST, (i + 1) * UNITS_PER_DIGEST) });
      if (await enqueue(trx, `office-digest:${date}:${i + 1}`, { op: 'send', target, message })) summary.officeDigests++;
    }
  }
  return summary;
}

/** Where the office's own messages go: its work group, else its staff 1:1; null when it has neither. */
async function officeTarget(trx: Knex): Promise<Target | null> {
  const { groupId } = await loadOffice(trx);
  if (groupId) return { kind: 'group', groupId };
  const office: string[] = await trx('users').whereIn('role', ['编办管理员', '编办业务人员']).where({ locked: false }).pluck('id');
  return office.length ? { kind: 'users', userIds: office } : null;
}

/** The month's warning at 80 % of the budget, once per platform and month (dedup key); true when queued now. */
async function queueBudgetWarning(trx: Knex, b: PlatformBudget): Promise<boolean> {
  if (b.budget === null || b.usedShare === null || b.usedShare < WARN_SHARE) return false;
  const target = await officeTarget(trx);
  if (!target) return false;
  const names = PHRASES.platformName as Record<string, string>;
  const message = budgetWarningMessage({
    month: b.month, platform: names[b.platform] ?? b.platform, used: b.used, budget: b.budget, percent: Math.floor(b.usedShare * 100),
    elapsed: b.workdays.elapsed, projected: b.projected, over: b.projected > b.budget,
  });
  return enqueue(trx, `budget-warning:${b.platform}:${b.month}`, { op: 'send', target, message });
}

/**
 * Each leader with red items in their scope gets one card of the day, 1:1 (dedup leader + day):
 * the red items of their unit and the units below it, most urgent first, each with its unit.
 */
async function leaderDigestsOf(trx: Knex, date: IsoDate, leaders: Array<{ id: string; unitId: number }>, redByUnit: Map<number, Array<DigestItem & { unitName: string }>>, links: AlertLinks): Promise<Array<{ digest: LeaderDigest; unitIds: number[] }>> {
  if (!leaders.length || !redByUnit.size) return [];
  const units: Row[] = await trx('units').select('id', 'parent_id', 'code', 'name');
  const children = new Map<number, number[]>();
  for (const u of units) if (u.parent_id != null) children.set(Number(u.parent_id), [...(children.get(Number(u.parent_id)) ?? []), Number(u.id)]);
  const unitById = new Map(units.map((u) => [Number(u.id), u]));
  /** A unit and all below it (a cycle in the data stops the walk). */
  const subtree = (root: number): number[] => {
    const seen = new Set<number>([root]);
    const stack = [root];
    while (stack.length) for (const c of children.get(stack.pop()!) ?? []) if (!seen.has(c)) { seen.add(c); stack.push(c); }
    return [...seen];
  };
  const out: Array<{ digest: LeaderDigest; unitIds: number[] }> = [];
  for (const leader of leaders) {
    const unitIds = subtree(leader.unitId).filter((id) => redByUnit.has(id));
    if (!unitIds.length) continue;
    const items = unitIds.flatMap((id) => redByUnit.get(id)!);
    // byUrgency's order among red items: the earliest deadline (the longest open) first, then id.
    items.sort((a, b) => b.daysOpen - a.daysOpen || a.findingId - b.findingId);
    const own = unitById.get(leader.unitId)!;
    out.push({ digest: { leaderId: leader.id, unitId: leader.unitId, unitCode: own.code ?? '', unitName: own.name, date, items, url: links.unitUrl(leader.unitId) }, unitIds });
  }
  return out;
}

async function queueLeaderCards(trx: Knex, digests: Array<{ digest: LeaderDigest; unitIds: number[] }>): Promise<number> {
  let n = 0;
  for (const { digest, unitIds } of digests) {
    const card = leaderDigestCard(digest);
    const target: Target = { kind: 'users', userIds: [digest.leaderId] };
    if (await enqueue(trx, `leader-digest:${digest.leaderId}:${digest.date}`, { op: 'createCard', target, card })) {
      const state: LeaderCardState = { vars: card.data, leaderId: digest.leaderId, date: digest.date, unitIds, findingIds: digest.items.map((i) => i.findingId), digest };
      await saveCard(trx, card, target, state);
      n++;
    }
  }
  return n;
}

/** What is left of a card's findings on `date`: counts, and the open ones with their lights of the day. */
async function progressOf(trx: Knex, items: DigestItem[], date: IsoDate, cal: WorkdayCalendar, unitId?: number): Promise<DigestProgress> {
  const ids = items.map((i) => i.findingId);
  const open: Row[] = [];
  for (let i = 0; i < ids.length; i += 1000) open.push(...(await trx('findings').whereIn('id', ids.slice(i, i + 1000)).where('status', 'open').select('id', 'rule', 'opened_on')));
  const openRow = new Map(open.map((f) => [Number(f.id), f]));
  const lightOf = openLightsOn(date, cal);
  const remaining: DigestItem[] = [];
  for (const i of items) {
    const f = openRow.get(i.findingId);
    if (!f) continue;
    const l = lightOf(f.opened_on, f.rule);
    if (l.light !== 'hint') remaining.push({ ...i, light: l.light, daysOpen: l.workdaysOpen });
  }
  // A unit's card also shows what was found since it was sent (a re-check after a save may open
  // a finding: 满编 becoming 超编), so it never shows a unit better than it is.
  const added: Row[] = unitId == null ? [] : await trx('findings').where({ unit_id: unitId, status: 'open' }).whereNotIn('id', ids.length ? ids : [0]).select('id', 'rule', 'qualifier', 'subject_name', 'subject_id_masked', 'opened_on');
  let addedHints = 0;
  for (const r of added) {
    const l = lightOf(r.opened_on, r.rule);
    if (l.light === 'hint') { addedHints++; continue; } // not an alert's item
    remaining.push({ findingId: Number(r.id), light: l.light, title: findingHeading(r.rule, r.qualifier), subject: r.subject_name, idMasked: r.subject_id_masked ?? null, daysOpen: l.workdaysOpen });
  }
  // byUrgency's order: red first, then the earliest deadline (the longest open), then id.
  remaining.sort((a, b) => (a.light === b.light ? b.daysOpen - a.daysOpen || a.findingId - b.findingId : a.light === 'red' ? -1 : 1));
  const red = remaining.filter((i) => i.light === 'red').length;
  const total = items.length + added.length - addedHints;
  return { resolved: total - remaining.length, total, red, yellow: remaining.length - red, remaining };
}

/** When a card's data was last built (sent or updated in place); null for a card sanse does not keep. */
export async function cardBuiltAt(db: Knex, cardId: string): Promise<string | null> {
  return ((await db('cards').where({ card_id: cardId }).first('updated_at'))?.updated_at as string | undefined) ?? null;
}

async function saveCard(trx: Knex, card: CardPayload, target: Target, state: CardState | LeaderCardState): Promise<void> {
  const row = { template: card.template, target: targetText(target), data: JSON.stringify(state), updated_at: nowMoment() };
  const updated = await trx('cards').where({ card_id: card.cardId }).update(row);
  if (!updated) await trx('cards').insert({ card_id: card.cardId, ...row });
}

/**
 * Updates each unit's latest digest card in place ("已整改 3/5" and the items still open, green
 * when none is left), the latest cards of the leaders whose scope holds those units, and the
 * week's supervision list cards of those units (已整改 once their listed items are fixed). Called
 * after findings were resolved (the nightly check, a re-check after a mini-app save).
 */
export async function queueCardUpdates(trx: Knex, unitIds: number[], date: IsoDate, cal: WorkdayCalendar): Promise<number> {
  let n = 0;
  // While the message budget is short, a card is updated only when it turns green (core/message-budget.ts
  // sendCardUpdate); the stored data stays as last sent, so the next update sent shows all progress.
  const budgetState = (await activeBudget(trx, date, cal))?.state ?? null;
  for (const unitId of new Set(unitIds)) {
    const card = await trx('cards').where('card_id', 'like', `unit-digest:${unitId}:%`).orderBy('card_id', 'desc').first();
    if (!card) continue;
    const state = JSON.parse(card.data) as CardState;
    const progress = await progressOf(trx, state.digest.items, date, cal, unitId);
    const next = digestCard(state.digest, progress);
    if (next.data.resolved === state.vars.resolved && next.data.light === state.vars.light && next.data.total === state.vars.total) continue;
    if (!sendCardUpdate(budgetState, progress.remaining.length === 0)) continue;
    const target = parseTarget(card.target);
    if (await enqueue(trx, `card:${card.card_id}:${progress.resolved}:${progress.total}:${progress.red}`, { op: 'updateCard', card: next, target })) n++;
    await trx('cards').where({ card_id: card.card_id }).update({ data: JSON.stringify({ ...state, vars: next.data }), updated_at: nowMoment() });
  }
  n += await queueLeaderCardUpdates(trx, unitIds, date, cal, budgetState);
  // The week's supervision list: a unit whose listed items are all fixed reads 已整改 on its
  // weekly card and on the office's (commands/weekly-list.ts; a card already done is left alone).
  return n + (await queueWeeklyCardUpdates(trx, unitIds, date));
}

/** The leaders' cards of the latest check that list a red item of one of `unitIds`, updated in place. */
async function queueLeaderCardUpdates(trx: Knex, unitIds: number[], date: IsoDate, cal: WorkdayCalendar, budgetState: BudgetState | null): Promise<number> {
  // The leaders' cards are made by the check: those of the latest finished check up to `date`
  // (during the check itself, the previous one's, as for the units' cards).
  const latest: Row | undefined = await trx('check_runs').where('date', '<=', date).where('outcome', 'ok').max({ d: 'date' }).first();
  const day = latest?.d as IsoDate | undefined;
  if (!day) return 0;
  // The leaders whose scope holds a touched unit sit on it or above it: walk up the parents
  // (a cycle in the data stops the walk), then read just their cards of the day by id.
  const touched = new Set(unitIds);
  const above = new Set<number>(unitIds);
  let level = [...above];
  while (level.length) {
    const parents: Row[] = await trx('units').whereIn('id', level).whereNotNull('parent_id').select('parent_id');
    level = parents.map((r) => Number(r.parent_id)).filter((id) => !above.has(id));
    for (const id of level) above.add(id);
  }
  const leaderIds: string[] = await trx('users').where({ role: '单位领导' }).whereIn('unit_id', [...above]).pluck('id');
  if (!leaderIds.length) return 0;
  let n = 0;
  for (const card of (await trx('cards').whereIn('card_id', leaderIds.map((id) => leaderCardId(id, day)))) as Row[]) {
    const state = JSON.parse(card.data) as LeaderCardState;
    if (!state.unitIds.some((id) => touched.has(id))) continue;
    const progress = await progressOf(trx, state.digest.items, date, cal);
    const next = leaderDigestCard(state.digest, progress);
    if (next.data.resolved === state.vars.resolved && next.data.light === state.vars.light) continue;
    if (!sendCardUpdate(budgetState, progress.remaining.length === 0)) continue;
    if (await enqueue(trx, `card:${card.card_id}:${progress.resolved}:${progress.red}`, { op: 'updateCard', card: next, target: parseTarget(card.target) })) n++;
    await trx('cards').where({ card_id: card.card_id }).update({ data: JSON.stringify({ ...state, vars: next.data }), updated_at: nowMoment() });
  }
  return n;
}
