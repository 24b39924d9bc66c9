// 书面函告 (migration 034): the findings a half-year's cross-check reads, the units' addressees
// (group, 单位专管员 and 单位领导), the numbering, and the notices' rows with their reply and review.

import type { Knex } from 'knex';
import { halfRange, type CheckFinding, type HalfYear, type NoticeFacts } from '../core/half-year-notices.ts';
import type { IsoDate } from '../core/model.ts';
import { isDuplicateKey } from './errors.ts';

type Row = Record<string, any>;

/**
 * The findings the check of `half` needs, of every unit: those still open that opened on or
 * before the half-year's end (the overdue candidates) and those opened within the half-year (the
 * repeated mistakes). core/half-year-notices.ts decides which count.
 */
export async function halfYearFindings(db: Knex, half: HalfYear): Promise<CheckFinding[]> {
  const { from, to } = halfRange(half);
  const rows: Row[] = await db('findings')
    .where((q) => q.where((a) => a.where('status', 'open').where('opened_on', '<=', to)).orWhere((b) => b.whereBetween('opened_on', [from, to])))
    .select('id', 'unit_id', 'rule', 'status', 'opened_on', 'subject_kind', 'subject_name', 'subject_id_masked')
    .orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id), unitId: Number(r.unit_id), rule: r.rule, status: r.status, openedOn: r.opened_on ?? null,
    subjectKind: r.subject_kind, subjectName: r.subject_name, subjectIdMasked: r.subject_id_masked ?? null,
  }));
}

/** The units that already have a notice of `half`. */
export async function unitsWithNotice(db: Knex, half: HalfYear): Promise<Set<number>> {
  return new Set((await db('notices').where({ half }).pluck('unit_id')).map(Number));
}

/** The next number of `year` (1 for the year's first). */
export async function nextNoticeSeq(trx: Knex, year: number): Promise<number> {
  const r = await trx('notices').where({ year }).max({ m: 'seq' }).first();
  return Number(r?.m ?? 0) + 1;
}

export interface NewNotice {
  year: number;
  seq: number;
  number: string;
  unitId: number;
  half: HalfYear;
  facts: NoticeFacts;
  issuedOn: IsoDate;
  issuedAt: string;
  issuedBy: string;
  replyDue: IsoDate;
}

/** Inserts a notice; null when the unit has one of the half-year already (another run got there first). */
export async function insertNotice(trx: Knex, n: NewNotice): Promise<number | null> {
  try {
    const [id] = await trx('notices').insert({
      year: n.year, seq: n.seq, number: n.number, unit_id: n.unitId, half: n.half, facts: JSON.stringify(n.facts),
      overdue_count: n.facts.overdue.length, repeated_count: n.facts.repeated.length,
      issued_on: n.issuedOn, issued_at: n.issuedAt, issued_by: n.issuedBy, reply_due: n.replyDue, reply_state: 'none',
    });
    return Number(id);
  } catch (e) {
    if (isDuplicateKey(e)) return null;
    throw e;
  }
}

export async function markNoticeSent(trx: Knex, id: number, at: string): Promise<void> {
  await trx('notices').where({ id }).update({ sent_at: at });
}

const COLUMNS = ['n.*', 'u.name as unit_name', 'r.name as replied_by_name', 'v.name as reviewed_by_name'];

function noticesQuery(db: Knex): Knex.QueryBuilder {
  return db('notices as n').join('units as u', 'u.id', 'n.unit_id').leftJoin('users as r', 'r.id', 'n.replied_by').leftJoin('users as v', 'v.id', 'n.reviewed_by').select(COLUMNS);
}

export async function noticeRow(db: Knex, id: number): Promise<Row | undefined> {
  return noticesQuery(db).where('n.id', id).first();
}

/** Notices, newest first; of some units (null: all), of a half-year. */
export async function noticeRows(db: Knex, f: { unitIds?: number[] | null; half?: HalfYear | null }): Promise<Row[]> {
  let q = noticesQuery(db);
  if (f.unitIds) q = q.whereIn('n.unit_id', f.unitIds.length ? f.unitIds : [0]);
  if (f.half) q = q.where('n.half', f.half);
  return q.orderBy([{ column: 'n.year', order: 'desc' }, { column: 'n.seq', order: 'desc' }]);
}

/** The half-years that have notices, newest first. */
export async function noticeHalves(db: Knex): Promise<HalfYear[]> {
  return (await db('notices').distinct('half').orderBy('half', 'desc').pluck('half')).map(String);
}

/** Writes a reply when the notice is awaiting one (none or returned); false when it is not (a race, a closed notice). */
export async function writeReply(trx: Knex, id: number, r: { text: string; items: Record<string, string>; at: string; by: string }): Promise<boolean> {
  const n = await trx('notices').where({ id }).whereIn('reply_state', ['none', 'returned'])
    .update({ reply_state: 'replied', reply_text: r.text, reply_items: JSON.stringify(r.items), replied_at: r.at, replied_by: r.by });
  return n === 1;
}

/** The office's review of a reply: closed (办结) or returned (退回) with a note; only a replied notice. */
export async function writeReview(trx: Knex, id: number, r: { state: 'closed' | 'returned'; note: string | null; at: string; by: string }): Promise<boolean> {
  const n = await trx('notices').where({ id, reply_state: 'replied' }).update({ reply_state: r.state, review_note: r.note, reviewed_at: r.at, reviewed_by: r.by });
  return n === 1;
}

/** The unit's 单位专管员 and 单位领导 (not locked), for the 1:1 notification and the @ in the group. */
export async function unitContacts(db: Knex, unitIds: number[]): Promise<Row[]> {
  if (!unitIds.length) return [];
  return db('users').whereIn('unit_id', unitIds).whereIn('role', ['单位专管员', '单位领导']).where('locked', false).select('id', 'name', 'role', 'unit_id').orderBy('id');
}
