// The office's decisions on a feed row without a valid ID number (issue 16): confirm one of its
// candidates (the row, and every row of any month with the same name, birth and unit as written,
// takes the person's keyed hash), mark it 无对应人员, or withdraw either. Only 编办管理员 and
// 编办业务人员 decide; nothing is ever linked without this confirmation.

import type { Knex } from 'knex';
import { ADMIN_ROLES } from '../core/roles.ts';
import { feedKindOf, type FeedKind } from '../core/feeds.ts';
import {
  activeLinkOf, activeNoMatchOf, candidatePerson, candidateReason, feedLinkById, insertFeedLink, insertNoMatch, noMatchById, unlinkedRowOf,
  withdrawLink, withdrawNoMatch,
} from '../db/feeds.ts';
import { audit } from '../db/store.ts';
import type { IsoDate } from '../core/model.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

export interface Actor {
  id: string;
  role: string;
}

const FORBIDDEN = '只有编办管理员和编办业务人员可以确认外部数据的人员对应关系';

function authorise(actor: Actor): void {
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, FORBIDDEN);
}

function kindOf(v: unknown): FeedKind {
  const k = typeof v === 'string' ? feedKindOf(v) : null;
  if (!k) throw new CommandError(400, '名单类型应为 社保、工资统发 或 组织部任免', { kind: '名单类型有误' });
  return k;
}

function keyOf(v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw new CommandError(400, '待比对记录的标识有误', { sourceKey: '标识有误' });
  return v;
}

async function pendingRow(trx: Knex, kind: FeedKind, key: string) {
  const row = await unlinkedRowOf(trx, kind, key);
  if (!row) throw new CommandError(404, '没有该待比对记录（可能已被新导入的名单替换）');
  if (await activeLinkOf(trx, kind, key)) throw new CommandError(409, '该记录已确认对应人员，如需更改请先撤销');
  if (await activeNoMatchOf(trx, kind, key)) throw new CommandError(409, '该记录已标记为无对应人员，如需更改请先撤销');
  return row;
}

/**
 * After a link is confirmed or withdrawn, the person's and the feed row's unit's cross-system
 * findings follow at once (the same re-check a save runs), not at the next morning's check: a
 * person the office has just matched to their 社保 row is no longer 未参保.
 */
async function recheckLinked(db: Knex, today: IsoDate | undefined, person: { idHash: string; id: number; unitId: number | null }, feedUnitId: number | null = null): Promise<void> {
  if (!today) return;
  // The person's re-check covers their unit's rules too; the feed row's unit only where it is another.
  await recheckRecord(db, { personHash: person.idHash, personId: person.id }, today);
  if (feedUnitId != null && feedUnitId !== person.unitId) await recheckRecord(db, { unitId: feedUnitId }, today);
}

/** Confirms a candidate: a feed_links row, and the hash on every row of the key. */
export async function confirmFeedCandidate(db: Knex, input: { actor: Actor; kind: unknown; sourceKey: unknown; personId: unknown; today?: IsoDate }) {
  authorise(input.actor);
  const kind = kindOf(input.kind);
  const key = keyOf(input.sourceKey);
  const personId = Number(input.personId);
  if (!Number.isSafeInteger(personId) || personId <= 0) throw new CommandError(400, '请选择候选人员', { personId: '请选择候选人员' });
  const done = await db.transaction(async (trx) => {
    const row = await pendingRow(trx, kind, key);
    const person = await candidatePerson(trx, personId);
    if (!person) throw new CommandError(404, '没有该人员');
    const reason = candidateReason(row as { name: string; birth_key: string | null }, person);
    if (!reason) throw new CommandError(409, `${person.name}不是该记录的候选人员（姓名或读音、出生日期须相同，且在实名制名册上）`);
    if (!person.id_hash) throw new CommandError(409, `${person.name}在实名制名册上没有身份证号，无法对应`);
    const link = await insertFeedLink(trx, {
      kind, sourceKey: key, name: row.name, birthKey: row.birth_key ?? null, unitText: row.unit_text ?? null, personId, idHash: person.id_hash, reason, by: input.actor.id,
    });
    await audit(trx, input.actor.id, 'feed_link_confirm', 'feed_link', link.id, { kind, personId, reason, rows: link.rows });
    const linked = { idHash: String(person.id_hash), id: personId, unitId: person.unit_id == null ? null : Number(person.unit_id) };
    return { answer: { linkId: link.id, rows: link.rows, reason, person: { id: personId, name: String(person.name) } }, linked, feedUnitId: row.unit_id == null ? null : Number(row.unit_id) };
  });
  await recheckLinked(db, input.today, done.linked, done.feedUnitId);
  return done.answer;
}

/** Marks the row's key 无对应人员: it leaves the list of rows to look at. */
export async function markFeedNoMatch(db: Knex, input: { actor: Actor; kind: unknown; sourceKey: unknown }) {
  authorise(input.actor);
  const kind = kindOf(input.kind);
  const key = keyOf(input.sourceKey);
  return db.transaction(async (trx) => {
    const row = await pendingRow(trx, kind, key);
    const id = await insertNoMatch(trx, { kind, sourceKey: key, name: row.name, birthKey: row.birth_key ?? null, unitText: row.unit_text ?? null, by: input.actor.id });
    await audit(trx, input.actor.id, 'feed_no_match', 'feed_no_match', id, { kind });
    return { id };
  });
}

/** Withdraws a confirmed link: its rows lose the hash again. */
export async function withdrawFeedLink(db: Knex, input: { actor: Actor; id: unknown; today?: IsoDate }) {
  authorise(input.actor);
  const id = Number(input.id);
  const done = await db.transaction(async (trx) => {
    const link = Number.isSafeInteger(id) && id > 0 ? await feedLinkById(trx, id) : undefined;
    if (!link) throw new CommandError(404, '没有该对应关系');
    if (link.withdrawn_at) throw new CommandError(409, '该对应关系已撤销');
    const rows = await withdrawLink(trx, link, input.actor.id);
    await audit(trx, input.actor.id, 'feed_link_withdraw', 'feed_link', id, { kind: link.kind, rows });
    return { answer: { id, rows }, linked: { idHash: String(link.id_hash), id: Number(link.person_id), unitId: null } };
  });
  await recheckLinked(db, input.today, done.linked);
  return done.answer;
}

/** Withdraws a 无对应人员 mark: the row is listed again with its candidates. */
export async function withdrawFeedNoMatch(db: Knex, input: { actor: Actor; id: unknown }) {
  authorise(input.actor);
  const id = Number(input.id);
  return db.transaction(async (trx) => {
    const mark = Number.isSafeInteger(id) && id > 0 ? await noMatchById(trx, id) : undefined;
    if (!mark) throw new CommandError(404, '没有该标记');
    if (mark.withdrawn_at) throw new CommandError(409, '该标记已撤销');
    await withdrawNoMatch(trx, id, input.actor.id);
    await audit(trx, input.actor.id, 'feed_no_match_withdraw', 'feed_no_match', id, { kind: mark.kind });
    return { id };
  });
}
