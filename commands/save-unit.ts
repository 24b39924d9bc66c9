// Save a change to a unit's own record by its 单位专管员 (or the office): the 机构 fields a unit
// keeps itself (UNIT_KEPT_FIELDS), merged into the stored record and validated with the 机构
// sheet's schema, written as a new version under the version the form was read at, then the unit
// re-checked at once with its card update queued. The fields that come from approval documents
// are the office's (commands/save-unit-approval.ts).

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG, inScope, WRITE_ROLES, type UnitScope } from '../core/roles.ts';
import { SHEETS } from '../core/sheets.ts';
import { checkEnv } from '../db/check.ts';
import { updateRow, unitRow, lockWithVersion } from '../db/store.ts';
import { syncInternalOffices } from '../db/unit-records.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

/** The 机构 columns a unit keeps itself: its offices, duties, work group, region name, annual-report flag. */
export const UNIT_KEPT_FIELDS = ['内设机构', '主要职责', '工作群', '区划名称', '是否年报单位'] as const;

/** The 机构 columns that come from approval documents: the office edits them, with the document. */
export const UNIT_APPROVAL_FIELDS = [
  '机构名称', '统一社会信用代码', '上级机构代码', '所属区划', '机构性质', '事业单位类别', '是否参公', '机构规格', '经费形式',
  '内设机构核定数', '编外用工控制数',
] as const;

const yesNo = (v: unknown) => (v == null ? null : v === true || v === 1 || v === '1' ? '是' : '否');

/** The stored row as the 机构 sheet's cells (text, as the form shows them). */
export function unitCells(r: Row): Record<string, string | null> {
  const s = (v: unknown) => (v == null ? null : String(v));
  return {
    统一社会信用代码: r.code, 机构名称: r.name, 上级机构代码: s(r.parent_code), 所属区划: s(r.region_code), 区划名称: s(r.region_name),
    机构性质: s(r.nature), 事业单位类别: s(r.category), 是否参公: yesNo(r.is_can_gong), 机构规格: s(r.level), 经费形式: s(r.funding),
    批准文号: s(r.approval_no), 批准日期: s(r.approval_date), 内设机构: s(r.internal_offices), 内设机构核定数: s(r.internal_offices_approved),
    主要职责: s(r.duties), 是否年报单位: yesNo(r.annual_report), 编外用工控制数: s(r.worker_cap), 工作群: s(r.group_id),
  };
}

/** Merges text changes of the allowed columns into the cells; the fields' errors by column. */
export function mergeCells(cells: Record<string, unknown>, changes: Record<string, unknown>, allowed: readonly string[], fields: Record<string, string>): void {
  for (const [k, v] of Object.entries(changes)) {
    if (!allowed.includes(k)) {
      fields[k.slice(0, 32)] = SHEETS.机构.columns.includes(k) ? '此项不能在此修改' : '没有这一项';
      continue;
    }
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') {
      fields[k] = '应为文本';
      continue;
    }
    cells[k] = v === null || v === '' ? null : String(v);
  }
}

/** The cells validated with the 机构 sheet's schema: the row to store, or a 400 naming each field. */
export function parseUnitCells(cells: Record<string, unknown>, row: Row, fields: Record<string, string>): Row {
  if (Object.keys(fields).length) throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);
  const parsed = SHEETS.机构.schema.safeParse(cells);
  if (!parsed.success) {
    for (const is of parsed.error.issues) fields[String(is.path[0] ?? '')] ??= is.message;
    throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);
  }
  return unitRow({ ...parsed.data, extra: row.extra ? (JSON.parse(row.extra) as Record<string, string>) : null });
}

export interface SaveUnitInput {
  actor: { id: string; role: string; scope: UnitScope };
  unitId: number;
  changes: Record<string, unknown>;
  reason: string;
  version: number;
  today: IsoDate;
}

export interface SaveUnitResult {
  changed: boolean;
  version: number;
  resolved: string[];
}

export async function saveUnit(db: Knex, { actor, unitId, changes, reason, version, today }: SaveUnitInput): Promise<SaveUnitResult> {
  if (!WRITE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色无权修改单位信息');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const saved = await db.transaction(async (trx) => {
    const { row: locked, version: stored } = await lockWithVersion(trx, 'units', 'unit', unitId);
    if (!locked) throw new CommandError(404, '没有该单位');
    if (stored !== version) throw new CommandError(409, '该单位的信息已被他人修改，请刷新后重试', undefined, { version: stored });
    const fields: Record<string, string> = {};
    const cells: Record<string, unknown> = unitCells(locked);
    mergeCells(cells, changes, UNIT_KEPT_FIELDS, fields);
    const next = parseUnitCells(cells, locked, fields);
    // Only the unit's own columns are written: the others stay as stored, whatever the schema normalised.
    const row: Row = { internal_offices: next.internal_offices, duties: next.duties, group_id: next.group_id, region_name: next.region_name, annual_report: next.annual_report };
    const r = await updateRow(trx, 'units', 'unit', locked, row, { by: actor.id, source: '小程序修改', reason, today }, stored);
    if (r.changed) await syncInternalOffices(trx, unitId, next.internal_offices ? String(next.internal_offices).split('、') : []);
    return r;
  });
  const result = saved.changed ? await recheckUnitAndPeople(db, unitId, today) : [];
  return { changed: saved.changed, version: saved.version, resolved: result };
}

/** The unit's rules and its people's (内设机构 feeds P-ST-08, 核定 the quota rules): one re-check each, the card updated. */
export async function recheckUnitAndPeople(db: Knex, unitId: number, today: IsoDate): Promise<string[]> {
  const resolved: string[] = [];
  const env = await checkEnv(db, today);
  const people: Row[] = await db('people').where({ unit_id: unitId }).whereNotNull('id_hash').distinct('id_hash');
  for (const p of people) resolved.push(...((await recheckRecord(db, { personHash: p.id_hash }, today, env))?.resolved ?? []));
  resolved.push(...((await recheckRecord(db, { unitId }, today, env))?.resolved ?? []));
  return resolved;
}
