// domain.md §5.9 Cross-system checks (issue 16): the 实名制 roster against the other departments'
// rosters (core/feeds.ts) and, in a city's deployment, against the counties' own copies. Matched
// by the ID number's keyed hash, never by the number in clear. Each rule is one predicate over
// facts db/ attaches to the record (db/feed-facts.ts: PersonCross.feeds, UnitAggregates.feeds),
// as for every other cross-row rule. A feed never imported gives null facts: its rules are silent.
//
// Person-scope rules (X-SI-01, X-SI-03, X-PY-02, X-PY-03, X-OR-01, X-ED-01) sit on the person's
// roster row. Unit-scope rules (X-SI-02, X-PY-01, X-OR-02) name a person the feed lists in the
// unit but the roster does not hold: Hit.subject is that person, the qualifier separates them
// (masked ID and name as the feed gives them).

import { DICTIONARY } from '../dictionary.ts';
import type { FeedSubject, PersonRecord } from '../model.ts';
import { defineRule, type Hit, type Rule } from './define.ts';
import { compareDates, dateKind, present, workdaysPassed } from './util.ts';

/** The qualifier of a person a feed names in a unit: what users read, at most 64 characters (findings.qualifier). */
function subjectHit(s: FeedSubject, detail: Record<string, unknown>, extra = ''): Hit {
  const q = `${s.key}${extra ? `·${extra}` : ''}`;
  return { qualifier: q.slice(0, 64), subject: { kind: 'person', name: s.name, idMasked: s.idMasked }, detail };
}

const onQuota = (p: PersonRecord) => p.status === '在编';

/**
 * Whether a roster month counts against the person: only a month after the month of 入编时间.
 * Before it the person was not yet in the unit; the month of entry is the grace (社保 enrolment
 * and the first unified payroll take effect from the following month). An 入编时间 that is no
 * date (P-TM-05's matter) lets every month count, as before. The same predicate in the nightly
 * check and the re-check of one record: both run these rules on the record's own 入编时间.
 */
export function monthCounts(p: PersonRecord, month: string): boolean {
  const e = p.enteredOn;
  if (!e || dateKind(e) === 0) return true;
  return month > e.slice(0, 7);
}

/**
 * Whether the feeds can find the person at all: a roster number that is no valid ID number
 * (P-ID-01…04) has a hash no other department's roster carries. "Not in 社保" or "not paid" would
 * then name the wrong problem: those rules wait until the number is corrected.
 */
const matchable = (p: PersonRecord) => (p.idFacts.kind === '18' && p.idFacts.checkOk && !p.idFacts.birthInvalid) || p.idFacts.kind === '15';

export const siMissing = defineRule({
  code: 'X-SI-01', title: '在编未参保', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    const si = p.cross.feeds?.si;
    if (!si || !onQuota(p) || si.inUnitRoster || !matchable(p) || !monthCounts(p, si.month)) return null;
    return { detail: { month: si.month } };
  },
});

export const siUnregistered = defineRule({
  code: 'X-SI-02', title: '参保未在实名制登记', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    const list = u.agg.feeds?.siUnregistered;
    if (!list?.length) return null;
    return list.map((s) => subjectHit(s, { month: s.month, status: s.status }));
  },
});

export const siPensioner = defineRule({
  code: 'X-SI-03', title: '已领取养老金仍在编', scope: 'person', severity: 'S1', params: {},
  check: (p) => {
    const si = p.cross.feeds?.si;
    if (!si || !onQuota(p) || !si.pensionStatus) return null;
    return { detail: { month: si.month, status: si.pensionStatus } };
  },
});

export const paidWithoutRecord = defineRule({
  code: 'X-PY-01', title: '在工资统发名单但不在实名制', scope: 'unit', severity: 'S1', params: {},
  check: (u) => {
    const list = u.agg.feeds?.paidWithoutRecord;
    if (!list?.length) return null;
    return list.map((s) => subjectHit(s, { month: s.month, amount: s.amount }));
  },
});

/** The imported payroll months X-PY-02 looks back over (db/feed-facts.ts reads as many). Fixed: the facts carry no more. */
export const PAYROLL_MONTHS = 3;

export const notPaid = defineRule({
  code: 'X-PY-02', title: '在编未发工资', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    const py = p.cross.feeds?.payroll;
    if (!py || !onQuota(p) || py.paidInMonths || !matchable(p)) return null;
    // Fewer imported months than the rule needs, or fewer of them after the month of entry: nothing to judge yet.
    if (py.months.length < PAYROLL_MONTHS || !py.months.slice(0, PAYROLL_MONTHS).every((m) => monthCounts(p, m))) return null;
    return { detail: { months: py.months.slice(0, PAYROLL_MONTHS) } };
  },
});

export const payUnitDiffers = defineRule({
  code: 'X-PY-03', title: '工资单位与编制单位不一致', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    const py = p.cross.feeds?.payroll;
    // Paid by the former unit up to the month of entry (a transfer) is no mismatch.
    if (!py || !onQuota(p) || !py.months.length || !monthCounts(p, py.months[0])) return null;
    let hits: Hit[] | null = null;
    for (const pay of py.latestPayUnits) {
      if (pay.unitId === p.unitId) continue;
      // The pay unit is the qualifier: paid by yet another unit is a new finding.
      (hits ??= []).push({ qualifier: pay.name.slice(0, 64), detail: { month: py.months[0], payUnit: pay.name } });
    }
    return hits;
  },
});

/** The posts the roster lists for a person (职务 may hold several, 、-separated). */
function rosterPosts(posts: string | null): string[] {
  return present(posts) ? posts.split(/[、,，;；\s]+/).filter(Boolean) : [];
}

export const appointmentDiffers = defineRule({
  code: 'X-OR-01', title: '职务与任免文件不一致', scope: 'person', severity: 'S2', params: { graceWorkdays: 5 },
  grace: '任免文件日期后5个工作日',
  check: (p, ctx) => {
    const a = p.cross.feeds?.appointment;
    if (!a || !onQuota(p) || dateKind(a.docDate) !== 10) return null;
    if (!workdaysPassed(ctx.calendar, a.docDate, ctx.date, ctx.params.graceWorkdays)) return null;
    const differs: string[] = [];
    if (present(a.post) && !rosterPosts(p.posts).includes(a.post.trim())) differs.push('职务');
    if (present(a.rank) && a.rank.trim() !== (p.rank ?? '').trim()) differs.push('职级');
    if (!present(p.currentPostSince) || compareDates(a.docDate, p.currentPostSince) > 0) differs.push('任现职时间');
    if (!differs.length) return null;
    return { detail: { differs, docNo: a.docNo, docDate: a.docDate, post: a.post, rank: a.rank, rosterPost: p.posts, rosterRank: p.rank, rosterSince: p.currentPostSince } };
  },
});

/**
 * A 职务 that uses a 领导职数: one of the dictionary's unit-leader levels (单位正职, 单位副职), or a
 * post title of a unit's leadership (局长, 主任, 书记, 部长, …, with their 副 forms). Middle-level
 * posts (科长, 股长) use 中层职数 (a different request) and 职级 titles such as 一级主任科员 are not
 * posts: neither counts.
 */
const LEADER_LEVELS: readonly string[] = DICTIONARY.职数类型.filter((k) => k.startsWith('单位'));
const LEADER_TITLE = /(局长|主任|书记|部长|院长|所长|校长|馆长|站长|中心主任|主席|社长|行长|队长|秘书长|检察长|庭长|区长|县长|镇长|乡长|处长)$/;
export function isLeaderPost(post: string | null): boolean {
  if (!present(post)) return false;
  const p = post.trim();
  if (LEADER_LEVELS.includes(p)) return true;
  if (/主任科员|科员|办事员|巡视员|调研员/.test(p)) return false;
  return LEADER_TITLE.test(p);
}

/** Whole days from a to b (ISO dates). */
function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export const leaderPostUnapproved = defineRule({
  code: 'X-OR-02', title: '领导职数使用未经核准', scope: 'unit', severity: 'S1', params: { approvalWindowDays: 365 },
  check: (u, ctx) => {
    const f = u.agg.feeds;
    if (!f?.appointments.length) return null;
    let hits: Hit[] | null = null;
    for (const a of f.appointments) {
      if (!isLeaderPost(a.post) || dateKind(a.docDate) !== 10) continue;
      // An approval counts when it came before the document (on its day at the latest) and within the window.
      const approved = f.leaderApprovals.some((d) => dateKind(d) === 10 && compareDates(d, a.docDate!) <= 0 && dayDiff(d, a.docDate!) <= ctx.params.approvalWindowDays);
      if (approved) continue;
      (hits ??= []).push(subjectHit(a, { post: a.post, docNo: a.docNo, docDate: a.docDate }, a.docNo ?? a.docDate!));
    }
    return hits;
  },
});

export const onQuotaAndWorker = defineRule({
  code: 'X-ED-01', title: '编内外身份冲突', scope: 'person', severity: 'S1', params: {},
  check: (p) => {
    const n = p.cross.feeds?.workerRegistrations ?? 0;
    return onQuota(p) && n > 0 ? { detail: { workers: n } } : null;
  },
});

/**
 * X-RG-01 市县数据不一致: a county that runs its own instance sends its monthly snapshot to the
 * city (sanse snapshot export / import). The city's copy of the county's units and people is
 * compared with the latest one: a person on one side only, or in another unit, status or 编制类型;
 * a unit the county's copy lacks, or whose 核定 of a 编制类型 or 领导职数 of a kind differs. Unit-scope hits, the person
 * as the subject (as W-07); the qualifier is a stable key with no ID hash. Silent for a county
 * without a snapshot.
 */
export const countyCopyMismatch = defineRule({
  code: 'X-RG-01', title: '市县数据不一致', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    const c = u.agg.countyCopy;
    if (!c) return null;
    const hits: Hit[] = [];
    const base = { countyRegion: c.region, countyMonth: c.month };
    if (!c.unit) hits.push({ qualifier: 'unit', detail: { ...base, differences: ['县级数据中没有本单位（按统一社会信用代码）'] } });
    else {
      for (const kind of [...new Set([...Object.keys(u.quotas), ...Object.keys(c.unit.quotas)])].sort()) {
        const city = u.quotas[kind] ?? 0;
        const county = c.unit.quotas[kind] ?? 0;
        if (city !== county) hits.push({ qualifier: `quota:${kind}`, detail: { ...base, kind, differences: [`核定${kind}：市级${city}名，县级${county}名`] } });
      }
      for (const kind of [...new Set([...Object.keys(u.leaderPosts), ...Object.keys(c.unit.leaderPosts)])].sort()) {
        const city = u.leaderPosts[kind] ?? 0;
        const county = c.unit.leaderPosts[kind] ?? 0;
        if (city !== county) hits.push({ qualifier: `post:${kind}`, detail: { ...base, differences: [`领导职数（${kind}）：市级${city}名，县级${county}名`] } });
      }
    }
    for (const p of c.people) {
      const subject = { kind: 'person' as const, name: p.name, idMasked: p.idMasked };
      const k = p.county;
      const differences: string[] = [];
      if (!k) differences.push('县级数据中没有此人');
      else {
        if ((k.unitCode ?? '') !== u.code) differences.push(`所在单位：市级“${u.name}”，县级“${k.unitName ?? k.unitCode ?? '（空）'}”`);
        if ((k.status ?? '') !== (p.status ?? '')) differences.push(`人员状态：市级${p.status ?? '（空）'}，县级${k.status ?? '（空）'}`);
        if ((k.quotaKind ?? '') !== (p.quotaKind ?? '')) differences.push(`编制类型：市级${p.quotaKind ?? '（空）'}，县级${k.quotaKind ?? '（空）'}`);
      }
      if (differences.length) hits.push({ qualifier: `person:${p.personId}`, subject, detail: { ...base, differences } });
    }
    for (const p of c.onlyInCounty) {
      hits.push({
        qualifier: `county:${p.idMasked ?? ''}:${p.name}`, subject: { kind: 'person', name: p.name, idMasked: p.idMasked },
        detail: { ...base, differences: [`市级数据中没有此人（县级：${p.status ?? '状态空'}${p.quotaKind ? `，${p.quotaKind}` : ''}）`] },
      });
    }
    return hits.length ? hits : null;
  },
});


export const CROSS_SYSTEM_RULES: Rule[] = [
  siMissing, siUnregistered, siPensioner, paidWithoutRecord, notPaid, payUnitDiffers, appointmentDiffers, leaderPostUnapproved, onQuotaAndWorker, countyCopyMismatch,
] as Rule[];
