// The stored analysis drafts (migration 016) and the figures of a month's negative list.

import type { Knex } from 'knex';
import { actorNames } from './users.ts';
import { addMonthsToMonth } from '../core/dates.ts';
import { ruleFamily, type AnalysisKind, type NegativeListFacts } from '../core/analysis.ts';

type Row = Record<string, any>;

export interface AnalysisDraft {
  kind: AnalysisKind;
  period: string;
  text: string;
  source: 'llm' | 'template';
  model: string | null;
  note: string | null;
  status: string;
  createdAt: string;
  editedBy: string | null;
  /** Who finalised it, as users read it (db/users.ts actorNames). */
  editedByName: string | null;
  editedAt: string | null;
}

const fromRow = (r: Row, editedByName: string | null): AnalysisDraft => ({
  kind: r.kind, period: r.period, text: r.text, source: r.source, model: r.model ?? null, note: r.note ?? null, status: r.status,
  createdAt: r.created_at, editedBy: r.edited_by ?? null, editedByName, editedAt: r.edited_at ?? null,
});

export async function readDraft(db: Knex, kind: AnalysisKind, period: string): Promise<AnalysisDraft | null> {
  const r = (await db('analysis_drafts').where({ kind, period }).first()) as Row | undefined;
  return r ? fromRow(r, (await actorNames(db, [r.edited_by]))(r.edited_by)) : null;
}

/** Stores a fresh draft unless one exists (a second writer keeps the first); false when one existed. */
export async function insertDraft(db: Knex, d: Omit<AnalysisDraft, 'editedBy' | 'editedByName' | 'editedAt' | 'status'>): Promise<boolean> {
  const row = { kind: d.kind, period: d.period, text: d.text, source: d.source, model: d.model, note: d.note, status: '草稿', created_at: d.createdAt };
  const q = db('analysis_drafts').insert(row);
  const n = await (db.client.config.client === 'mysql2' ? q.onConflict().ignore() : q.onConflict(['kind', 'period']).ignore());
  return Array.isArray(n) ? Number(n[0]) > 0 : Boolean(n);
}

/** Replaces a draft that office staff have not saved (a re-draft); a saved text is kept. */
export async function replaceDraft(db: Knex, d: Omit<AnalysisDraft, 'editedBy' | 'editedByName' | 'editedAt' | 'status'>): Promise<void> {
  const n = await db('analysis_drafts').where({ kind: d.kind, period: d.period, status: '草稿' })
    .update({ text: d.text, source: d.source, model: d.model, note: d.note, created_at: d.createdAt });
  if (!n) await insertDraft(db, d);
}

export async function saveEditedDraft(db: Knex, kind: AnalysisKind, period: string, text: string, by: string, at: string): Promise<void> {
  const n = await db('analysis_drafts').where({ kind, period }).update({ text, status: '已定稿', edited_by: by, edited_at: at });
  if (!n) await db('analysis_drafts').insert({ kind, period, text, source: 'template', model: null, note: null, status: '已定稿', created_at: at, edited_by: by, edited_at: at });
}

async function listOf(db: Knex, month: string): Promise<Map<number, { red: boolean; suspended: boolean; redDays: number }>> {
  const out = new Map<number, { red: boolean; suspended: boolean; redDays: number }>();
  for (const r of (await db('unit_monthly_status').where({ month, light: 'red' }).select('unit_id', 'red_days')) as Row[]) out.set(Number(r.unit_id), { red: true, suspended: false, redDays: Number(r.red_days) });
  for (const r of (await db('sanctions').where({ month, kind: 'suspension' }).select('unit_id')) as Row[]) {
    const id = Number(r.unit_id);
    out.set(id, { ...(out.get(id) ?? { red: false, redDays: 0 }), suspended: true });
  }
  return out;
}

/**
 * The negative list of a month: units red that month (unit_monthly_status) or suspended for it
 * (sanctions), each with its open problems counted by rule family. Only unit names, rule codes
 * and counts are read: never a finding's subject (a person's name or masked ID).
 */
export async function negativeListFacts(db: Knex, month: string): Promise<NegativeListFacts> {
  const now = await listOf(db, month);
  const prevMonth = addMonthsToMonth(month, -1);
  const hadPrev = Boolean(await db('unit_monthly_status').where({ month: prevMonth }).first('unit_id'));
  const prev = hadPrev ? await listOf(db, prevMonth) : null;
  const ids = [...new Set([...now.keys(), ...(prev?.keys() ?? [])])];
  const names = new Map<number, string>();
  if (ids.length) for (const r of (await db('units').whereIn('id', ids).select('id', 'name')) as Row[]) names.set(Number(r.id), r.name);
  const problems = new Map<number, Record<string, number>>();
  if (now.size) {
    const rows = (await db('findings').whereIn('unit_id', [...now.keys()]).where({ status: 'open' }).groupBy('unit_id', 'rule').select('unit_id', 'rule').count({ n: '*' })) as Row[];
    for (const r of rows) {
      const id = Number(r.unit_id);
      const fam = ruleFamily(r.rule);
      const p = problems.get(id) ?? {};
      p[fam] = (p[fam] ?? 0) + Number(r.n);
      problems.set(id, p);
    }
  }
  const name = (id: number) => names.get(id) ?? `单位${id}`;
  return {
    month,
    units: [...now].sort((a, b) => Number(b[1].suspended) - Number(a[1].suspended) || b[1].redDays - a[1].redDays || a[0] - b[0])
      .map(([id, s]) => ({ unit: name(id), ...s, problems: problems.get(id) ?? {} })),
    previous: prev ? [...prev.keys()].map(name) : null,
  };
}
