// The 错题本's reads (issue 18): the office's versions of the guides (fix_guide_versions, migration
// 031), the effective guides over the shipped texts (core/fix-guides.ts merges), one entry's
// history, and the month's most frequent mistakes counted from the findings opened that month.

import type { Knex } from 'knex';
import { effectiveGuides, effectiveOf, isOfficeEntry, monthBounds, rankMistakes, type EffectiveGuide, type GuideVersion, type MonthMistake } from '../core/fix-guides.ts';
import { RULES, ruleByCode } from '../core/rules/index.ts';
import { shippedFixGuide, shippedFixGuides } from '../cards/fix-guides.ts';
import { userNames } from './users.ts';

type Row = Record<string, any>;

function versionOf(r: Row, names?: Map<string, string>): GuideVersion {
  let how: string[] = [];
  try {
    const v = JSON.parse(String(r.how));
    if (Array.isArray(v)) how = v.map(String);
  } catch {
    how = [];
  }
  return {
    entry: String(r.entry), version: Number(r.version), title: String(r.title), what: String(r.what), why: String(r.why), how,
    right: String(r.right_example), wrong: String(r.wrong_example), related: r.related ? String(r.related).split(',').filter(Boolean) : [],
    reason: String(r.reason), restoredFrom: r.restored_from == null ? null : Number(r.restored_from), createdBy: String(r.created_by),
    createdByName: names?.get(String(r.created_by)) ?? null, createdAt: String(r.created_at),
  };
}

/** The highest version of every entry the office has written. */
export async function latestGuideVersions(db: Knex, entries?: string[]): Promise<GuideVersion[]> {
  const top = db('fix_guide_versions').select('entry').max({ v: 'version' }).groupBy('entry');
  if (entries) top.whereIn('entry', entries.length ? entries : ['']);
  const rows: Row[] = await db('fix_guide_versions as g')
    .join(top.as('t'), function () {
      this.on('t.entry', '=', 'g.entry').andOn('t.v', '=', 'g.version');
    })
    .select('g.*');
  const names = await userNames(db, [...new Set(rows.map((r) => String(r.created_by)))]);
  return rows.map((r) => versionOf(r, names));
}

/** Every entry's effective guide: the catalogue's rules, then the office's own entries. */
export async function listFixGuides(db: Knex): Promise<EffectiveGuide[]> {
  return effectiveGuides(RULES.map((r) => ({ code: r.code, title: r.title })), shippedFixGuides(), await latestGuideVersions(db));
}

/** One entry's effective guide (a rule's or an office entry), or null when there is no such entry. */
export async function fixGuide(db: Knex, entry: string): Promise<EffectiveGuide | null> {
  const [latest] = await latestGuideVersions(db, [entry]);
  if (isOfficeEntry(entry)) return latest ? effectiveOf(entry, latest.title, undefined, latest) : null;
  const rule = ruleByCode(entry);
  if (!rule) return null;
  return effectiveOf(entry, rule.title, shippedFixGuide(entry), latest);
}

/** An entry's versions, newest first. */
export async function fixGuideHistory(db: Knex, entry: string): Promise<GuideVersion[]> {
  const rows: Row[] = await db('fix_guide_versions').where({ entry }).orderBy('version', 'desc');
  const names = await userNames(db, [...new Set(rows.map((r) => String(r.created_by)))]);
  return rows.map((r) => versionOf(r, names));
}

/** One stored version of an entry. */
export async function fixGuideVersion(db: Knex, entry: string, version: number): Promise<GuideVersion | null> {
  const r: Row | undefined = await db('fix_guide_versions').where({ entry, version }).first();
  return r ? versionOf(r) : null;
}

/** The office entries' keys in use. */
export async function officeEntryKeys(db: Knex): Promise<string[]> {
  return (await db('fix_guide_versions').where('entry', 'like', 'O-%').distinct('entry')).map((r: Row) => String(r.entry));
}

/** The office entries naming a rule among their related codes (shown beside that rule's guide). */
export async function officeEntriesOfRule(db: Knex, code: string): Promise<EffectiveGuide[]> {
  const latest = (await latestGuideVersions(db)).filter((v) => isOfficeEntry(v.entry) && v.related.includes(code));
  return latest.sort((a, b) => a.entry.localeCompare(b.entry)).map((v) => effectiveOf(v.entry, v.title, undefined, v));
}

/**
 * The month's most frequent mistakes: per rule, the findings opened in the month (shown: open,
 * resolved or explained since; a held finding not yet shown is not counted), the units among
 * them and how many of them are still open. `unitIds` null = every unit.
 */
export async function monthMistakes(db: Knex, month: string, unitIds: number[] | null): Promise<MonthMistake[]> {
  const { from, to } = monthBounds(month);
  const q = db('findings')
    .whereBetween('opened_on', [from, to])
    .whereIn('status', ['open', 'resolved', 'explained'])
    .groupBy('rule')
    .select('rule')
    .count({ findings: '*' })
    .countDistinct({ units: 'unit_id' })
    .select(db.raw("SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open_now"));
  if (unitIds) q.whereIn('unit_id', unitIds.length ? unitIds : [0]);
  const rows: Row[] = await q;
  return rankMistakes(
    rows.map((r) => ({ rule: String(r.rule), findings: Number(r.findings), units: Number(r.units), open: Number(r.open_now ?? 0) })),
    (code) => ruleByCode(code)?.title ?? code,
  );
}
