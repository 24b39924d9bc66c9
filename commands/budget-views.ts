// What the 年度预算 pages read: a unit's budget form (the mini-app's #/annual-budget/:unit: its
// 核定/实有/空编 and forecast retirements per 编制类型, its lines, state, history and what the user
// may do) and the office's list of a year (the console's 年度预算 tab) with its .xlsx, the 预算报表:
// a 说明 sheet, one row per unit and 编制类型, each unit's subtotal and the total.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import {
  ADD_WAYS, addLimit, addToSums, BUDGET_ACTION_TEXT, BUDGET_FILL_ROLES, BUDGET_REVIEW_ROLES, BUDGET_STATE_TEXT, emptyLine, emptySums,
  yearText, type BudgetAction, type BudgetLine, type BudgetState, type BudgetSums, type KindFacts,
} from '../core/budget.ts';
import type { IsoDate } from '../core/model.ts';
import type { BudgetEventView, BudgetRoundView, UnitBudgetView } from '../core/budget.ts';

export type { BudgetEventView, BudgetRoundView, UnitBudgetView };
import { ACCESS_MSG, inScope, OFFICE_ROLES, type UnitScope } from '../core/roles.ts';
import { budgetEvents, budgetRound, budgetRow, budgetYears, latestRound, unkindedOnQuota, yearRows, type StoredLine } from '../db/budgets.ts';
import { unitById } from '../db/units.ts';
import { budgetFacts, budgetFiller } from './budget-facts.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;
type Actor = { id: string; role: string; scope: UnitScope };

const roundView = (r: Row, today: IsoDate): BudgetRoundView => ({ year: Number(r.year), dueOn: r.due_on, openedAt: r.opened_at, overdue: today > r.due_on });

/** Why the user cannot edit, and whom to ask. */
function readOnlyText(role: string, state: BudgetState, filler: { may: boolean; specialists: string[] }): string | null {
  if (!BUDGET_FILL_ROLES.has(role)) return BUDGET_REVIEW_ROLES.has(role) ? null : '年度编制使用预算由单位填报、编办业务人员或编办管理员审核，您可查看';
  if (state === 'submitted') return '已提交，不能修改；如需修改，请联系编办（编办业务人员或编办管理员）退回后再改';
  if (state === 'approved') return '预算已锁定；如需调整，请联系编办（编办业务人员或编办管理员）重新打开';
  if (!filler.may) return `年度编制使用预算由本单位的单位专管员（${filler.specialists.join('、')}）填报，单位领导可查看；需要修改请联系专管员，对编制数有疑问请联系编办`;
  return null;
}

export async function unitBudgetView(db: Knex, actor: Actor, unitId: number, o: { year?: number; today: IsoDate }): Promise<UnitBudgetView> {
  if (!BUDGET_FILL_ROLES.has(actor.role) && !OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色不能查看年度编制使用预算');
  if (!inScope(actor, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const unit = await unitById(db, unitId, ['id', 'name']);
  if (!unit) throw new CommandError(404, '没有该单位');
  const round = o.year ? await budgetRound(db, o.year) : await latestRound(db);
  if (o.year && !round) throw new CommandError(404, `${yearText(o.year)}编制使用预算填报尚未开启`);
  const years = await budgetYears(db);
  const base = { unit: { id: Number(unit.id), name: unit.name as string }, years };
  if (!round) {
    return { ...base, round: null, state: 'none', stateText: BUDGET_STATE_TEXT.none, version: null, kinds: [], savedAt: null, submittedAt: null, submittedBy: null, reviewedAt: null, reviewedBy: null, reason: null, history: [], canEdit: false, canReview: false, readOnly: null };
  }
  const year = Number(round.year);
  const [row, facts, filler] = await Promise.all([budgetRow(db, unitId, year), budgetFacts(db, unitId, year, o.today), budgetFiller(db, actor.role, unitId)]);
  const state: BudgetState = (row?.state as BudgetState | undefined) ?? 'none';
  const stored: StoredLine[] = row ? JSON.parse(row.lines) : [];
  const kinds = facts.map((f) => {
    const s = stored.find((l) => l.kind === f.kind);
    const line: BudgetLine = s
      ? { kind: s.kind, addRecruit: s.addRecruit, addTransfer: s.addTransfer, addMilitary: s.addMilitary, addOther: s.addOther, retire: s.retire, otherOut: s.otherOut, retireReason: s.retireReason, note: s.note }
      : emptyLine(f);
    return { ...f, line, limit: addLimit(f, line) };
  });
  const history: BudgetEventView[] = row ? (await budgetEvents(db, Number(row.id))).map((e) => ({
    version: Number(e.version), action: e.action, actionText: BUDGET_ACTION_TEXT[e.action as BudgetAction], stateText: BUDGET_STATE_TEXT[e.state as BudgetState],
    by: e.by_name ?? e.by, at: e.at, reason: e.reason ?? null,
  })) : [];
  const canEdit = BUDGET_FILL_ROLES.has(actor.role) && filler.may && (state === 'none' || state === 'draft' || state === 'returned');
  return {
    ...base, round: roundView(round, o.today), state, stateText: BUDGET_STATE_TEXT[state], version: row ? Number(row.version) : null, kinds,
    savedAt: row?.saved_at ?? null, submittedAt: row?.submitted_at ?? null, submittedBy: row ? row.submitted_by_name ?? row.submitted_by ?? null : null,
    reviewedAt: row?.reviewed_at ?? null, reviewedBy: row ? row.reviewed_by_name ?? row.reviewed_by ?? null : null, reason: row?.reason ?? null,
    history, canEdit, canReview: BUDGET_REVIEW_ROLES.has(actor.role), readOnly: readOnlyText(actor.role, state, filler),
  };
}

export interface OfficeBudgetRow {
  unitId: number;
  unitName: string;
  state: BudgetState;
  stateText: string;
  version: number | null;
  submittedAt: string | null;
  submittedBy: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reason: string | null;
  remindedOn: string | null;
  /** Per kind: the figures now and the line (null: the unit has not entered one). */
  kinds: Array<KindFacts & { line: BudgetLine | null }>;
  sums: BudgetSums;
  /** 在编 people without a (known) 编制类型: not 实有 of any kind, so not in the sums. */
  unkinded: number;
}

export interface OfficeBudgetList {
  round: BudgetRoundView | null;
  years: number[];
  counts: Record<BudgetState, number> & { units: number };
  rows: OfficeBudgetRow[];
  total: BudgetSums;
  /** Σ unkinded of the rows. */
  unkinded: number;
  canOpen: boolean;
  canReview: boolean;
}

export async function officeBudgetList(db: Knex, actor: Actor, o: { year?: number; today: IsoDate }): Promise<OfficeBudgetList> {
  if (!OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '年度预算情况仅供编办工作人员查看');
  const [years, round] = await Promise.all([budgetYears(db), o.year ? budgetRound(db, o.year) : latestRound(db)]);
  if (o.year && !round) throw new CommandError(404, `${yearText(o.year)}编制使用预算填报尚未开启`);
  const counts = { units: 0, none: 0, draft: 0, submitted: 0, returned: 0, approved: 0 };
  const canOpen = BUDGET_REVIEW_ROLES.has(actor.role);
  if (!round) return { round: null, years, counts, rows: [], total: emptySums(), unkinded: 0, canOpen, canReview: canOpen };
  const year = Number(round.year);
  const [all, unkinded] = await Promise.all([yearRows(db, year, actor.scope), unkindedOnQuota(db, actor.scope)]);
  const total = emptySums();
  const rows: OfficeBudgetRow[] = [];
  for (const r of all) {
    const state: BudgetState = (r.state as BudgetState | null) ?? 'none';
    const stored: StoredLine[] = r.lines ? JSON.parse(r.lines) : [];
    const facts = await budgetFacts(db, Number(r.unit_id), year, o.today);
    const sums = emptySums();
    const kinds = facts.map((f) => {
      const line = stored.find((l) => l.kind === f.kind) ?? null;
      addToSums(sums, f, line);
      addToSums(total, f, line);
      return { ...f, line };
    });
    counts[state]++;
    counts.units++;
    rows.push({
      unitId: Number(r.unit_id), unitName: r.unit_name, state, stateText: BUDGET_STATE_TEXT[state], version: r.version != null ? Number(r.version) : null,
      submittedAt: r.submitted_at ?? null, submittedBy: r.submitted_by ? r.submitted_by_name ?? r.submitted_by : null,
      reviewedAt: r.reviewed_at ?? null, reviewedBy: r.reviewed_by ? r.reviewed_by_name ?? r.reviewed_by : null, reason: r.reason ?? null, remindedOn: r.reminded_on ?? null,
      kinds, sums, unkinded: unkinded.get(Number(r.unit_id)) ?? 0,
    });
  }
  return { round: roundView(round, o.today), years, counts, rows, total, unkinded: rows.reduce((n, r) => n + r.unkinded, 0), canOpen, canReview: canOpen };
}

export const BUDGET_HEADERS = [
  '单位编号', '单位名称', '编制类型', '状态', '核定编制', '实有在编', '空编', '超编',
  ...ADD_WAYS.map((w) => `计划补充：${w.label}`), '计划补充合计', '预计减少：退休', '退休预测', '预计减少：调出等其他', '预计减少合计', '年末预计实有', '说明',
] as const;

function sumCells(s: BudgetSums): Array<number> {
  return [s.approved, s.actual, s.vacant, s.over, ...ADD_WAYS.map((w) => s.add[w.key]), s.addTotal, s.retire];
}

/** The 预算报表: a 说明 sheet and the table, per unit and 编制类型, each unit's 小计 and the 合计. */
export function budgetWorkbook(list: OfficeBudgetList, o: { by: string; at: string }): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  const year = list.round?.year;
  const about = wb.addWorksheet('说明');
  const lines = [
    [`${year ? yearText(year) : ''}编制使用预算报表`],
    [],
    ['内容', '各单位下一年度编制使用计划：按编制类型填报的计划补充（入编）人数及方式、预计减少人数（退休、调出等），由单位专管员在小程序中填报，编办审核。'],
    ['核定编制、实有在编、空编、超编', '导出时的数据，逐单位逐编制类型计算：空编 = 核定 − 实有（不足 0 记 0），超编 = 实有 − 核定（不足 0 记 0）；小计、合计为各行之和，因此每一行都有 空编 − 超编 = 核定 − 实有。'],
    ['实有在编的口径', `在编状态为“在编”、且填了编制类型的人员，按其编制类型计（与核定编制、空编、超编和用编审批同一口径）。编制类型未填（或不是字典中的编制类型）的在编人员不属于任何编制类型，不计入本表实有，也无法按编制类型计划；本次导出范围内有 ${list.unkinded} 人${list.unkinded ? `（${list.rows.filter((r) => r.unkinded).map((r) => `${r.unitName} ${r.unkinded} 人`).join('、')}）` : ''}。《编制使用决算报表》把他们单列为“未填编制类型”并计入实有，所以同一天决算报表的实有比本表多 ${list.unkinded} 人。请单位在人员信息中补填编制类型。`],
    ['退休预测', '按人员出生日期和退休政策测算、在预算年度内达到退休年龄的在编人数；单位可修改“预计减少：退休”并说明原因。'],
    ['计划补充上限', '计划补充合计不超过 核定 − 实有 + 预计减少合计，即编制使用不超出核定数。'],
    ['年末预计实有', '实有在编 + 计划补充合计 − 预计减少合计。'],
    ['状态', '未填、草稿、已提交、已退回、已通过；未填的单位只列核定、实有和空编。'],
    ['小计、合计', '每个单位一行小计（各编制类型之和），最后一行为所列全部单位的合计。'],
    ['填报截止日期', list.round?.dueOn ?? ''],
    ['单位数', String(list.counts.units)],
    ['各状态单位数', (['none', 'draft', 'submitted', 'returned', 'approved'] as BudgetState[]).map((s) => `${BUDGET_STATE_TEXT[s]} ${list.counts[s]}`).join('，')],
    ['导出人', o.by],
    ['导出时间', o.at],
  ];
  for (const l of lines) about.addRow(l);
  about.getRow(1).font = { bold: true, size: 14 };
  about.getColumn(1).width = 24;
  about.getColumn(2).width = 90;
  const ws = wb.addWorksheet('预算报表');
  ws.addRow([...BUDGET_HEADERS]);
  ws.getRow(1).font = { bold: true };
  for (const r of list.rows) {
    for (const k of r.kinds) {
      const l = k.line;
      ws.addRow([r.unitId, r.unitName, k.kind, r.stateText, k.approved, k.actual, k.vacant, k.over,
        ...(l ? [...ADD_WAYS.map((w) => l[w.key]), ADD_WAYS.reduce((n, w) => n + l[w.key], 0), l.retire, k.retireForecast, l.otherOut, l.retire + l.otherOut,
          k.actual + ADD_WAYS.reduce((n, w) => n + l[w.key], 0) - l.retire - l.otherOut, [l.note, l.retireReason ? `退休人数调整原因：${l.retireReason}` : null].filter(Boolean).join('；')]
          : [null, null, null, null, null, null, k.retireForecast, null, null, k.actual, '']),
      ]);
    }
    const sub = ws.addRow([r.unitId, r.unitName, '小计', r.stateText, ...sumCells(r.sums), r.kinds.reduce((n, k) => n + k.retireForecast, 0), r.sums.otherOut, r.sums.reduceTotal, r.sums.yearEnd,
      [r.reason ? `编办意见：${r.reason}` : null, r.unkinded ? `另有 ${r.unkinded} 名在编人员未填编制类型，未计入实有` : null].filter(Boolean).join('；')]);
    sub.font = { bold: true };
  }
  const t = list.total;
  const tot = ws.addRow(['', '合计', '', '', ...sumCells(t), list.rows.reduce((n, r) => n + r.kinds.reduce((m, k) => m + k.retireForecast, 0), 0), t.otherOut, t.reduceTotal, t.yearEnd, list.unkinded ? `另有 ${list.unkinded} 名在编人员未填编制类型，未计入实有（见说明）` : '']);
  tot.font = { bold: true };
  ws.columns.forEach((c, i) => { c.width = i === 1 ? 30 : i === BUDGET_HEADERS.length - 1 ? 40 : 12; });
  ws.views = [{ state: 'frozen', ySplit: 1, xSplit: 3 }];
  return wb;
}

/** 年度预算待填报 on the 待整改 of whoever fills it (its 单位专管员, else its 单位领导): their own unit, when the latest round waits for it (未填, 草稿, 已退回). */
export async function pendingBudgets(db: Knex, actor: { role: string; unitId: number | null }, today: IsoDate): Promise<Array<{ unitId: number; unitName: string; year: number; dueOn: IsoDate; overdue: boolean; state: BudgetState; stateText: string }>> {
  if (!BUDGET_FILL_ROLES.has(actor.role) || actor.unitId == null) return [];
  const round = await latestRound(db);
  if (!round) return [];
  const [row, unit] = await Promise.all([budgetRow(db, actor.unitId, Number(round.year)), unitById(db, actor.unitId, ['id', 'name'])]);
  const state: BudgetState = (row?.state as BudgetState | undefined) ?? 'none';
  if (!unit || state === 'submitted' || state === 'approved') return [];
  if (!(await budgetFiller(db, actor.role, actor.unitId)).may) return [];
  return [{ unitId: Number(unit.id), unitName: unit.name, year: Number(round.year), dueOn: round.due_on, overdue: today > round.due_on, state, stateText: BUDGET_STATE_TEXT[state] }];
}
