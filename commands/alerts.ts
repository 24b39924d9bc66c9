// Alerts after the daily check, and card updates as findings are resolved. Everything here
// writes outbox rows (and the cards it created) inside the caller's transaction, so an alert
// exists exactly when the change that caused it was committed.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { findingLight, openLightsOn } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { findingDetailText, findingHeading } from '../cards/details.ts';
import { digestCard, noGroupMessage, redAlertMessage, type DigestItem, type UnitDigest } from '../cards/builders.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue, parseTarget, targetText } from '../db/outbox.ts';
import type { CardPayload, Target } from '../core/outbound.ts';

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
  redAlerts: number;
  noGroupUnits: number;
}

/**
 * One digest per unit with open findings: an interactive card in its 工作群 (@ its 专管员), or
 * 1:1 messages to its 专管员 when it has no group (and the office is told which units those
 * are); each finding that turned red since the previous check goes 1:1 to the unit's leaders.
 */
export async function queueDailyAlerts(trx: Knex, date: IsoDate, cal: WorkdayCalendar, links: AlertLinks): Promise<AlertSummary> {
  const summary: AlertSummary = { digests: 0, groupCards: 0, directDigests: 0, redAlerts: 0, noGroupUnits: 0 };
  const prev = await trx('check_runs').where('date', '<', date).whereNotNull('finished_at').max({ d: 'date' }).first();
  const previousCheck: IsoDate | null = (prev?.d as string | undefined) ?? null;

  const rows: Row[] = await trx('findings as f').join('units as u', 'u.id', 'f.unit_id')
    .where('f.status', 'open')
    .select('f.id', 'f.rule', 'f.unit_id', 'f.opened_on', 'f.subject_name', 'f.subject_id_masked', 'f.qualifier', 'f.detail', 'u.code', 'u.name as unit_name', 'u.group_id')
    .orderBy([{ column: 'f.unit_id' }, { column: 'f.opened_on' }, { column: 'f.id' }]);
  if (!rows.length) return summary;

  const people = await trx('users').whereIn('role', ['单位专管员', '单位领导']).where({ locked: false }).whereNotNull('unit_id').select('id', 'name', 'role', 'unit_id');
  const specialists = new Map<number, Array<{ userId: string; name: string }>>();
  const leaders = new Map<number, string[]>();
  for (const p of people) {
    const uid = Number(p.unit_id);
    if (p.role === '单位专管员') specialists.set(uid, [...(specialists.get(uid) ?? []), { userId: p.id, name: p.name }]);
    else leaders.set(uid, [...(leaders.get(uid) ?? []), p.id]);
  }

  const byUnit = new Map<number, Row[]>();
  for (const r of rows) {
    const list = byUnit.get(Number(r.unit_id)) ?? [];
    list.push(r);
    byUnit.set(Number(r.unit_id), list);
  }
  const noGroup: Array<{ name: string; red: number; yellow: number; specialists: number }> = [];
  const lightOf = openLightsOn(date, cal);

  for (const [unitId, list] of byUnit) {
    const first = list[0];
    const items: DigestItem[] = list.map((r) => {
      const l = lightOf(r.opened_on);
      return { findingId: Number(r.id), light: l.light, title: findingHeading(r.rule, r.qualifier), subject: r.subject_name, idMasked: r.subject_id_masked ?? null, daysOpen: l.workdaysOpen };
    });
    items.sort((a, b) => (a.light === b.light ? b.daysOpen - a.daysOpen : a.light === 'red' ? -1 : 1));
    const digest: UnitDigest = { unitId, unitCode: first.code, unitName: first.unit_name, date, items, mentions: specialists.get(unitId) ?? [], url: links.unitUrl(unitId) };
    summary.digests++;
    if (first.group_id) {
      const target: Target = { kind: 'group', groupId: first.group_id };
      const card = digestCard(digest);
      if (await enqueue(trx, `digest:${unitId}:${date}`, { op: 'createCard', target, card })) {
        await saveCard(trx, card, target, { vars: card.data, unitId, unitCode: first.code, date, findingIds: items.map((i) => i.findingId), digest });
        summary.groupCards++;
      }
    } else {
      const red = items.filter((i) => i.light === 'red').length;
      noGroup.push({ name: first.unit_name, red, yellow: items.length - red, specialists: digest.mentions.length });
      if (digest.mentions.length) {
        const card = digestCard(digest);
        if (await enqueue(trx, `digest-dm:${unitId}:${date}`, { op: 'send', target: { kind: 'users', userIds: digest.mentions.map((m) => m.userId) }, message: card.fallback })) summary.directDigests++;
      }
    }
    // Findings whose first red working day falls after the previous check: newly red.
    const unitLeaders = leaders.get(unitId) ?? [];
    if (unitLeaders.length) {
      for (const r of list) {
        const l = lightOf(r.opened_on);
        if (l.light !== 'red' || (previousCheck && l.redFrom <= previousCheck)) continue;
        const detail = findingDetailText(r.rule, r.qualifier, r.detail ? JSON.parse(r.detail) : null);
        const message = redAlertMessage({ unitName: first.unit_name, title: findingHeading(r.rule, r.qualifier), subject: r.subject_name, idMasked: r.subject_id_masked ?? null, detail, openedOn: r.opened_on, url: links.unitUrl(unitId) });
        if (await enqueue(trx, `red:${r.id}`, { op: 'send', target: { kind: 'users', userIds: unitLeaders }, message })) summary.redAlerts++;
      }
    }
  }
  if (noGroup.length) {
    summary.noGroupUnits = noGroup.length;
    const office = await trx('users').whereIn('role', ['编办管理员', '编办业务人员']).where({ locked: false }).pluck('id');
    if (office.length) await enqueue(trx, `no-group:${date}`, { op: 'send', target: { kind: 'users', userIds: office }, message: noGroupMessage(date, noGroup) });
  }
  return summary;
}

async function saveCard(trx: Knex, card: CardPayload, target: Target, state: CardState): Promise<void> {
  const row = { template: card.template, target: targetText(target), data: JSON.stringify(state), updated_at: nowMoment() };
  const updated = await trx('cards').where({ card_id: card.cardId }).update(row);
  if (!updated) await trx('cards').insert({ card_id: card.cardId, ...row });
}

/**
 * Updates each unit's latest digest card in place: "已整改 3/5", green when none is left. Called
 * after findings were resolved (the nightly check, a re-check after a mini-app save).
 */
export async function queueCardUpdates(trx: Knex, unitIds: number[], date: IsoDate, cal: WorkdayCalendar): Promise<number> {
  let n = 0;
  for (const unitId of new Set(unitIds)) {
    const card = await trx('cards').where('card_id', 'like', `unit-digest:${unitId}:%`).orderBy('card_id', 'desc').first();
    if (!card) continue;
    const state = JSON.parse(card.data) as CardState;
    const open = await trx('findings').whereIn('id', state.findingIds).where('status', 'open').select('opened_on');
    const resolved = state.findingIds.length - open.length;
    let red = 0;
    for (const f of open) if (findingLight(f.opened_on, null, date, cal) === 'red') red++;
    const progress = { resolved, total: state.findingIds.length, red, yellow: open.length - red };
    const next = digestCard(state.digest, progress);
    if (next.data.resolved === state.vars.resolved && next.data.light === state.vars.light) continue;
    const target = parseTarget(card.target);
    if (await enqueue(trx, `card:${card.card_id}:${resolved}:${red}`, { op: 'updateCard', card: next, target })) n++;
    await trx('cards').where({ card_id: card.card_id }).update({ data: JSON.stringify({ ...state, vars: next.data }), updated_at: nowMoment() });
  }
  return n;
}
