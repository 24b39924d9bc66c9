// The office's edit of what a unit's approval documents fix: the 机构 fields of UNIT_APPROVAL_FIELDS,
// 编制 核定数 by 编制类型 and 领导职数 by 职数类型. Only 编办管理员 / 编办业务人员; each edit names
// its document (批准文号 and 批准日期, both required), which becomes the unit's latest approval,
// is recorded in approval_documents and is the source of every version written
// (`批准文件：文号`). The ledger counts as updated that day (U-IN-10); the unit and its people are
// re-checked at once and the card update queued.

import type { Knex } from 'knex';
import { DICTIONARY } from '../core/dictionary.ts';
import type { IsoDate } from '../core/model.ts';
import { ADMIN_ROLES, ACCESS_MSG, inScope, type UnitScope } from '../core/roles.ts';
import { dateCell, intCell } from '../core/sheets.ts';
import { singleLineProblem } from '../core/dictionary.ts';
import { updateRow, lockWithVersion } from '../db/store.ts';
import { recordApprovalDocument, saveLedgerRow, touchLedger, unitIdByCode } from '../db/unit-records.ts';
import { CommandError } from './errors.ts';
import { mergeCells, parseUnitCells, recheckUnitAndPeople, UNIT_APPROVAL_FIELDS, unitCells } from './save-unit.ts';

type Row = Record<string, any>;

export interface SaveUnitApprovalInput {
  actor: { id: string; role: string; scope: UnitScope };
  unitId: number;
  /** 机构 columns of UNIT_APPROVAL_FIELDS. */
  changes: Record<string, unknown>;
  /** 核定数 by 编制类型 / 职数类型 (only the kinds named change). */
  quotas?: Record<string, unknown>;
  leaderPosts?: Record<string, unknown>;
  document: { no: unknown; date: unknown };
  reason: string;
  version: number;
  today: IsoDate;
}

function numbers(what: '编制' | '领导职数', kinds: readonly string[], input: Record<string, unknown> | undefined, fields: Record<string, string>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [kind, v] of Object.entries(input ?? {})) {
    const key = `${what}：${kind.slice(0, 16)}`;
    if (!kinds.includes(kind)) { fields[key] = `不是有效的${what === '编制' ? '编制类型' : '职数类型'}`; continue; }
    try {
      const n = intCell(typeof v === 'number' || typeof v === 'string' ? v : null);
      if (n == null) fields[key] = '请填写核定数';
      else out.push([kind, n]);
    } catch (e) {
      fields[key] = (e as Error).message;
    }
  }
  return out;
}

export async function saveUnitApproval(db: Knex, input: SaveUnitApprovalInput): Promise<{ changed: boolean; version: number; resolved: string[]; source: string }> {
  const { actor, unitId, changes, reason, version, today } = input;
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, '核定数、领导职数和批准文号由编办修改，您的角色无权修改');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const fields: Record<string, string> = {};
  const docNo = typeof input.document?.no === 'string' ? input.document.no.trim() : '';
  if (!docNo) fields['批准文号'] = '请填写批准文件的文号（如 绍柯编〔2026〕12号）';
  else if ([...docNo].length > 100) fields['批准文号'] = '最多100个字符';
  else if (singleLineProblem(docNo)) fields['批准文号'] = singleLineProblem(docNo)!;
  let docDate: string | null = null;
  try {
    docDate = dateCell(typeof input.document?.date === 'string' ? input.document.date : null);
    if (!docDate) fields['批准日期'] = '请填写批准文件的印发日期';
    else if (docDate.length !== 10) fields['批准日期'] = '请填写完整的年月日';
    else if (docDate > today) fields['批准日期'] = '不能晚于今天';
  } catch (e) {
    fields['批准日期'] = (e as Error).message;
  }
  const quotas = numbers('编制', DICTIONARY.编制类型, input.quotas, fields);
  const posts = numbers('领导职数', DICTIONARY.职数类型, input.leaderPosts, fields);
  if (Object.keys(fields).length) throw new CommandError(400, Object.values(fields)[0], fields);
  const source = `批准文件：${docNo}`;
  const meta = { by: actor.id, source, reason, today };

  const saved = await db.transaction(async (trx) => {
    const { row: locked, version: stored } = await lockWithVersion(trx, 'units', 'unit', unitId);
    if (!locked) throw new CommandError(404, '没有该单位');
    if (stored !== version) throw new CommandError(409, '该单位的信息已被他人修改，请刷新后重试', undefined, { version: stored });
    const cells: Record<string, unknown> = unitCells(locked);
    mergeCells(cells, changes, UNIT_APPROVAL_FIELDS, fields);
    cells['批准文号'] = docNo;
    cells['批准日期'] = docDate;
    const next = parseUnitCells(cells, locked, fields);
    let parentId: number | null = locked.parent_id == null ? null : Number(locked.parent_id);
    if (next.parent_code !== locked.parent_code) {
      const ids = next.parent_code ? await unitIdByCode(trx, String(next.parent_code)) : [];
      if (next.parent_code && ids.length !== 1) throw new CommandError(400, '修改内容有误，请检查标注的项目', { 上级机构代码: ids.length ? '该代码对应多个单位' : '没有该统一社会信用代码的单位' });
      if (ids[0] === unitId) throw new CommandError(400, '修改内容有误，请检查标注的项目', { 上级机构代码: '不能是本单位' });
      parentId = ids[0] ?? null;
    }
    const { internal_offices: _o, duties: _d, group_id: _g, region_name: _r, annual_report: _a, extra: _e, ...row } = next;
    const r = await updateRow(trx, 'units', 'unit', locked, { ...row, parent_id: parentId }, meta, stored);
    let ledger = false;
    for (const [kind, n] of quotas) ledger = (await saveLedgerRow(trx, 'quotas', unitId, kind, n, docNo, meta)) || ledger;
    for (const [kind, n] of posts) ledger = (await saveLedgerRow(trx, 'leader_posts', unitId, kind, n, docNo, meta)) || ledger;
    await recordApprovalDocument(trx, { unitId, docNo, issuedOn: docDate!, subject: reason.slice(0, 200) });
    await touchLedger(trx, unitId, today);
    return { changed: r.changed || ledger, version: r.version };
  });
  const resolved = await recheckUnitAndPeople(db, unitId, today);
  return { ...saved, resolved, source };
}
