// 年度编制使用预算 (issue 18 deliverable 6, haining-digital-office.txt part 4 两报表之预算报表): each
// unit's 单位专管员 enters the coming year's planned use of its quotas per 编制类型 (计划补充 by way,
// 预计减少: 退休 prefilled from the retirement forecast, 调出等其他), saves drafts and submits; the
// office (编办业务人员, 编办管理员) approves or returns it with a reason, and may reopen an approved
// one with a reason. Pure: the states and transitions, the parsing and the arithmetic of a line
// (domain.md §7: planned additions may not take 实有 beyond 核定 once the reductions are gone).

import { ADMIN_ROLES } from './roles.ts';

export type BudgetState = 'none' | 'draft' | 'submitted' | 'returned' | 'approved';
export const BUDGET_STATES: readonly BudgetState[] = ['none', 'draft', 'submitted', 'returned', 'approved'];
export const BUDGET_STATE_TEXT: Record<BudgetState, string> = { none: '未填', draft: '草稿', submitted: '已提交', returned: '已退回', approved: '已通过' };

export type BudgetAction = 'save' | 'submit' | 'approve' | 'return' | 'reopen';
export const BUDGET_ACTION_TEXT: Record<BudgetAction, string> = { save: '保存草稿', submit: '提交', approve: '审核通过', return: '退回修改', reopen: '重新打开' };

/**
 * Who fills a unit's budget: its 单位专管员 (in scope), and its 单位领导 when the unit has no
 * 单位专管员 (none, or all locked), so that no unit is left with a form nobody may fill; while it has
 * one, the leader reads (as with the people's records) and is told whom to ask. Who reviews: the
 * office's operators.
 */
export const BUDGET_FILL_ROLES: ReadonlySet<string> = new Set(['单位专管员', '单位领导']);
export const mayFillBudget = (role: string, activeSpecialists: number): boolean =>
  role === '单位专管员' || (role === '单位领导' && activeSpecialists === 0);
export const BUDGET_REVIEW_ROLES: ReadonlySet<string> = ADMIN_ROLES;

/** The state after `action` from `from`, or the Chinese reason it is refused. */
export function budgetTransition(from: BudgetState, action: BudgetAction): { to: BudgetState } | { refused: string } {
  switch (action) {
    case 'save':
    case 'submit':
      if (from === 'submitted') return { refused: '本单位的预算已提交，正在等待编办审核，不能修改；如需修改请联系编办退回' };
      if (from === 'approved') return { refused: '本单位的预算已审核通过并锁定，不能修改；如需调整请联系编办重新打开' };
      return { to: action === 'save' ? 'draft' : 'submitted' };
    case 'approve':
    case 'return':
      if (from !== 'submitted') return { refused: `只能审核已提交的预算，该单位的预算当前为“${BUDGET_STATE_TEXT[from]}”` };
      return { to: action === 'approve' ? 'approved' : 'returned' };
    case 'reopen':
      if (from !== 'approved') return { refused: `只能重新打开已通过的预算，该单位的预算当前为“${BUDGET_STATE_TEXT[from]}”` };
      return { to: 'returned' };
  }
}

/** Actions that need a reason. */
export const REASON_ACTIONS: ReadonlySet<BudgetAction> = new Set(['return', 'reopen']);
export const REASON_MAX = 500;
export const NOTE_MAX = 200;
export const COUNT_MAX = 9999;

/** The planned ways of 补充（入编）. */
export const ADD_WAYS = [
  { key: 'addRecruit', label: '公开招考/招聘' },
  { key: 'addTransfer', label: '调入' },
  { key: 'addMilitary', label: '军转安置' },
  { key: 'addOther', label: '其他方式' },
] as const;
export type AddWay = (typeof ADD_WAYS)[number]['key'];

export interface BudgetLine {
  kind: string;
  addRecruit: number;
  addTransfer: number;
  addMilitary: number;
  addOther: number;
  /** 预计退休 (the forecast unless changed, then with retireReason). */
  retire: number;
  /** 调出等其他减少. */
  otherOut: number;
  retireReason: string | null;
  note: string | null;
}

/** What a line is judged against: the unit's figures now and the year's forecast retirements, per kind. */
export interface KindFacts {
  kind: string;
  approved: number;
  actual: number;
  vacant: number;
  over: number;
  /** 在编 people of the kind who reach retirement in the budget year (core/retirement.ts via the stats). */
  retireForecast: number;
}

export const FIELD_TEXT: Record<keyof Omit<BudgetLine, 'kind'>, string> = {
  addRecruit: '计划补充（公开招考/招聘）', addTransfer: '计划补充（调入）', addMilitary: '计划补充（军转安置）', addOther: '计划补充（其他方式）',
  retire: '预计减少（退休）', otherOut: '预计减少（调出等其他）', retireReason: '退休人数调整原因', note: '说明',
};

export const addTotal = (l: Pick<BudgetLine, AddWay>): number => l.addRecruit + l.addTransfer + l.addMilitary + l.addOther;
export const reduceTotal = (l: Pick<BudgetLine, 'retire' | 'otherOut'>): number => l.retire + l.otherOut;
/** 可补充上限 = 核定 − 实有 + 预计减少 (= 空编 + 预计减少 when not over-staffed). */
export const addLimit = (f: Pick<KindFacts, 'approved' | 'actual'>, l: Pick<BudgetLine, 'retire' | 'otherOut'>): number => Math.max(0, f.approved - f.actual + reduceTotal(l));
/** 年末预计实有 = 实有 + 补充 − 减少. */
export const yearEndActual = (f: Pick<KindFacts, 'actual'>, l: BudgetLine): number => f.actual + addTotal(l) - reduceTotal(l);

/** A fresh line of a kind: nothing planned, the forecast's retirements. */
export function emptyLine(f: KindFacts): BudgetLine {
  return { kind: f.kind, addRecruit: 0, addTransfer: 0, addMilitary: 0, addOther: 0, retire: f.retireForecast, otherOut: 0, retireReason: null, note: null };
}

const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e]/g, ' ').trim();

function count(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= COUNT_MAX ? v : null;
  // Full-width digits (“１２”, a Chinese IME's) are the digits they look like (NFKC).
  if (typeof v === 'string' && /^\s*\d{1,4}\s*$/.test(v.normalize('NFKC'))) return Number(v.normalize('NFKC'));
  return null;
}

function text(v: unknown, max: number): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return undefined;
  const t = clean(v);
  return t.length > max ? undefined : t || null;
}

export type BudgetErrors = Record<string, string>;

/**
 * The lines of a budget from input, judged against the unit's kinds: every kind the unit holds
 * once, counts whole numbers, a changed 退休 figure with its reason, reductions within 实有, and
 * additions within 核定 − 实有 + 减少. Errors keyed `编制类型.字段` with a sentence naming both.
 * A draft (`draft`) skips the arithmetic, so that nothing entered is lost; a submission does not.
 */
export function parseBudgetLines(input: unknown, facts: KindFacts[], o: { draft: boolean }): { lines: BudgetLine[] } | { errors: BudgetErrors } {
  const errors: BudgetErrors = {};
  if (!Array.isArray(input)) return { errors: { lines: '请求格式有误：应为各编制类型的预算' } };
  const byKind = new Map(facts.map((f) => [f.kind, f]));
  const seen = new Map<string, BudgetLine>();
  for (const raw of input) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) { errors.lines = '请求格式有误：每个编制类型一行'; continue; }
    const r = raw as Record<string, unknown>;
    const kind = typeof r.kind === 'string' ? r.kind.trim() : '';
    if (!byKind.has(kind)) { errors[`${kind || '?'}.kind`] = `编制类型“${String(r.kind ?? '').slice(0, 20)}”不是本单位核定或实有的编制类型`; continue; }
    if (seen.has(kind)) { errors[`${kind}.kind`] = `${kind}填报了两次`; continue; }
    const line: BudgetLine = { kind, addRecruit: 0, addTransfer: 0, addMilitary: 0, addOther: 0, retire: 0, otherOut: 0, retireReason: null, note: null };
    for (const k of ['addRecruit', 'addTransfer', 'addMilitary', 'addOther', 'retire', 'otherOut'] as const) {
      const n = count(r[k]);
      if (n === null) errors[`${kind}.${k}`] = `${kind}的“${FIELD_TEXT[k]}”须为 0 到 ${COUNT_MAX} 之间的整数`;
      else line[k] = n;
    }
    const reason = text(r.retireReason, NOTE_MAX);
    if (reason === undefined) errors[`${kind}.retireReason`] = `${kind}的“${FIELD_TEXT.retireReason}”不能超过 ${NOTE_MAX} 个字`;
    else line.retireReason = reason;
    const note = text(r.note, NOTE_MAX);
    if (note === undefined) errors[`${kind}.note`] = `${kind}的“说明”不能超过 ${NOTE_MAX} 个字`;
    else line.note = note;
    seen.set(kind, line);
  }
  if (Object.keys(errors).length) return { errors };
  const lines = facts.map((f) => seen.get(f.kind) ?? emptyLine(f));
  if (!o.draft) {
    for (const l of lines) {
      const f = byKind.get(l.kind)!;
      if (l.retire !== f.retireForecast && !l.retireReason) {
        errors[`${l.kind}.retireReason`] = `${l.kind}的“预计减少（退休）”填 ${l.retire} 人，与退休预测的 ${f.retireForecast} 人不同，请在“退休人数调整原因”中说明`;
      }
      if (reduceTotal(l) > f.actual) {
        errors[`${l.kind}.otherOut`] = `${l.kind}的预计减少合计 ${reduceTotal(l)} 人（退休 ${l.retire}，调出等其他 ${l.otherOut}），超过实有在编 ${f.actual} 人`;
      }
      const limit = addLimit(f, l);
      if (addTotal(l) > limit) {
        const over = f.actual > f.approved ? `目前超编 ${f.actual - f.approved} 人` : `空编 ${f.vacant} 人`;
        errors[`${l.kind}.addRecruit`] = `${l.kind}的“计划补充（入编）”合计 ${addTotal(l)} 人，超过可补充数 ${limit} 人（核定 ${f.approved}，实有 ${f.actual}，${over}，预计减少 ${reduceTotal(l)}），编制使用不能超出核定数`;
      }
    }
    if (Object.keys(errors).length) return { errors };
  }
  return { lines };
}

/** A reason of the office (退回修改, 重新打开): required, at most REASON_MAX characters. */
export function parseReason(v: unknown, action: BudgetAction): { reason: string } | { error: string } {
  const t = typeof v === 'string' ? clean(v) : '';
  if (!t) return { error: `${BUDGET_ACTION_TEXT[action]}须填写原因` };
  if (t.length > REASON_MAX) return { error: `原因不能超过 ${REASON_MAX} 个字` };
  return { reason: t };
}

/** The budget year an office may open on `today`: this year or the next two. */
export function budgetYearRefusal(year: unknown, today: string): string | null {
  const y = Number(today.slice(0, 4));
  if (typeof year !== 'number' || !Number.isInteger(year)) return '预算年度须为四位数年份，例如 2027';
  if (year < y || year > y + 2) return `预算年度须在 ${y} 到 ${y + 2} 年之间`;
  return null;
}

/** Sums lines (one unit's or many units'). */
export interface BudgetSums { approved: number; actual: number; vacant: number; over: number; add: Record<AddWay, number>; addTotal: number; retire: number; otherOut: number; reduceTotal: number; yearEnd: number }

export function emptySums(): BudgetSums {
  return { approved: 0, actual: 0, vacant: 0, over: 0, add: { addRecruit: 0, addTransfer: 0, addMilitary: 0, addOther: 0 }, addTotal: 0, retire: 0, otherOut: 0, reduceTotal: 0, yearEnd: 0 };
}

/** 空编 and 超编 are summed per unit and kind (gross, domain.md §7), so that 空编 − 超编 = 核定 − 实有 in every sum. */
export function addToSums(s: BudgetSums, f: Pick<KindFacts, 'approved' | 'actual' | 'vacant' | 'over'>, l: BudgetLine | null): void {
  s.approved += f.approved;
  s.actual += f.actual;
  s.vacant += f.vacant;
  s.over += f.over;
  if (l) {
    for (const w of ADD_WAYS) s.add[w.key] += l[w.key];
    s.addTotal += addTotal(l);
    s.retire += l.retire;
    s.otherOut += l.otherOut;
    s.reduceTotal += reduceTotal(l);
  }
  s.yearEnd += f.actual + (l ? addTotal(l) - reduceTotal(l) : 0);
}

export const yearText = (y: number) => `${y}年度`;

// ---- what the pages read (commands/budget-views.ts builds them; the mini-app's AnnualBudget.tsx reads them) ----

export interface BudgetRoundView { year: number; dueOn: string; openedAt: string; overdue: boolean }
export interface BudgetEventView { version: number; action: BudgetAction; actionText: string; stateText: string; by: string; at: string; reason: string | null }

export interface UnitBudgetView {
  unit: { id: number; name: string };
  round: BudgetRoundView | null;
  years: number[];
  state: BudgetState;
  stateText: string;
  version: number | null;
  /** Per kind: the figures now and the line (the stored one, or a fresh one with the forecast). */
  kinds: Array<KindFacts & { line: BudgetLine; limit: number }>;
  savedAt: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  /** The office's last reason (退回修改, 重新打开). */
  reason: string | null;
  history: BudgetEventView[];
  canEdit: boolean;
  canReview: boolean;
  /** Why the user cannot edit, when the form is shown read-only. */
  readOnly: string | null;
}
