// The chat platform's OpenAPI calls counted per month, platform and kind (table api_calls), and
// the office's monthly budgets (setting 'messageBudget'): what the 消息额度 is measured with.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { API_CALL_KINDS, BUDGET_PLATFORMS, budgetStatus, DEFAULT_BUDGETS, tightest, type ApiCallKind, type BudgetPlatform, type BudgetStatus, type MessageBudgets } from '../core/message-budget.ts';
import type { IsoDate } from '../core/model.ts';
import { getSetting, putSetting } from './settings.ts';

type Row = Record<string, any>;

export const BUDGET_SETTING = 'messageBudget';

/**
 * Adds calls to a month's counts, atomically (one upsert per kind: concurrent dispatchers add up,
 * on SQLite ON CONFLICT … DO UPDATE, on MariaDB ON DUPLICATE KEY UPDATE).
 */
export async function countApiCalls(db: Knex, month: string, platform: string, calls: Array<{ kind: ApiCallKind; n: number }>): Promise<void> {
  for (const c of calls) {
    if (!(c.n > 0)) continue;
    await db('api_calls')
      .insert({ month, platform, kind: c.kind, n: c.n })
      .onConflict(['month', 'platform', 'kind'])
      .merge({ n: db.raw('?? + ?', ['api_calls.n', c.n]) });
  }
}

export interface MonthCalls {
  platform: string;
  total: number;
  byKind: Record<ApiCallKind, number>;
}

/** A month's counts by platform (platforms with calls only). */
export async function monthApiCalls(db: Knex, month: string): Promise<MonthCalls[]> {
  const rows: Row[] = await db('api_calls').where({ month }).select('platform', 'kind', 'n');
  const out = new Map<string, MonthCalls>();
  for (const r of rows) {
    const p = out.get(r.platform) ?? { platform: r.platform, total: 0, byKind: Object.fromEntries(API_CALL_KINDS.map((k) => [k, 0])) as Record<ApiCallKind, number> };
    const n = Number(r.n);
    p.total += n;
    if ((API_CALL_KINDS as readonly string[]).includes(r.kind)) p.byKind[r.kind as ApiCallKind] += n;
    out.set(r.platform, p);
  }
  return [...out.values()];
}

/** The platform this deployment sends through, as the counts tell: the one with calls in the latest month counted (most calls). */
export async function countedPlatform(db: Knex): Promise<BudgetPlatform | null> {
  const r: Row | undefined = await db('api_calls').select('month', 'platform').sum({ total: 'n' }).groupBy('month', 'platform').orderBy([{ column: 'month', order: 'desc' }, { column: 'total', order: 'desc' }]).first();
  return r && (BUDGET_PLATFORMS as readonly string[]).includes(r.platform) ? (r.platform as BudgetPlatform) : null;
}

/** The office's monthly budgets, defaults filled in. */
export async function loadMessageBudgets(db: Knex): Promise<MessageBudgets> {
  const stored = (await getSetting<Partial<MessageBudgets>>(db, BUDGET_SETTING)) ?? {};
  const out = { ...DEFAULT_BUDGETS };
  for (const p of BUDGET_PLATFORMS) if (p in stored) out[p] = stored[p] ?? null;
  return out;
}

export async function saveMessageBudgets(db: Knex, budgets: MessageBudgets): Promise<void> {
  await putSetting(db, BUDGET_SETTING, budgets);
}

export interface PlatformBudget extends BudgetStatus {
  platform: BudgetPlatform;
  byKind: Record<ApiCallKind, number>;
}

/** Each platform's status for the month of `date` (every platform, with or without calls). */
export async function platformBudgets(db: Knex, date: IsoDate, calendar: WorkdayCalendar): Promise<PlatformBudget[]> {
  const budgets = await loadMessageBudgets(db);
  const calls = await monthApiCalls(db, date.slice(0, 7));
  return BUDGET_PLATFORMS.map((platform) => {
    const c = calls.find((x) => x.platform === platform);
    const byKind = c?.byKind ?? (Object.fromEntries(API_CALL_KINDS.map((k) => [k, 0])) as Record<ApiCallKind, number>);
    return { platform, byKind, ...budgetStatus({ budget: budgets[platform], used: c?.total ?? 0, date, calendar }) };
  });
}

/**
 * The budget that today's messages are planned against: that of the platform the calls are
 * counted for (countedPlatform); null before any call was counted (nothing to measure yet).
 */
export async function activeBudget(db: Knex, date: IsoDate, calendar: WorkdayCalendar): Promise<PlatformBudget | null> {
  const platform = await countedPlatform(db);
  if (!platform) return null;
  return tightest((await platformBudgets(db, date, calendar)).filter((b) => b.platform === platform));
}
