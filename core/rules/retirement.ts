// domain.md §5.2 Age and retirement (person), on the month arithmetic of §1.3 (core/retirement.ts).

import { defaultIdentity, formatRetirementAge, isFemale60, retirement, retirementCategory, type Retirement, type RetirementCategory } from '../retirement.ts';
import type { IsoDate, PersonRecord, UnitRecord } from '../model.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { ageOn, compareDates, dateKind, digits, lastDayOfMonth, monthIdx, workdaysPassed } from './util.ts';

/** The birth date retirement is computed from: the roster's 出生日期 (档案), else the ID number's. */
export function personBirth(p: PersonRecord): IsoDate | null {
  return p.birthDate && dateKind(p.birthDate) !== 0 ? p.birthDate : p.idFacts.birth;
}

/** The person's gender: the roster's when it is 男/女, else the ID number's. */
export function personGender(p: PersonRecord): '男' | '女' | null {
  return p.gender === '男' || p.gender === '女' ? p.gender : p.idFacts.gender;
}

/** 干部/工人: the roster's 人员身份, else the default from 岗位类别 and 编制类型 (domain §1.2). */
export function personIdentity(p: PersonRecord): '干部' | '工人' | null {
  return p.identity === '干部' || p.identity === '工人' ? p.identity : defaultIdentity(p.postCategory, p.quotaKind);
}

export interface PersonRetirement {
  /** The statutory retirement for the person's category (female60: fixed at 60). */
  retirement: Retirement;
  /** monthIdx of retirement.month. */
  monthIndex: number;
  birth: IsoDate;
  /** 'roster' when 出生日期 was used, 'id' when it came from the ID number. */
  birthFrom: 'roster' | 'id';
  gender: '男' | '女';
  /** In the 组通字〔2015〕14号 group (women 处级 leaders and senior titles). */
  female60: boolean;
  /** A woman with no 干部/工人 identity: computed as female55 (the later of 50 and 55). */
  categoryAssumed: boolean;
}

interface Memo {
  record: PersonRecord | null;
  birthDate: string | null; idBirth: string | null; gender: string | null; idGender: string | null;
  identity: string | null; postCategory: string | null; quotaKind: string | null; leaderLevel: string | null;
  rank: string | null; title: string | null; unitLevel: string | null;
  value: PersonRetirement | null;
}

// One slot: the evaluator runs every rule of a record before moving to the next, so the last
// record is the only one worth keeping, and a scan of a million records leaves nothing behind.
const memo: Memo = {
  record: null, birthDate: null, idBirth: null, gender: null, idGender: null, identity: null, postCategory: null,
  quotaKind: null, leaderLevel: null, rank: null, title: null, unitLevel: null, value: null,
};

function compute(p: PersonRecord, unitLevel: string | null): PersonRetirement | null {
  const birth = personBirth(p);
  const gender = personGender(p);
  if (!birth || !gender) return null;
  const y = digits(birth, 0, 4);
  const m = digits(birth, 5, 2);
  if (!(y > 0 && m >= 1 && m <= 12)) return null;
  const female60 = isFemale60(gender, p.leaderLevel, p.rank, p.title, unitLevel);
  let category: RetirementCategory | null = retirementCategory(gender, personIdentity(p), female60);
  let categoryAssumed = false;
  if (!category) {
    category = 'female55';
    categoryAssumed = true;
  }
  const r = retirement(y, m, category);
  return {
    retirement: r, monthIndex: monthIdx(r.month), birth, birthFrom: birth === p.birthDate ? 'roster' : 'id',
    gender, female60, categoryAssumed,
  };
}

/**
 * The person's retirement, computed once per record and shared by the P-RT rules. The memo is
 * keyed by the record and re-validated against every input, so an edited record is recomputed.
 */
export function personRetirement(p: PersonRecord, unit: UnitRecord | null): PersonRetirement | null {
  const unitLevel = unit ? unit.level : null;
  const m = memo;
  if (
    m.record === p && m.birthDate === p.birthDate && m.idBirth === p.idFacts.birth && m.gender === p.gender && m.idGender === p.idFacts.gender &&
    m.identity === p.identity && m.postCategory === p.postCategory && m.quotaKind === p.quotaKind && m.leaderLevel === p.leaderLevel &&
    m.rank === p.rank && m.title === p.title && m.unitLevel === unitLevel
  ) return m.value;
  const value = compute(p, unitLevel);
  m.record = p; m.birthDate = p.birthDate; m.idBirth = p.idFacts.birth; m.gender = p.gender; m.idGender = p.idFacts.gender;
  m.identity = p.identity; m.postCategory = p.postCategory; m.quotaKind = p.quotaKind; m.leaderLevel = p.leaderLevel;
  m.rank = p.rank; m.title = p.title; m.unitLevel = unitLevel; m.value = value;
  return value;
}

/** Nobody retires before 50 (female50 with no delay): the youngest possible retirement month. */
const MIN_RETIREMENT_MONTHS = 50 * 12;

/** Cheap pre-check: the person cannot have a retirement month at or before month index `limit`. */
function cannotRetireBy(p: PersonRecord, limit: number): boolean {
  const b = personBirth(p);
  return b != null && monthIdx(b) + MIN_RETIREMENT_MONTHS > limit;
}

/** An approved late retirement still running on `date` (its end date included). */
function lateRetireRunning(p: PersonRecord, date: IsoDate): boolean {
  const l = p.lateRetireUntil;
  return !!l && dateKind(l) !== 0 && compareDates(l, date) >= 0;
}

/**
 * 在编, the retirement month is over and more than `graceWorkdays` working days have passed since
 * its last day (0: from the first working day after it), no approved late retirement running on
 * the day, and not in the female60 group (P-RT-06 reports those).
 */
export const retiredStillOnQuota = defineRule({
  code: 'P-RT-01', title: '退休人员未及时出编 / 应退休未退休', scope: 'person', severity: 'S1',
  params: { graceWorkdays: 0 },
  grace: '退休当月结束后第1个工作日起',
  check: (p, ctx) => {
    if (p.status !== '在编') return null;
    const cur = monthIdx(ctx.date);
    if (cannotRetireBy(p, cur - 1)) return null;
    const r = personRetirement(p, ctx.unit);
    if (!r || r.female60 || r.monthIndex >= cur) return null;
    if (lateRetireRunning(p, ctx.date)) return null;
    if (!workdaysPassed(ctx.calendar, lastDayOfMonth(r.retirement.month), ctx.date, ctx.params.graceWorkdays)) return null;
    return {
      detail: {
        retireMonth: r.retirement.month, retireAge: formatRetirementAge(r.retirement.age), category: r.retirement.category,
        birth: r.birth, birthFrom: r.birthFrom, ...(r.categoryAssumed ? { categoryAssumed: true } : {}),
      },
    };
  },
});

/** 在编 and the retirement month is this month or one of the next `monthsAhead` months. */
export const retirementSoon = defineRule({
  code: 'P-RT-02', title: '即将达到退休年龄', scope: 'person', severity: 'S3', params: { monthsAhead: 3 },
  check: (p, ctx) => {
    if (p.status !== '在编') return null;
    const cur = monthIdx(ctx.date);
    if (cannotRetireBy(p, cur + ctx.params.monthsAhead)) return null;
    const r = personRetirement(p, ctx.unit);
    if (!r) return null;
    const ahead = r.monthIndex - cur;
    if (ahead < 0 || ahead > ctx.params.monthsAhead || lateRetireRunning(p, ctx.date)) return null;
    return { detail: { retireMonth: r.retirement.month, retireAge: formatRetirementAge(r.retirement.age), category: r.retirement.category } };
  },
});

/**
 * Two findings: '已到期' when the recorded 延迟退休截止日期 is more than `graceWorkdays` working days
 * past and the person is still 在编; '延迟超限' when it lies more than `maxDelayMonths` months after
 * the statutory retirement month.
 */
export const lateRetirementOver = defineRule({
  code: 'P-RT-03', title: '弹性延迟到期未出编', scope: 'person', severity: 'S1',
  params: { graceWorkdays: 1, maxDelayMonths: 36 },
  grace: '延迟退休截止日后1个工作日',
  check: (p, ctx) => {
    const until = p.lateRetireUntil;
    if (!until || p.status !== '在编' || dateKind(until) === 0) return null;
    let hits: Hit[] | null = null;
    if (workdaysPassed(ctx.calendar, until, ctx.date, ctx.params.graceWorkdays)) (hits ??= []).push({ qualifier: '已到期', detail: { lateRetireUntil: until } });
    const r = personRetirement(p, ctx.unit);
    if (r) {
      const delay = monthIdx(until) - r.monthIndex;
      if (delay > ctx.params.maxDelayMonths) (hits ??= []).push({ qualifier: '延迟超限', detail: { lateRetireUntil: until, retireMonth: r.retirement.month, delayMonths: delay } });
    }
    return hits;
  },
});

/** Older than `maxAge` while 在编, or younger than `minAge` anywhere on the roster (not 已出编). */
export const implausibleAge = defineRule({
  code: 'P-RT-04', title: '年龄超出合理范围', scope: 'person', severity: 'S1', params: { maxAge: 66, minAge: 18 },
  check: (p, ctx) => {
    if (p.status === '已出编') return null;
    const birth = personBirth(p);
    if (!birth) return null;
    const age = ageOn(birth, ctx.date);
    if (age > ctx.params.maxAge && p.status === '在编') return { detail: { age, maxAge: ctx.params.maxAge } };
    if (age < ctx.params.minAge) return { detail: { age, minAge: ctx.params.minAge } };
    return null;
  },
});

/**
 * Women on the roster (not 已出编): '缺失' when no 干部/工人 can be told (neither 人员身份 nor the
 * default from 岗位类别/编制类型), '无效' when 人员身份 holds another value, '矛盾' when 工人 sits on a
 * 管理/专技 post or 干部 on a 工勤技能 post.
 */
export const retirementCategoryProblem = defineRule({
  code: 'P-RT-05', title: '退休年龄类别缺失或矛盾', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    if (p.status === '已出编' || personGender(p) !== '女') return null;
    const id = p.identity;
    if (id != null && id !== '') {
      if (id !== '干部' && id !== '工人') return { qualifier: '无效', detail: { identity: id } };
      const pc = p.postCategory;
      if ((id === '工人' && (pc === '管理岗位' || pc === '专业技术岗位')) || (id === '干部' && pc === '工勤技能岗位')) {
        return { qualifier: '矛盾', detail: { identity: id, postCategory: pc } };
      }
      return null;
    }
    return defaultIdentity(p.postCategory, p.quotaKind) ? null : { qualifier: '缺失' };
  },
});

/**
 * A woman of the female60 group, 在编, whose month under the 55/58 (or 50/55) table is over: she
 * is not overdue under the 60 rule that applies to her; the finding shows both months.
 */
export const female60Review = defineRule({
  code: 'P-RT-06', title: '女处级/高级职称人员退休年龄待核', scope: 'person', severity: 'S3', params: {},
  check: (p, ctx) => {
    if (p.status !== '在编') return null;
    const cur = monthIdx(ctx.date);
    if (cannotRetireBy(p, cur - 1)) return null;
    const r = personRetirement(p, ctx.unit);
    if (!r || !r.female60) return null;
    const y = digits(r.birth, 0, 4);
    const m = digits(r.birth, 5, 2);
    const base = retirement(y, m, personIdentity(p) === '工人' ? 'female50' : 'female55');
    if (monthIdx(base.month) >= cur) return null;
    return {
      detail: {
        rule: '60周岁', retireMonth: r.retirement.month, tableMonth: base.month, tableAge: formatRetirementAge(base.age),
        over60: r.monthIndex < cur,
      },
    };
  },
});

export const RETIREMENT_RULES: Rule[] = [
  retiredStillOnQuota, retirementSoon, lateRetirementOver, implausibleAge, retirementCategoryProblem, female60Review,
] as Rule[];
