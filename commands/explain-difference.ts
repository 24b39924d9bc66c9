// 已说明差异 (issue 16, deliverable 3): the office records why a cross-system difference cannot be
// removed (借调, 离岗创业, 停薪留职, a payroll unit that legitimately differs), with its evidence.
// The finding closes as 已说明 (status `explained`, not 已整改) and the check does not open it
// again while the mapping is active (db/check.ts FindingDiff). Withdrawn, the difference returns
// at the next check or re-check as a new finding. Each mapping is reviewed yearly.
// Only 编办管理员 / 编办业务人员; each action in one transaction with its audit row and the
// unit's card update.

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { addMonths, validDay } from '../core/dates.ts';
import { singleLineProblem } from '../core/dictionary.ts';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG, ADMIN_ROLES, inScope, type UnitScope } from '../core/roles.ts';
import { ruleByCode } from '../core/rules/index.ts';
import { EXPLAIN_REASONS } from '../db/explanations.ts';
import { loadCalendar } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { nowMoment } from '../db/clock.ts';
import { queueCardUpdates } from './alerts.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

export interface ExplainActor {
  id: string;
  role: string;
  scope: UnitScope;
}

/** The largest evidence file kept in the database. */
export const MAX_EVIDENCE_BYTES = 2 * 1024 * 1024;

/** The rules whose findings may be explained: the other departments' rosters (X-RG-01 compares two copies of sanse's own data, not a legitimate difference). */
export function explainable(rule: string): boolean {
  return rule.startsWith('X-') && rule !== 'X-RG-01';
}

const REFUSED = '已说明差异只能由编办管理员或编办业务人员登记和复核，您的角色无权操作';

function text(v: unknown, field: string, max: number, fields: Record<string, string>, required: boolean): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) {
    if (required) fields[field] = `请填写${field}`;
    return null;
  }
  if ([...s].length > max) fields[field] = `最多${max}个字符`;
  else if (max <= 100 && singleLineProblem(s)) fields[field] = singleLineProblem(s)!;
  return s;
}

/** A year after `today` (29 Feb → 28 Feb). */
export function reviewDueOf(today: IsoDate): IsoDate {
  return addMonths(today, 12);
}

export interface ExplainInput {
  actor: ExplainActor;
  findingId: number;
  reason: unknown;
  reasonText: unknown;
  evidenceNo?: unknown;
  /** An uploaded file: its name and content in base64. */
  evidenceFile?: { name?: unknown; data?: unknown } | null;
  today: IsoDate;
}

export interface ExplainResult {
  id: number;
  findingId: number;
  rule: string;
  reviewDue: IsoDate;
}

export async function explainDifference(db: Knex, input: ExplainInput): Promise<ExplainResult> {
  const { actor, today } = input;
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  validDay(today, '日期');
  const fields: Record<string, string> = {};
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) fields['说明类别'] = '请选择说明类别';
  else if (!(EXPLAIN_REASONS as readonly string[]).includes(reason)) fields['说明类别'] = `应为 ${EXPLAIN_REASONS.join('、')} 之一`;
  const reasonText = text(input.reasonText, '说明', 500, fields, true);
  const evidenceNo = text(input.evidenceNo, '依据文号', 100, fields, false);
  let file: { name: string; sha256: string; data: string } | null = null;
  if (input.evidenceFile && (input.evidenceFile.name || input.evidenceFile.data)) {
    const name = text(input.evidenceFile.name, '依据文件名', 100, fields, true);
    const data = typeof input.evidenceFile.data === 'string' ? input.evidenceFile.data.replace(/\s+/g, '') : '';
    if (!data || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) fields['依据文件'] = '文件内容无法读取，请重新上传';
    else {
      const bytes = Buffer.from(data, 'base64');
      if (!bytes.length) fields['依据文件'] = '文件为空，请重新上传';
      else if (bytes.length > MAX_EVIDENCE_BYTES) fields['依据文件'] = '文件不能超过 2 MB';
      else if (name) file = { name, sha256: createHash('sha256').update(bytes).digest('hex'), data };
    }
  }
  if (!evidenceNo && !file && !fields['依据文件'] && !fields['依据文件名']) fields['依据'] = '请填写依据文号或上传依据文件（如借调函、离岗创业审批表）';
  if (Object.keys(fields).length) throw new CommandError(400, Object.values(fields)[0], fields);

  const cal = await loadCalendar(db);
  return db.transaction(async (trx) => {
    const f: Row | undefined = await trx('findings').where({ id: input.findingId }).forUpdate().first('id', 'rule', 'status', 'fingerprint', 'unit_id', 'subject_name', 'subject_id_masked', 'qualifier');
    if (!f || !inScope(actor, Number(f.unit_id))) throw new CommandError(404, f ? ACCESS_MSG.outOfScope : '没有该问题');
    if (!explainable(f.rule)) throw new CommandError(409, `只有跨部门比对的问题可以标记为已说明，“${ruleByCode(f.rule)?.title ?? f.rule}”需要整改`);
    if (f.status === 'explained') throw new CommandError(409, '该问题已标记为已说明');
    if (f.status !== 'open') throw new CommandError(409, '该问题已不是未整改状态，无需说明');
    const at = nowMoment();
    const reviewDue = reviewDueOf(today);
    const [id] = await trx('explained_differences').insert({
      rule: f.rule, fingerprint: f.fingerprint, finding_id: Number(f.id), unit_id: Number(f.unit_id), subject_name: f.subject_name,
      subject_id_masked: f.subject_id_masked ?? null, reason, reason_text: reasonText, evidence_no: evidenceNo,
      evidence_file: file?.name ?? null, evidence_sha256: file?.sha256 ?? null, evidence_data: file?.data ?? null,
      created_by: actor.id, created_at: at, review_due: reviewDue,
    });
    await trx('findings').where({ id: f.id }).update({ status: 'explained', resolved_on: today, open_key: null });
    await audit(trx, actor.id, 'explain-difference', 'finding', Number(f.id), { explanation: Number(id), rule: f.rule, reason, evidenceNo, evidenceFile: file?.name ?? null, evidenceSha256: file?.sha256 ?? null });
    // The unit's card: one problem fewer.
    await queueCardUpdates(trx, [Number(f.unit_id)], today, cal);
    return { id: Number(id), findingId: Number(f.id), rule: f.rule, reviewDue };
  });
}

async function lockActive(trx: Knex, actor: ExplainActor, id: number): Promise<Row> {
  const e: Row | undefined = await trx('explained_differences').where({ id }).forUpdate().first('id', 'unit_id', 'withdrawn_at', 'review_due', 'rule', 'finding_id');
  if (!e || !inScope(actor, Number(e.unit_id))) throw new CommandError(404, e ? ACCESS_MSG.outOfScope : '没有该已说明差异');
  if (e.withdrawn_at) throw new CommandError(409, '该已说明差异已撤销');
  return e;
}

/** Withdraws a mapping: the difference returns at the next check or re-check as a new finding. */
export async function withdrawExplanation(db: Knex, input: { actor: ExplainActor; id: number; reason: unknown }): Promise<{ id: number }> {
  const { actor } = input;
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  const fields: Record<string, string> = {};
  const reason = text(input.reason, '撤销原因', 500, fields, true);
  if (Object.keys(fields).length) throw new CommandError(400, Object.values(fields)[0], fields);
  return db.transaction(async (trx) => {
    const e = await lockActive(trx, actor, input.id);
    await trx('explained_differences').where({ id: e.id }).update({ withdrawn_by: actor.id, withdrawn_at: nowMoment(), withdrawn_reason: reason });
    await audit(trx, actor.id, 'withdraw-explanation', 'explanation', Number(e.id), { rule: e.rule, finding: Number(e.finding_id), reason });
    return { id: Number(e.id) };
  });
}

/** The yearly review: the mapping still holds; the next review is a year from today. */
export async function reviewExplanation(db: Knex, input: { actor: ExplainActor; id: number; today: IsoDate }): Promise<{ id: number; reviewDue: IsoDate }> {
  const { actor, today } = input;
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  validDay(today, '日期');
  return db.transaction(async (trx) => {
    const e = await lockActive(trx, actor, input.id);
    const reviewDue = reviewDueOf(today);
    await trx('explained_differences').where({ id: e.id }).update({ reviewed_by: actor.id, reviewed_at: nowMoment(), review_due: reviewDue });
    await audit(trx, actor.id, 'review-explanation', 'explanation', Number(e.id), { rule: e.rule, reviewDue });
    return { id: Number(e.id), reviewDue };
  });
}
