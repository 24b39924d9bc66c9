// domain.md §5.6 Quotas and headcount (unit): UnitRecord.quotas (核定 by 编制类型) against
// agg.onQuotaByKind (实有在编) and agg.inTransitByKind (在途). Findings per kind carry the kind as
// qualifier, so 超编 行政编制 and 超编 事业编制 are separate findings.

import type { UnitRecord } from '../model.ts';
import { defineRule, type Hit, type Rule } from './define.ts';

/** 实有 above 核定 for a kind (a kind with people and no quota row counts as 核定 0). */
export const overQuota = defineRule({
  code: 'U-QT-01', title: '超编', scope: 'unit', severity: 'S1', params: {},
  check: (u) => {
    let hits: Hit[] | null = null;
    const actualByKind = u.agg.onQuotaByKind;
    for (const kind in actualByKind) {
      const actual = actualByKind[kind] ?? 0;
      const approved = u.quotas[kind] ?? 0;
      if (actual > approved) (hits ??= []).push({ qualifier: kind, detail: { kind, approved, actual, over: actual - approved } });
    }
    return hits;
  },
});

/** 实有 == 核定 (> 0): new 用编 requests of that kind are frozen. */
export const fullQuota = defineRule({
  code: 'U-QT-02', title: '满编（提示）', scope: 'unit', severity: 'S3', params: {},
  check: (u) => {
    let hits: Hit[] | null = null;
    for (const kind in u.quotas) {
      const approved = u.quotas[kind];
      if (approved > 0 && (u.agg.onQuotaByKind[kind] ?? 0) === approved) (hits ??= []).push({ qualifier: kind, detail: { kind, approved, actual: approved } });
    }
    return hits;
  },
});

/** 可申请数 / 可使用数 for a kind: 核定 − 实有 − 在途 (may be negative). */
export function availableQuota(u: UnitRecord, kind: string): number {
  return (u.quotas[kind] ?? 0) - (u.agg.onQuotaByKind[kind] ?? 0) - (u.agg.inTransitByKind[kind] ?? 0);
}

/**
 * 核定 − 实有 − 在途 < `requested`. In the daily check (`requested` 0) it reports kinds whose
 * in-transit commitments (待入编, approved 增人入编 / 用编计划) already exceed the vacancies. A
 * request screen calls it with params { requested: n, kind } to judge one request.
 */
export const quotaInsufficient = defineRule({
  code: 'U-QT-03', title: '可用编制不足以办理用编', scope: 'unit', severity: 'S1',
  params: { requested: 0, kind: null as string | null },
  check: (u, ctx) => {
    const requested = ctx.params.requested ?? 0;
    const only = ctx.params.kind;
    if (only) {
      const h = shortage(u, only, requested);
      return h ? [h] : null;
    }
    let hits: Hit[] | null = null;
    for (const kind in requested > 0 ? u.quotas : u.agg.inTransitByKind) {
      const h = shortage(u, kind, requested);
      if (h) (hits ??= []).push(h);
    }
    return hits;
  },
});

function shortage(u: UnitRecord, kind: string, requested: number): Hit | null {
  const inTransit = u.agg.inTransitByKind[kind] ?? 0;
  if (requested <= 0 && inTransit <= 0) return null;
  const available = availableQuota(u, kind);
  if (available >= requested) return null;
  return { qualifier: kind, detail: { kind, approved: u.quotas[kind] ?? 0, actual: u.agg.onQuotaByKind[kind] ?? 0, inTransit, available, requested } };
}

/** Σ核定 > 0 and nobody 在编; shown once that has lasted `months` months. */
export const emptyShell = defineRule({
  code: 'U-QT-04', title: '空壳机构', scope: 'unit', severity: 'S3', params: { months: 12 },
  check: (u, ctx) => {
    let approved = 0;
    for (const kind in u.quotas) approved += u.quotas[kind] ?? 0;
    if (approved <= 0) return null;
    for (const kind in u.agg.onQuotaByKind) if ((u.agg.onQuotaByKind[kind] ?? 0) > 0) return null;
    return { holdDays: Math.round((ctx.params.months * 365) / 12), detail: { approved, actual: 0 } };
  },
});

export const workersOverCap = defineRule({
  code: 'U-QT-05', title: '编外用工超控制数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => (u.workerCap != null && u.agg.workers > u.workerCap ? { detail: { cap: u.workerCap, actual: u.agg.workers, over: u.agg.workers - u.workerCap } } : null),
});

/** One finding per kind db found over the area's approved total (on the units of that region holding the kind). */
export const regionOverTotal = defineRule({
  code: 'U-QT-06', title: '区域编制总量超额', scope: 'unit', severity: 'S1', params: {},
  check: (u) => {
    const list = u.agg.regionOverTotal;
    if (!list || list.length === 0) return null;
    return list.map((r) => ({ qualifier: r.kind, detail: { kind: r.kind, sum: r.sum, total: r.total, over: r.sum - r.total } }));
  },
});

/**
 * Approved 用编计划 past their validity and unused (db counts them from each plan's valid_until).
 * `validityMonths` is the default validity a plan gets when approved; the rule itself only judges
 * the count.
 */
export const expiredPlans = defineRule({
  code: 'U-QT-07', title: '用编计划逾期未使用', scope: 'unit', severity: 'S3', params: { validityMonths: 6 },
  check: (u) => (u.agg.expiredPlans > 0 ? { detail: { count: u.agg.expiredPlans } } : null),
});

export const QUOTA_RULES: Rule[] = [
  overQuota, fullQuota, quotaInsufficient, emptyShell, workersOverCap, regionOverTotal, expiredPlans,
] as Rule[];
