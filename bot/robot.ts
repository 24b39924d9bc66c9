// Robot commands, in groups and 1:1, answered in Chinese within the asker's data scope:
// 帮助, 待整改, 编制 [单位], 退休 [单位], 查 姓名, 排名, 怎么改 [规则编号或名称] (the 错题本).
// Anything else gets the help text; someone
// not on the 用户 sheet is told politely that they have no access.

import { audit } from '../db/audit.ts';
import type { Knex } from 'knex';
import { addPerson } from '../core/aggregates.ts';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { openLightsOn } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { personRetirement } from '../core/rules/retirement.ts';
import { formatRetirementAge } from '../core/retirement.ts';
import { quotaFigures } from '../core/staffing.ts';
import { ageText, rankingReplyText, replyMarkdown } from '../cards/builders.ts';
import { findingDetailText, findingHeading } from '../cards/details.ts';
import { PHRASES, render, trusted } from '../cards/render.ts';
import { fixGuideChoicesText, fixGuideHelpText, fixGuideReplyText, fixGuideUrl } from '../cards/fix-guide-reply.ts';
import { findGuide } from '../core/fix-guides.ts';
import { listFixGuides } from '../db/fix-guides.ts';
import { mostUrgentOpenFindings, openFindingCountOfPerson } from '../db/findings.ts';
import { peopleNamed, personRecords } from '../db/people.ts';
import { findActor, scopeOf, subtreeIds, type Actor } from '../db/scope.ts';
import { loadUnits } from '../db/records.ts';
import { lockNotice } from '../db/user-locks.ts';
import { unitById, unitIdsOfGroup, unitNamed } from '../db/units.ts';
import { loadCalendar } from '../db/settings.ts';
import { latestPublishedRanking, monthScores } from '../db/scores.ts';
import { OFFICE_ROLES } from '../core/roles.ts';
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
  const ids = await unitIdsOfGroup(db, groupId);
  if (!ids.length) return null;
  const units = new Set<number>();
  for (const id of ids) for (const u of await subtreeIds(db, id)) units.add(u);
  return { units: [...units], home: ids[0] };
}

/** What answers need beyond the database: the base of links into the mini-app (PUBLIC_BASE_URL; none: answers carry no links). */
export interface AnswerOptions {
  publicBaseUrl?: string | null;
}

export async function answer(db: Knex, userId: string, senderName: string, text: string, today: IsoDate, where?: Conversation, opts: AnswerOptions = {}): Promise<OutboundMessage> {
  const base = opts.publicBaseUrl ?? null;
  const found = await findActor(db, userId);
  if (!found) {
    // A locked account is told why and who unlocks, and nothing is done.
    const locked = await lockNotice(db, userId);
    return replyMarkdown(locked ? render('account-locked', { name: senderName, notice: locked.text }) : render('no-access', { name: senderName }));
  }
  const t = text.replace(/^@\S+\s*/, '').trim();
  // `怎么改P-ID-08` needs no space after the command word.
  const [word, ...rest] = t.replace(/^怎么改(?=\S)/, '怎么改 ').split(/\s+/);
  const arg = rest.join(' ').trim();
  const own = await scopeOf(db, found);
  const group = await groupScope(db, where);
  // In a unit's group: the asker's scope within the group's units, the group's unit by default.
  const scope = group ? (own === null ? group.units : own.filter((id) => group.units.includes(id))) : own;
  const asker: Actor = group && (found.unitId == null || !group.units.includes(found.unitId)) ? { ...found, unitId: group.home } : found;
  switch (word) {
    // The office (every unit in scope) without a unit named: the whole area (office-answers.ts).
    case '待整改':
      return replyMarkdown(scope === null ? await unitsByRedText(db, today) : await todo(db, asker, scope, today, base));
    case '编制':
      return replyMarkdown(scope === null && !arg ? await areaQuotaText(db, today) : await quota(db, asker, scope, arg, today));
    case '退休':
      return replyMarkdown(scope === null && !arg ? await areaRetirementsText(db, today) : await retirements(db, asker, scope, arg, today));
    case '查':
      return replyMarkdown(arg ? await lookUp(db, found.id, scope, arg, today) : render('help', {}));
    case '排名':
      return replyMarkdown(await ranking(db, found, asker));
    case '怎么改':
      return replyMarkdown(await howToFix(db, arg, base));
    default:
      return replyMarkdown(render('help', {}));
  }
}

/**
 * 排名: the latest published 红黑榜; a unit's user (or anyone asking in a unit's group) also gets
 * their unit's rank, score and deductions. The office sees the list only.
 */
async function ranking(db: Knex, found: Actor, asker: Actor): Promise<string> {
  const r = await latestPublishedRanking(db);
  if (!r) return render('ranking-none', {});
  const unitId = OFFICE_ROLES.has(found.role) && asker.unitId === found.unitId ? null : asker.unitId;
  if (unitId == null) return rankingReplyText(r);
  const [own] = await monthScores(db, r.month, [unitId]);
  return rankingReplyText(r, own ?? null);
}

/** 怎么改 [规则编号、名称或其一部分]: the guide (the office's version over the shipped one), the candidates, or how to ask. */
async function howToFix(db: Knex, query: string, base: string | null): Promise<string> {
  if (!query) return fixGuideHelpText(null, base);
  const m = findGuide(query, await listFixGuides(db));
  if (m.kind === 'one') return fixGuideReplyText(m.guide, base);
  if (m.kind === 'many') return fixGuideChoicesText(query, m.guides, base);
  return fixGuideHelpText(query, base);
}

async function unitInScope(db: Knex, asker: Actor, scope: number[] | null, name: string): Promise<Row | null> {
  if (!name) return asker.unitId == null ? null : (await unitById(db, asker.unitId)) ?? null;
  return unitNamed(db, name, scope);
}

async function todo(db: Knex, asker: Actor, scope: number[] | null, today: IsoDate, base: string | null): Promise<string> {
  const cal = await loadCalendar(db);
  const rows = await mostUrgentOpenFindings(db, { unitIds: scope }, 500);
  const lightOf = openLightsOn(today, cal);
  const items = rows.map((r) => {
    const l = lightOf(r.opened_on, r.rule);
    return { light: l.light, lightText: PHRASES.light[l.light], title: findingHeading(r.rule, r.qualifier), detail: findingDetailText(r.rule, r.qualifier, r.detail ? JSON.parse(r.detail) : null), subject: r.subject_name, idMasked: r.subject_id_masked, unitName: r.unit_name === r.subject_name ? null : r.unit_name, age: ageText(l.workdaysOpen), guideLink: base ? trusted(fixGuideUrl(base, r.rule)) : null };
  });
  const scopeName = scope === null ? '全部单位' : asker.unitId != null ? (await unitById(db, asker.unitId, ['name']))?.name ?? '' : OFFICE_ROLES.has(asker.role) ? '本区县全部单位' : '';
  return render('todo', { scopeName, date: today, items: items.slice(0, MAX_ITEMS), more: Math.max(0, items.length - MAX_ITEMS) });
}

async function quota(db: Knex, asker: Actor, scope: number[] | null, name: string, today: IsoDate): Promise<string> {
  const unit = await unitInScope(db, asker, scope, name);
  if (!unit) return render('person', { people: [], query: name || '本单位' });
  const units = await loadUnits(db, today, [Number(unit.id)], { regionTotals: false });
  const u = units.get(Number(unit.id))!;
  for (const p of await personRecords(db, { unitId: u.id })) addPerson(u.agg, p, u);
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
  for (const p of await personRecords(db, { unitId: u.id, status: '在编' })) {
    const ret = personRetirement(p, u);
    if (!ret || ret.retirement.month < from || ret.retirement.month >= to) continue;
    const y = ret.retirement.month.slice(0, 4);
    byYear.set(y, [...(byYear.get(y) ?? []), { name: p.name, month: `${Number(ret.retirement.month.slice(5))}月，${formatRetirementAge(ret.retirement.age)}` }]);
  }
  const years = [...byYear.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([year, people]) => ({ year, count: people.length, people }));
  return render('retirement', { unitName: u.name, years });
}

async function lookUp(db: Knex, askerId: string, scope: number[] | null, name: string, today: IsoDate): Promise<string> {
  const people = [];
  for (const { person: p, unitName } of await peopleNamed(db, name, scope, 5)) {
    // Each person the robot shows is a view of their record (issue 17).
    await audit(db, askerId, 'view_person', 'person', p.id, { via: 'robot' }, { unitId: p.unitId });
    const unit = (await loadUnits(db, today, [p.unitId], { regionTotals: false })).get(p.unitId) ?? null;
    const ret = personRetirement(p, unit);
    const openFindings = await openFindingCountOfPerson(db, p.id);
    people.push({
      name: p.name, idMasked: p.idFacts.masked, unitName, office: p.office, status: p.status, quotaKind: p.quotaKind,
      posts: p.posts, rank: p.rank, enteredOn: p.enteredOn, openFindings,
      retirement: ret ? `${ret.retirement.month.replace('-', '年')}月（${formatRetirementAge(ret.retirement.age)}）` : null,
    });
  }
  return render('person', { people, query: name });
}
