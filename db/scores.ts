// The monthly scores as stored: the facts of every unit for a month gathered in a few grouped
// queries (findings open during the month by unit, rule and dates; self-checks by unit), the
// scores kept per unit and month (history), the 红黑榜 of each month, and the office's policy.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { addMonthsToMonth } from '../core/dates.ts';
import { HINT_RULES } from '../core/lights.ts';
import type { IsoDate } from '../core/model.ts';
import { ruleByCode } from '../core/rules/index.ts';
import { mergeScorePolicy, monthSpan, redWorkdaysInMonth, SELF_CHECK_RULE, validScorePolicyOverrides, type Deductions, type ScorePolicy, type ScorePolicyOverrides, type UnitMonthFacts } from '../core/scores.ts';
import { INSERT_BATCH } from './batch.ts';
import { getSetting, loadRuleSettings, putSetting } from './settings.ts';

type Row = Record<string, any>;

/** The settings key of the office's changes to the score policy (weights, caps, autoBroadcast). */
export const SCORE_POLICY_KEY = 'score.policy';

export async function loadScorePolicyOverrides(db: Knex): Promise<ScorePolicyOverrides> {
  return validScorePolicyOverrides((await getSetting<unknown>(db, SCORE_POLICY_KEY)) ?? {});
}

export async function loadScorePolicy(db: Knex): Promise<ScorePolicy> {
  return mergeScorePolicy((await getSetting<unknown>(db, SCORE_POLICY_KEY)) ?? {});
}

export async function saveScorePolicyOverrides(db: Knex, overrides: ScorePolicyOverrides): Promise<void> {
  await putSetting(db, SCORE_POLICY_KEY, overrides);
}

/** Self-checks the office asks of a unit each month: U-PR-01's minPerMonth (default 2), 0 while the rule is off. */
export async function selfChecksRequired(db: Knex): Promise<number> {
  const s = (await loadRuleSettings(db))[SELF_CHECK_RULE];
  if (s && !s.enabled) return 0;
  const n = Number(s?.params?.minPerMonth ?? ruleByCode(SELF_CHECK_RULE)?.params.minPerMonth ?? 2);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export interface UnitOfScore {
  unitId: number;
  unit: string;
  name: string;
}

/** Every unit of the office with its facts for the month, counted up to `asOf` (the month's last day once it is over). */
export async function gatherMonthFacts(db: Knex, month: string, cal: WorkdayCalendar, asOf?: IsoDate): Promise<Array<UnitOfScore & { facts: UnitMonthFacts }>> {
  const span = monthSpan(month);
  const until = asOf && asOf < span.last ? asOf : span.last;
  const required = await selfChecksRequired(db);
  const units = await db('units').select('id', 'code', 'name').orderBy('id');
  const byUnit = new Map<number, UnitOfScore & { facts: UnitMonthFacts }>();
  for (const u of units) byUnit.set(Number(u.id), { unitId: Number(u.id), unit: u.code ?? '', name: u.name, facts: { findings: [], selfChecks: 0, selfChecksRequired: required } });

  // Findings open at any time during the month, grouped here by unit, rule and dates (a unit's
  // findings of one rule opened and resolved on the same days have the same red days): MariaDB's
  // GROUP BY over these four columns took 4× the plain read at 300,000 findings (bench:rhythm).
  // 提示 and U-PR-01 never deduct as findings.
  const rows = await db('findings')
    .whereNotNull('opened_on').where('opened_on', '<=', until)
    .where((q) => q.whereNull('resolved_on').orWhere('resolved_on', '>=', span.first))
    .whereNotIn('rule', [...HINT_RULES, SELF_CHECK_RULE])
    .select('unit_id', 'rule', 'opened_on', 'resolved_on') as Row[];
  const red = new Map<string, number>();
  const groups = new Map<string, { rule: string; redWorkdays: number; count: number }>();
  for (const g of rows) {
    const u = byUnit.get(Number(g.unit_id));
    if (!u) continue;
    const dates = `${g.opened_on}|${g.resolved_on ?? ''}`;
    const key = `${g.unit_id}|${g.rule}|${dates}`;
    const seen = groups.get(key);
    if (seen) {
      seen.count++;
      continue;
    }
    let days = red.get(dates);
    if (days === undefined) red.set(dates, (days = redWorkdaysInMonth({ rule: g.rule, openedOn: g.opened_on, resolvedOn: g.resolved_on ?? null }, span, cal, until)));
    const entry = { rule: g.rule, redWorkdays: days, count: 1 };
    groups.set(key, entry);
    u.facts.findings.push(entry);
  }
  const next = `${addMonthsToMonth(month, 1)}-01`;
  for (const c of await db('self_checks').where('at', '>=', span.first).where('at', '<', next).select('unit_id').count({ n: '*' }).groupBy('unit_id') as Row[]) {
    const u = byUnit.get(Number(c.unit_id));
    if (u) u.facts.selfChecks = Number(c.n);
  }
  return [...byUnit.values()];
}

export interface StoredScore {
  unitId: number;
  score: number;
  rank: number;
  deductions: Deductions;
}

export async function monthScoresExist(db: Knex, month: string): Promise<boolean> {
  return Boolean(await db('unit_scores').where({ month }).first('unit_id'));
}

/** Replaces the month's scores (a forced re-run replaces them all). */
export async function saveMonthScores(trx: Knex, month: string, scores: StoredScore[], computedAt: string): Promise<void> {
  await trx('unit_scores').where({ month }).delete();
  const rows = scores.map((s) => ({ unit_id: s.unitId, month, score: s.score, rank: s.rank, deductions: JSON.stringify(s.deductions), computed_at: computedAt }));
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx('unit_scores').insert(rows.slice(i, i + INSERT_BATCH));
}

export interface ScoreRow extends UnitOfScore {
  month: string;
  score: number;
  rank: number;
  deductions: Deductions;
  computedAt: string;
}

const scoreOf = (r: Row): ScoreRow => ({
  unitId: Number(r.unit_id), unit: r.code ?? '', name: r.name, month: r.month, score: Number(r.score), rank: Number(r.rank),
  deductions: JSON.parse(r.deductions), computedAt: r.computed_at,
});

/** The month's scores, best first (rank, then unit id); `unitIds` limits them to a scope. */
export async function monthScores(db: Knex, month: string, unitIds: number[] | null = null): Promise<ScoreRow[]> {
  const q = db('unit_scores as s').join('units as u', 'u.id', 's.unit_id').where('s.month', month)
    .select('s.*', 'u.code', 'u.name').orderBy([{ column: 's.rank' }, { column: 's.unit_id' }]);
  if (unitIds) q.whereIn('s.unit_id', unitIds);
  return (await q).map(scoreOf);
}

/** A unit's score of each month, the latest first. */
export async function unitScoreHistory(db: Knex, unitId: number, months = 24): Promise<ScoreRow[]> {
  const rows = await db('unit_scores as s').join('units as u', 'u.id', 's.unit_id').where('s.unit_id', unitId)
    .select('s.*', 'u.code', 'u.name').orderBy('s.month', 'desc').limit(months);
  return rows.map(scoreOf);
}

/** How many units were scored in each month (for "第 3 名 / 共 200 个单位"). */
export async function scoredUnitsByMonth(db: Knex, months: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!months.length) return out;
  for (const r of await db('unit_scores').whereIn('month', months).select('month').count({ n: '*' }).groupBy('month') as Row[]) out.set(r.month, Number(r.n));
  return out;
}

/** One entry of the 红黑榜. */
export interface BoardEntry {
  unitId: number;
  unit: string;
  name: string;
  score: number;
  rank: number;
}

export interface Ranking {
  month: string;
  state: 'preview' | 'published';
  units: number;
  top: BoardEntry[];
  bottom: BoardEntry[];
  builtAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
}

const rankingOf = (r: Row): Ranking => ({
  month: r.month, state: r.state, units: Number(r.units), top: JSON.parse(r.top), bottom: JSON.parse(r.bottom),
  builtAt: r.built_at, publishedAt: r.published_at ?? null, publishedBy: r.published_by ?? null,
});

export async function rankingOfMonth(db: Knex, month: string, opts: { lock?: boolean } = {}): Promise<Ranking | null> {
  const q = db('rankings').where({ month }).first();
  if (opts.lock) q.forUpdate();
  const r = await q;
  return r ? rankingOf(r) : null;
}

/** The latest published 红黑榜 (the robot's 排名). */
export async function latestPublishedRanking(db: Knex): Promise<Ranking | null> {
  const r = await db('rankings').where({ state: 'published' }).orderBy('month', 'desc').first();
  return r ? rankingOf(r) : null;
}

/** Writes the month's preview (a re-run rebuilds it while it is still a preview; a published one stays as published). */
export async function saveRankingPreview(trx: Knex, month: string, b: { units: number; top: BoardEntry[]; bottom: BoardEntry[] }, builtAt: string): Promise<'created' | 'rebuilt' | 'published'> {
  const row = { units: b.units, top: JSON.stringify(b.top), bottom: JSON.stringify(b.bottom), built_at: builtAt };
  const existing = await trx('rankings').where({ month }).first('state');
  if (!existing) {
    await trx('rankings').insert({ month, state: 'preview', ...row });
    return 'created';
  }
  if (existing.state === 'published') return 'published';
  await trx('rankings').where({ month, state: 'preview' }).update(row);
  return 'rebuilt';
}

/** Marks a preview published; false when it was published already (by someone else first). */
export async function markRankingPublished(trx: Knex, month: string, by: string, at: string): Promise<boolean> {
  return (await trx('rankings').where({ month, state: 'preview' }).update({ state: 'published', published_at: at, published_by: by })) > 0;
}

/** Where a published 红黑榜 goes: every unit's 工作群, each group once (with the first unit of it, for the card's link). */
export async function unitGroups(db: Knex): Promise<Array<{ groupId: string; unitId: number }>> {
  const rows = await db('units').whereNotNull('group_id').where('group_id', '<>', '').select('group_id').min({ unit_id: 'id' }).groupBy('group_id').orderBy('group_id');
  return rows.map((r: Row) => ({ groupId: String(r.group_id), unitId: Number(r.unit_id) }));
}
