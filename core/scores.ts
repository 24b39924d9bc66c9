// The monthly score (Keqiao, part 四: 倒扣分, 每月系统自动赋分排名): every unit starts the month at 100
// and loses points in four families — 完整度 (completeness: missing values), 准确度 (accuracy: wrong or
// inconsistent values), 及时度 (timeliness: deadline rules, and every working day a finding was red
// in the month) and 自查 (self-checks short of the office's number). Each family is capped, the score
// never goes below 0. The formula, its default weights and caps and the rule → family map live
// here and nowhere else; an office overrides weights and caps (settings, validated below).
//
// Which findings count for month M: those open at any time during M (opened on or before its last
// day, and not resolved before its first), each once, whatever its light. 提示 (S3) findings never
// count (core/lights.ts isHint). U-PR-01 (月度自查不足) is not counted as a finding: the 自查 family
// counts the self-checks themselves.

import { z } from 'zod';
import type { WorkdayCalendar } from './calendar.ts';
import { addDays, daysInMonth } from './dates.ts';
import { isHint, redFrom, YELLOW_WORKDAYS } from './lights.ts';
import type { IsoDate } from './model.ts';
import { ruleByCode } from './rules/index.ts';

export const SCORE_FAMILIES = ['completeness', 'accuracy', 'timeliness', 'selfCheck'] as const;
export type ScoreFamily = (typeof SCORE_FAMILIES)[number];
export type Deductions = Record<ScoreFamily, number>;

/** What users read for each family. */
export const FAMILY_TITLES: Record<ScoreFamily, string> = {
  completeness: '完整度',
  accuracy: '准确度',
  timeliness: '及时度',
  selfCheck: '自查',
};

/** The rules of missing values (完整度). */
export const COMPLETENESS_RULES: readonly string[] = [
  'P-ID-01', // 身份证号缺失
  'P-TM-04', // 入编时间缺失
  'P-ST-01', // 在编状态缺失
  'P-ST-03', // 使用编制类型缺失
  'U-LD-06', // 领导职数核定缺失
  'U-IN-01', // 统一社会信用代码缺失
  'U-IN-07', // 机构性质/规格/经费形式缺失或无效
  'U-IN-08', // 事业单位类别缺失
  'U-PR-03', // 专管员未明确
  'W-02', // 用工方式缺失或无效
  'W-03', // 岗位分类缺失或无效
];

/** The rules of things not done in time (及时度), besides the red working days of every finding. */
export const TIMELINESS_RULES: readonly string[] = [
  'P-TM-01', // 入编后信息未完善（人员信息未及时更新）
  'P-TM-02', // 中层职数审核后职务信息未完善（职务信息未及时变动）
  'P-TM-03', // 人员变动未及时登记
  'P-RT-01', // 退休人员未及时出编
  'P-RT-03', // 弹性延迟到期未出编
  'U-IN-10', // 台账未及时更新
  'U-PR-02', // 月报未按时核对
  'W-07', // 编外人员未及时登记
];

/** U-PR-01 is scored by the self-checks it counts, in the 自查 family, not as a finding. */
export const SELF_CHECK_RULE = 'U-PR-01';

const COMPLETENESS = new Set(COMPLETENESS_RULES);
const TIMELINESS = new Set(TIMELINESS_RULES);

/**
 * The family a rule's findings deduct from, or null when they never deduct (提示, and U-PR-01,
 * whose 自查 deduction is counted from the self-checks). Every other rule is 准确度.
 */
export function familyOf(rule: string): Exclude<ScoreFamily, 'selfCheck'> | null {
  if (rule === SELF_CHECK_RULE || isHint(rule)) return null;
  if (COMPLETENESS.has(rule)) return 'completeness';
  if (TIMELINESS.has(rule)) return 'timeliness';
  return 'accuracy';
}

const points = z.number().min(0).max(100);

export const scorePolicySchema = z.object({
  weights: z.object({
    /** Per finding of an S1 (严重) rule counted in the month. */
    S1: points,
    /** Per finding of an S2 (一般) rule counted in the month. */
    S2: points,
    /** Per working day of the month during which a finding was red (及时度). */
    redWorkday: points,
    /** Per self-check short of the office's number (自查). */
    missingSelfCheck: points,
  }).strict(),
  /** The most a family may take off. */
  caps: z.object({ completeness: points, accuracy: points, timeliness: points, selfCheck: points }).strict(),
  /** Publish the 红黑榜 at the month close without waiting for a click (off by default). */
  autoBroadcast: z.boolean(),
}).strict();

export type ScorePolicy = z.infer<typeof scorePolicySchema>;

export const DEFAULT_SCORE_POLICY: ScorePolicy = {
  weights: { S1: 2, S2: 1, redWorkday: 0.2, missingSelfCheck: 5 },
  caps: { completeness: 30, accuracy: 30, timeliness: 30, selfCheck: 10 },
  autoBroadcast: false,
};

/** An office's change: any subset of the policy. */
export const scorePolicyOverridesSchema = z.object({
  weights: scorePolicySchema.shape.weights.partial().optional(),
  caps: scorePolicySchema.shape.caps.partial().optional(),
  autoBroadcast: z.boolean().optional(),
}).strict();

export type ScorePolicyOverrides = z.infer<typeof scorePolicyOverridesSchema>;

const FIELD_NAMES: Record<string, string> = {
  S1: '严重问题每项扣分', S2: '一般问题每项扣分', redWorkday: '红灯每工作日扣分', missingSelfCheck: '每少一次自查扣分',
  completeness: '完整度扣分上限', accuracy: '准确度扣分上限', timeliness: '及时度扣分上限', selfCheck: '自查扣分上限',
  autoBroadcast: '自动发布红黑榜',
};

/** A policy change that cannot be accepted; the message is the Chinese sentence to show. */
export class ScorePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScorePolicyError';
  }
}

/** Validates an office's overrides (throws ScorePolicyError in Chinese, naming the field). */
export function validScorePolicyOverrides(value: unknown): ScorePolicyOverrides {
  const r = scorePolicyOverridesSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = String(issue.path[issue.path.length - 1] ?? '');
  const name = FIELD_NAMES[key];
  if (!name) throw new ScorePolicyError(`评分设置中有不认识的项目${key ? `“${key}”` : ''}`);
  if (key === 'autoBroadcast') throw new ScorePolicyError(`${name}应为是或否`);
  throw new ScorePolicyError(`${name}应为 0 到 100 之间的数`);
}

/** The defaults with the office's overrides on top. */
export function mergeScorePolicy(overrides: unknown): ScorePolicy {
  const o = validScorePolicyOverrides(overrides);
  return {
    weights: { ...DEFAULT_SCORE_POLICY.weights, ...o.weights },
    caps: { ...DEFAULT_SCORE_POLICY.caps, ...o.caps },
    autoBroadcast: o.autoBroadcast ?? DEFAULT_SCORE_POLICY.autoBroadcast,
  };
}

export interface MonthSpan {
  /** 'YYYY-MM' */
  month: string;
  first: IsoDate;
  last: IsoDate;
}

export function monthSpan(month: string): MonthSpan {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { month, first: `${month}-01`, last: `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}` };
}

/** A finding counts for the month when it was open at any time during it. */
export function openDuring(f: { openedOn: IsoDate; resolvedOn: IsoDate | null }, span: MonthSpan): boolean {
  return f.openedOn <= span.last && (f.resolvedOn === null || f.resolvedOn >= span.first);
}

/**
 * Working days of the month (up to `asOf`, for a month not yet over) during which a finding was
 * red: from its first red day (the 4th working day after it opened) to the day before it was
 * resolved (green on the day it is resolved). 0 for a 提示.
 */
export function redWorkdaysInMonth(f: { rule: string; openedOn: IsoDate; resolvedOn: IsoDate | null }, span: MonthSpan, cal: WorkdayCalendar, asOf: IsoDate = span.last, yellowWorkdays = YELLOW_WORKDAYS): number {
  if (isHint(f.rule)) return 0;
  const from = maxDay(redFrom(f.openedOn, cal, yellowWorkdays), span.first);
  let to = minDay(span.last, asOf);
  if (f.resolvedOn !== null) to = minDay(to, addDays(f.resolvedOn, -1));
  if (to < from) return 0;
  return cal.workdaysBetween(addDays(from, -1), to);
}

const maxDay = (a: IsoDate, b: IsoDate) => (a > b ? a : b);
const minDay = (a: IsoDate, b: IsoDate) => (a < b ? a : b);

/** What a unit's month is scored from. */
export interface UnitMonthFacts {
  /** The findings counted in the month (open at any time during it), grouped: `count` findings of `rule`, each red `redWorkdays` working days in the month. */
  findings: Array<{ rule: string; redWorkdays: number; count: number }>;
  /** Self-checks the unit ran in the month. */
  selfChecks: number;
  /** Self-checks the office asks for a month (U-PR-01's minPerMonth; 0 when the rule is off). */
  selfChecksRequired: number;
}

export interface UnitScore {
  score: number;
  deductions: Deductions;
}

/** Tenths, so 0.2 × 3 is 0.6 and not 0.6000000000000001. */
const tenth = (x: number) => Math.round(x * 10) / 10;

/**
 * The score of one unit for one month:
 *   completeness = Σ weight(severity) over its findings of 完整度 rules,
 *   accuracy     = Σ weight(severity) over its findings of the other rules,
 *   timeliness   = Σ weight(severity) over its findings of 及时度 rules + redWorkday × Σ red working days of all findings,
 *   selfCheck    = missingSelfCheck × max(0, required − done);
 * each family capped, score = max(0, 100 − Σ families), to one decimal.
 */
export function scoreUnit(facts: UnitMonthFacts, policy: ScorePolicy = DEFAULT_SCORE_POLICY): UnitScore {
  const raw: Deductions = { completeness: 0, accuracy: 0, timeliness: 0, selfCheck: 0 };
  for (const f of facts.findings) {
    const family = familyOf(f.rule);
    if (!family) continue;
    const severity = ruleByCode(f.rule)?.severity;
    const each = severity === 'S1' ? policy.weights.S1 : severity === 'S2' ? policy.weights.S2 : 0;
    raw[family] += each * f.count;
    raw.timeliness += policy.weights.redWorkday * f.redWorkdays * f.count;
  }
  raw.selfCheck = policy.weights.missingSelfCheck * Math.max(0, facts.selfChecksRequired - facts.selfChecks);
  const deductions = {} as Deductions;
  let total = 0;
  for (const family of SCORE_FAMILIES) {
    deductions[family] = tenth(Math.min(policy.caps[family], raw[family]));
    total += deductions[family];
  }
  return { score: tenth(Math.max(0, 100 - total)), deductions };
}

export interface Ranked<T> {
  rank: number;
  item: T;
}

/**
 * Best first (score descending, then unit id for the listing order), with standard competition
 * ranks: equal scores share a rank and the next rank skips ("1, 2, 2, 4").
 */
export function rank<T extends { unitId: number; score: number }>(scores: readonly T[]): Array<T & { rank: number }> {
  const sorted = [...scores].sort((a, b) => b.score - a.score || a.unitId - b.unitId);
  const out: Array<T & { rank: number }> = [];
  for (let i = 0; i < sorted.length; i++) {
    const r = i > 0 && sorted[i].score === sorted[i - 1].score ? out[i - 1].rank : i + 1;
    out.push({ ...sorted[i], rank: r });
  }
  return out;
}

/** How many units each side of the 红黑榜 names (Keqiao: 前10名及后10名). */
export const BOARD_SIZE = 10;

/**
 * The 红黑榜 of a ranked month: the first `size` (红榜, best first) and the last `size` (黑榜, worst
 * first). With fewer than 2 × size units the 黑榜 takes only the units not on the 红榜.
 */
export function board<T>(ranked: readonly T[], size = BOARD_SIZE): { top: T[]; bottom: T[] } {
  const top = ranked.slice(0, size);
  const rest = ranked.slice(top.length);
  const bottom = rest.slice(Math.max(0, rest.length - size)).reverse();
  return { top, bottom };
}
