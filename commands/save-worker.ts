// Save a change to a 编外人员 from the mini-app's form, as a person is saved: authorised (a
// writing role, the worker's unit in scope), merged into the stored record and validated with the
// 编外人员 sheet's schema, written as a new version under the version the form was read at, then
// the worker (and their unit) re-checked at once with the unit's card update queued.

import type { Knex } from 'knex';
import { normaliseIdNumber } from '../core/idnumber.ts';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG, inScope, WRITE_ROLES, type UnitScope } from '../core/roles.ts';
import { SHEETS } from '../core/sheets.ts';
import type { PiiCipher } from '../db/pii.ts';
import { updateRow, workerRow, lockWithVersion } from '../db/store.ts';
import { workerIdTaken } from '../db/workers.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

const SOURCE = '小程序修改';

/** The 编外人员 sheet's columns the form changes (the unit is not changed here). */
export const WORKER_FORM_FIELDS = ['姓名', '身份证号', '性别', '岗位分类', '具体工作岗位', '用工方式', '首次签订合同时间'] as const;

/** The stored row as the 编外人员 sheet's cells. */
export function workerCells(row: Row, idNumber: string): Record<string, string | null> {
  return {
    统一社会信用代码: row.unit_code ?? '',
    身份证号: idNumber,
    姓名: row.name,
    性别: row.gender ?? null,
    岗位分类: row.post_class ?? null,
    具体工作岗位: row.post_name ?? null,
    用工方式: row.employment ?? null,
    首次签订合同时间: row.first_contract_on ?? null,
  };
}

export interface SaveWorkerInput {
  actor: { id: string; role: string; scope: UnitScope };
  /** The stored row with `unit_code`, as read for the request. */
  row: Row;
  /** By the sheet's Chinese header. */
  changes: Record<string, unknown>;
  reason: string;
  version: number;
  today: IsoDate;
}

export interface SaveWorkerResult {
  changed: boolean;
  version: number;
  resolved: string[];
}

export async function saveWorker(db: Knex, pii: PiiCipher, { actor, row, changes, reason, version, today }: SaveWorkerInput): Promise<SaveWorkerResult> {
  if (!WRITE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色无权修改编外人员信息');
  if (!inScope(actor, Number(row.unit_id))) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const id = Number(row.id);
  const fields: Record<string, string> = {};
  const cells: Record<string, unknown> = workerCells(row, row.id_enc ? pii.decrypt(row.id_enc) : '');
  for (const [k, v] of Object.entries(changes)) {
    if (!(WORKER_FORM_FIELDS as readonly string[]).includes(k)) {
      fields[k.slice(0, 32)] = SHEETS.编外人员.columns.includes(k) ? '此项不能在此修改' : '没有这一项';
      continue;
    }
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') {
      fields[k] = '应为文本';
      continue;
    }
    // The form sends the masked number back when the ID was not touched.
    if (k === '身份证号' && v === row.id_masked) continue;
    cells[k] = v === null || v === '' ? null : String(v);
  }
  if (Object.keys(fields).length) throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);
  const parsed = SHEETS.编外人员.schema.safeParse(cells);
  if (!parsed.success) {
    for (const is of parsed.error.issues) fields[String(is.path[0] ?? '')] ??= is.message;
    throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);
  }
  const next = { ...parsed.data, idNumber: normaliseIdNumber(parsed.data.idNumber).value, extra: row.extra ? (JSON.parse(row.extra) as Record<string, string>) : null };
  const newRow = workerRow(next, Number(row.unit_id), pii, today);

  const saved = await db.transaction(async (trx) => {
    // One save at a time per worker: the row as it is now and its latest version.
    const { row: locked, version: stored } = await lockWithVersion(trx, 'workers', 'worker', id);
    if (!locked) throw new CommandError(404, '没有该编外人员');
    if (stored !== version) throw new CommandError(409, '该编外人员的信息已被他人修改，请刷新后重试', undefined, { version: stored });
    if (locked.id_hash !== newRow.id_hash && await workerIdTaken(trx, Number(locked.unit_id), pii.hashes(normaliseIdNumber(next.idNumber).value), id)) {
      throw new CommandError(409, '本单位已有该身份证号的编外人员', { 身份证号: '本单位已有该身份证号的编外人员' });
    }
    return updateRow(trx, 'workers', 'worker', locked, newRow, { by: actor.id, source: SOURCE, reason, today }, stored);
  });
  const result = saved.changed ? await recheckRecord(db, { workerId: id }, today) : null;
  return { changed: saved.changed, version: saved.version, resolved: result?.resolved ?? [] };
}
