// What the 月度核账 pages read: a unit's 核账清单 (the mini-app's #/monthly/:unit) and the office's
// list of a month (the console's 月度核账 tab, and its .xlsx with the same Chinese headers).

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import {
  confirmationState, dueText, FAMILIES, monthLabel, STATE_TEXT, type ConfirmationState, type MonthlyConfirmationSetting,
} from '../core/monthly-confirmation.ts';
import { ACCESS_MSG, ADMIN_ROLES, inScope, OFFICE_ROLES, type UnitScope } from '../core/roles.ts';
import {
  checklistFigures, confirmationMonths, confirmationRow, emptyFamilies, latestOpenedMonth, loadConfirmationSetting, monthRows,
  openFindingsByFamily, type ChecklistFigures,
} from '../db/monthly-confirmations.ts';
import { loadCalendar } from '../db/settings.ts';
import { unitById } from '../db/units.ts';
import { CONFIRM_ROLES, redCount } from './confirm-month.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;
type Actor = { id: string; role: string; scope: UnitScope };

export interface ConfirmationView {
  month: string;
  dueOn: IsoDate;
  state: ConfirmationState;
  stateText: string;
  confirmedOn: IsoDate | null;
  confirmedAt: string | null;
  confirmedBy: { id: string; name: string } | null;
  note: string | null;
  remindedOn: IsoDate | null;
}

export function confirmationView(r: Row, today: IsoDate): ConfirmationView {
  const state = confirmationState({ confirmedOn: r.confirmed_on ?? null, dueOn: r.due_on }, today);
  return {
    month: String(r.month), dueOn: r.due_on, state, stateText: STATE_TEXT[state],
    confirmedOn: r.confirmed_on ?? null, confirmedAt: r.confirmed_at ?? null,
    confirmedBy: r.confirmed_by ? { id: String(r.confirmed_by), name: r.confirmed_by_name ?? String(r.confirmed_by) } : null,
    note: r.note ?? null, remindedOn: r.reminded_on ?? null,
  };
}

export interface UnitChecklist {
  unit: { id: number; name: string; code: string };
  /** The unit's latest opened month, or null before any. */
  confirmation: ConfirmationView | null;
  /** The figures now (the ones a confirmation would store). */
  figures: ChecklistFigures;
  /** The figures stored with the confirmation, when confirmed. */
  snapshot: ChecklistFigures | null;
  red: number;
  /** The user may press 确认本月数据无误 now. */
  canConfirm: boolean;
  /** Why not, when the month is open but the user may not (a read-only role). */
  readOnly: string | null;
}

/** A unit's 核账清单: its own people (单位专管员, 单位领导) in scope, and the office's roles. */
export async function unitChecklist(db: Knex, actor: Actor, unitId: number, today: IsoDate): Promise<UnitChecklist> {
  if (!CONFIRM_ROLES.has(actor.role) && !OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色不能查看月度核账');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const unit = await unitById(db, unitId, ['id', 'name', 'code']);
  if (!unit) throw new CommandError(404, '没有该单位');
  const [row, cal] = await Promise.all([confirmationRow(db, unitId), loadCalendar(db)]);
  const figures = await checklistFigures(db, unitId, today, cal);
  const confirmation = row ? confirmationView(row, today) : null;
  const mayConfirm = CONFIRM_ROLES.has(actor.role);
  return {
    unit: { id: Number(unit.id), name: unit.name, code: unit.code },
    confirmation, figures,
    snapshot: row?.snapshot ? (JSON.parse(row.snapshot) as ChecklistFigures) : null,
    red: redCount(figures),
    canConfirm: mayConfirm && !!confirmation && !confirmation.confirmedOn,
    readOnly: mayConfirm ? null : '月度核账由单位专管员或单位领导确认，您可查看核账清单',
  };
}

export interface OfficeMonthRow extends ConfirmationView {
  unitId: number;
  unitName: string;
  unitCode: string;
  /** Open findings now (red, yellow, 提示), of which cross-system (X-*). */
  open: { red: number; yellow: number; hint: number; cross: number };
}

export interface OfficeMonthList {
  month: string | null;
  months: string[];
  setting: MonthlyConfirmationSetting & { text: string };
  counts: { units: number; confirmed: number; open: number; overdue: number };
  rows: OfficeMonthRow[];
  /** The office's 催办 and the setting: who may. */
  canRemind: boolean;
  canSet: boolean;
}

export const STATE_FILTERS = ['confirmed', 'open', 'overdue', 'unconfirmed'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export async function officeMonthList(db: Knex, actor: Actor & { scope: UnitScope }, o: { month?: string; state?: StateFilter; today: IsoDate }): Promise<OfficeMonthList> {
  if (!OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '月度核账情况仅供编办工作人员查看');
  const [months, setting, cal] = await Promise.all([confirmationMonths(db), loadConfirmationSetting(db), loadCalendar(db)]);
  const month = o.month ?? (await latestOpenedMonth(db));
  const all = month ? await monthRows(db, month, actor.scope) : [];
  const fam = await openFindingsByFamily(db, all.map((r) => Number(r.unit_id)), o.today, cal);
  const rows: OfficeMonthRow[] = all.map((r) => {
    const f = fam.get(Number(r.unit_id)) ?? emptyFamilies();
    const sum = (k: 'red' | 'yellow' | 'hint') => FAMILIES.reduce((n, x) => n + f[x][k], 0);
    return {
      ...confirmationView(r, o.today), unitId: Number(r.unit_id), unitName: r.unit_name, unitCode: r.unit_code ?? '',
      open: { red: sum('red'), yellow: sum('yellow'), hint: sum('hint'), cross: f.cross.red + f.cross.yellow + f.cross.hint },
    };
  });
  const counts = { units: rows.length, confirmed: 0, open: 0, overdue: 0 };
  for (const r of rows) counts[r.state]++;
  const shown = !o.state ? rows : rows.filter((r) => (o.state === 'unconfirmed' ? r.state !== 'confirmed' : r.state === o.state));
  return {
    month, months, setting: { ...setting, text: dueText(setting) }, counts, rows: shown,
    canRemind: ADMIN_ROLES.has(actor.role), canSet: actor.role === '编办管理员',
  };
}

export const EXPORT_HEADERS = ['单位编号', '单位名称', '统一社会信用代码', '月份', '截止日期', '状态', '确认人', '确认时间', '备注', '红灯问题', '黄灯问题', '提示', '跨部门比对问题', '最近催办'] as const;

/** The office's list as .xlsx: the console's columns under the same Chinese headers. */
export function officeMonthWorkbook(list: OfficeMonthList): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('月度核账');
  ws.addRow([...EXPORT_HEADERS]);
  ws.getRow(1).font = { bold: true };
  for (const r of list.rows) {
    ws.addRow([r.unitId, r.unitName, r.unitCode, list.month ? monthLabel(list.month) : '', r.dueOn, r.stateText, r.confirmedBy?.name ?? '', r.confirmedAt ?? '', r.note ?? '',
      r.open.red, r.open.yellow, r.open.hint, r.open.cross, r.remindedOn ?? '']);
  }
  ws.getColumn(3).numFmt = '@';
  ws.columns.forEach((c, i) => { c.width = i === 1 ? 36 : 14; });
  return wb;
}

/** The units of the user's scope whose latest month waits for their confirmation (本月核账待确认 on 待整改): unit roles only. */
export async function pendingConfirmations(db: Knex, actor: Actor, today: IsoDate): Promise<Array<{ unitId: number; unitName: string } & ConfirmationView>> {
  if (!CONFIRM_ROLES.has(actor.role) || actor.scope === null) return [];
  const month = await latestOpenedMonth(db);
  if (!month) return [];
  const rows = await monthRows(db, month, actor.scope);
  return rows.filter((r) => !r.confirmed_on).map((r) => ({ unitId: Number(r.unit_id), unitName: r.unit_name, ...confirmationView(r, today) }));
}
