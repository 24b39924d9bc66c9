// Each unit's stored figures (db/unit-stats.ts) against counts made here straight from the
// tables, on SQLite and MariaDB: after the daily check, after a re-check that moved a person,
// and the sums ('all', by sector) always equal the sum of the units' rows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOn } from '../../core/rules/util.ts';
import { ageBand, statKey, statsOf, type UnitStats } from '../../core/unit-stats.ts';
import { recheck, runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { readStatsOfUnits, readUnitStats, statsAsOf, sumStats, townSums, unitsWithStat } from '../../db/unit-stats.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-30';
let t: TestDb;
type Row = Record<string, any>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: TODAY });
  await runCheck(t.db, TODAY);
}, 120_000);
afterAll(async () => t?.close());

/** 实有 by unit and kind, 核定 by unit and kind, counted here. */
async function counted() {
  const actual = new Map<string, number>();
  for (const r of (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind')) as Row[]) {
    actual.set(`${r.unit_id}|${r.quota_kind}`, Number(r.n));
  }
  const approved = new Map<string, number>();
  for (const r of (await t.db('quotas').select('unit_id', 'kind', 'approved')) as Row[]) approved.set(`${r.unit_id}|${r.kind}`, Number(r.approved));
  return { actual, approved };
}

async function allUnitStats(): Promise<Map<number, UnitStats>> {
  const ids = (await t.db('units').select('id')).map((r: Row) => Number(r.id));
  return readStatsOfUnits(t.db, ids);
}

describe('unit stats after the daily check', () => {
  it('hold 核定, 实有, 空编 and 超编 per unit and kind as counted from the tables', async () => {
    const { actual, approved } = await counted();
    const stats = await allUnitStats();
    let checked = 0;
    for (const [unitId, s] of stats) {
      const kinds = new Set([...Object.keys(statsOf(s, 'approved')), ...Object.keys(statsOf(s, 'onQuota'))]);
      for (const kind of kinds) {
        const a = approved.get(`${unitId}|${kind}`) ?? 0;
        const n = actual.get(`${unitId}|${kind}`) ?? 0;
        expect(s.get(statKey('approved', kind)) ?? 0).toBe(a);
        expect(s.get(statKey('onQuota', kind)) ?? 0).toBe(n);
        expect(s.get(statKey('vacant', kind)) ?? 0).toBe(Math.max(0, a - n));
        expect(s.get(statKey('over', kind)) ?? 0).toBe(Math.max(0, n - a));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(await statsAsOf(t.db)).toBe(TODAY);
  });

  it('count 在编 people by age band on the check date, from the roster birth date else the ID number', async () => {
    const people = (await t.db('people').where({ status: '在编' }).select('unit_id', 'birth_date', 'id_birth')) as Row[];
    const want = new Map<string, number>();
    for (const p of people) {
      const b = p.birth_date && /^\d{4}-\d{2}-\d{2}$/.test(p.birth_date) ? p.birth_date : p.id_birth;
      const k = ageBand(b ? ageOn(b, TODAY) : null);
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const sums = await sumStats(t.db, null, { dims: ['age'] });
    expect(Object.fromEntries([...want].sort())).toEqual(Object.fromEntries(Object.entries(statsOf(sums, 'age')).sort()));
  });

  it("keep the sums equal to the units' rows, overall and by sector", async () => {
    const stats = await allUnitStats();
    const all = new Map<string, number>();
    // Every figure but the town a unit is in (the key of the towns' own sums).
    for (const s of stats.values()) for (const [k, n] of s) if (!k.startsWith('town|')) all.set(k, (all.get(k) ?? 0) + n);
    const sums = await sumStats(t.db, null);
    expect(Object.fromEntries([...sums].sort())).toEqual(Object.fromEntries([...all].filter(([, n]) => n).sort()));
    let sectorTotal = 0;
    for (const sector of ['教育', '卫生', '其他'] as const) sectorTotal += (await sumStats(t.db, null, { sector })).get(statKey('onQuota', '事业编制')) ?? 0;
    expect(sectorTotal).toBe(all.get(statKey('onQuota', '事业编制')) ?? 0);
  });

  it('a unit scope sums exactly its units, and the drill-down lists the units behind a figure', async () => {
    const stats = await allUnitStats();
    const some = [...stats.keys()].slice(0, 5);
    const mine = await sumStats(t.db, some, { dims: ['onQuota'] });
    let want = 0;
    for (const id of some) for (const n of Object.values(statsOf(stats.get(id)!, 'onQuota'))) want += n;
    expect([...mine.values()].reduce((a, b) => a + b, 0)).toBe(want);
    const behind = await unitsWithStat(t.db, 'onQuota', '事业编制', null, 1000);
    for (const { unitId, n } of behind) expect(stats.get(unitId)!.get(statKey('onQuota', '事业编制'))).toBe(n);
    expect(behind.length).toBe([...stats.values()].filter((s) => (s.get(statKey('onQuota', '事业编制')) ?? 0) > 0).length);
    // 核定编制 in total drills to each unit's 核定 over all its kinds.
    const quotaTotals = new Map<number, number>();
    for (const r of (await t.db('quotas').select('unit_id').sum({ n: 'approved' }).groupBy('unit_id')) as Row[]) if (Number(r.n) > 0) quotaTotals.set(Number(r.unit_id), Number(r.n));
    const approvedUnits = await unitsWithStat(t.db, 'unitTotal', 'approved', null, 10_000);
    expect(new Map(approvedUnits.map((u) => [u.unitId, u.n]))).toEqual(quotaTotals);
  });
});

describe('unit stats after a re-check', () => {
  it('follow a person who leaves the quota, in the unit and in the sums, and equal a fresh check', async () => {
    const p = (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').whereNotNull('id_hash').first()) as Row;
    const before = await readUnitStats(t.db, Number(p.unit_id));
    const sumBefore = await sumStats(t.db, null, { dims: ['onQuota'] });
    await t.db('people').where({ id: p.id }).update({ status: '已出编' });
    await recheck(t.db, { personHash: p.id_hash }, TODAY);
    const after = await readUnitStats(t.db, Number(p.unit_id));
    expect(after.get(statKey('onQuota', p.quota_kind)) ?? 0).toBe((before.get(statKey('onQuota', p.quota_kind)) ?? 0) - 1);
    const sumAfter = await sumStats(t.db, null, { dims: ['onQuota'] });
    expect(sumAfter.get(statKey('onQuota', p.quota_kind))).toBe(sumBefore.get(statKey('onQuota', p.quota_kind))! - 1);
    const rechecked = await sumStats(t.db, null);
    await runCheck(t.db, TODAY);
    expect(Object.fromEntries([...(await sumStats(t.db, null))].sort())).toEqual(Object.fromEntries([...rechecked].sort()));
  });
});

describe('town sums', () => {
  it("hold each town's 核定/实有/空编/超编 over the units below its organ, after a re-check too", async () => {
    const units = (await t.db('units').select('id', 'parent_id', 'nature')) as Row[];
    const parent = new Map(units.map((u) => [Number(u.id), u.parent_id == null ? null : Number(u.parent_id)]));
    const nature = new Map(units.map((u) => [Number(u.id), u.nature]));
    const townOf = (id: number): number | null => {
      for (let cur: number | null = id, hops = 0; cur !== null && hops < 50; cur = parent.get(cur) ?? null, hops++) if (nature.get(cur) === '乡镇(街道)机关') return cur;
      return null;
    };
    const check = async () => {
      const want = new Map<number, Map<string, number>>();
      const people = (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind')) as Row[];
      for (const p of people) {
        const town = townOf(Number(p.unit_id));
        if (town === null) continue;
        if (!want.has(town)) want.set(town, new Map());
        want.get(town)!.set(p.quota_kind, (want.get(town)!.get(p.quota_kind) ?? 0) + 1);
      }
      const got = await townSums(t.db, ['onQuota']);
      expect(got.size).toBeGreaterThan(3);
      for (const [town, s] of got) expect(Object.fromEntries(Object.entries(statsOf(s, 'onQuota')).filter(([, n]) => n))).toEqual(Object.fromEntries(want.get(town) ?? new Map()));
      return got;
    };
    await check();
    // Someone in a town's unit leaves the quota: the re-check moves the town's sum at once.
    const townUnitIds = units.filter((u) => townOf(Number(u.id)) !== null).map((u) => Number(u.id));
    const p = (await t.db('people').where({ status: '在编' }).whereIn('unit_id', townUnitIds).whereNotNull('quota_kind').whereNotNull('id_hash').first()) as Row;
    await t.db('people').where({ id: p.id }).update({ status: '已出编' });
    await recheck(t.db, { personHash: p.id_hash }, TODAY);
    await check();
  });
});

describe('the Shengzhou sanity example (domain.md §7)', () => {
  it('gives 核定 16220, 实有 13950, net 空编 2270 (14.0%), 65 超编单位, gross 空编 = net + Σ超编', async () => {
    const s = await createTestDb();
    try {
      const { seedShengzhou, SHENGZHOU } = await import('../fixtures/shengzhou.ts');
      await seedShengzhou(s.db);
      await runCheck(s.db, '2026-11-30');
      const sums = await sumStats(s.db, null);
      const approved = statsOf(sums, 'approved');
      const actual = statsOf(sums, 'onQuota');
      expect(approved).toEqual({ 行政编制: 2976, 事业编制: 13244 });
      expect(actual).toEqual({ 行政编制: 2592, 事业编制: 11358 });
      const net = 2976 + 13244 - 2592 - 11358;
      expect(net).toBe(SHENGZHOU.netVacant);
      expect(Math.round((net / 16220) * 1000) / 10).toBe(14.0);
      const overUnits = Object.values(statsOf(sums, 'overUnit')).reduce((a, b) => a + b, 0);
      expect(overUnits).toBe(SHENGZHOU.overUnits);
      const grossVacant = Object.values(statsOf(sums, 'vacant')).reduce((a, b) => a + b, 0);
      const grossOver = Object.values(statsOf(sums, 'over')).reduce((a, b) => a + b, 0);
      expect(grossOver).toBe(65 * 2);
      expect(grossVacant).toBe(net + grossOver);
      expect(statsOf(await sumStats(s.db, null, { sector: '教育' }), 'sector')).toEqual({ 教育: 60 });
      expect(statsOf(await sumStats(s.db, null, { sector: '卫生' }), 'sector')).toEqual({ 卫生: 30 });
    } finally {
      await s.close();
    }
  }, 120_000);
});
