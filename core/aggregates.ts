// Unit facts that come from the roster (实有 by kind, leader holders, head counts). They are
// accumulated person by person, so the nightly scan builds them from the same stream it checks,
// and the re-check of one unit builds them from that unit's people: one definition for both.

import type { PersonRecord, UnitAggregates, UnitRecord } from './model.ts';

export function emptyAggregates(): UnitAggregates {
  return {
    onQuotaByKind: {}, inTransitByKind: {}, leadersByLevel: {}, overLevelLeaders: 0, people: 0, workers: 0,
    sameCodeUnits: 0, sameNameUnits: 0, inCycle: false, latestApprovalDate: null, selfChecksThisMonth: 0,
    specialists: 0, monthlyReport: null, expiredPlans: 0, regionOverTotal: [], unregisteredContracts: [],
  };
}

const inc = (m: Record<string, number>, k: string, by = 1) => { m[k] = (m[k] ?? 0) + by; };

/** Unit 机构规格 and civil-service 职级 on one ladder (higher = more senior). */
const UNIT_LEVEL: Record<string, number> = { 正部级: 9, 副部级: 8, 正厅级: 7, 副厅级: 6, 正处级: 5, 副处级: 4, 正科级: 3, 副科级: 2, 股级: 1 };
/**
 * The leader level a 职级 corresponds to under 《公务员职务与职级并行规定》: 一级巡视员 ~ 厅局级正职 …
 * 三级/四级主任科员 ~ 乡科级副职. A unit leader whose 职级 sits above the post the unit's 规格 allows
 * (正职 = the unit's level, 副职 = one below) is counted as 超规格 unless the record says 是否高配 = 是.
 */
const RANK_LEVEL: Record<string, number> = {
  一级巡视员: 7, 二级巡视员: 6, 一级调研员: 5, 二级调研员: 5, 三级调研员: 4, 四级调研员: 4,
  一级主任科员: 3, 二级主任科员: 3, 三级主任科员: 2, 四级主任科员: 2,
};

export function isOverLevelLeader(p: Pick<PersonRecord, 'status' | 'leaderLevel' | 'rank'>, unitLevel: string | null, highApproved: boolean): boolean {
  if (p.status !== '在编' || highApproved || !unitLevel || !p.rank) return false;
  const u = UNIT_LEVEL[unitLevel];
  const r = RANK_LEVEL[p.rank];
  if (u === undefined || r === undefined) return false;
  if (p.leaderLevel === '单位正职') return r > u;
  if (p.leaderLevel === '单位副职') return r > u - 1;
  return false;
}

export function addPerson(agg: UnitAggregates, p: PersonRecord, unit: Pick<UnitRecord, 'level'>, highApproved = false): void {
  if (p.status !== '已出编') agg.people++;
  if (p.status === '在编') {
    if (p.quotaKind) inc(agg.onQuotaByKind, p.quotaKind);
    if (p.leaderLevel && p.leaderLevel !== '非领导') inc(agg.leadersByLevel, p.leaderLevel);
    if (isOverLevelLeader(p, unit.level, highApproved)) agg.overLevelLeaders++;
  } else if (p.status === '待入编' && p.quotaKind) {
    inc(agg.inTransitByKind, p.quotaKind);
  }
}

export function addWorker(agg: UnitAggregates): void {
  agg.workers++;
}

/** Approved requests that will take quota but have not entered yet (在途). */
export function addInTransit(agg: UnitAggregates, kind: string, count: number): void {
  inc(agg.inTransitByKind, kind, count);
}
