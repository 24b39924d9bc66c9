// The weekly supervision list (每周督办清单): made from the day's facts, stored once per week,
// sent as a card to the office's group and, for each listed unit, its own part to the unit's
// group (@ its 专管员); both updated in place as units fix their items; and its workbook.

import { audit } from '../db/audit.ts';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { validDay } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import type { CardPayload, Target } from '../core/outbound.ts';
import { STATE_TEXT } from '../core/requests.ts';
import { buildWeeklyList, countsOf, lineDone, OFFICE_CARD_LINES, weekOf, type WeeklyList, type WeeklyUnitLine } from '../core/weekly-list.ts';
import { lineSummary, lineTodo, weeklyOfficeCard, weeklyOfficeCardId, weeklyUnitCard, weeklyUnitCardId, type OfficeCardView } from '../cards/weekly.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue, parseTarget, targetText } from '../db/outbox.ts';
import { activeBudget } from '../db/api-calls.ts';
import { loadCalendar, loadOffice } from '../db/settings.ts';
import { insertWeeklyList, latestWeeklyWeek, unitsProgress, weeklyFacts, weeklyListOfWeek, weeklyRecipients, weeklyUnits, type WeeklyUnitRow } from '../db/weekly-list.ts';

type Row = Record<string, any>;

export interface WeeklyLinks {
  /** The mini-app at a unit's list of findings (where its specialist fixes them). */
  unitUrl(unitId: number): string;
  /** The console's 每周督办 tab. */
  officeUrl(date: IsoDate): string;
}

export function weeklyLinks(publicBaseUrl: string): WeeklyLinks {
  return {
    unitUrl: (id) => `${publicBaseUrl}/m/#/todo?unit=${id}`,
    officeUrl: (date) => `${publicBaseUrl}/m/#/console/weekly?date=${date}`,
  };
}

/** The list of a day, from the database as it is now. */
export async function weeklyListOn(db: Knex, date: IsoDate, units?: WeeklyUnitRow[]): Promise<WeeklyList> {
  validDay(date, '清单日期');
  const cal = await loadCalendar(db);
  return buildWeeklyList(await weeklyFacts(db, date, cal, units ?? (await weeklyUnits(db))), cal);
}

/** A unit card's state as kept in `cards.data`. */
interface UnitCardState {
  kind: 'weekly-unit';
  vars: Record<string, string>;
  week: IsoDate;
  date: IsoDate;
  unitId: number;
  line: WeeklyUnitLine;
  mentions: Array<{ userId: string; name: string }>;
  url: string;
  done: boolean;
}

interface OfficeCardState {
  kind: 'weekly-office';
  vars: Record<string, string>;
  view: OfficeCardView;
}

export interface WeeklySendResult {
  date: IsoDate;
  week: IsoDate;
  /** False when this week's list had been sent already (nothing queued again). */
  sent: boolean;
  /** When this week's list was made (now, or by the earlier run). */
  createdAt: string | null;
  units: number;
  /** Where the office card went: the office group, 1:1 to office users, or nowhere (neither exists). */
  office: 'group' | 'users' | 'none';
  unitGroupCards: number;
  unitDirectCards: number;
  /** Listed units with neither a group nor a 专管员: their part reaches nobody (the office card lists them). */
  unreached: number;
  /** Listed units that got no card of their own because the month's message budget is short (core/message-budget.ts): read on the office card and in the console. */
  heldForBudget: number;
}

async function saveCardRow(trx: Knex, card: CardPayload, target: Target, state: UnitCardState | OfficeCardState): Promise<void> {
  const row = { template: card.template, target: targetText(target), data: JSON.stringify(state), updated_at: nowMoment() };
  const updated = await trx('cards').where({ card_id: card.cardId }).update(row);
  if (!updated) await trx('cards').insert({ card_id: card.cardId, ...row });
}

/** The stored list keeps each unit's first red items (the workbook and the console read the full list live). */
const STORED_RED_ITEMS = 50;

/**
 * Makes `date`'s list and sends it, once per week: a second run of the same week (the job and a
 * click of 立即发送, two instances) finds the week's row and queues nothing.
 */
export async function sendWeeklyList(db: Knex, date: IsoDate, links: WeeklyLinks, by: { actor: string; ip?: string | null } = { actor: 'system' }): Promise<WeeklySendResult> {
  validDay(date, '清单日期');
  const week = weekOf(date);
  const rows = await weeklyUnits(db);
  const list = await weeklyListOn(db, date, rows);
  const units = new Map(rows.map((u) => [u.id, u]));
  const { specialists, office: officeUsers } = await weeklyRecipients(db, list.units.map((l) => l.unitId));
  const office = await loadOffice(db);
  const result: WeeklySendResult = { date, week, sent: false, createdAt: null, units: list.units.length, office: 'none', unitGroupCards: 0, unitDirectCards: 0, unreached: 0, heldForBudget: 0 };
  // Within the month's message budget: when it is short, the office card goes, and the units' own
  // parts only as far as the day's share allows, red units first (the list is most urgent first);
  // the others are read on the office card and in the console.
  const budget = await activeBudget(db, date, await loadCalendar(db));
  let allowance = budget && budget.state === 'short' && budget.allowanceToday != null ? Math.max(0, budget.allowanceToday - 1) : Infinity;

  const stored: WeeklyList = { ...list, units: list.units.map((l) => ({ ...l, redItems: l.redItems.slice(0, STORED_RED_ITEMS) })), regions: list.regions.map((r) => ({ ...r, units: [] })) };
  const sent = await db.transaction(async (trx) => {
    if (!(await insertWeeklyList(trx, stored))) return false;
    for (const line of list.units) {
      const u = units.get(line.unitId);
      const mentions = specialists.get(line.unitId) ?? [];
      const target: Target | null = u?.groupId ? { kind: 'group', groupId: u.groupId } : mentions.length ? { kind: 'users', userIds: mentions.map((m) => m.userId) } : null;
      if (!target) { result.unreached++; continue; }
      if (allowance <= 0 || (allowance !== Infinity && !line.red)) { result.heldForBudget++; continue; }
      allowance--;
      const url = links.unitUrl(line.unitId);
      const card = weeklyUnitCard({ date, week, line, mentions, url, done: false });
      if (await enqueue(trx, `weekly:${week}:unit:${line.unitId}`, { op: 'createCard', target, card })) {
        await saveCardRow(trx, card, target, { kind: 'weekly-unit', vars: card.data, week, date, unitId: line.unitId, line, mentions, url, done: false });
        if (target.kind === 'group') result.unitGroupCards++;
        else result.unitDirectCards++;
      }
    }
    const target: Target | null = office.groupId ? { kind: 'group', groupId: office.groupId } : officeUsers.length ? { kind: 'users', userIds: officeUsers } : null;
    if (target) {
      const view: OfficeCardView = {
        date, week, settings: list.settings, counts: list.counts, regions: list.regions.map((r) => ({ name: r.name, counts: r.counts })),
        lines: list.units.slice(0, OFFICE_CARD_LINES).map((l) => ({ ...l, redItems: [] })), more: Math.max(0, list.units.length - OFFICE_CARD_LINES),
        doneUnitIds: [], url: links.officeUrl(date), heldForBudget: result.heldForBudget,
      };
      const card = weeklyOfficeCard(view);
      if (await enqueue(trx, `weekly:${week}:office`, { op: 'createCard', target, card })) {
        await saveCardRow(trx, card, target, { kind: 'weekly-office', vars: card.data, view });
        result.office = target.kind === 'group' ? 'group' : 'users';
      }
    }
    // The broadcast is audited with the week's row, once, whoever sent it (job, console, CLI).
    await audit(trx, by.actor, 'weekly_send', 'weekly', null, { date, week, units: result.units, office: result.office, unitGroupCards: result.unitGroupCards, unitDirectCards: result.unitDirectCards }, { ip: by.ip ?? null });
    return true;
  });
  result.sent = sent;
  result.createdAt = (await weeklyListOfWeek(db, week))?.createdAt ?? null;
  return result;
}

/**
 * The weekly cards of `unitIds` (the latest list's, up to `date`) whose units have fixed their
 * items now read 已整改, and the office card marks those units. Called by queueCardUpdates
 * (commands/alerts.ts) wherever findings are resolved; a card already done is left alone, so a
 * second call queues nothing.
 */
export async function queueWeeklyCardUpdates(trx: Knex, unitIds: number[], date: IsoDate): Promise<number> {
  if (!unitIds.length) return 0;
  const week = await latestWeeklyWeek(trx, date);
  if (!week) return 0;
  const ids = [...new Set(unitIds)];
  const cards: Row[] = [];
  for (let i = 0; i < ids.length; i += 500) cards.push(...(await trx('cards').whereIn('card_id', ids.slice(i, i + 500).map((id) => weeklyUnitCardId(id, week))).select('card_id', 'target', 'data')));
  const newlyDone: number[] = [];
  let n = 0;
  const pending = cards.map((c) => ({ c, state: JSON.parse(c.data) as UnitCardState })).filter(({ state }) => !state.done && (state.line.red || state.line.selfChecks));
  if (!pending.length) return 0;
  const now = await unitsProgress(trx, pending.flatMap(({ state }) => state.line.redItems.map((i) => i.findingId)), pending.map(({ state }) => state.unitId), date);
  for (const { c, state } of pending) {
    const progress = { openListedRed: state.line.redItems.filter((i) => now.open.has(i.findingId)).length, selfChecks: now.selfChecks.get(state.unitId) ?? 0 };
    if (!lineDone(state.line, progress)) continue;
    const next = weeklyUnitCard({ date: state.date, week: state.week, line: state.line, mentions: state.mentions, url: state.url, done: true });
    if (await enqueue(trx, `card:${c.card_id}:done`, { op: 'updateCard', card: next, target: parseTarget(c.target) })) n++;
    await trx('cards').where({ card_id: c.card_id }).update({ data: JSON.stringify({ ...state, done: true, vars: next.data }), updated_at: nowMoment() });
    newlyDone.push(state.unitId);
  }
  if (newlyDone.length) {
    const oc: Row | undefined = await trx('cards').where({ card_id: weeklyOfficeCardId(week) }).first('card_id', 'target', 'data');
    if (oc) {
      const state = JSON.parse(oc.data) as OfficeCardState;
      const done = [...new Set([...state.view.doneUnitIds, ...newlyDone])];
      if (done.length !== state.view.doneUnitIds.length) {
        const view = { ...state.view, doneUnitIds: done };
        const next = weeklyOfficeCard(view);
        if (await enqueue(trx, `card:${oc.card_id}:done:${done.length}`, { op: 'updateCard', card: next, target: parseTarget(oc.target) })) n++;
        await trx('cards').where({ card_id: oc.card_id }).update({ data: JSON.stringify({ ...state, view, vars: next.data }), updated_at: nowMoment() });
      }
    }
  }
  return n;
}

/** A stored list's regions with their units again (the row keeps them once, in `units`). */
function withRegionUnits(list: WeeklyList): WeeklyList {
  return { ...list, regions: list.regions.map((r) => ({ ...r, units: list.units.filter((l) => (l.regionCode ?? '') === r.code) })) };
}

export interface WeeklyListView {
  list: WeeklyList;
  /** When the week's list was sent; null: not sent yet (the list is made from the data now). */
  sentAt: string | null;
  /** Units marked 已整改 on the week's cards. */
  doneUnitIds: number[];
}

/**
 * The list of `date`'s week: as sent, once sent (what the units were told; each unit's first
 * STORED_RED_ITEMS red items), else as the data says now (a preview of what would be sent).
 */
export async function weeklyListView(db: Knex, date: IsoDate): Promise<WeeklyListView> {
  validDay(date, '清单日期');
  const week = weekOf(date);
  const stored = await weeklyListOfWeek(db, week);
  if (stored) return { list: withRegionUnits(stored.list), sentAt: stored.createdAt, doneUnitIds: await weeklyDoneUnits(db, week) };
  return { list: await weeklyListOn(db, date), sentAt: null, doneUnitIds: [] };
}

/** A unit's own part of a view (a unit role sees only its units). */
export function viewForUnits(v: WeeklyListView, unitIds: number[]): WeeklyListView {
  const keep = new Set(unitIds);
  const units = v.list.units.filter((l) => keep.has(l.unitId));
  const regions = v.list.regions.map((r) => ({ ...r, units: r.units.filter((l) => keep.has(l.unitId)) })).filter((r) => r.units.length).map((r) => ({ ...r, counts: countsOf(r.units) }));
  return { ...v, list: { ...v.list, units, regions, counts: countsOf(units) }, doneUnitIds: v.doneUnitIds.filter((id) => keep.has(id)) };
}

/** The units of a week's list marked 已整改 on their cards. */
export async function weeklyDoneUnits(db: Knex, week: IsoDate): Promise<number[]> {
  const r: Row | undefined = await db('cards').where({ card_id: weeklyOfficeCardId(week) }).first('data');
  if (r) return (JSON.parse(r.data) as OfficeCardState).view.doneUnitIds;
  // No office card (no group, no office users): the units' own cards say it.
  const rows: Row[] = await db('cards').where('card_id', 'like', `weekly-unit:%:${week}`).select('data');
  return rows.map((x) => JSON.parse(x.data) as UnitCardState).filter((s) => s.done).map((s) => s.unitId);
}

const SHEETS = ['汇总', '红灯单位', '逾期问题', '暂停办理单位', '超时未办申请', '本月未自查单位'] as const;

/** The list of `date` as a workbook: one sheet per kind of item, one row per item, each with its region. */
export async function weeklyListWorkbook(db: Knex, date: IsoDate, opts: { unitIds?: number[] | null } = {}): Promise<{ workbook: ExcelJS.Workbook; view: WeeklyListView; rows: Record<string, number> }> {
  let view = await weeklyListView(db, date);
  if (opts.unitIds) view = viewForUnits(view, opts.unitIds);
  const { list } = view;
  const done = new Set(view.doneUnitIds);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  const rows: Record<string, number> = {};
  const sheet = (name: (typeof SHEETS)[number], headers: string[], data: Array<Array<string | number | null>>) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(headers);
    ws.getRow(1).font = { bold: true };
    for (const r of data) ws.addRow(r);
    headers.forEach((h, i) => { ws.getColumn(i + 1).width = Math.max(10, Math.min(40, h.length * 2 + 4)); });
    rows[name] = data.length;
  };
  const region = (l: WeeklyUnitLine) => l.regionName ?? l.regionCode ?? '';
  const status = (l: WeeklyUnitLine) => (done.has(l.unitId) ? '已整改' : l.red || l.selfChecks ? '待整改' : null);
  sheet('汇总', ['区划', '单位', '统一社会信用代码', '督办事项', '需要做的', '整改状态'],
    list.units.map((l) => [region(l), l.unitName, l.unitCode, lineSummary(l), lineTodo(l) || (l.waitingRequests.length ? '等待编办办理' : '暂停期间不能申请机构编制事项'), status(l)]));
  sheet('红灯单位', ['区划', '单位', '统一社会信用代码', '红灯问题数', '最早亮红灯日期', '最长未整改工作日', '整改状态'],
    list.units.filter((l) => l.red).map((l) => [region(l), l.unitName, l.unitCode, l.red!.count, l.red!.since, l.red!.oldestWorkdays, status(l)]));
  const overdue = list.units.flatMap((l) => l.redItems.map((i) => ({ l, i }))).sort((a, b) => b.i.workdaysOpen - a.i.workdaysOpen || a.i.findingId - b.i.findingId);
  sheet('逾期问题', ['区划', '单位', '规则代码', '问题', '对象', '身份证号(脱敏)', '发现日期', '亮红灯日期', '未整改工作日'],
    overdue.map(({ l, i }) => [region(l), l.unitName, i.rule, i.title, i.subject, i.idMasked, i.openedOn, i.redSince, i.workdaysOpen]));
  sheet('暂停办理单位', ['区划', '单位', '统一社会信用代码', '暂停开始', '暂停至', '原因'],
    list.units.filter((l) => l.suspension).map((l) => [region(l), l.unitName, l.unitCode, l.suspension!.startsOn, l.suspension!.endsOn, l.suspension!.inherited ? '上级单位被暂停' : '本单位连续亮红灯']));
  sheet('超时未办申请', ['区划', '单位', '申请编号', '事项', '状态', '提交日期', '已等待工作日'],
    list.units.flatMap((l) => l.waitingRequests.map((r) => [region(l), l.unitName, r.no, r.kind, STATE_TEXT[r.state], r.submittedOn, r.workdaysWaiting] as Array<string | number | null>))
      .sort((a, b) => Number(b[6]) - Number(a[6])));
  sheet('本月未自查单位', ['区划', '单位', '统一社会信用代码', '本月已自查次数', '应自查次数'],
    list.units.filter((l) => l.selfChecks).map((l) => [region(l), l.unitName, l.unitCode, l.selfChecks!.count, l.selfChecks!.min]));
  return { workbook: wb, view, rows };
}

export async function writeWeeklyWorkbook(db: Knex, date: IsoDate, file: string, opts: { unitIds?: number[] | null } = {}): Promise<{ rows: Record<string, number>; view: WeeklyListView }> {
  const { workbook, rows, view } = await weeklyListWorkbook(db, date, opts);
  await workbook.xlsx.writeFile(file);
  return { rows, view };
}
