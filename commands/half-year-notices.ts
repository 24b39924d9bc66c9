// 半年交叉检查与书面函告 (ningbo-data-regulation.txt art. 10(四)): for the half-year just ended, each
// unit with findings open past the office's limit or with repeated mistakes gets a numbered written
// notice (函告, core/half-year-notices.ts), stored with its facts frozen (migration 034), sent to
// the unit's 工作群 (@ its 单位专管员 and 单位领导) and 1:1 to its 单位领导, with the link to read,
// download and reply. A second run of the same half-year issues nothing: (unit, half) is unique.
// The unit replies (整改情况说明), the office closes (办结) or returns (退回) the reply.

import type { Knex } from 'knex';
import { halfYearNoticeMessage, noticeReturnedMessage, noticeUrl } from '../cards/half-year-notices.ts';
import {
  halfEndedBy, halfOf, halfRange, halfText, NOTICE_SETTINGS_KEY, NOTICE_STATE_TEXT, noticeDocument, noticeNumber, noticePrefix, noticeState, parseHalf,
  parseNoticeSettings, parseReply, parseReviewNote, previousHalf, replyDueOn, unitProblems, HalfYearError,
  type HalfYear, type NoticeFacts, type NoticeSettings, type NoticeState,
} from '../core/half-year-notices.ts';
import type { IsoDate } from '../core/model.ts';
import { issuerName, type OfficialDocument } from '../core/official-document.ts';
import type { Target } from '../core/outbound.ts';
import { ACCESS_MSG, ADMIN_ROLES, inScope, OFFICE_ROLES, type UnitScope } from '../core/roles.ts';
import { nowMoment } from '../db/clock.ts';
import {
  halfYearFindings, insertNotice, markNoticeSent, nextNoticeSeq, noticeHalves, noticeRow, noticeRows, unitContacts, unitsWithNotice,
  writeReply, writeReview,
} from '../db/notices.ts';
import { enqueue } from '../db/outbox.ts';
import { insertSetting, loadCalendar, loadNoticeSettings, loadOffice, putSetting } from '../db/settings.ts';
import { isDuplicateKey } from '../db/errors.ts';
import { audit } from '../db/store.ts';
import { unitGroupIds } from '../db/user-locks.ts';
import { unitNames } from '../db/units.ts';
import { requireCityLevel } from './city-level.ts';
import { CommandError } from './errors.ts';
import { officialDocumentFile, type DocumentFormat } from './official-documents.ts';

type Row = Record<string, any>;
type Actor = { id: string; role: string; scope: UnitScope; regionCode?: string | null };

/** Who replies to a notice: the unit's own people. */
export const REPLY_ROLES: ReadonlySet<string> = new Set(['单位专管员', '单位领导']);

function halfParam(v: unknown): HalfYear {
  try {
    return parseHalf(v);
  } catch (e) {
    if (e instanceof HalfYearError) throw new CommandError(400, e.message, { half: e.message });
    throw e;
  }
}

export interface IssuedNotice {
  id: number;
  number: string;
  unitId: number;
  unitName: string;
  overdue: number;
  repeated: number;
}

export interface HalfYearNoticesResult {
  half: HalfYear;
  /** 2026年上半年: the half-year as users read it. */
  halfText: string;
  date: IsoDate;
  /** Notices issued now. */
  issued: IssuedNotice[];
  /** Units with problems that had their notice of the half-year already (a second run). */
  existing: number;
  /** Units with problems (issued now or before). */
  unitsWithProblems: number;
  /** Messages queued: to unit groups, 1:1 to leaders (or to the specialists of a unit without group). */
  group: number;
  users: number;
  /** Notices whose unit has neither a group nor a 单位专管员/单位领导 to reach. */
  unreached: number;
}

/**
 * The cross-check of `half` (default: the half-year before `date`), issued on `date`. Refused for
 * a half-year not ended yet. Idempotent per unit and half-year.
 */
export async function runHalfYearNotices(db: Knex, o: { date: IsoDate; half?: unknown; publicBaseUrl: string; by?: string; actor?: { role: string; scope?: UnitScope } }): Promise<HalfYearNoticesResult> {
  // The cross-check numbers and sends the notices of every county's units: the city's office runs it by hand.
  if (o.actor) requireCityLevel(o.actor, '半年交叉检查（书面函告）');
  const half = o.half === undefined || o.half === null || o.half === '' ? previousHalf(o.date) : halfParam(o.half);
  if (!halfEndedBy(half, o.date)) throw new CommandError(400, `${halfText(half)}尚未结束，不能进行半年交叉检查`, { half: '尚未结束' });
  const [settings, office, cal, findings] = await Promise.all([loadNoticeSettings(db), loadOffice(db), loadCalendar(db), halfYearFindings(db, half)]);
  const problems = unitProblems(findings, half, settings, cal);
  const result: HalfYearNoticesResult = { half, halfText: halfText(half), date: o.date, issued: [], existing: 0, unitsWithProblems: problems.length, group: 0, users: 0, unreached: 0 };
  if (!problems.length) return result;
  const prefix = noticePrefix(settings, office);
  const year = Number(o.date.slice(0, 4));
  const replyDue = replyDueOn(o.date, settings.replyWorkdays, cal);
  const officeName = issuerName(office);
  await ensureNoticeLockRow(db);
  await db.transaction(async (trx) => {
    // One run at a time (the job and 立即检查, two instances): the lock row's update waits for the
    // other run's commit, and the reads after it see that run's notices and numbers.
    await trx('settings').where({ key: NOTICE_LOCK_KEY }).update({ value: JSON.stringify({ half, at: nowMoment() }) });
    const have = await unitsWithNotice(trx, half);
    const todo = problems.filter((p) => !have.has(p.unitId));
    result.existing = problems.length - todo.length;
    if (!todo.length) return;
    const ids = todo.map((p) => p.unitId);
    const [names, groups, contacts] = await Promise.all([unitNames(trx, ids), unitGroupIds(trx, ids), unitContacts(trx, ids)]);
    const at = nowMoment();
    let seq = await nextNoticeSeq(trx, year);
    for (const p of todo) {
      const unitName = names.get(p.unitId);
      if (!unitName) continue; // a unit deleted since its findings were written
      const facts: NoticeFacts = {
        half, unitId: p.unitId, unitName, officeName, issuedOn: o.date, replyDue, overdueWorkdays: settings.overdueWorkdays,
        repeatTimes: settings.repeatTimes, overdue: p.overdue, repeated: p.repeated,
      };
      const number = noticeNumber(prefix, year, seq);
      const id = await insertNotice(trx, { year, seq, number, unitId: p.unitId, half, facts, issuedOn: o.date, issuedAt: at, issuedBy: o.by ?? 'system', replyDue });
      if (id === null) { result.existing++; continue; }
      seq++;
      result.issued.push({ id, number, unitId: p.unitId, unitName, overdue: p.overdue.length, repeated: p.repeated.length });
      // The group (@ its people), and the leaders 1:1; a unit without a group: its people 1:1.
      const mine = contacts.filter((c) => Number(c.unit_id) === p.unitId);
      const leaders = mine.filter((c) => c.role === '单位领导').map((c) => String(c.id));
      const everyone = mine.map((c) => String(c.id));
      const group = groups.get(p.unitId) ?? null;
      const link = noticeUrl(o.publicBaseUrl, id);
      let reached = false;
      if (group && (await enqueue(trx, `notice:${id}:group`, { op: 'send', target: { kind: 'group', groupId: group }, message: halfYearNoticeMessage({ number, facts, link, atUserIds: everyone }) }))) {
        result.group++;
        reached = true;
      }
      const direct = group ? leaders : everyone;
      if (direct.length) {
        const target: Target = { kind: 'users', userIds: direct };
        if (await enqueue(trx, `notice:${id}:users`, { op: 'send', target, message: halfYearNoticeMessage({ number, facts, link, atUserIds: [] }) })) {
          result.users++;
          reached = true;
        }
      }
      if (reached) await markNoticeSent(trx, id, at);
      else result.unreached++;
    }
    if (result.issued.length) {
      await audit(trx, o.by ?? 'system', 'notice_issue', 'half', null, { half, date: o.date, units: result.issued.length, no: result.issued.map((n) => n.number).join('、') });
    }
  });
  return result;
}

const NOTICE_LOCK_KEY = 'half_year_notices.lock';

async function ensureNoticeLockRow(db: Knex): Promise<void> {
  if (await db('settings').where({ key: NOTICE_LOCK_KEY }).first('key')) return;
  try {
    await insertSetting(db, NOTICE_LOCK_KEY, {});
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
}

// ---- reading ----

export interface NoticeItem {
  id: number;
  number: string;
  half: HalfYear;
  halfText: string;
  unitId: number;
  unitName: string;
  issuedOn: IsoDate;
  replyDue: IsoDate;
  state: NoticeState;
  stateText: string;
  /** Returned by the office and not replied again. */
  returned: boolean;
  overdueCount: number;
  repeatedCount: number;
  sent: boolean;
  repliedAt: string | null;
  repliedBy: string | null;
  reviewNote: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
}

export interface NoticeDetail extends NoticeItem {
  facts: NoticeFacts;
  replyText: string | null;
  replyItems: Record<string, string>;
  /** What the viewer may do now. */
  canReply: boolean;
  canReview: boolean;
}

function itemOf(r: Row, today: IsoDate): NoticeItem {
  const state = noticeState({ replyState: r.reply_state, replyDue: r.reply_due }, today);
  return {
    id: Number(r.id), number: r.number, half: r.half, halfText: halfText(r.half), unitId: Number(r.unit_id), unitName: r.unit_name,
    issuedOn: r.issued_on, replyDue: r.reply_due, state, stateText: NOTICE_STATE_TEXT[state], returned: r.reply_state === 'returned',
    overdueCount: Number(r.overdue_count), repeatedCount: Number(r.repeated_count), sent: Boolean(r.sent_at),
    repliedAt: r.replied_at ?? null, repliedBy: r.replied_by_name ?? r.replied_by ?? null,
    reviewNote: r.review_note ?? null, reviewedAt: r.reviewed_at ?? null, reviewedBy: r.reviewed_by_name ?? r.reviewed_by ?? null,
  };
}

function canSee(actor: Actor, unitId: number): boolean {
  return (OFFICE_ROLES.has(actor.role) || REPLY_ROLES.has(actor.role)) && inScope(actor, unitId);
}

/** One notice, for the office (in its scope) or the unit's own people; 404/403 otherwise. */
export async function noticeDetail(db: Knex, actor: Actor, id: number, today: IsoDate): Promise<NoticeDetail> {
  const r = await noticeRow(db, id);
  if (!r) throw new CommandError(404, '没有该函告');
  if (!canSee(actor, Number(r.unit_id))) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const item = itemOf(r, today);
  return {
    ...item, facts: JSON.parse(r.facts) as NoticeFacts, replyText: r.reply_text ?? null, replyItems: r.reply_items ? JSON.parse(r.reply_items) : {},
    canReply: REPLY_ROLES.has(actor.role) && (r.reply_state === 'none' || r.reply_state === 'returned'),
    canReview: ADMIN_ROLES.has(actor.role) && r.reply_state === 'replied',
  };
}

export const NOTICE_FILTERS = ['open', 'replied', 'overdue', 'closed'] as const;

export interface NoticeList {
  /** What 立即检查 checks today: the half-year ended last; the current one is checked once it has ended. */
  check: { half: HalfYear; halfText: string; currentText: string; currentEnds: IsoDate };
  halves: HalfYear[];
  half: HalfYear | null;
  counts: Record<NoticeState, number>;
  rows: NoticeItem[];
}

/** The notices the actor may see (the office: its scope; a unit: its own), of a half-year (default all), by state. */
export async function listNotices(db: Knex, actor: Actor, o: { half?: unknown; state?: string; today: IsoDate }): Promise<NoticeList> {
  if (!OFFICE_ROLES.has(actor.role) && !REPLY_ROLES.has(actor.role)) throw new CommandError(403, '书面函告仅供编办工作人员和单位专管员、单位领导查看');
  const half = o.half === undefined || o.half === null || o.half === '' ? null : halfParam(o.half);
  const all = (await noticeRows(db, { unitIds: actor.scope, half })).map((r) => itemOf(r, o.today));
  const counts: Record<NoticeState, number> = { open: 0, replied: 0, overdue: 0, closed: 0 };
  for (const n of all) counts[n.state]++;
  const rows = o.state && (NOTICE_FILTERS as readonly string[]).includes(o.state) ? all.filter((n) => n.state === o.state) : all;
  const current = halfOf(o.today);
  const check = { half: previousHalf(o.today), halfText: halfText(previousHalf(o.today)), currentText: halfText(current), currentEnds: halfRange(current).to };
  return { check, halves: await noticeHalves(db), half, counts, rows };
}

/** The notice as the unit received it (the facts frozen at issue). */
export function noticeDocumentOf(d: Pick<NoticeDetail, 'number' | 'facts'>): OfficialDocument {
  return noticeDocument(d.number, d.facts);
}

/** The notice's file (.docx / PDF), audited as a download. */
export async function noticeFile(db: Knex, actor: Actor, id: number, format: DocumentFormat, today: IsoDate, ip?: string | null): Promise<{ buffer: Buffer; fileName: string }> {
  const d = await noticeDetail(db, actor, id, today);
  const buffer = await officialDocumentFile(noticeDocumentOf(d), format);
  await audit(db, actor.id, 'notice_download', 'notice', d.id, { no: d.number, kind: format }, { unitId: d.unitId, ip: ip ?? null });
  return { buffer, fileName: `${d.number}-${d.unitName}.${format}` };
}

// ---- the reply and its review ----

/** The unit's reply (整改情况说明), by its 单位专管员 or 单位领导; again after the office returned it. */
export async function replyToNotice(db: Knex, o: { actor: Actor; id: number; input: unknown; today: IsoDate }): Promise<NoticeDetail> {
  if (!REPLY_ROLES.has(o.actor.role)) throw new CommandError(403, '函告由收函单位的单位专管员或单位领导回复');
  const d = await noticeDetail(db, o.actor, o.id, o.today);
  if (!d.canReply) throw new CommandError(409, d.state === 'closed' ? '该函告已办结，无需再回复' : '该函告已回复，正待编办审核');
  const p = parseReply(o.input, d.facts);
  if ('errors' in p) throw new CommandError(400, Object.values(p.errors)[0], p.errors);
  await db.transaction(async (trx) => {
    if (!(await writeReply(trx, d.id, { text: p.text, items: p.items, at: nowMoment(), by: o.actor.id }))) throw new CommandError(409, '该函告刚刚已被回复，请刷新后查看');
    await audit(trx, o.actor.id, 'notice_reply', 'notice', d.id, { no: d.number, count: Object.keys(p.items).length }, { unitId: d.unitId });
  });
  return noticeDetail(db, o.actor, o.id, o.today);
}

/** The office's review of a reply: 办结 (close) or 退回 (return, with the reason). */
export async function reviewNotice(db: Knex, o: { actor: Actor; id: number; decision: unknown; note?: unknown; today: IsoDate; publicBaseUrl?: string }): Promise<NoticeDetail> {
  if (!ADMIN_ROLES.has(o.actor.role)) throw new CommandError(403, '只有编办管理员或编办业务人员可以审核函告回复');
  if (o.decision !== 'close' && o.decision !== 'return') throw new CommandError(400, '审核结果应为“办结”或“退回”', { decision: '应为 close 或 return' });
  const d = await noticeDetail(db, o.actor, o.id, o.today);
  if (!d.canReview) throw new CommandError(409, d.state === 'closed' ? '该函告已办结' : '单位尚未回复，不能审核');
  const note = parseReviewNote(o.note, o.decision === 'return');
  if (note && typeof note === 'object') throw new CommandError(400, note.error, { note: note.error });
  await db.transaction(async (trx) => {
    const state = o.decision === 'close' ? 'closed' : 'returned';
    const at = nowMoment();
    if (!(await writeReview(trx, d.id, { state, note: note as string | null, at, by: o.actor.id }))) throw new CommandError(409, '该函告刚刚已被审核，请刷新后查看');
    // 退回: the unit is told why, in its group (@ its people) or 1:1 to its people.
    if (state === 'returned' && o.publicBaseUrl) {
      const [groups, contacts] = await Promise.all([unitGroupIds(trx, [d.unitId]), unitContacts(trx, [d.unitId])]);
      const people = contacts.map((c) => String(c.id));
      const group = groups.get(d.unitId) ?? null;
      const target: Target | null = group ? { kind: 'group', groupId: group } : people.length ? { kind: 'users', userIds: people } : null;
      if (target) {
        const message = noticeReturnedMessage({ number: d.number, unitName: d.unitName, note: note as string, link: noticeUrl(o.publicBaseUrl, d.id), atUserIds: group ? people : [] });
        await enqueue(trx, `notice:${d.id}:returned:${at}`, { op: 'send', target, message });
      }
    }
    await audit(trx, o.actor.id, 'notice_review', 'notice', d.id, { no: d.number, decision: state === 'closed' ? '办结' : '退回', note }, { unitId: d.unitId });
  });
  return noticeDetail(db, o.actor, o.id, o.today);
}

// ---- the settings ----

export async function noticeSettingsView(db: Knex): Promise<NoticeSettings & { prefixText: string }> {
  const [s, office] = await Promise.all([loadNoticeSettings(db), loadOffice(db)]);
  return { ...s, prefixText: noticePrefix(s, office) };
}

/** The office's limits of the cross-check (编办管理员 only; audited). */
export async function setNoticeSettings(db: Knex, actor: Actor, input: unknown): Promise<NoticeSettings & { prefixText: string }> {
  if (actor.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以修改书面函告设置');
  requireCityLevel(actor, '书面函告设置');
  const before = await loadNoticeSettings(db);
  const p = parseNoticeSettings(input, before);
  if ('errors' in p) throw new CommandError(400, Object.values(p.errors)[0], p.errors);
  await db.transaction(async (trx) => {
    await putSetting(trx, NOTICE_SETTINGS_KEY, p.settings);
    await audit(trx, actor.id, 'notice_settings', null, null, { before, after: p.settings });
  });
  return noticeSettingsView(db);
}

