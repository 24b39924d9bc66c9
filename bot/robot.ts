// Robot commands, in groups and 1:1, answered in Chinese within the asker's data scope:
// 帮助, 待整改, 编制 [单位], 退休 [单位], 查 姓名, 排名. Anything else gets the help text; someone
// not on the 用户 sheet is told politely that they have no access.

import type { Knex } from 'knex';
import { addPerson } from '../core/aggregates.ts';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { openLightsOn } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { personRetirement } from '../core/rules/retirement.ts';
import { formatRetirementAge } from '../core/retirement.ts';
import { quotaFigures } from '../core/staffing.ts';
import { ageText, replyMarkdown } from '../cards/builders.ts';
import { findingDetailText, findingHeading } from '../cards/details.ts';
import { PHRASES, render } from '../cards/render.ts';
import { openFindingsQuery } from '../db/findings.ts';
import { findActor, scopeOf, subtreeIds, type Actor } from '../db/scope.ts';
import { loadUnits, PERSON_COLUMNS, personFromRow } from '../db/records.ts';
import { loadCalendar } from '../db/settings.ts';
import { areaQuotaText, areaRetirementsText, unitsByRedText } from './office-answers.ts';
import type { OutboundMessage } from './platform.ts';

type Row = Record<string, any>;

const MAX_ITEMS = 10;

/** Where a message was said: a 1:1 chat, or a group (which may be a unit's 工作群). */
export interface Conversation {
  type: 'single' | 'group';
  id: string;
}

/**
 * The units whose 工作群 this conversation is (with the units below them), or null for a 1:1
 * chat or a group of no unit. An answer in a unit's group is read by all its members: it stays
 * within that unit, whoever asks (an office user's county-wide answers go to a 1:1 chat).
 */
async function groupScope(db: Knex, where: Conversation | undefined): Promise<{ units: number[]; home: number } | null> {
  if (!where || where.type !== 'group') return null;
  const groupId = where.id.replace(/^group:/, '');
  const ids: number[] = (await db('units').where({ group_id: groupId }).orderBy('id').pluck('id')).map(Number);
  if (!ids.length) return null;
  const units = new Set<number>();
  for (const id of ids) for (const u of await subtreeIds(db, id)) units.add(u);
  return { units: [...units], home: ids[0] };
}

export async function answer(db: Knex, userId: string, senderName: string, text: string, today: IsoDate, where?: Conversation): Promise<OutboundMessage> {
  const found = await findActor(db, userId);
  if (!found) return replyMarkdown(render('no-access', { name: senderName }));
  const t = text.replace(/^@\S+\s*/, '').trim();
  const [word, ...rest] = t.split(/\s+/);
  const arg = rest.join(' ').trim();
  const own = await scopeOf(db, found);
  const group = await groupScope(db, where);
  // In a unit's group: the asker's scope within the group's units, the group's unit by default.
  const scope = group ? (own === null ? group.units : own.filter((id) => group.units.includes(id))) : own;
  const asker: Actor = group && (found.unitId == null || !group.units.includes(found.unitId)) ? { ...found, unitId: group.home } : found;
  switch (word) {
    // The office (every unit in scope) without a unit named: the whole area (office-answers.ts).
    case '待整改':
      return replyMarkdown(scope === null ? await unitsByRedText(db, today) : await todo(db, asker, scope, today));
    case '编制':
      return replyMarkdown(scope === null && !arg ? await areaQuotaText(db, today) : await quota(db, asker, scope, arg, today));
    case '退休':
      return replyMarkdown(scope === null && !arg ? await areaRetirementsText(db, today) : await retirements(db, asker, scope, arg, today));
    case '查':
      return replyMarkdown(arg ? await lookUp(db, scope, arg, today) : render('help', {}));
    case '排名':
      return replyMarkdown(render('ranking-none', {}));
    default:
      return replyMarkdown(render('help', {}));
  }
}

async function unitInScope(db: Knex, asker: Actor, scope: number[] | null, name: string): Promise<Row | null> {
  if (!name) return asker.unitId == null ? null : (await db('units').where({ id: asker.unitId }).first()) ?? null;
  let q = db('units').where('name', name);
  if (scope) q = q.whereIn('id', scope.length ? scope : [0]);
  const exact = await q.first();
  if (exact) return exact;
  let like = db('units').where('name', 'like', `%${name.replace(/[%_]/g, '')}%`).orderBy('id');
  if (scope) like = like.whereIn('id', scope.length ? scope : [0]);
  return (await like.first()) ?? null;
}

async function todo(db: Knex, asker: Actor, scope: number[] | null, today: IsoDate): Promise<string> {
  const cal = await loadCalendar(db);
  const rows: Row[] = await openFindingsQuery(db, { unitIds: scope }).limit(500);
  const lightOf = openLightsOn(today, cal);
  const items = rows.map((r) => {
    const l = lightOf(r.opened_on);
    return { light: l.light, lightText: PHRASES.light[l.light], title: findingHeading(r.rule, r.qualifier), detail: findingDetailText(r.rule, r.qualifier, r.detail ? JSON.parse(r.detail) : null), subject: r.subject_name, idMasked: r.subject_id_masked, unitName: r.unit_name, age: ageText(l.workdaysOpen) };
  });
  const scopeName = scope === null ? '全部单位' : asker.unitId != null ? (await db('units').where({ id: asker.unitId }).first('name'))?.name ?? '' : '';
  return render('todo', { scopeName, date: today, items: items.slice(0, MAX_ITEMS), more: Math.max(0, items.length - MAX_ITEMS) });
}

async function quota(db: Knex, asker: Actor, scope: number[] | null, name: string, today: IsoDate): Promise<string> {
  const unit = await unitInScope(db, asker, scope, name);
  if (!unit) return render('person', { people: [], query: name || '本单位' });
  const units = await loadUnits(db, today, [Number(unit.id)], { regionTotals: false });
  const u = units.get(Number(unit.id))!;
  for (const r of await db('people').where({ unit_id: u.id }).select(PERSON_COLUMNS)) addPerson(u.agg, personFromRow(r), u);
  const kinds = [...new Set([...Object.keys(u.quotas), ...Object.keys(u.agg.onQuotaByKind)])];
  const lines = kinds.map((kind) => quotaFigures({ kind, approved: u.quotas[kind] ?? 0, actual: u.agg.onQuotaByKind[kind] ?? 0, inTransit: u.agg.inTransitByKind[kind] ?? 0 }));
  const total = lines.reduce((t, l) => ({ approved: t.approved + l.approved, actual: t.actual + l.actual, vacant: t.vacant + l.vacant, over: t.over + l.over }), { approved: 0, actual: 0, vacant: 0, over: 0 });
  const inTransit = lines.reduce((n, l) => n + l.inTransit, 0);
  return render('quota', { unitName: u.name, lines, total, inTransit, overKinds: lines.filter((l) => l.over > 0).map((l) => l.kind).join('、') });
}

async function retirements(db: Knex, asker: Actor, scope: number[] | null, name: string, today: IsoDate): Promise<string> {
  const unit = await unitInScope(db, asker, scope, name);
  if (!unit) return render('person', { people: [], query: name || '本单位' });
  const u = (await loadUnits(db, today, [Number(unit.id)], { regionTotals: false })).get(Number(unit.id))!;
  const from = monthOf(today);
  const to = addMonthsToMonth(from, 60);
  const byYear = new Map<string, Array<{ name: string; month: string }>>();
  for (const r of await db('people').where({ unit_id: u.id, status: '在编' }).select(PERSON_COLUMNS)) {
    const p = personFromRow(r);
    const ret = personRetirement(p, u);
    if (!ret || ret.retirement.month < from || ret.retirement.month >= to) continue;
    const y = ret.retirement.month.slice(0, 4);
    byYear.set(y, [...(byYear.get(y) ?? []), { name: p.name, month: `${Number(ret.retirement.month.slice(5))}月，${formatRetirementAge(ret.retirement.age)}` }]);
  }
  const years = [...byYear.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([year, people]) => ({ year, count: people.length, people }));
  return render('retirement', { unitName: u.name, years });
}

async function lookUp(db: Knex, scope: number[] | null, name: string, today: IsoDate): Promise<string> {
  let q = db('people as p').join('units as u', 'u.id', 'p.unit_id').where('p.name', name).whereNot('p.status', '已出编')
    .select(PERSON_COLUMNS.map((c) => `p.${c}`)).select('u.name as unit_name').limit(5);
  if (scope) q = q.whereIn('p.unit_id', scope.length ? scope : [0]);
  const rows: Row[] = await q;
  const people = [];
  for (const r of rows) {
    const p = personFromRow(r);
    const unit = (await loadUnits(db, today, [p.unitId], { regionTotals: false })).get(p.unitId) ?? null;
    const ret = personRetirement(p, unit);
    const open = await db('findings').where({ scope: 'person', entity_id: p.id, status: 'open' }).count({ n: '*' }).first();
    people.push({
      name: p.name, idMasked: p.idFacts.masked, unitName: r.unit_name, office: p.office, status: p.status, quotaKind: p.quotaKind,
      posts: p.posts, rank: p.rank, enteredOn: p.enteredOn, openFindings: Number(open?.n ?? 0),
      retirement: ret ? `${ret.retirement.month.replace('-', '年')}月（${formatRetirementAge(ret.retirement.age)}）` : null,
    });
  }
  return render('person', { people, query: name });
}
