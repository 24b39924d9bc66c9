// domain.md §5.7 Institution record (unit), with the credit-code checks of §3 (core/uscc.ts).

import { inDictionary, ORGAN_NATURES } from '../dictionary.ts';
import type { UnitRecord } from '../model.ts';
import { usccFacts, type UsccFacts } from '../uscc.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { compareDates, dateKind, present, workdaysPassed } from './util.ts';

const ORGANS: ReadonlySet<string> = new Set(ORGAN_NATURES);

const usccCache = new WeakMap<UnitRecord, { code: string; facts: UsccFacts }>();
/** The credit-code facts of a unit, computed once per record (and again if its code changes). */
export function unitUscc(u: UnitRecord): UsccFacts {
  const c = usccCache.get(u);
  if (c && c.code === u.code) return c.facts;
  const facts = usccFacts(u.code ?? '');
  usccCache.set(u, { code: u.code, facts });
  return facts;
}

function codeMissing(u: UnitRecord): boolean {
  return !u.code || u.code.trim() === '';
}

export const usccMissing = defineRule({
  code: 'U-IN-01', title: '统一社会信用代码缺失', scope: 'unit', severity: 'S2', params: {},
  check: (u) => (codeMissing(u) ? {} : null),
});

export const usccBadFormat = defineRule({
  code: 'U-IN-02', title: '统一社会信用代码格式错误', scope: 'unit', severity: 'S2', params: {},
  check: (u) => (codeMissing(u) || unitUscc(u).formatOk ? null : { detail: { length: u.code.length } }),
});

export const usccBadCheck = defineRule({
  code: 'U-IN-03', title: '统一社会信用代码校验码错误', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    if (codeMissing(u)) return null;
    const f = unitUscc(u);
    return f.formatOk && !f.checkOk ? { detail: { expected: f.expectedCheck } } : null;
  },
});

/** The registration prefixes a unit of a 机构性质 may carry (all are 机构编制-registered: first character 1). */
function expectedPrefixes(nature: string | null): readonly string[] | null {
  if (nature === '事业单位') return ['12'];
  if (nature === '群团机关') return ['13', '11'];
  if (nature != null && ORGANS.has(nature)) return ['11'];
  return null;
}

export const usccVsNature = defineRule({
  code: 'U-IN-04', title: '信用代码与机构性质不符', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    if (codeMissing(u)) return null;
    const f = unitUscc(u);
    if (!f.formatOk) return null;
    const expected = expectedPrefixes(u.nature);
    if (!expected) return u.code[0] === '1' ? null : { detail: { prefix: f.category, expected: '1', nature: u.nature } };
    if (expected.includes(f.category)) return null;
    return { detail: { prefix: f.category, expected: expected.join('/'), nature: u.nature } };
  },
});

/**
 * Positions 3–8 against the office's region: the first 4 digits (same city) for a county or city
 * office, the first 2 for a province office (a code ending in 0000). Silent when the office has no
 * region set.
 */
export const usccRegion = defineRule({
  code: 'U-IN-05', title: '信用代码行政区划不符', scope: 'unit', severity: 'S3', params: {},
  check: (u, ctx) => {
    const office = ctx.office.regionCode;
    if (!office || office.length < 4 || codeMissing(u)) return null;
    const f = unitUscc(u);
    if (!f.formatOk) return null;
    const n = office.length >= 6 && office.endsWith('0000') ? 2 : 4;
    for (let i = 0; i < n; i++) if (f.regionCode.charCodeAt(i) !== office.charCodeAt(i)) return { detail: { region: f.regionCode, office } };
    return null;
  },
});

export const usccDuplicate = defineRule({
  code: 'U-IN-06', title: '信用代码重复', scope: 'unit', severity: 'S1', params: {},
  check: (u) => (!codeMissing(u) && u.agg.sameCodeUnits > 0 ? { detail: { others: u.agg.sameCodeUnits } } : null),
});

/** One finding per field (qualifier = its name) that is empty or not in the data dictionary. */
export const natureLevelFunding = defineRule({
  code: 'U-IN-07', title: '机构性质/规格/经费形式缺失或无效', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    let hits: Hit[] | null = null;
    if (!inDictionary('机构性质', u.nature)) (hits ??= []).push({ qualifier: '机构性质', detail: { field: '机构性质', value: u.nature } });
    if (!inDictionary('机构规格', u.level)) (hits ??= []).push({ qualifier: '机构规格', detail: { field: '机构规格', value: u.level } });
    if (!inDictionary('经费形式', u.funding)) (hits ??= []).push({ qualifier: '经费形式', detail: { field: '经费形式', value: u.funding } });
    return hits;
  },
});

/** A 事业单位 whose 类别 is empty (or not one of the four categories). */
export const categoryMissing = defineRule({
  code: 'U-IN-08', title: '事业单位类别缺失', scope: 'unit', severity: 'S2', params: {},
  check: (u) => (u.nature === '事业单位' && !inDictionary('事业单位类别', u.category) ? { detail: { value: u.category } } : null),
});

/** 公益一类 or 参公 not 全额拨款; 生产经营类 with 全额拨款. Silent without a 经费形式 (U-IN-07 reports it). */
export const fundingVsCategory = defineRule({
  code: 'U-IN-09', title: '经费形式与类别不符', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    const f = u.funding;
    if (u.nature !== '事业单位' || !present(f)) return null;
    if ((u.category === '公益一类' || u.isCanGong === true) && f !== '全额拨款') return { detail: { category: u.category, isCanGong: u.isCanGong, funding: f } };
    if (u.category === '生产经营类' && f === '全额拨款') return { detail: { category: u.category, isCanGong: u.isCanGong, funding: f } };
    return null;
  },
});

/**
 * The latest approval document (agg.latestApprovalDate, else the unit's 批准日期) is newer than the
 * ledger's last change, and more than `graceWorkdays` working days old.
 */
export const ledgerStale = defineRule({
  code: 'U-IN-10', title: '台账未及时更新', scope: 'unit', severity: 'S2', params: { graceWorkdays: 5 },
  grace: '批准文件印发后5个工作日',
  check: (u, ctx) => {
    const doc = u.agg.latestApprovalDate ?? u.approvalDate;
    if (!doc || dateKind(doc) === 0) return null;
    const ledger = u.ledgerUpdatedOn;
    if (ledger && dateKind(ledger) !== 0 && compareDates(ledger, doc) >= 0) return null;
    if (!workdaysPassed(ctx.calendar, doc, ctx.date, ctx.params.graceWorkdays)) return null;
    return { detail: { approvalDate: doc, approvalNo: u.approvalNo, ledgerUpdatedOn: ledger } };
  },
});

/**
 * '循环' when the parent chain loops back; '缺失' when a 上级机构代码 is recorded but names no stored
 * unit, or a 事业单位 has no 主管部门 at all. Organs without a parent are taken as top units.
 */
export const parentProblem = defineRule({
  code: 'U-IN-11', title: '隶属关系缺失或循环', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    if (u.agg.inCycle) return { qualifier: '循环' };
    if (u.parentId != null) return null;
    if (present(u.parentCode)) return { qualifier: '缺失', detail: { parentCode: u.parentCode } };
    return u.nature === '事业单位' ? { qualifier: '缺失', detail: { parentCode: null } } : null;
  },
});

export const tooManyOffices = defineRule({
  code: 'U-IN-12', title: '内设机构超数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => {
    const approved = u.internalOfficesApproved;
    const actual = u.internalOffices.length;
    return approved != null && actual > approved ? { detail: { approved, actual, over: actual - approved } } : null;
  },
});

function isSpace(c: number): boolean {
  return c <= 32 || c === 0x3000 || c === 0xa0 || c === 0xfeff;
}

/** '不规范' for leading/trailing spaces; '重复' when another unit of the region has the same name. */
export const nameProblem = defineRule({
  code: 'U-IN-13', title: '机构名称不规范/重复', scope: 'unit', severity: 'S3', params: {},
  check: (u) => {
    let hits: Hit[] | null = null;
    const n = u.name ?? '';
    if (n.length > 0 && (isSpace(n.charCodeAt(0)) || isSpace(n.charCodeAt(n.length - 1)))) (hits ??= []).push({ qualifier: '不规范', detail: { issue: 'space' } });
    if (u.agg.sameNameUnits > 0) (hits ??= []).push({ qualifier: '重复', detail: { others: u.agg.sameNameUnits } });
    return hits;
  },
});

export const INSTITUTION_RULES: Rule[] = [
  usccMissing, usccBadFormat, usccBadCheck, usccVsNature, usccRegion, usccDuplicate, natureLevelFunding,
  categoryMissing, fundingVsCategory, ledgerStale, parentProblem, tooManyOffices, nameProblem,
] as Rule[];
