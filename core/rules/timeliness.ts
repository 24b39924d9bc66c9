// domain.md §5.3 Dates and timeliness (person).

import type { WorkdayCalendar } from '../calendar.ts';
import type { IsoDate, PersonRecord } from '../model.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { personBirth } from './retirement.ts';
import { ageOn, compareDates, dateKind, present, workdaysPassed, yearOf } from './util.ts';

/** Leader levels (领导职务层次 other than 非领导). */
export const LEADER_LEVELS: ReadonlySet<string> = new Set(['单位正职', '单位副职', '中层正职', '中层副职']);

/** PersonCross.pendingChanges kinds judged by P-TM-02: an approved 中层职数 allocation naming the person. */
export const MIDDLE_POST_KINDS: ReadonlySet<string> = new Set(['中层职数核定', '中层职数使用']);
/** PersonCross.pendingChanges kinds judged by P-TM-03 (the qualifier is the kind). */
export const CHANGE_KINDS: ReadonlySet<string> = new Set(['增人入编', '减人出编', '职务任免', '职务职级任免', '岗位调整']);

/**
 * Fields an office may add to P-TM-01's list (parameter `alsoRequired`, none by default): the data
 * dictionary marks them optional, so a stricter reading is the office's choice. 所在处室 counts
 * only when the unit has internal offices.
 */
export const OPTIONAL_ENTRY_FIELDS = {
  民族: (p: PersonRecord) => p.ethnicity,
  所在处室: (p: PersonRecord) => p.office,
  学历: (p: PersonRecord) => p.education,
  政治面貌: (p: PersonRecord) => p.politics,
  参加工作时间: (p: PersonRecord) => p.workStartOn,
  职务: (p: PersonRecord) => p.posts,
  职级: (p: PersonRecord) => p.rank,
} as const satisfies Record<string, (p: PersonRecord) => unknown>;

/**
 * 在编, entered more than `graceWorkdays` working days ago, and a field the person must have still
 * unknown: 性别 or 出生日期 neither filled in nor derivable from the ID number (the data dictionary
 * derives them when empty, so an empty cell beside a valid number is complete), and the fields
 * the office listed in `alsoRequired`. The dictionary's other required fields have rules of their
 * own (使用编制类型 P-ST-03, 岗位类别 P-ST-06, 入编时间 P-TM-04). One finding per person; the detail
 * lists the fields.
 */
export const incompleteAfterEntry = defineRule({
  code: 'P-TM-01', title: '入编后信息未完善（人员信息未及时更新）', scope: 'person', severity: 'S2',
  params: { graceWorkdays: 5, alsoRequired: [] as string[] },
  choices: { alsoRequired: Object.keys(OPTIONAL_ENTRY_FIELDS) },
  grace: '入编后5个工作日',
  check: (p, ctx) => {
    if (p.status !== '在编') return null;
    const missing: string[] = [];
    if (!present(p.gender) && !p.idFacts.gender) missing.push('性别');
    if (!present(p.birthDate) && !p.idFacts.birth) missing.push('出生日期');
    for (const field of ctx.params.alsoRequired ?? []) {
      const read = (OPTIONAL_ENTRY_FIELDS as Record<string, ((p: PersonRecord) => unknown) | undefined>)[field];
      if (!read || present(read(p) as string | null)) continue;
      if (field === '所在处室' && !(ctx.unit && ctx.unit.internalOffices.length > 0)) continue;
      missing.push(field);
    }
    if (!missing.length) return null;
    if (!workdaysPassed(ctx.calendar, p.enteredOn, ctx.date, ctx.params.graceWorkdays)) return null;
    return { detail: { missing, enteredOn: p.enteredOn } };
  },
});

/** The oldest entry per kind whose grace is over: one finding per kind. */
function overduePending(p: PersonRecord, kinds: ReadonlySet<string>, ctx: { date: IsoDate; calendar: WorkdayCalendar }, grace: number, qualify: boolean): Hit[] | null {
  const list = p.cross.pendingChanges;
  if (!list || list.length === 0) return null;
  let hits: Hit[] | null = null;
  for (const c of list) {
    if (!kinds.has(c.kind) || !workdaysPassed(ctx.calendar, c.approvedOn, ctx.date, grace)) continue;
    const q = qualify ? c.kind : undefined;
    const same = hits?.find((h) => h.qualifier === q);
    if (same) {
      if (c.approvedOn < (same.detail!.approvedOn as string)) same.detail = { kind: c.kind, approvedOn: c.approvedOn, expected: c.expected };
      continue;
    }
    (hits ??= []).push({ ...(q ? { qualifier: q } : {}), detail: { kind: c.kind, approvedOn: c.approvedOn, expected: c.expected } });
  }
  return hits;
}

export const middlePostNotUpdated = defineRule({
  code: 'P-TM-02', title: '中层职数审核后职务信息未完善（职务信息未及时变动）', scope: 'person', severity: 'S2',
  params: { graceWorkdays: 30 },
  grace: '中层职数审核后30个工作日',
  check: (p, ctx) => overduePending(p, MIDDLE_POST_KINDS, ctx, ctx.params.graceWorkdays, false),
});

export const changeNotRegistered = defineRule({
  code: 'P-TM-03', title: '人员变动未及时登记', scope: 'person', severity: 'S2',
  params: { graceWorkdays: 5 },
  grace: '手续办结后5个工作日',
  check: (p, ctx) => overduePending(p, CHANGE_KINDS, ctx, ctx.params.graceWorkdays, true),
});

export const entryDateMissing = defineRule({
  code: 'P-TM-04', title: '入编时间缺失', scope: 'person', severity: 'S2', params: {},
  check: (p) => (p.status === '在编' && !present(p.enteredOn) ? {} : null),
});

/** 入编时间 in the future, before the age of `minAge`, or before 参加工作时间. */
export const entryDateImplausible = defineRule({
  code: 'P-TM-05', title: '入编时间不合理', scope: 'person', severity: 'S2', params: { minAge: 16 },
  check: (p, ctx) => {
    const e = p.enteredOn;
    if (!e || dateKind(e) === 0) return null;
    if (compareDates(e, ctx.date) > 0) return { detail: { reason: 'future', enteredOn: e } };
    const birth = personBirth(p);
    if (birth && ageOn(birth, e) < ctx.params.minAge) return { detail: { reason: 'young', enteredOn: e, birth, minAge: ctx.params.minAge } };
    const w = p.workStartOn;
    if (w && dateKind(w) !== 0 && compareDates(e, w) < 0) return { detail: { reason: 'beforeWorkStart', enteredOn: e, workStartOn: w } };
    return null;
  },
});

/** 任现职时间 missing for a 在编 leader, in the future, or before 参加工作时间. */
export const postSinceImplausible = defineRule({
  code: 'P-TM-06', title: '任现职时间不合理', scope: 'person', severity: 'S2', params: {},
  check: (p, ctx) => {
    const s = p.currentPostSince;
    if (!present(s)) {
      return p.status === '在编' && p.leaderLevel != null && LEADER_LEVELS.has(p.leaderLevel) ? { detail: { reason: 'missing', leaderLevel: p.leaderLevel } } : null;
    }
    if (dateKind(s) === 0) return null;
    if (compareDates(s, ctx.date) > 0) return { detail: { reason: 'future', currentPostSince: s } };
    const w = p.workStartOn;
    if (w && dateKind(w) !== 0 && compareDates(s, w) < 0) return { detail: { reason: 'beforeWorkStart', currentPostSince: s, workStartOn: w } };
    return null;
  },
});

/** Placeholder dates systems fill in for "unknown" (Excel's day 0 and 1, the 1900 default). */
const PLACEHOLDER_DATES: ReadonlySet<string> = new Set(['1900-01-01', '1900-01', '1899-12-30', '1899-12-31']);

/** Adds a finding for one date field when its value is set and no YYYY-MM-DD / YYYY-MM date or a placeholder. */
function checkDateField(hits: Hit[] | null, v: string | null, label: string): Hit[] | null {
  if (v == null || v === '') return hits;
  if (dateKind(v) !== 0) {
    const y = yearOf(v);
    if (y > 1900 ? y <= 2100 : y === 1900 && !PLACEHOLDER_DATES.has(v)) return hits;
  }
  (hits ??= []).push({ qualifier: label, detail: { field: label, value: v } });
  return hits;
}

/** One finding per date field (qualifier = its Chinese name) that is no YYYY-MM-DD / YYYY-MM date or a placeholder. */
export const badDateFields = defineRule({
  code: 'P-TM-07', title: '时间字段填写不规范', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    let hits: Hit[] | null = null;
    hits = checkDateField(hits, p.birthDate, '出生日期');
    hits = checkDateField(hits, p.enteredOn, '入编时间');
    hits = checkDateField(hits, p.workStartOn, '参加工作时间');
    hits = checkDateField(hits, p.currentPostSince, '任现职时间');
    hits = checkDateField(hits, p.dutyStatusSince, '在岗状态起始日期');
    hits = checkDateField(hits, p.lateRetireUntil, '延迟退休截止日期');
    return hits;
  },
});

/** 参加工作时间 before the age of `minAge`, after 入编时间, or in the future. */
export const workStartImplausible = defineRule({
  code: 'P-TM-08', title: '参加工作时间不合理', scope: 'person', severity: 'S2', params: { minAge: 14 },
  check: (p, ctx) => {
    const w = p.workStartOn;
    if (!w || dateKind(w) === 0) return null;
    if (compareDates(w, ctx.date) > 0) return { detail: { reason: 'future', workStartOn: w } };
    const birth = personBirth(p);
    if (birth && ageOn(birth, w) < ctx.params.minAge) return { detail: { reason: 'young', workStartOn: w, birth, minAge: ctx.params.minAge } };
    const e = p.enteredOn;
    if (e && dateKind(e) !== 0 && compareDates(w, e) > 0) return { detail: { reason: 'afterEntry', workStartOn: w, enteredOn: e } };
    return null;
  },
});

export const TIMELINESS_RULES: Rule[] = [
  incompleteAfterEntry, middlePostNotUpdated, changeNotRegistered, entryDateMissing, entryDateImplausible,
  postSinceImplausible, badDateFields, workStartImplausible,
] as Rule[];
