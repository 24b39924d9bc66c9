// Statutory retirement age under the 2025 gradual reform, domain.md §1.3.
// Only year and month matter; the retirement month is the month the new age is reached.

import { isoMonth, monthFromIndex } from './dates.ts';

export type RetirementCategory = 'male' | 'female55' | 'female50' | 'female60';

interface Cohort { base: number; startY: number; step: number; cap: number }
const COHORTS: Record<Exclude<RetirementCategory, 'female60'>, Cohort> = {
  male: { base: 60, startY: 1965, step: 4, cap: 36 },
  female55: { base: 55, startY: 1970, step: 4, cap: 36 },
  female50: { base: 50, startY: 1975, step: 2, cap: 60 },
};

export interface Retirement {
  category: RetirementCategory;
  age: { years: number; months: number };
  /** 'YYYY-MM' */
  month: string;
  delayMonths: number;
}

/**
 * The category for a person. `identity` is 干部 or 工人 (the women's original age 55 or 50);
 * `female60` is the 组通字〔2015〕14号 group (women 处级 leaders and senior titles), fixed at 60.
 */
export function retirementCategory(gender: string | null, identity: string | null, female60 = false): RetirementCategory | null {
  if (gender === '男') return 'male';
  if (gender !== '女') return null;
  if (female60) return 'female60';
  if (identity === '干部') return 'female55';
  if (identity === '工人') return 'female50';
  return null;
}

/** Retirement age and month for a birth year-month. */
export function retirement(birthYear: number, birthMonth: number, category: RetirementCategory): Retirement {
  let ageMonths: number;
  let delay = 0;
  if (category === 'female60') {
    ageMonths = 60 * 12;
  } else {
    const c = COHORTS[category];
    const n = (birthYear - c.startY) * 12 + (birthMonth - 1);
    delay = n < 0 ? 0 : Math.min(Math.floor(n / c.step) + 1, c.cap);
    ageMonths = c.base * 12 + delay;
  }
  const t = birthYear * 12 + (birthMonth - 1) + ageMonths;
  return {
    category,
    age: { years: Math.floor(ageMonths / 12), months: ageMonths % 12 },
    month: monthFromIndex(t),
    delayMonths: delay,
  };
}

/** Chinese display: 63岁, 62岁8个月. */
export function formatRetirementAge(age: { years: number; months: number }): string {
  return age.months === 0 ? `${age.years}岁` : `${age.years}岁${age.months}个月`;
}

/**
 * The default 干部/工人 identity for a person without one (domain.md §1.2, derived): 工勤技能岗,
 * a 机关工勤 quota → 工人; civil servants, 参公, 管理岗 and 专业技术岗 → 干部.
 */
export function defaultIdentity(postCategory: string | null, quotaKind: string | null): '干部' | '工人' | null {
  if (postCategory === '工勤技能岗位' || quotaKind === '机关工勤编制') return '工人';
  if (postCategory === '管理岗位' || postCategory === '专业技术岗位') return '干部';
  if (quotaKind === '行政编制' || quotaKind === '政法专项编制' || quotaKind === '参公事业编制') return '干部';
  return null;
}

/** The 组通字〔2015〕14号 group: a woman at 县处级 leader level or with a senior title. */
export function isFemale60(gender: string | null, leaderLevel: string | null, rank: string | null, title: string | null, unitLevel: string | null): boolean {
  if (gender !== '女') return false;
  if (title === '正高级' || title === '副高级') return true;
  const unitIsChu = unitLevel === '正处级' || unitLevel === '副处级';
  if (unitIsChu && (leaderLevel === '单位正职' || leaderLevel === '单位副职')) return true;
  return rank === '一级调研员' || rank === '二级调研员' || rank === '一级巡视员' || rank === '二级巡视员';
}

export { isoMonth };
