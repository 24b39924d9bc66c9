// domain.md §5.1 Identity and personal data (person). The ID number itself never reaches a rule:
// everything comes from IdFacts (core/idnumber.ts), derived when the record was written.

import { DICTIONARY } from '../dictionary.ts';
import type { IdFacts, IsoDate } from '../model.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { ageOn, dateKind, lengthAtLeast, present, sameMonth } from './util.ts';

/**
 * The birth-date part of P-ID-04 (and W-01): the encoded date is no real date, lies in the
 * future, or gives an age outside [minAge, maxAge]. Null when the number has no birth part.
 */
export function idBirthProblem(f: IdFacts, date: IsoDate, minAge: number, maxAge: number): Record<string, unknown> | null {
  if (f.kind !== '18' && f.kind !== '15') return null;
  if (f.birthInvalid || !f.birth) return { reason: 'invalid' };
  if (f.birth > date) return { reason: 'future' };
  const age = ageOn(f.birth, date);
  if (age < minAge) return { reason: 'young', age, minAge };
  if (age > maxAge) return { reason: 'old', age, maxAge };
  return null;
}

export const idMissing = defineRule({
  code: 'P-ID-01', title: '身份证号缺失', scope: 'person', severity: 'S1', params: {},
  check: (p) => (p.idFacts.kind === 'empty' ? {} : null),
});

export const idBadFormat = defineRule({
  code: 'P-ID-02', title: '身份证号格式错误', scope: 'person', severity: 'S1', params: {},
  check: (p) => (p.idFacts.kind === 'bad' ? {} : null),
});

export const idBadCheck = defineRule({
  code: 'P-ID-03', title: '身份证号校验码错误', scope: 'person', severity: 'S1', params: {},
  check: (p) => (p.idFacts.kind === '18' && !p.idFacts.checkOk ? { detail: { expected: p.idFacts.expectedCheck } } : null),
});

export const idBadBirth = defineRule({
  code: 'P-ID-04', title: '身份证号出生日期无效', scope: 'person', severity: 'S1', params: { minAge: 16, maxAge: 100 },
  check: (p, ctx) => {
    const d = idBirthProblem(p.idFacts, ctx.date, ctx.params.minAge, ctx.params.maxAge);
    return d ? { detail: d } : null;
  },
});

export const idBadProvince = defineRule({
  code: 'P-ID-05', title: '身份证号地址码无效', scope: 'person', severity: 'S2', params: {},
  check: (p) => ((p.idFacts.kind === '18' || p.idFacts.kind === '15') && !p.idFacts.provinceOk ? {} : null),
});

export const idLegacy15 = defineRule({
  code: 'P-ID-06', title: '15位旧身份证号', scope: 'person', severity: 'S3', params: {},
  check: (p) => (p.idFacts.kind === '15' ? {} : null),
});

export const idIrregular = defineRule({
  code: 'P-ID-07', title: '身份证号书写不规范', scope: 'person', severity: 'S3', params: {},
  check: (p) => (p.idFacts.irregular ? {} : null),
});

/**
 * A year or month difference is the serious case (retirement is computed from it), a day-only
 * difference a minor one: detail.level says which; the rule's severity stays S2. The detail
 * carries the roster's 出生日期 but not the number's own birth date: that is part of what the mask
 * hides, and the detail reaches roles that may not see the number (the specialist checks the ID
 * card; FULL_ID_ROLES see the number through the audited route).
 */
export const birthMismatch = defineRule({
  code: 'P-ID-08', title: '出生日期与身份证不一致', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    const roster = p.birthDate;
    const fromId = p.idFacts.birth;
    if (!fromId || !roster || dateKind(roster) === 0) return null;
    // The level says how far apart they are (year, month or day) without giving the number's date.
    if (!sameMonth(roster, fromId)) return { detail: { level: roster.slice(0, 4) === fromId.slice(0, 4) ? 'month' : 'year', birthDate: roster } };
    if (roster.length === 10 && roster !== fromId) return { detail: { level: 'day', birthDate: roster } };
    return null;
  },
});

export const genderMismatch = defineRule({
  code: 'P-ID-09', title: '性别与身份证不一致', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    const g = p.gender;
    const fromId = p.idFacts.gender;
    if (!fromId || (g !== '男' && g !== '女') || g === fromId) return null;
    return { detail: { gender: g, idGender: fromId } };
  },
});

export const duplicateInUnit = defineRule({
  code: 'P-ID-10', title: '同一单位重复录入', scope: 'person', severity: 'S1', params: {},
  check: (p) => (p.idFacts.kind !== 'empty' && p.cross.sameIdInUnit > 0 ? { detail: { others: p.cross.sameIdInUnit } } : null),
});

export const multipleQuotas = defineRule({
  code: 'P-ID-11', title: '一人多编（跨单位重复）', scope: 'person', severity: 'S1', params: {},
  check: (p) => (p.status === '在编' && p.cross.otherQuotaUnits > 0 ? { detail: { otherUnits: p.cross.otherQuotaUnits } } : null),
});

// Whitespace (ASCII, ideographic, no-break), ASCII and full-width digits, ASCII and full-width Latin
// letters. The middle dot of minority names (·, ・, ･, •) and anything else is accepted.
const NAME_SPACE = /[\s\u3000\u00a0]/;
const NAME_DIGIT = /[0-9\uff10-\uff19]/;
const NAME_LATIN = /[A-Za-z\uff21-\uff3a\uff41-\uff5a]/;

export const badName = defineRule({
  code: 'P-ID-12', title: '姓名不规范', scope: 'person', severity: 'S2', params: { minLength: 2 },
  check: (p, ctx) => {
    const n = p.name ?? '';
    if (!lengthAtLeast(n, ctx.params.minLength)) return { detail: { issue: 'short' } };
    if (NAME_SPACE.test(n)) return { detail: { issue: 'space' } };
    if (NAME_DIGIT.test(n)) return { detail: { issue: 'digit' } };
    if (NAME_LATIN.test(n)) return { detail: { issue: 'latin' } };
    return null;
  },
});

export const samePersonSuspected = defineRule({
  code: 'P-ID-13', title: '疑似同一人', scope: 'person', severity: 'S3', params: {},
  check: (p) => (p.cross.sameNameBirthOtherIds > 0 ? { detail: { otherIds: p.cross.sameNameBirthOtherIds } } : null),
});

const ETHNICITIES: ReadonlySet<string> = new Set(DICTIONARY.民族);
const POLITICS: ReadonlySet<string> = new Set(DICTIONARY.政治面貌);
const EDUCATION: ReadonlySet<string> = new Set(DICTIONARY.学历);

/** One finding per field (qualifier = the field's Chinese name); an empty value is not judged here. */
export const badDictionaryValue = defineRule({
  code: 'P-ID-14', title: '民族/政治面貌/学历 取值不规范', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    let hits: Hit[] | null = null;
    if (present(p.ethnicity) && !ETHNICITIES.has(p.ethnicity)) (hits ??= []).push({ qualifier: '民族', detail: { field: '民族', value: p.ethnicity } });
    if (present(p.politics) && !POLITICS.has(p.politics)) (hits ??= []).push({ qualifier: '政治面貌', detail: { field: '政治面貌', value: p.politics } });
    if (present(p.education) && !EDUCATION.has(p.education)) (hits ??= []).push({ qualifier: '学历', detail: { field: '学历', value: p.education } });
    return hits;
  },
});

export const IDENTITY_RULES: Rule[] = [
  idMissing, idBadFormat, idBadCheck, idBadBirth, idBadProvince, idLegacy15, idIrregular,
  birthMismatch, genderMismatch, duplicateInUnit, multipleQuotas, badName, samePersonSuspected, badDictionaryValue,
] as Rule[];
