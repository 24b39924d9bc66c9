// The 数据大屏's panels shaped from summed unit stats (core/unit-stats.ts), pure: 核定/实有/在途/
// 空编/超编 by 编制类型 and sector, gross and net (domain.md §7); the staff structure; the
// retirement wave by month and year; the quality families and score bands; and which figure a
// drill-down names (dim + key) and how a unit's people are filtered for it.

import { familyOf, FAMILY_TITLES, type ScoreFamily } from './scores.ts';
import { isHint } from './lights.ts';
import { AGE_BANDS, quotaKindsOf, SATURATION_BANDS, SECTORS, STRUCTURE_DIMS, statKey, statsOf, statTotal, type Sector, type StatDim, type UnitStats } from './unit-stats.ts';
import { addMonthsToMonth } from './dates.ts';

/** What the page says about gross and net 空编, once. */
export const VACANCY_NOTE = '净空编 = 核定数 − 实有数（超编单位与空编单位相互抵消）；空编（各单位合计）= 各单位各类编制空编数之和，比净空编多出全部超编数。';

export interface QuotaFigures {
  approved: number;
  onQuota: number;
  inTransit: number;
  /** Σ per unit and kind max(0, 核定 − 实有) */
  vacantGross: number;
  /** Σ per unit and kind max(0, 实有 − 核定) */
  overGross: number;
  /** 核定 − 实有 */
  vacantNet: number;
  /** vacantNet / 核定, in percent to one decimal (null without a quota) */
  vacantNetRate: number | null;
  /** units (per kind) with 实有 > 核定 */
  overUnits: number;
}

const rate = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 1000) / 10 : null);

function figures(s: UnitStats, kind?: string): QuotaFigures {
  const pick = (dim: StatDim) => statTotal(s, dim, kind);
  const approved = pick('approved');
  const onQuota = pick('onQuota');
  return {
    approved, onQuota, inTransit: pick('inTransit'), vacantGross: pick('vacant'), overGross: pick('over'),
    vacantNet: approved - onQuota, vacantNetRate: rate(approved - onQuota, approved), overUnits: pick('overUnit'),
  };
}

export const QUOTA_DIMS: StatDim[] = ['approved', 'onQuota', 'inTransit', 'vacant', 'over', 'overUnit', 'unitTotal', 'saturation', 'sector'];

export interface QuotaPanel {
  totals: QuotaFigures & { units: number; fullUnits: number };
  byKind: Array<{ kind: string } & QuotaFigures>;
  bySector: Array<{ sector: Sector; units: number } & QuotaFigures>;
  saturation: Array<{ band: string; units: number }>;
  note: string;
}

/** The quota panel from the scope's (or sector's) sums and each sector's sums. */
export function quotaPanel(all: UnitStats, bySector: Record<Sector, UnitStats>): QuotaPanel {
  const kinds = quotaKindsOf(all);
  return {
    totals: { ...figures(all), units: all.get(statKey('unitTotal', 'units')) ?? 0, fullUnits: all.get(statKey('unitTotal', 'fullUnit')) ?? 0 },
    byKind: kinds.map((kind) => ({ kind, ...figures(all, kind) })),
    bySector: SECTORS.map((sector) => ({ sector, units: bySector[sector].get(statKey('unitTotal', 'units')) ?? 0, ...figures(bySector[sector]) })),
    saturation: SATURATION_BANDS.map((band) => ({ band, units: all.get(statKey('saturation', band)) ?? 0 })),
    note: VACANCY_NOTE,
  };
}

export interface StructurePanel {
  dims: Array<{ dim: StatDim; title: string; total: number; items: Array<{ key: string; n: number }> }>;
}

export function structurePanel(s: UnitStats): StructurePanel {
  return {
    dims: STRUCTURE_DIMS.map(({ dim, title }) => {
      const o = statsOf(s, dim);
      const keys = dim === 'age' ? AGE_BANDS.filter((b) => o[b]) : Object.keys(o).sort((a, b) => o[b] - o[a] || a.localeCompare(b));
      return { dim, title, total: statTotal(s, dim), items: keys.map((key) => ({ key, n: o[key] })) };
    }),
  };
}

export interface RetirementPanel {
  from: string;
  to: string;
  total: number;
  months: Array<{ month: string; n: number; byKind: Record<string, number>; bySector: Record<string, number> }>;
  years: Array<{ year: string; n: number; byKind: Record<string, number>; bySector: Record<string, number> }>;
  kinds: string[];
}

/** The retirement wave from the `retire` stats (key 'YYYY-MM|编制类型') of the scope and of each sector, `years` from `fromMonth`. */
export function retirementPanel(all: UnitStats, bySector: Record<Sector, UnitStats>, fromMonth: string, years: number): RetirementPanel {
  const to = addMonthsToMonth(fromMonth, years * 12 - 1);
  const months = new Map<string, RetirementPanel['months'][number]>();
  for (let m = fromMonth; m <= to; m = addMonthsToMonth(m, 1)) months.set(m, { month: m, n: 0, byKind: {}, bySector: {} });
  const kinds = new Set<string>();
  for (const [key, n] of Object.entries(statsOf(all, 'retire'))) {
    const [month, kind] = key.split('|');
    const row = months.get(month);
    if (!row) continue;
    row.n += n;
    row.byKind[kind] = (row.byKind[kind] ?? 0) + n;
    kinds.add(kind);
  }
  for (const sector of SECTORS) {
    for (const [key, n] of Object.entries(statsOf(bySector[sector], 'retire'))) {
      const row = months.get(key.split('|')[0]);
      if (row) row.bySector[sector] = (row.bySector[sector] ?? 0) + n;
    }
  }
  const byYear = new Map<string, RetirementPanel['years'][number]>();
  for (const row of months.values()) {
    const year = row.month.slice(0, 4);
    const y = byYear.get(year) ?? { year, n: 0, byKind: {}, bySector: {} };
    y.n += row.n;
    for (const [k, n] of Object.entries(row.byKind)) y.byKind[k] = (y.byKind[k] ?? 0) + n;
    for (const [k, n] of Object.entries(row.bySector)) y.bySector[k] = (y.bySector[k] ?? 0) + n;
    byYear.set(year, y);
  }
  const list = [...months.values()];
  return { from: fromMonth, to, total: list.reduce((a, r) => a + r.n, 0), months: list, years: [...byYear.values()], kinds: [...kinds].sort() };
}

/** The families open findings are counted in on the quality panel: the score's families, and 提示 apart. */
export const QUALITY_FAMILIES = ['completeness', 'accuracy', 'timeliness', 'selfCheck', 'hint'] as const;
export type QualityFamily = (typeof QUALITY_FAMILIES)[number];
export const QUALITY_FAMILY_TITLES: Record<QualityFamily, string> = { ...FAMILY_TITLES, hint: '提示' } as Record<ScoreFamily | 'hint', string>;

/** A rule's family on the quality panel (core/scores.ts familyOf; U-PR-01 in 自查; 提示 apart). */
export function qualityFamilyOf(rule: string): QualityFamily {
  if (isHint(rule)) return 'hint';
  return familyOf(rule) ?? 'selfCheck';
}

/** The bands of the month's scores, best first. */
export const SCORE_BANDS = ['90-100分', '80-90分', '70-80分', '60-70分', '60分以下'] as const;

export function scoreBand(score: number): (typeof SCORE_BANDS)[number] {
  if (score >= 90) return '90-100分';
  if (score >= 80) return '80-90分';
  if (score >= 70) return '70-80分';
  if (score >= 60) return '60-70分';
  return '60分以下';
}

/** The figures a drill-down may name: a stat dim, or a quality figure. */
export type DrillDim = StatDim | 'light' | 'family';
export const DRILL_STAT_DIMS: readonly StatDim[] = ['approved', 'onQuota', 'inTransit', 'vacant', 'over', 'overUnit', 'unitTotal', 'saturation', 'sector', 'status', 'retire', ...STRUCTURE_DIMS.map((d) => d.dim)];
export const DRILL_LIGHTS = ['red', 'yellow', 'green'] as const;

/**
 * The people behind a unit-level figure, as a person stat to match: 核定/空编/超编 of a kind list
 * the unit's 在编 people of that kind; the unit's totals, 饱和度 and sector its 在编 people.
 * A retirement key may be a year ('2027'), a month ('2027-03') or a month and kind.
 */
export function personMatcher(dim: StatDim, key: string): (keys: Array<[StatDim, string]>) => boolean {
  if (dim === 'approved' || dim === 'vacant' || dim === 'over' || dim === 'overUnit') return (ks) => ks.some(([d, k]) => d === 'onQuota' && k === key);
  if (dim === 'unitTotal' || dim === 'saturation' || dim === 'sector') return (ks) => ks.some(([d, k]) => d === 'status' && k === '在编');
  if (dim === 'retire' && !key.includes('|')) return (ks) => ks.some(([d, k]) => d === 'retire' && k.startsWith(key));
  return (ks) => ks.some(([d, k]) => d === dim && k === key);
}
