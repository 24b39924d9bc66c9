// A unit's 单位专管员 (its 单位领导 when it has none) saves its 年度编制使用预算 as a draft (nothing entered is lost: only the form of
// each figure is checked) or submits it (the arithmetic too: every field named in the error); the
// office (编办业务人员, 编办管理员) approves it, returns it with a reason, or reopens an approved one
// with a reason (the unit is told in its 工作群). Transitions from core/budget.ts; each write is conditional on the version the
// caller read, with its history row and an audit row, in one transaction.

import type { Knex } from 'knex';
import { budgetReviewed, budgetUrl } from '../cards/budget.ts';
import {
  BUDGET_ACTION_TEXT, BUDGET_FILL_ROLES, BUDGET_REVIEW_ROLES, BUDGET_STATE_TEXT, budgetTransition, parseBudgetLines, parseReason,
  yearText, type BudgetAction, type BudgetLine, type BudgetState,
} from '../core/budget.ts';
import type { IsoDate } from '../core/model.ts';
import type { Target } from '../core/outbound.ts';
import { ACCESS_MSG, inScope, type UnitScope } from '../core/roles.ts';
import { budgetRound, budgetRow, writeBudget, type StoredLine } from '../db/budgets.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue } from '../db/outbox.ts';
import { audit } from '../db/store.ts';
import { unitById } from '../db/units.ts';
import { specialistsOf, unitGroupIds } from '../db/user-locks.ts';
import { budgetFacts, budgetFiller } from './budget-facts.ts';
import { CommandError } from './errors.ts';

type Actor = { id: string; role: string; scope: UnitScope };

export interface BudgetWriteResult {
  unitId: number;
  year: number;
  state: BudgetState;
  stateText: string;
  version: number;
  /** What the user is told. */
  message: string;
}

const conflict = () => new CommandError(409, '该预算刚被他人修改或审核过，请刷新后再操作（您填写的内容仍在页面上）', undefined, { stale: true });

async function roundOf(db: Knex, year: unknown): Promise<{ year: number; dueOn: string }> {
  const y = typeof year === 'string' && /^\d{4}$/.test(year) ? Number(year) : year;
  if (typeof y !== 'number' || !Number.isInteger(y)) throw new CommandError(400, '预算年度须为四位数年份', { year: '须为四位数年份' });
  const r = await budgetRound(db, y);
  if (!r) throw new CommandError(409, `${yearText(y)}编制使用预算填报尚未开启`);
  return { year: y, dueOn: r.due_on };
}

function versionOf(v: unknown): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** 保存草稿 (`submit` false) or 提交 (`submit` true). */
export async function saveBudget(db: Knex, i: { actor: Actor; unitId: number; year: unknown; lines: unknown; submit: boolean; version?: unknown; today: IsoDate }): Promise<BudgetWriteResult> {
  if (!BUDGET_FILL_ROLES.has(i.actor.role)) throw new CommandError(403, '年度编制使用预算由本单位的单位专管员填报（本单位没有专管员时由单位领导填报）；编办可在控制台“年度预算”中审核');
  if (!inScope(i.actor, i.unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const filler = await budgetFiller(db, i.actor.role, i.unitId);
  if (!filler.may) throw new CommandError(403, `年度编制使用预算由本单位的单位专管员（${filler.specialists.join('、')}）填报，单位领导可查看；需要修改请联系专管员`);
  const unit = await unitById(db, i.unitId, ['id', 'name']);
  if (!unit) throw new CommandError(404, '没有该单位');
  const { year } = await roundOf(db, i.year);
  const row = await budgetRow(db, i.unitId, year);
  const from: BudgetState = (row?.state as BudgetState | undefined) ?? 'none';
  const action: BudgetAction = i.submit ? 'submit' : 'save';
  const t = budgetTransition(from, action);
  if ('refused' in t) throw new CommandError(409, t.refused);
  const v = versionOf(i.version);
  if (i.version !== undefined && v === undefined) throw new CommandError(400, '版本号无效，请刷新后重试', { version: '取值无效' });
  if (v !== undefined && v !== (row ? Number(row.version) : null)) throw conflict();
  const facts = await budgetFacts(db, i.unitId, year, i.today);
  const parsed = parseBudgetLines(i.lines, facts, { draft: !i.submit });
  if ('errors' in parsed) {
    const first = Object.values(parsed.errors)[0];
    const more = Object.keys(parsed.errors).length - 1;
    throw new CommandError(400, more > 0 ? `${first}（另有 ${more} 处需修改）` : first, parsed.errors);
  }
  // Each line keeps the figures it was planned against (核定/实有/空编, the forecast) for the history.
  const lines: StoredLine[] = parsed.lines.map((l: BudgetLine) => {
    const f = facts.find((x) => x.kind === l.kind)!;
    return { ...l, retireForecast: f.retireForecast, approved: f.approved, actual: f.actual, vacant: f.vacant };
  });
  const at = nowMoment();
  const res = await db.transaction(async (trx) => {
    const w = await writeBudget(trx, { unitId: i.unitId, year, version: row ? Number(row.version) : null, state: t.to, action, lines, by: i.actor.id, at, reason: null });
    if (!w) return null;
    await audit(trx, i.actor.id, i.submit ? 'budget.submit' : 'budget.save', 'unit', i.unitId, { year, state: t.to, version: w.version });
    return w;
  });
  if (!res) throw conflict();
  const message = i.submit ? `${yearText(year)}编制使用预算已提交，等待编办审核` : `草稿已保存（${at.slice(11, 16)}），提交前可继续修改`;
  return { unitId: i.unitId, year, state: t.to, stateText: BUDGET_STATE_TEXT[t.to], version: res.version, message };
}

/** The office's review: 通过, 退回修改 (reason), 重新打开 (reason). */
export async function reviewBudget(db: Knex, i: { actor: Actor; unitId: number; year: unknown; action: unknown; reason?: unknown; version?: unknown; publicBaseUrl: string }): Promise<BudgetWriteResult> {
  if (!BUDGET_REVIEW_ROLES.has(i.actor.role)) throw new CommandError(403, '年度编制使用预算由编办业务人员或编办管理员审核');
  if (!inScope(i.actor, i.unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const action = i.action;
  if (action !== 'approve' && action !== 'return' && action !== 'reopen') throw new CommandError(400, '审核操作须为 通过（approve）、退回修改（return）或 重新打开（reopen）', { action: '取值无效' });
  const { year } = await roundOf(db, i.year);
  const row = await budgetRow(db, i.unitId, year);
  const from: BudgetState = (row?.state as BudgetState | undefined) ?? 'none';
  const t = budgetTransition(from, action);
  if ('refused' in t) throw new CommandError(409, t.refused);
  let reason: string | null = null;
  if (action !== 'approve') {
    const r = parseReason(i.reason, action);
    if ('error' in r) throw new CommandError(400, r.error, { reason: r.error });
    reason = r.reason;
  }
  const v = versionOf(i.version);
  if (i.version !== undefined && (v === undefined || v !== Number(row!.version))) throw conflict();
  const res = await db.transaction(async (trx) => {
    const w = await writeBudget(trx, { unitId: i.unitId, year, version: Number(row!.version), state: t.to, action, lines: null, by: i.actor.id, at: nowMoment(), reason });
    if (!w) return null;
    await audit(trx, i.actor.id, `budget.${action}`, 'unit', i.unitId, { year, state: t.to, reason });
    // The unit is told: its 工作群 @ its 单位专管员, or 1:1 to them.
    const [groups, specialists, unit] = await Promise.all([unitGroupIds(trx, [i.unitId]), specialistsOf(trx, [i.unitId], { locked: false }), unitById(trx, i.unitId, ['name'])]);
    const mine = specialists.map((s) => String(s.id));
    const group = groups.get(i.unitId) ?? null;
    const target: Target | null = group ? { kind: 'group', groupId: group } : mine.length ? { kind: 'users', userIds: mine } : null;
    if (target) {
      const message = budgetReviewed({ unitName: unit?.name ?? String(i.unitId), year, action, reason, link: budgetUrl(i.publicBaseUrl, i.unitId, year), atUserIds: group ? mine : [] });
      await enqueue(trx, `budget-review:${year}:${i.unitId}:${w.version}`, { op: 'send', target, message });
    }
    return w;
  });
  if (!res) throw conflict();
  return { unitId: i.unitId, year, state: t.to, stateText: BUDGET_STATE_TEXT[t.to], version: res.version, message: `已${BUDGET_ACTION_TEXT[action]}${reason ? `：${reason}` : ''}` };
}
