// domain.md §5.5 Leader posts (unit): UnitRecord.leaderPosts (核定 by 职数类型) against
// agg.leadersByLevel (在编 people holding each 领导职务层次).

import type { UnitRecord } from '../model.ts';
import { defineRule, type Rule } from './define.ts';

function hasRows(o: Record<string, number>): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * Holders of `level` above its 核定 count. Silent when the unit has no 领导职数 rows at all
 * (U-LD-06 reports that); a missing row for this level counts as 核定 0.
 */
function overPosts(u: UnitRecord, level: string) {
  const actual = u.agg.leadersByLevel[level] ?? 0;
  if (actual === 0 || !hasRows(u.leaderPosts)) return null;
  const approved = u.leaderPosts[level] ?? 0;
  return actual > approved ? { detail: { level, approved, actual, over: actual - approved } } : null;
}

export const unitHeadsOver = defineRule({
  code: 'U-LD-01', title: '单位领导正职超职数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => overPosts(u, '单位正职'),
});

export const unitDeputiesOver = defineRule({
  code: 'U-LD-02', title: '单位领导副职超职数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => overPosts(u, '单位副职'),
});

export const middleHeadsOver = defineRule({
  code: 'U-LD-03', title: '中层正职超职数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => overPosts(u, '中层正职'),
});

export const middleDeputiesOver = defineRule({
  code: 'U-LD-04', title: '中层副职超职数', scope: 'unit', severity: 'S1', params: {},
  check: (u) => overPosts(u, '中层副职'),
});

/** db counts the holders whose rank suggests a post above the unit's 规格 without a 高配 approval. */
export const overLevelLeaders = defineRule({
  code: 'U-LD-05', title: '超规格配备', scope: 'unit', severity: 'S1', params: {},
  check: (u) => (u.agg.overLevelLeaders > 0 ? { detail: { count: u.agg.overLevelLeaders, unitLevel: u.level } } : null),
});

const LEADER_LEVELS = ['单位正职', '单位副职', '中层正职', '中层副职'] as const;

export const leaderPostsMissing = defineRule({
  code: 'U-LD-06', title: '领导职数核定缺失', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    if (hasRows(u.leaderPosts)) return null;
    let leaders = 0;
    for (const l of LEADER_LEVELS) leaders += u.agg.leadersByLevel[l] ?? 0;
    return leaders > 0 ? { detail: { leaders } } : null;
  },
});

/** An approved 单位正职 with nobody holding it; shown once the vacancy has lasted `days` days. */
export const headVacant = defineRule({
  code: 'U-LD-07', title: '领导空缺（提示）', scope: 'unit', severity: 'S3', params: { days: 90 },
  check: (u, ctx) => {
    const approved = u.leaderPosts['单位正职'] ?? 0;
    if (approved <= 0 || (u.agg.leadersByLevel['单位正职'] ?? 0) > 0) return null;
    return { holdDays: ctx.params.days, detail: { level: '单位正职', approved } };
  },
});

export const LEADER_RULES: Rule[] = [
  unitHeadsOver, unitDeputiesOver, middleHeadsOver, middleDeputiesOver, overLevelLeaders, leaderPostsMissing, headVacant,
] as Rule[];
