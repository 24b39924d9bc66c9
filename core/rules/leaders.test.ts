import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe.each([
  ['U-LD-01', '单位正职'],
  ['U-LD-02', '单位副职'],
  ['U-LD-03', '中层正职'],
  ['U-LD-04', '中层副职'],
])('%s 超职数 (%s)', (code, level) => {
  it('fires when holders exceed the approved count', () => {
    const approved = makeUnit().leaderPosts[level];
    const u = makeUnit({ agg: { leadersByLevel: { ...makeUnit().agg.leadersByLevel, [level]: approved + 1 } } });
    expect(runRule(rule(code), u)).toEqual([{ detail: { level, approved, actual: approved + 1, over: 1 } }]);
  });
  it('fires when the level has no approved row but other rows exist', () => {
    const posts = { ...makeUnit().leaderPosts };
    delete posts[level];
    expect(runRule(rule(code), makeUnit({ leaderPosts: posts }))[0].detail).toMatchObject({ approved: 0 });
  });
  it('is silent within the count, and without any 领导职数 rows (U-LD-06)', () => {
    expect(runRule(rule(code), makeUnit())).toEqual([]);
    expect(runRule(rule(code), makeUnit({ leaderPosts: {} }))).toEqual([]);
  });
});

describe('U-LD-05 超规格配备', () => {
  it('fires when db found holders above the unit level', () => {
    expect(runRule(rule('U-LD-05'), makeUnit({ agg: { overLevelLeaders: 2 } }))).toEqual([{ detail: { count: 2, unitLevel: '正处级' } }]);
  });
  it('is silent otherwise', () => {
    expect(runRule(rule('U-LD-05'), makeUnit())).toEqual([]);
  });
});

describe('U-LD-06 领导职数核定缺失', () => {
  it('fires on leaders on the roster and no 领导职数 rows', () => {
    expect(runRule(rule('U-LD-06'), makeUnit({ leaderPosts: {} }))).toEqual([{ detail: { leaders: 8 } }]);
  });
  it('is silent with rows, or with no leaders', () => {
    expect(runRule(rule('U-LD-06'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-LD-06'), makeUnit({ leaderPosts: {}, agg: { leadersByLevel: { 非领导: 5 } } }))).toEqual([]);
  });
});

describe('U-LD-07 领导空缺', () => {
  it('reports an empty 正职 post, held back 90 days', () => {
    const u = makeUnit({ agg: { leadersByLevel: { 单位副职: 2 } } });
    expect(runRule(rule('U-LD-07'), u)).toEqual([{ holdDays: 90, detail: { level: '单位正职', approved: 1 } }]);
  });
  it('is silent when held or not approved', () => {
    expect(runRule(rule('U-LD-07'), makeUnit())).toEqual([]);
    expect(runRule(rule('U-LD-07'), makeUnit({ leaderPosts: { 单位副职: 2 }, agg: { leadersByLevel: { 单位副职: 2 } } }))).toEqual([]);
  });
});
