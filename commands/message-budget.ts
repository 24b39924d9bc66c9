// The office's monthly message budgets (消息额度): read with this month's counted calls, and set
// by the 编办管理员 (per platform: a number of calls a month, or none for unlimited).

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { BUDGET_PLATFORMS, DEFAULT_BUDGETS, UNITS_PER_DIGEST, WARN_SHARE, type BudgetPlatform, type MessageBudgets } from '../core/message-budget.ts';
import type { IsoDate } from '../core/model.ts';
import { loadMessageBudgets, platformBudgets, saveMessageBudgets, type PlatformBudget } from '../db/api-calls.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export interface MessageBudgetView {
  date: IsoDate;
  month: string;
  /** The platform this deployment sends through (PLATFORM). */
  platform: BudgetPlatform;
  budgets: MessageBudgets;
  defaults: MessageBudgets;
  warnShare: number;
  unitsPerDigest: number;
  /** Every platform's month: calls by kind, budget, share, projection, state, today's share. */
  platforms: PlatformBudget[];
}

export async function messageBudgetView(db: Knex, date: IsoDate, calendar: WorkdayCalendar, platform: BudgetPlatform): Promise<MessageBudgetView> {
  return {
    date, month: date.slice(0, 7), platform,
    budgets: await loadMessageBudgets(db),
    defaults: DEFAULT_BUDGETS,
    warnShare: WARN_SHARE,
    unitsPerDigest: UNITS_PER_DIGEST,
    platforms: await platformBudgets(db, date, calendar),
  };
}

const NAMES: Record<BudgetPlatform, string> = { dingtalk: '钉钉', zhengding: '浙政钉', sandbox: '沙箱' };
/** Far above any paid edition; a larger figure is a typing error. */
const MAX_BUDGET = 100_000_000;

/**
 * Sets the monthly budgets given (platforms left out keep theirs): each a whole number of calls
 * from 0 to 100,000,000, or null for unlimited. 编办管理员 only; audited.
 */
export async function setMessageBudgets(db: Knex, user: { id: string; role: string }, input: unknown): Promise<MessageBudgets> {
  if (user.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以修改消息额度');
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new CommandError(400, '请求格式有误：应为各平台的月度额度');
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !(BUDGET_PLATFORMS as readonly string[]).includes(k));
  if (unknown.length) throw new CommandError(400, `未知的平台：${unknown.slice(0, 3).join('、')}（应为 dingtalk、zhengding 或 sandbox）`);
  const fields: Record<string, string> = {};
  const next = await loadMessageBudgets(db);
  for (const p of BUDGET_PLATFORMS) {
    if (!(p in body)) continue;
    const v = body[p];
    if (v === null || v === '') next[p] = null;
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_BUDGET) next[p] = v;
    else fields[p] = `月度额度（${NAMES[p]}）须为 0 到 ${MAX_BUDGET.toLocaleString('en-US')} 之间的整数，留空表示不限`;
  }
  if (Object.keys(fields).length) throw new CommandError(400, Object.values(fields)[0], fields);
  await db.transaction(async (trx) => {
    await saveMessageBudgets(trx, next);
    await audit(trx, user.id, 'message-budget', null, null, next);
  });
  return next;
}
