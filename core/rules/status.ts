// domain.md §5.4 Quota status, kinds and posts (person).

import { DICTIONARY, inDictionary, ORGAN_NATURES } from '../dictionary.ts';
import { defineRule, type Rule } from './define.ts';
import { dateKind, monthsElapsed, present } from './util.ts';

const ORGANS: ReadonlySet<string> = new Set(ORGAN_NATURES);
/** Kinds only an organ may use, and kinds only a 事业单位 may use. */
const ORGAN_KINDS: ReadonlySet<string> = new Set(['行政编制', '政法专项编制', '机关工勤编制', '机关事业编制']);
const INSTITUTION_KINDS: ReadonlySet<string> = new Set(['事业编制', '参公事业编制']);
const ADMIN_KINDS: ReadonlySet<string> = new Set(['行政编制', '政法专项编制']);
const POST_CATEGORIES: ReadonlySet<string> = new Set(DICTIONARY.岗位类别);
const CIVIL_RANKS: readonly string[] = DICTIONARY.公务员职级;
const CIVIL_RANK_SET: ReadonlySet<string> = new Set(CIVIL_RANKS);
const INSTITUTION_RANKS: ReadonlySet<string> = new Set([...DICTIONARY.职员等级, ...DICTIONARY.专技等级]);
const UNIT_LEADERS: ReadonlySet<string> = new Set(['单位正职', '单位副职']);
const LEADERS: ReadonlySet<string> = new Set(['单位正职', '单位副职', '中层正职', '中层副职']);
const SECONDED: ReadonlySet<string> = new Set(['借调', '挂职']);
const ABSENT: ReadonlySet<string> = new Set(['长期病休', '待岗', '下落不明', '其他']);

export const statusMissing = defineRule({
  code: 'P-ST-01', title: '在编状态缺失', scope: 'person', severity: 'S2', params: {},
  check: (p) => (!present(p.status) ? {} : inDictionary('在编状态', p.status) ? null : { detail: { value: p.status } }),
});

/**
 * A 编外 or 已出编 person still holding a 领导职务层次. (The other half of the rule, 借调 without a
 * home/host unit, needs a host-unit field the records do not have.)
 */
export const statusVsPost = defineRule({
  code: 'P-ST-02', title: '在编状态与任职情况不符', scope: 'person', severity: 'S2', params: {},
  check: (p) =>
    (p.status === '编外' || p.status === '已出编') && p.leaderLevel != null && LEADERS.has(p.leaderLevel)
      ? { detail: { status: p.status, leaderLevel: p.leaderLevel } }
      : null,
});

export const quotaKindMissing = defineRule({
  code: 'P-ST-03', title: '使用编制类型缺失', scope: 'person', severity: 'S2', params: {},
  check: (p) => (p.status === '在编' && !present(p.quotaKind) ? {} : null),
});

/** 在编 in a 编制类型 the unit has no (or a zero) 核定 quota of. */
export const quotaKindNotApproved = defineRule({
  code: 'P-ST-04', title: '人编不对应', scope: 'person', severity: 'S1', params: {},
  check: (p, ctx) => {
    const k = p.quotaKind;
    if (p.status !== '在编' || !present(k) || !ctx.unit) return null;
    return (ctx.unit.quotas[k] ?? 0) > 0 ? null : { detail: { quotaKind: k } };
  },
});

/**
 * 行政/政法专项/机关工勤/机关事业编制 used in a 事业单位; 事业编制 or 参公事业编制 used in an organ
 * (事业编制 is accepted there when the organ has an approved 机关事业编制 quota).
 */
export const quotaKindVsNature = defineRule({
  code: 'P-ST-05', title: '编制类型与机构性质不符', scope: 'person', severity: 'S1', params: {},
  check: (p, ctx) => {
    const k = p.quotaKind;
    const u = ctx.unit;
    if (p.status !== '在编' || !present(k) || !u || !u.nature) return null;
    if (u.nature === '事业单位') return ORGAN_KINDS.has(k) ? { detail: { quotaKind: k, nature: u.nature } } : null;
    if (!ORGANS.has(u.nature) || !INSTITUTION_KINDS.has(k)) return null;
    if (k === '事业编制' && (u.quotas['机关事业编制'] ?? 0) > 0) return null;
    return { detail: { quotaKind: k, nature: u.nature } };
  },
});

/** 岗位类别 set for a 行政/政法专项编制 person; 机关工勤编制 on a 管理岗位; 事业编制 without 岗位类别. */
export const postCategoryVsKind = defineRule({
  code: 'P-ST-06', title: '岗位类别与编制类型不符', scope: 'person', severity: 'S2', params: {},
  check: (p) => {
    if (p.status !== '在编') return null;
    const k = p.quotaKind;
    const c = p.postCategory;
    if (k != null && ADMIN_KINDS.has(k)) return c != null && POST_CATEGORIES.has(c) ? { detail: { quotaKind: k, postCategory: c } } : null;
    if (k === '机关工勤编制') return c === '管理岗位' ? { detail: { quotaKind: k, postCategory: c } } : null;
    if (k === '事业编制') return present(c) ? null : { detail: { quotaKind: k, postCategory: null } };
    return null;
  },
});

/** A 公务员职级 for a 事业编制 person of a non-参公 unit; a 职员/专技 grade for a 行政/政法专项编制 person. */
export const rankVsKind = defineRule({
  code: 'P-ST-07', title: '职级序列与编制类型不符', scope: 'person', severity: 'S2', params: {},
  check: (p, ctx) => {
    const r = p.rank;
    const k = p.quotaKind;
    if (!present(r) || !present(k)) return null;
    if (k === '事业编制' && CIVIL_RANK_SET.has(r) && !(ctx.unit && ctx.unit.isCanGong)) return { detail: { quotaKind: k, rank: r } };
    if (ADMIN_KINDS.has(k) && INSTITUTION_RANKS.has(r)) return { detail: { quotaKind: k, rank: r } };
    return null;
  },
});

/**
 * 所在处(科)室 not among the unit's 内设机构 (the unit's own name is accepted for its leaders).
 * Silent while the unit has no 内设机构 list to compare with.
 */
export const officeUnknown = defineRule({
  code: 'P-ST-08', title: '所在处（科）室不存在', scope: 'person', severity: 'S2', params: {},
  check: (p, ctx) => {
    const o = p.office;
    const u = ctx.unit;
    if (!present(o) || !u || u.internalOffices.length === 0 || o === u.name || u.internalOffices.includes(o)) return null;
    return { detail: { office: o } };
  },
});

/** A 单位正职/副职 whose 所在处室 is one of the unit's internal offices. */
export const leaderInOffice = defineRule({
  code: 'P-ST-09', title: '领导职务所在机构填写错误', scope: 'person', severity: 'S3', params: {},
  check: (p, ctx) => {
    const o = p.office;
    if (!present(o) || p.leaderLevel == null || !UNIT_LEADERS.has(p.leaderLevel) || !ctx.unit) return null;
    return ctx.unit.internalOffices.includes(o) ? { detail: { leaderLevel: p.leaderLevel, office: o } } : null;
  },
});

export const dutyStatusMissing = defineRule({
  code: 'P-ST-10', title: '在岗状态缺失', scope: 'person', severity: 'S3', params: {},
  check: (p) => (p.status !== '在编' ? null : !present(p.dutyStatus) ? {} : inDictionary('在岗状态', p.dutyStatus) ? null : { detail: { value: p.dutyStatus } }),
});

/** 在编 with an 在岗状态 of `statuses` that started more than `months` months ago. */
function longStatus(p: { status: string | null; dutyStatus: string | null; dutyStatusSince: string | null }, statuses: ReadonlySet<string>, months: number, date: string) {
  const s = p.dutyStatus;
  const since = p.dutyStatusSince;
  if (p.status !== '在编' || s == null || !statuses.has(s) || !since || dateKind(since) === 0) return null;
  return monthsElapsed(since, months, date) ? { detail: { dutyStatus: s, since, months } } : null;
}

/**
 * 借调/挂职 started more than `months` months ago. (The catalogue's "or no end date" needs an end
 * date the records do not carry.)
 */
export const secondmentTooLong = defineRule({
  code: 'P-ST-11', title: '借调/挂职超期', scope: 'person', severity: 'S2', params: { months: 12 },
  check: (p, ctx) => longStatus(p, SECONDED, ctx.params.months, ctx.date),
});

const STARTUP: ReadonlySet<string> = new Set(['离岗创业']);
export const startupLeaveTooLong = defineRule({
  code: 'P-ST-12', title: '离岗创业超期', scope: 'person', severity: 'S2', params: { years: 3 },
  check: (p, ctx) => longStatus(p, STARTUP, ctx.params.years * 12, ctx.date),
});

export const absentOnQuota = defineRule({
  code: 'P-ST-13', title: '在编不在岗风险', scope: 'person', severity: 'S1', params: { months: 6 },
  check: (p, ctx) => longStatus(p, ABSENT, ctx.params.months, ctx.date),
});

// P-ST-14 [unconfirmed mapping, domain §5.4]: the lowest 公务员职级 expected of a unit leader, by the
// leader's own level (单位正职 = the unit's 规格, 单位副职 = one step below). 正 X: the bottom of X's
// band; 副 X: the bottom of the band below (lenient: only gross mismatches are reported).
const LEVELS = ['正部级', '副部级', '正厅级', '副厅级', '正处级', '副处级', '正科级', '副科级', '股级'];
const LEVEL_INDEX: ReadonlyMap<string, number> = new Map(LEVELS.map((l, i) => [l, i]));
const MIN_RANK_BY_LEVEL: ReadonlyArray<string | null> = [null, null, '二级巡视员', '四级调研员', '四级调研员', '四级主任科员', '四级主任科员', null, null];
const CIVIL_RANK_INDEX: ReadonlyMap<string, number> = new Map(CIVIL_RANKS.map((r, i) => [r, i]));

export const rankBelowPost = defineRule({
  code: 'P-ST-14', title: '职务与职级不匹配', scope: 'person', severity: 'S3', params: {},
  check: (p, ctx) => {
    const lvl = p.leaderLevel;
    const r = p.rank;
    if (lvl == null || !UNIT_LEADERS.has(lvl) || r == null || !ctx.unit || ctx.unit.level == null) return null;
    const rankIdx = CIVIL_RANK_INDEX.get(r);
    const unitIdx = LEVEL_INDEX.get(ctx.unit.level);
    if (rankIdx === undefined || unitIdx === undefined) return null;
    const own = lvl === '单位正职' ? unitIdx : unitIdx + 1;
    const min = own < MIN_RANK_BY_LEVEL.length ? MIN_RANK_BY_LEVEL[own] : null;
    if (!min || rankIdx <= CIVIL_RANK_INDEX.get(min)!) return null;
    return { detail: { leaderLevel: lvl, postLevel: LEVELS[own], rank: r, minRank: min } };
  },
});

export const STATUS_RULES: Rule[] = [
  statusMissing, statusVsPost, quotaKindMissing, quotaKindNotApproved, quotaKindVsNature, postCategoryVsKind, rankVsKind,
  officeUnknown, leaderInOffice, dutyStatusMissing, secondmentTooLong, startupLeaveTooLong, absentOnQuota, rankBelowPost,
] as Rule[];
