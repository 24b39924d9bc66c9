// The figures of one unit that the dashboard, the unit portrait, the town map, the forecast and
// the reports add up (domain.md §7): 核定, 实有, 在途, 空编 and 超编 by 编制类型; how full the
// unit is; the structure of its 在编 staff (age band, education, gender, 岗位类别, 职级, 领导职务,
// 在岗状态); and its retirements month by month. The nightly check accumulates them from the same
// stream it checks, and the re-check of a unit from that unit's people, through these functions:
// one definition of every count. db/unit-stats.ts stores them and their sums by sector.
//
// A unit's stats are a map of "dim|key" → n. Sums over units are sums of these maps, so an
// area's gross 空编 (Σ per-unit 空编) is stored per unit and summed, never derived from totals.

import type { IsoDate, PersonRecord, UnitRecord } from './model.ts';
import { personBirth, personGender, personRetirement } from './rules/retirement.ts';
import { ageOn, dateKind, monthIdx } from './rules/util.ts';
import { monthFromIndex } from './dates.ts';

/** What a stat counts. Every dim's keys are listed in `STAT_KEYS` or documented beside it. */
export type StatDim =
  /** 核定编制数 by 编制类型 */
  | 'approved'
  /** 实有在编人数 by 使用编制类型 */
  | 'onQuota'
  /** 在途 (待入编 people and approved, unfinished requests) by 编制类型 */
  | 'inTransit'
  /** per unit and kind: max(0, 核定 − 实有) */
  | 'vacant'
  /** per unit and kind: max(0, 实有 − 核定) */
  | 'over'
  /** 1 for each kind in which the unit is over-staffed (counts 超编单位 when summed) */
  | 'overUnit'
  /** per unit over all kinds: keys approved (核定), vacant, over, overUnit (over in total), anyOverUnit (over in some kind), fullUnit, units (1 per unit) */
  | 'unitTotal'
  /** 1 per unit with a quota, keyed by its 饱和度 band (SATURATION_BANDS) */
  | 'saturation'
  /** 在编 people by age band (AGE_BANDS) on the check's date */
  | 'age'
  /** 在编 people by 学历 ('未填' when empty) */
  | 'education'
  /** 在编 people by 性别 (the roster's, else the ID number's) */
  | 'gender'
  /** 在编 people by 岗位类别 ('公务员' for 行政/政法专项/参公 quota without one, else '未填') */
  | 'postCategory'
  /** 在编 people by 职级 ('未填' when empty) */
  | 'rank'
  /** 在编 people by 领导职务层次 ('非领导' when empty) */
  | 'leaderLevel'
  /** 在编 people by 在岗状态 ('在岗' when empty) */
  | 'dutyStatus'
  /** people on the roster (not 已出编) by 在编状态 */
  | 'status'
  /** 在编 people by retirement month and 编制类型: key 'YYYY-MM|编制类型', within RETIRE_WINDOW_MONTHS of the check's month */
  | 'retire'
  /** 1, keyed by the unit's sector (sectorOf): sums count units per sector */
  | 'sector'
  /** 1, keyed by the id of the town (乡镇(街道)机关) the unit is in: itself or its nearest such ancestor (townOf) */
  | 'town';

export const STAT_DIMS: readonly StatDim[] = [
  'approved', 'onQuota', 'inTransit', 'vacant', 'over', 'overUnit', 'unitTotal', 'saturation', 'age', 'education', 'gender',
  'postCategory', 'rank', 'leaderLevel', 'dutyStatus', 'status', 'retire', 'sector', 'town',
];

/** The structure dims of 在编 staff, in the order the dashboard shows them, with their Chinese names. */
export const STRUCTURE_DIMS: ReadonlyArray<{ dim: StatDim; title: string }> = [
  { dim: 'age', title: '年龄结构' },
  { dim: 'education', title: '学历结构' },
  { dim: 'gender', title: '性别结构' },
  { dim: 'postCategory', title: '岗位类别' },
  { dim: 'rank', title: '职级' },
  { dim: 'leaderLevel', title: '领导职务' },
  { dim: 'dutyStatus', title: '在岗状态' },
];

export const AGE_BANDS = ['30岁及以下', '31-35岁', '36-40岁', '41-45岁', '46-50岁', '51-55岁', '56岁及以上', '出生日期不明'] as const;

export function ageBand(age: number | null): (typeof AGE_BANDS)[number] {
  if (age === null || !(age >= 0)) return '出生日期不明';
  if (age <= 30) return '30岁及以下';
  if (age <= 35) return '31-35岁';
  if (age <= 40) return '36-40岁';
  if (age <= 45) return '41-45岁';
  if (age <= 50) return '46-50岁';
  if (age <= 55) return '51-55岁';
  return '56岁及以上';
}

/** 饱和度 (实有 / 核定, all kinds together) bands of a unit with a quota. */
export const SATURATION_BANDS = ['60%以下', '60%-80%', '80%-90%', '90%-100%', '满编', '超编'] as const;

export function saturationBand(actual: number, approved: number): (typeof SATURATION_BANDS)[number] | null {
  if (approved <= 0) return null;
  if (actual > approved) return '超编';
  if (actual === approved) return '满编';
  const s = actual / approved;
  if (s < 0.6) return '60%以下';
  if (s < 0.8) return '60%-80%';
  if (s < 0.9) return '80%-90%';
  return '90%-100%';
}

/** How many months of retirements a unit's stats keep, from the check's month on (10 years). */
export const RETIRE_WINDOW_MONTHS = 120;

/** The sectors the forecast and the dashboard split by (Ningbo art. 12: 教育、卫生等重点领域). */
export const SECTORS = ['教育', '卫生', '其他'] as const;
export type Sector = (typeof SECTORS)[number];

const EDUCATION = /学校|中学|小学|幼儿园|学院|大学|职业技术|职高|技校|教师发展|教育(?!局)|教研/;
const HEALTH = /医院|卫生院|卫生服务中心|疾病预防控制|疾控|妇幼保健|急救|血站|卫生监督|精神卫生|中医院/;

/**
 * A unit's sector: the office's mapping (setting `sectors`) when it names the unit; else, for a
 * 事业单位, by its name (schools and kindergartens 教育, hospitals and health centres 卫生);
 * organs and everything else 其他. The office corrects a unit the name misleads.
 */
export function sectorOf(unit: Pick<UnitRecord, 'id' | 'name' | 'nature'>, mapping: SectorMapping): Sector {
  const mapped = mapping[String(unit.id)];
  if (mapped && (SECTORS as readonly string[]).includes(mapped)) return mapped as Sector;
  if (unit.nature !== '事业单位') return '其他';
  if (EDUCATION.test(unit.name)) return '教育';
  if (HEALTH.test(unit.name)) return '卫生';
  return '其他';
}

/** The 机构性质 of a town's organ: the 镇街三色图 colours these units with everything below them. */
export const TOWN_NATURE = '乡镇(街道)机关';

/**
 * Each unit's town: the unit itself when it is a town's organ, else its nearest ancestor that
 * is; null when none is (a county department). A cycle in the parent chain stops the walk.
 */
export function townsOf(units: Iterable<Pick<UnitRecord, 'id' | 'parentId' | 'nature'>>): Map<number, number | null> {
  const byId = new Map<number, Pick<UnitRecord, 'id' | 'parentId' | 'nature'>>();
  for (const u of units) byId.set(u.id, u);
  const out = new Map<number, number | null>();
  for (const u of byId.values()) {
    const path: number[] = [];
    const seen = new Set<number>();
    let cur: Pick<UnitRecord, 'id' | 'parentId' | 'nature'> | undefined = u;
    let town: number | null = null;
    while (cur && !seen.has(cur.id)) {
      if (out.has(cur.id)) { town = out.get(cur.id)!; break; }
      if (cur.nature === TOWN_NATURE) { town = cur.id; break; }
      seen.add(cur.id);
      path.push(cur.id);
      cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
    }
    for (const id of path) out.set(id, town);
    if (!out.has(u.id)) out.set(u.id, town);
  }
  return out;
}

/** The office's mapping of units (by id) to sectors: settings key `sectors`. */
export type SectorMapping = Record<string, Sector>;

export type UnitStats = Map<string, number>;

// The same few hundred keys recur in every unit: each is made once and shared, so a million
// people's figures neither build a string per person and figure nor keep a copy per unit.
const KEYS = new Map<string, Map<string, string>>();

export function statKey(dim: StatDim, key: string): string {
  let byKey = KEYS.get(dim);
  if (!byKey) KEYS.set(dim, (byKey = new Map()));
  let k = byKey.get(key);
  if (k === undefined) {
    k = `${dim}|${key}`;
    if (byKey.size < 10_000) byKey.set(key, k);
  }
  return k;
}

export function splitStatKey(k: string): { dim: StatDim; key: string } {
  const i = k.indexOf('|');
  return { dim: k.slice(0, i) as StatDim, key: k.slice(i + 1) };
}

function inc(s: UnitStats, dim: StatDim, key: string, by = 1): void {
  if (!by) return;
  const k = statKey(dim, key);
  s.set(k, (s.get(k) ?? 0) + by);
}

/** A 岗位类别 as the structure counts it. */
export function postCategoryOf(p: Pick<PersonRecord, 'postCategory' | 'quotaKind'>): string {
  if (p.postCategory) return p.postCategory;
  if (p.quotaKind === '行政编制' || p.quotaKind === '政法专项编制' || p.quotaKind === '参公事业编制') return '公务员';
  return '未填';
}

/**
 * The stat keys one person adds to their unit on `date` (dim → key), without the counts: the
 * same list the drill-down filters a unit's people by. A person not on the roster adds nothing.
 */
export function personStatKeys(p: PersonRecord, unit: UnitRecord | null, date: IsoDate): Array<[StatDim, string]> {
  const out: Array<[StatDim, string]> = [];
  eachPersonStat(p, unit, date, (dim, key) => out.push([dim, key]));
  return out;
}

/** personStatKeys without the list: `each(dim, key)` per figure (the nightly scan's hot path). */
function eachPersonStat(p: PersonRecord, unit: UnitRecord | null, date: IsoDate, each: (dim: StatDim, key: string) => void): void {
  if (!p.status || p.status === '已出编') return;
  each('status', p.status);
  if (p.status === '待入编' && p.quotaKind) each('inTransit', p.quotaKind);
  if (p.status !== '在编') return;
  if (p.quotaKind) each('onQuota', p.quotaKind);
  const birth = personBirth(p);
  const kind = birth ? dateKind(birth) : 0;
  each('age', ageBand(kind === 10 ? ageOn(birth!, date) : kind === 7 ? ageOn(`${birth}-01`, date) : null));
  each('education', p.education || '未填');
  each('gender', personGender(p) ?? '未填');
  each('postCategory', postCategoryOf(p));
  each('rank', p.rank || '未填');
  each('leaderLevel', p.leaderLevel || '非领导');
  each('dutyStatus', p.dutyStatus || '在岗');
  // Only births that can retire inside the window (no one retires before 50 or after 63 and some
  // months) are worth computing: most of a roster is not.
  const from = monthIdx(date);
  const b = kind !== 0 ? monthIdx(birth!) : null;
  if (b === null || (b + 50 * 12 < from + RETIRE_WINDOW_MONTHS && b + 64 * 12 >= from)) {
    const r = personRetirement(p, unit);
    if (r && r.monthIndex >= from && r.monthIndex < from + RETIRE_WINDOW_MONTHS) each('retire', `${monthFromIndex(r.monthIndex)}|${p.quotaKind || '未填'}`);
  }
}

/** Adds one person to their unit's stats (the nightly scan and the re-check of a unit). */
export function addPersonStats(s: UnitStats, p: PersonRecord, unit: UnitRecord | null, date: IsoDate): void {
  eachPersonStat(p, unit, date, (dim, key) => {
    const k = statKey(dim, key);
    s.set(k, (s.get(k) ?? 0) + 1);
  });
}

/**
 * Completes a unit's stats once all its people are in: 核定 by kind (unit.quotas), the approved
 * requests still 在途 (unit.agg.inTransitByKind holds both 待入编 people and requests: the people
 * were already added one by one, so only the difference is added here), and the per-unit
 * 空编/超编/饱和度 figures, and its sector.
 */
export function finishUnitStats(s: UnitStats, unit: UnitRecord, sector: Sector, townId: number | null = null): void {
  inc(s, 'sector', sector);
  if (townId !== null) inc(s, 'town', String(townId));
  for (const [kind, n] of Object.entries(unit.quotas)) inc(s, 'approved', kind, n);
  for (const [kind, n] of Object.entries(unit.agg.inTransitByKind)) {
    const people = s.get(statKey('inTransit', kind)) ?? 0;
    if (n > people) inc(s, 'inTransit', kind, n - people);
  }
  const kinds = new Set([...Object.keys(unit.quotas), ...Object.keys(unit.agg.onQuotaByKind)]);
  let approved = 0;
  let actual = 0;
  let anyOver = false;
  for (const kind of kinds) {
    const a = unit.quotas[kind] ?? 0;
    const n = s.get(statKey('onQuota', kind)) ?? 0;
    approved += a;
    actual += n;
    inc(s, 'vacant', kind, Math.max(0, a - n));
    inc(s, 'over', kind, Math.max(0, n - a));
    if (n > a) {
      inc(s, 'overUnit', kind);
      anyOver = true;
    }
  }
  if (anyOver) inc(s, 'unitTotal', 'anyOverUnit');
  inc(s, 'unitTotal', 'units');
  inc(s, 'unitTotal', 'approved', approved);
  inc(s, 'unitTotal', 'vacant', Math.max(0, approved - actual));
  inc(s, 'unitTotal', 'over', Math.max(0, actual - approved));
  if (actual > approved) inc(s, 'unitTotal', 'overUnit');
  if (approved > 0 && actual === approved) inc(s, 'unitTotal', 'fullUnit');
  const band = saturationBand(actual, approved);
  if (band) inc(s, 'saturation', band);
}

/** Adds b into a (sums of units: a sector, a town, someone's scope). */
export function addStats(a: UnitStats, b: UnitStats, sign = 1): UnitStats {
  for (const [k, n] of b) {
    const v = (a.get(k) ?? 0) + sign * n;
    if (v) a.set(k, v); else a.delete(k);
  }
  return a;
}

/** The stats of one dim as key → n. */
export function statsOf(s: UnitStats, dim: StatDim): Record<string, number> {
  const out: Record<string, number> = {};
  const prefix = `${dim}|`;
  for (const [k, n] of s) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n;
  return out;
}

/** A dim's figure: one key's, or without a key the sum over all its keys (every 编制类型, say). */
export function statTotal(s: UnitStats, dim: StatDim, key?: string): number {
  if (key !== undefined) return s.get(statKey(dim, key)) ?? 0;
  let n = 0;
  for (const v of Object.values(statsOf(s, dim))) n += v;
  return n;
}

/** The 编制类型 a unit (or a sum of units) has a quota or 在编 people of, sorted. */
export function quotaKindsOf(s: UnitStats): string[] {
  return [...new Set([...Object.keys(statsOf(s, 'approved')), ...Object.keys(statsOf(s, 'onQuota'))])].sort();
}

/** The sector a unit's stats hold (the check wrote it: sectorOf with the office's mapping then); null for a sum of none. */
export function sectorInStats(s: UnitStats): Sector | null {
  for (const sector of SECTORS) if (s.get(statKey('sector', sector))) return sector;
  return null;
}

/** Whether two units' stats are the same (the check rewrites only the units that changed). */
export function sameStats(a: UnitStats | undefined, b: UnitStats): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, n] of b) if (a.get(k) !== n) return false;
  return true;
}

/**
 * A 32-bit hash of a unit's stats (FNV-1a of each entry, added up so the order does not matter):
 * the check rewrites a unit's rows only when it changed.
 */
export function statsHash(s: UnitStats): number {
  let sum = 0;
  for (const [k, n] of s) {
    let h = 0x811c9dc5;
    for (let i = 0; i < k.length; i++) {
      h ^= k.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= n & 0xffff;
    h = Math.imul(h, 0x01000193);
    h ^= n >>> 16;
    h = Math.imul(h, 0x01000193);
    sum = (sum + h) | 0;
  }
  return sum;
}
