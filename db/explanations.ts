// 已说明差异 (migration 021): the office's mappings that keep a cross-system finding closed as
// `explained`. The check reads the fingerprints of the active ones (not withdrawn); the console
// lists them with their yearly review.

import type { Knex } from 'knex';
import { actorNames } from './users.ts';
import type { IsoDate } from '../core/model.ts';
import type { Read } from './batch.ts';

type Row = Record<string, any>;

export const EXPLAIN_REASONS = ['借调', '离岗创业', '停薪留职', '工资单位合法不同', '其他'] as const;

const active = (db: Knex) => db('explained_differences').whereNull('withdrawn_at');

/** Fingerprints of every active mapping (the nightly check). */
export async function loadActiveExplained(db: Knex): Promise<Set<string>> {
  return new Set((await active(db).select('fingerprint')).map((r: Row) => r.fingerprint as string));
}

/** Fingerprints of the active mappings of one unit (the re-check), as a read for its batch. */
export function activeExplainedRead(db: Knex, unitId: number, set: (s: Set<string>) => void): Read {
  return { query: active(db).where({ unit_id: unitId }).select('fingerprint'), apply: (rows) => set(new Set(rows.map((r) => r.fingerprint))) };
}

export type ExplanationFilter = 'active' | 'due' | 'withdrawn' | 'all';

export interface ExplanationRow {
  id: number;
  rule: string;
  findingId: number;
  unitId: number;
  unitName: string;
  subjectName: string;
  subjectIdMasked: string | null;
  qualifier: string | null;
  reason: string;
  reasonText: string;
  evidenceNo: string | null;
  evidenceFile: string | null;
  evidenceSha256: string | null;
  createdBy: string;
  /** Who, as users read it (db/users.ts actorNames). */
  createdByName: string;
  createdAt: string;
  reviewDue: IsoDate;
  reviewedBy: string | null;
  reviewedByName: string | null;
  reviewedAt: string | null;
  withdrawnBy: string | null;
  withdrawnByName: string | null;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  /** Active and past its review date: 逾期未复核. */
  overdue: boolean;
}

export async function listExplanations(db: Knex, opts: { filter: ExplanationFilter; unitIds: number[] | null; today: IsoDate; limit?: number }): Promise<ExplanationRow[]> {
  let q = db('explained_differences as e').leftJoin('units as u', 'u.id', 'e.unit_id').leftJoin('findings as f', 'f.id', 'e.finding_id')
    // Every column but the evidence file itself (up to 2 MB each), which its own route serves.
    .select('e.id', 'e.rule', 'e.finding_id', 'e.unit_id', 'e.subject_name', 'e.subject_id_masked', 'e.reason', 'e.reason_text', 'e.evidence_no',
      'e.evidence_file', 'e.evidence_sha256', 'e.created_by', 'e.created_at', 'e.review_due', 'e.reviewed_by', 'e.reviewed_at', 'e.withdrawn_by',
      'e.withdrawn_at', 'e.withdrawn_reason', 'u.name as unit_name', 'f.qualifier as qualifier');
  if (opts.unitIds) q = q.whereIn('e.unit_id', opts.unitIds);
  if (opts.filter === 'active') q = q.whereNull('e.withdrawn_at');
  else if (opts.filter === 'due') q = q.whereNull('e.withdrawn_at').where('e.review_due', '<=', opts.today);
  else if (opts.filter === 'withdrawn') q = q.whereNotNull('e.withdrawn_at');
  const rows: Row[] = await q.orderBy([{ column: 'e.review_due', order: 'asc' }, { column: 'e.id', order: 'asc' }]).limit(opts.limit ?? 500);
  const nameOf = await actorNames(db, rows.flatMap((r) => [r.created_by, r.reviewed_by, r.withdrawn_by]));
  return rows.map((r) => ({
    id: Number(r.id), rule: r.rule, findingId: Number(r.finding_id), unitId: Number(r.unit_id), unitName: r.unit_name ?? '', subjectName: r.subject_name,
    subjectIdMasked: r.subject_id_masked ?? null, qualifier: r.qualifier ?? null, reason: r.reason, reasonText: r.reason_text,
    evidenceNo: r.evidence_no ?? null, evidenceFile: r.evidence_file ?? null, evidenceSha256: r.evidence_sha256 ?? null,
    createdBy: r.created_by, createdByName: nameOf(r.created_by) ?? '', createdAt: r.created_at, reviewDue: r.review_due,
    reviewedBy: r.reviewed_by ?? null, reviewedByName: nameOf(r.reviewed_by), reviewedAt: r.reviewed_at ?? null,
    withdrawnBy: r.withdrawn_by ?? null, withdrawnByName: nameOf(r.withdrawn_by), withdrawnAt: r.withdrawn_at ?? null, withdrawnReason: r.withdrawn_reason ?? null,
    overdue: !r.withdrawn_at && r.review_due <= opts.today,
  }));
}

/** The uploaded evidence of a mapping, with its unit (for the scope check); null when there is no such mapping. */
export async function explanationEvidence(db: Knex, id: number): Promise<{ unitId: number; fileName: string | null; data: Buffer | null } | null> {
  const e: Row | undefined = await db('explained_differences').where({ id }).first('unit_id', 'evidence_file', 'evidence_data');
  if (!e) return null;
  return { unitId: Number(e.unit_id), fileName: e.evidence_file ?? null, data: e.evidence_data ? Buffer.from(e.evidence_data, 'base64') : null };
}
