// domain.md §5.10 编外 workers. W-07 is a unit-scope rule: its subjects are contracts the HR/payroll
// feed reported that are not registered as workers yet.

import { inDictionary } from '../dictionary.ts';
import { formatRetirementAge, retirement } from '../retirement.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { idBirthProblem } from './identity.ts';
import { ageOn, compareDates, dateKind, monthIdx, present, workdaysPassed } from './util.ts';

/** The checks of P-ID-02…04 on a worker's ID number: one finding, the qualifier names the first that fails. */
export const workerIdInvalid = defineRule({
  code: 'W-01', title: '编外人员身份证号无效', scope: 'worker', severity: 'S1', params: { minAge: 16, maxAge: 100 },
  check: (w, ctx) => {
    const f = w.idFacts;
    if (f.kind === 'bad') return { qualifier: '格式错误' };
    if (f.kind === '18' && !f.checkOk) return { qualifier: '校验码错误', detail: { expected: f.expectedCheck } };
    const d = idBirthProblem(f, ctx.date, ctx.params.minAge, ctx.params.maxAge);
    return d ? { qualifier: '出生日期无效', detail: d } : null;
  },
});

export const employmentInvalid = defineRule({
  code: 'W-02', title: '用工方式缺失或无效', scope: 'worker', severity: 'S2', params: {},
  check: (w) => (inDictionary('用工方式', w.employment) ? null : { detail: { value: w.employment } }),
});

export const postClassInvalid = defineRule({
  code: 'W-03', title: '岗位分类缺失或无效', scope: 'worker', severity: 'S2', params: {},
  check: (w) => (inDictionary('岗位分类', w.postClass) ? null : { detail: { value: w.postClass } }),
});

/** Posts 编外 workers may not hold (Zhoushan), matched in 具体工作岗位. */
const BANNED_POSTS = ['人事', '财务', '行政管理', '行政执法', '涉密'] as const;

/**
 * 具体工作岗位 names a banned post. 行政执法 is accepted for 执法辅助 work (辅警, 协管: the class
 * 执法辅助类 or a post name with 辅助/协管), which is what that class exists for.
 */
export const workerInBannedPost = defineRule({
  code: 'W-04', title: '编外人员在禁用岗位', scope: 'worker', severity: 'S1', params: {},
  check: (w) => {
    const n = w.postName;
    if (!present(n)) return null;
    for (const k of BANNED_POSTS) {
      if (!n.includes(k)) continue;
      if (k === '行政执法' && (w.postClass === '执法辅助类' || n.includes('辅助') || n.includes('协管'))) continue;
      return { detail: { post: k, postName: n } };
    }
    return null;
  },
});

/** 首次签订合同时间 missing, no date, in the future, or before the worker's `minAge`th birthday. */
export const firstContractInvalid = defineRule({
  code: 'W-05', title: '首次签订合同时间无效', scope: 'worker', severity: 'S2', params: { minAge: 16 },
  check: (w, ctx) => {
    const c = w.firstContractOn;
    if (!present(c)) return { detail: { reason: 'missing' } };
    if (dateKind(c) === 0) return { detail: { reason: 'invalid', value: c } };
    if (compareDates(c, ctx.date) > 0) return { detail: { reason: 'future', firstContractOn: c } };
    const birth = w.idFacts.birth;
    if (birth && ageOn(birth, c) < ctx.params.minAge) return { detail: { reason: 'young', firstContractOn: c, minAge: ctx.params.minAge } };
    return null;
  },
});

/**
 * Past the statutory retirement month (§1.3) from the ID number's birth date: men by the male
 * table, women by the 50/55 table (original age 50: 工人), except 技术技能类 posts, taken as
 * 管理技术人员 (original 55). 劳务协议 (e.g. 退休返聘) is exempt: it is the form for people already
 * drawing a pension.
 */
export const workerOverAge = defineRule({
  code: 'W-06', title: '编外人员超龄', scope: 'worker', severity: 'S2', params: {},
  check: (w, ctx) => {
    const birth = w.idFacts.birth;
    if (!birth || w.employment === '劳务协议') return null;
    const gender = w.gender === '男' || w.gender === '女' ? w.gender : w.idFacts.gender;
    if (!gender) return null;
    // Nobody retires before 50: spare the month arithmetic for the young.
    if (ageOn(birth, ctx.date) < 50) return null;
    const category = gender === '男' ? 'male' : w.postClass === '技术技能类' ? 'female55' : 'female50';
    const r = retirement(Number(birth.slice(0, 4)), Number(birth.slice(5, 7)), category);
    if (monthIdx(r.month) >= monthIdx(ctx.date)) return null;
    return { detail: { retireMonth: r.month, retireAge: formatRetirementAge(r.age), category } };
  },
});

/** One finding per contract signed more than `graceWorkdays` working days ago and not registered. */
export const contractNotRegistered = defineRule({
  code: 'W-07', title: '编外人员未及时登记', scope: 'unit', severity: 'S2', params: { graceWorkdays: 5 },
  grace: '签订合同后5个工作日',
  check: (u, ctx) => {
    const list = u.agg.unregisteredContracts;
    if (!list || list.length === 0) return null;
    let hits: Hit[] | null = null;
    for (const c of list) {
      if (!workdaysPassed(ctx.calendar, c.signedOn, ctx.date, ctx.params.graceWorkdays)) continue;
      (hits ??= []).push({ qualifier: c.key, subject: { kind: 'worker', name: c.name, idMasked: c.idMasked }, detail: { signedOn: c.signedOn } });
    }
    return hits;
  },
});

export const WORKER_RULES: Rule[] = [
  workerIdInvalid, employmentInvalid, postClassInvalid, workerInBannedPost, firstContractInvalid, workerOverAge, contractNotRegistered,
] as Rule[];
