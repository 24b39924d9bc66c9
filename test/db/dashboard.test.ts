// The 数据大屏's figures (db/dashboard.ts shaped by core/dashboard.ts) against counts made here
// straight from people, quotas, findings, unit_daily_lights and unit_scores, on SQLite and
// MariaDB: the demo county after two daily checks, a 单位领导's scope (exactly their subtree,
// never a unit or person outside it) and the Shengzhou sanity example (domain.md §7).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUALITY_FAMILIES, QUOTA_DIMS, qualityFamilyOf, quotaPanel, retirementPanel, SCORE_BANDS, scoreBand, structurePanel } from '../../core/dashboard.ts';
import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { ageOn } from '../../core/rules/util.ts';
import { personRetirement } from '../../core/rules/retirement.ts';
import { ageBand, saturationBand, sectorOf, SECTORS, STRUCTURE_DIMS, type Sector } from '../../core/unit-stats.ts';
import { recheck, runCheck } from '../../db/check.ts';
import { putSetting } from '../../db/settings.ts';
import { treeScope } from '../../db/unit-stats.ts';
import { drillFamily, drillLight, drillPeople, drillStat, openFindingsByFamily, redTrend, scopedSums, scoreDistribution, unitsByLight } from '../../db/dashboard.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { loadUnits, PERSON_COLUMNS, personFromRow } from '../../db/records.ts';
import { subtreeIds } from '../../db/scope.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const D1 = '2026-11-27';
const TODAY = '2026-11-30';
let t: TestDb;
type Row = Record<string, any>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: D1 });
  await runCheck(t.db, D1);
  await runCheck(t.db, TODAY);
  // Two months of scores for the score bands (the latest month counts).
  const ids = (await t.db('units').orderBy('id').select('id')).map((r: Row) => Number(r.id));
  const rows = ids.flatMap((id, i) => [
    { unit_id: id, month: '2026-09', score: 50, rank: i + 1, deductions: '{}', computed_at: '2026-10-01 08:00:00' },
    { unit_id: id, month: '2026-10', score: [98, 91.5, 85, 79.9, 62, 40][i % 6], rank: i + 1, deductions: '{}', computed_at: '2026-11-01 08:00:00' },
  ]);
  await t.db('unit_scores').insert(rows);
}, 180_000);
afterAll(async () => t?.close());

/** Everything counted here from the tables for a set of unit ids (null = all). */
async function counted(ids: number[] | null) {
  const units = (await t.db('units').select('id', 'name', 'nature')) as Row[];
  const keep = (id: number) => ids === null || ids.includes(id);
  const sector = new Map<number, Sector>(units.map((u) => [Number(u.id), sectorOf({ id: Number(u.id), name: u.name, nature: u.nature }, {})]));
  const approved = new Map<string, number>(); // unit|kind
  for (const r of (await t.db('quotas').select('unit_id', 'kind', 'approved')) as Row[]) if (keep(Number(r.unit_id))) approved.set(`${r.unit_id}|${r.kind}`, (approved.get(`${r.unit_id}|${r.kind}`) ?? 0) + Number(r.approved));
  const actual = new Map<string, number>();
  const people = ((await t.db('people').where({ status: '在编' }).select('unit_id', 'quota_kind', 'education', 'rank', 'leader_level', 'duty_status', 'birth_date', 'id_birth')) as Row[]).filter((p) => keep(Number(p.unit_id)));
  for (const p of people) if (p.quota_kind) actual.set(`${p.unit_id}|${p.quota_kind}`, (actual.get(`${p.unit_id}|${p.quota_kind}`) ?? 0) + 1);
  const perSector = (s?: Sector) => {
    const f = { approved: 0, onQuota: 0, vacantGross: 0, overGross: 0, overUnits: 0, units: 0, fullUnits: 0, byKind: {} as Record<string, { approved: number; onQuota: number; vacant: number; over: number }>, bands: {} as Record<string, number> };
    const totals = new Map<number, { a: number; n: number }>();
    for (const u of units) {
      const id = Number(u.id);
      if (keep(id) && (!s || sector.get(id) === s)) totals.set(id, { a: 0, n: 0 });
    }
    for (const k of new Set([...approved.keys(), ...actual.keys()])) {
      const [id, kind] = k.split('|');
      const tot = totals.get(Number(id));
      if (!tot) continue;
      const a = approved.get(k) ?? 0;
      const n = actual.get(k) ?? 0;
      const bk = (f.byKind[kind] ??= { approved: 0, onQuota: 0, vacant: 0, over: 0 });
      bk.approved += a; bk.onQuota += n; bk.vacant += Math.max(0, a - n); bk.over += Math.max(0, n - a);
      f.approved += a; f.onQuota += n; f.vacantGross += Math.max(0, a - n); f.overGross += Math.max(0, n - a);
      if (n > a) f.overUnits++;
      tot.a += a; tot.n += n;
    }
    for (const { a, n } of totals.values()) {
      f.units++;
      if (a > 0 && a === n) f.fullUnits++;
      const band = saturationBand(n, a);
      if (band) f.bands[band] = (f.bands[band] ?? 0) + 1;
    }
    return f;
  };
  return { people, perSector, sector };
}

function tally<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

async function expectQuotas(ids: number[] | null, root?: number) {
  const c = await counted(ids);
  for (const s of [undefined, ...SECTORS]) {
    const { all, bySector } = await scopedSums(t.db, ids, QUOTA_DIMS, s, root);
    const panel = quotaPanel(all, bySector);
    const want = c.perSector(s);
    expect(panel.totals, s).toMatchObject({ approved: want.approved, onQuota: want.onQuota, vacantGross: want.vacantGross, overGross: want.overGross, vacantNet: want.approved - want.onQuota, overUnits: want.overUnits, units: want.units, fullUnits: want.fullUnits });
    expect(panel.totals.vacantGross - panel.totals.overGross).toBe(panel.totals.vacantNet);
    for (const k of panel.byKind) expect(k, k.kind).toMatchObject({ approved: want.byKind[k.kind].approved, onQuota: want.byKind[k.kind].onQuota, vacantGross: want.byKind[k.kind].vacant, overGross: want.byKind[k.kind].over });
    expect(panel.byKind.length).toBe(Object.keys(want.byKind).length);
    expect(Object.fromEntries(panel.saturation.filter((b) => b.units).map((b) => [b.band, b.units]))).toEqual(want.bands);
    for (const x of panel.bySector) expect(x, x.sector).toMatchObject({ approved: c.perSector(x.sector).approved, onQuota: c.perSector(x.sector).onQuota, units: c.perSector(x.sector).units });
  }
  return c;
}

describe('the dashboard on the demo county, as the office', () => {
  it('gives 核定, 实有, gross and net 空编, 超编, 超编单位, 满编单位 and 饱和度 bands by kind and sector as counted from quotas and people', async () => {
    const c = await expectQuotas(null);
    expect(c.perSector().approved).toBeGreaterThan(100);
    expect(c.perSector().overUnits).toBeGreaterThan(0);
  });

  it('gives the structure of 在编 staff as counted from people', async () => {
    const { all } = await scopedSums(t.db, null, STRUCTURE_DIMS.map((d) => d.dim));
    const panel = structurePanel(all);
    const c = await counted(null);
    const dim = (d: string) => Object.fromEntries(panel.dims.find((x) => x.dim === d)!.items.map((i) => [i.key, i.n]));
    expect(dim('education')).toEqual(tally(c.people, (p) => p.education || '未填'));
    expect(dim('rank')).toEqual(tally(c.people, (p) => p.rank || '未填'));
    expect(dim('leaderLevel')).toEqual(tally(c.people, (p) => p.leader_level || '非领导'));
    expect(dim('dutyStatus')).toEqual(tally(c.people, (p) => p.duty_status || '在岗'));
    expect(dim('age')).toEqual(tally(c.people, (p) => {
      const b = p.birth_date && /^\d{4}-\d{2}-\d{2}$/.test(p.birth_date) ? p.birth_date : p.id_birth;
      return ageBand(b ? ageOn(b, TODAY) : null);
    }));
    for (const d of panel.dims) expect(d.total, d.dim).toBe(c.people.length);
  });

  it('gives units by light, open findings by family, the latest month\'s score bands and the red trend as counted from the tables', async () => {
    const lights = await unitsByLight(t.db, null);
    expect(lights.date).toBe(TODAY);
    const want = tally((await t.db('unit_daily_lights').where({ date: TODAY }).select('light')) as Row[], (r) => r.light);
    expect({ red: lights.red, yellow: lights.yellow, green: lights.green }).toEqual({ red: want.red ?? 0, yellow: want.yellow ?? 0, green: want.green ?? 0 });
    expect(lights.red + lights.yellow + lights.green).toBe(Number((await t.db('units').count({ n: '*' }).first())!.n));

    const families = await openFindingsByFamily(t.db, null);
    const open = (await t.db('findings').where({ status: 'open' }).select('rule')) as Row[];
    const wantFam = tally(open, (r) => qualityFamilyOf(r.rule));
    for (const f of QUALITY_FAMILIES) expect(families[f], f).toBe(wantFam[f] ?? 0);
    expect(Object.values(families).reduce((a, b) => a + b, 0)).toBe(open.length);
    expect(families.hint + families.accuracy).toBeGreaterThan(0);

    const scores = await scoreDistribution(t.db, null);
    expect(scores.month).toBe('2026-10');
    const sc = tally((await t.db('unit_scores').where({ month: '2026-10' }).select('score')) as Row[], (r) => scoreBand(Number(r.score)));
    expect(Object.fromEntries(scores.bands.map((b) => [b.band, b.units]))).toEqual(Object.fromEntries(SCORE_BANDS.map((b) => [b, sc[b] ?? 0])));

    // The office's trend (check summaries) equals the red findings of each day's lights.
    const trend = await redTrend(t.db, null);
    expect(trend.map((x) => x.date)).toEqual([D1, TODAY]);
    for (const x of trend) {
      const r = await t.db('unit_daily_lights').where({ date: x.date }).sum({ red: 'red' }).first();
      expect(x.red, x.date).toBe(Number(r!.red));
    }
    expect(await redTrend(t.db, (await t.db('units').select('id')).map((r: Row) => Number(r.id)))).toEqual(trend);
  });

  it('gives the retirement wave by month, year, kind and sector as counted from people', async () => {
    const from = monthOf(TODAY);
    const { all, bySector } = await scopedSums(t.db, null, ['retire']);
    const wave = retirementPanel(all, bySector, from, 5);
    expect(wave.months).toHaveLength(60);
    const c = await counted(null);
    const units = await loadUnits(t.db, TODAY);
    const to = addMonthsToMonth(from, 59);
    const byMonth: Record<string, number> = {};
    const byKindYear: Record<string, number> = {};
    const bySectorYear: Record<string, number> = {};
    for (const r of (await t.db('people').where({ status: '在编' }).select(PERSON_COLUMNS)) as Row[]) {
      const p = personFromRow(r);
      const ret = personRetirement(p, units.get(p.unitId) ?? null);
      if (!ret) continue;
      const m = ret.retirement.month;
      if (m < from || m > to) continue;
      byMonth[m] = (byMonth[m] ?? 0) + 1;
      byKindYear[`${m.slice(0, 4)}|${p.quotaKind || '未填'}`] = (byKindYear[`${m.slice(0, 4)}|${p.quotaKind || '未填'}`] ?? 0) + 1;
      bySectorYear[`${m.slice(0, 4)}|${c.sector.get(p.unitId)}`] = (bySectorYear[`${m.slice(0, 4)}|${c.sector.get(p.unitId)}`] ?? 0) + 1;
    }
    expect(Object.fromEntries(wave.months.filter((m) => m.n).map((m) => [m.month, m.n]))).toEqual(byMonth);
    expect(wave.total).toBeGreaterThan(0);
    const kindYear: Record<string, number> = {};
    const sectorYear: Record<string, number> = {};
    for (const y of wave.years) {
      for (const [k, n] of Object.entries(y.byKind)) kindYear[`${y.year}|${k}`] = n;
      for (const [k, n] of Object.entries(y.bySector)) sectorYear[`${y.year}|${k}`] = n;
    }
    expect(kindYear).toEqual(byKindYear);
    expect(sectorYear).toEqual(bySectorYear);
  });

  it('drills from a figure to its units and from a unit to its people, as counted from people and findings', async () => {
    const kind = '事业编制';
    const d = await drillStat(t.db, 'onQuota', kind, null, undefined, 200);
    const want = (await t.db('people').where({ status: '在编', quota_kind: kind }).select('unit_id').count({ n: '*' }).groupBy('unit_id')) as Row[];
    expect(d.total).toBe(want.length);
    expect(Object.fromEntries(d.units.map((u) => [u.unitId, u.n]))).toEqual(Object.fromEntries(want.map((r) => [Number(r.unit_id), Number(r.n)])));
    expect(d.units.every((u) => u.name && !u.name.startsWith('单位 '))).toBe(true);
    expect(d.units.map((u) => u.n)).toEqual([...d.units.map((u) => u.n)].sort((a, b) => b - a));
    const top = d.units[0];
    const people = await drillPeople(t.db, top.unitId, 'onQuota', kind, 500);
    const wantPeople = (await t.db('people').where({ unit_id: top.unitId, status: '在编', quota_kind: kind }).orderBy('id').select('id')).map((r: Row) => Number(r.id));
    expect(people.people.map((p) => p.id)).toEqual(wantPeople);
    expect(people.total).toBe(top.n);
    expect(people.people.every((p) => !p.idMasked || /\*/.test(p.idMasked))).toBe(true);

    // A year of retirements: units by their count, by sector.
    const year = String(Number(TODAY.slice(0, 4)) + 1);
    const ry = await drillStat(t.db, 'retire', year, null, '教育', 200);
    const c = await counted(null);
    const units = await loadUnits(t.db, TODAY);
    const perUnit: Record<number, number> = {};
    for (const r of (await t.db('people').where({ status: '在编' }).select(PERSON_COLUMNS)) as Row[]) {
      const p = personFromRow(r);
      const ret = personRetirement(p, units.get(p.unitId) ?? null);
      if (ret && ret.retirement.month.startsWith(year) && c.sector.get(p.unitId) === '教育') perUnit[p.unitId] = (perUnit[p.unitId] ?? 0) + 1;
    }
    expect(Object.fromEntries(ry.units.map((u) => [u.unitId, u.n]))).toEqual(perUnit);

    // Quality figures: units with a light, units with open findings of a family.
    const red = await drillLight(t.db, 'red', null, 200);
    expect(red.units.map((u) => u.unitId).sort((a, b) => a - b)).toEqual((await t.db('unit_daily_lights').where({ date: TODAY, light: 'red' }).select('unit_id')).map((r: Row) => Number(r.unit_id)).sort((a: number, b: number) => a - b));
    const acc = await drillFamily(t.db, 'accuracy', null, 200);
    const wantAcc: Record<number, number> = {};
    for (const r of (await t.db('findings').where({ status: 'open' }).select('unit_id', 'rule')) as Row[]) if (qualityFamilyOf(r.rule) === 'accuracy') wantAcc[Number(r.unit_id)] = (wantAcc[Number(r.unit_id)] ?? 0) + 1;
    expect(Object.fromEntries(acc.units.map((u) => [u.unitId, u.n]))).toEqual(wantAcc);
  });
});

describe("the dashboard of a 单位领导's scope", () => {
  it('covers exactly their unit and the units below it, and its drill-downs never leave it', async () => {
    // The leader's unit with the most units below it.
    const leaders = (await t.db('users').where({ role: '单位领导' }).whereNotNull('unit_id').select('unit_id')) as Row[];
    let scope: number[] = [];
    for (const l of leaders) {
      const sub = await subtreeIds(t.db, Number(l.unit_id));
      if (sub.length > scope.length) scope = sub;
    }
    expect(scope.length).toBeGreaterThan(1);
    const root = scope[0];
    expect(await t.db('stat_sums').where({ scope: treeScope(root) }).first()).toBeUndefined();
    const c = await expectQuotas(scope, root);
    // The same from the subtree's stored sums, kept by the check for units with a big subtree and by the re-check.
    await putSetting(t.db, 'stats.treeMin', 2);
    await runCheck(t.db, TODAY);
    expect(await t.db('stat_sums').where({ scope: treeScope(root) }).first()).toBeTruthy();
    await expectQuotas(scope, root);
    const p = (await t.db('people').where({ status: '在编' }).whereIn('unit_id', scope).whereNot('unit_id', root).first('id', 'id_hash'))!;
    await t.db('people').where({ id: p.id }).update({ status: '已出编' });
    await recheck(t.db, { personHash: p.id_hash }, TODAY);
    await expectQuotas(scope, root);
    const dims = ['onQuota', 'vacant', 'over', 'age', 'retire', 'unitTotal'] as const;
    for (const sector of [undefined, ...SECTORS]) {
      const stored = await scopedSums(t.db, scope, [...dims], sector, root);
      const summed = await scopedSums(t.db, scope, [...dims], sector);
      expect(Object.fromEntries([...stored.all].sort()), sector).toEqual(Object.fromEntries([...summed.all].filter(([, n]) => n).sort()));
    }
    expect(c.people.every((p) => scope.includes(Number(p.unit_id)))).toBe(true);

    const lights = await unitsByLight(t.db, scope);
    expect(lights.red + lights.yellow + lights.green).toBe(scope.length);
    const families = await openFindingsByFamily(t.db, scope);
    const open = (await t.db('findings').where({ status: 'open' }).whereIn('unit_id', scope).select('rule')) as Row[];
    expect(Object.values(families).reduce((a, b) => a + b, 0)).toBe(open.length);
    const trend = await redTrend(t.db, scope);
    for (const x of trend) expect(x.red).toBe(Number((await t.db('unit_daily_lights').where({ date: x.date }).whereIn('unit_id', scope).sum({ red: 'red' }).first())!.red));
    const scores = await scoreDistribution(t.db, scope);
    expect(scores.units).toBe(scope.length);

    for (const [dim, key] of [['status', '在编'], ['unitTotal', 'units'], ['onQuota', '事业编制'], ['education', '本科']] as const) {
      const d = await drillStat(t.db, dim, key, scope, undefined, 200);
      expect(d.units.every((u) => scope.includes(u.unitId)), `${dim}|${key}`).toBe(true);
      const all = await drillStat(t.db, dim, key, null, undefined, 200);
      expect(d.total).toBe(all.units.filter((u) => scope.includes(u.unitId)).length);
    }
    for (const l of ['red', 'yellow', 'green'] as const) expect((await drillLight(t.db, l, scope, 200)).units.every((u) => scope.includes(u.unitId))).toBe(true);
    // A big scope (over 1000 ids: read from the county's index rows and kept here) gives the same: padded with ids of no unit.
    const padded = [...scope, ...Array.from({ length: 1200 }, (_, i) => 9_000_000 + i)];
    expect(await unitsByLight(t.db, padded)).toEqual(lights);
    expect(await openFindingsByFamily(t.db, padded)).toEqual(families);
    expect(await redTrend(t.db, padded)).toEqual(trend);
    for (const l of ['red', 'yellow', 'green'] as const) expect(await drillLight(t.db, l, padded, 200), l).toEqual(await drillLight(t.db, l, scope, 200));
    for (const f of QUALITY_FAMILIES) expect(await drillFamily(t.db, f, padded, 200), f).toEqual(await drillFamily(t.db, f, scope, 200));
    for (const [dim, key] of [['status', '在编'], ['onQuota', '事业编制'], ['retire', String(Number(TODAY.slice(0, 4)) + 1)]] as const) {
      expect(await drillStat(t.db, dim, key, padded, undefined, 200), `${dim}|${key}`).toEqual(await drillStat(t.db, dim, key, scope, undefined, 200));
    }
    for (const f of QUALITY_FAMILIES) expect((await drillFamily(t.db, f, scope, 200)).units.every((u) => scope.includes(u.unitId))).toBe(true);
  });
});

describe('the Shengzhou sanity example (domain.md §7)', () => {
  it('shows 核定 16220, 实有 13950, net 空编 2270 (14.0%), 65 超编单位 and gross 空编 = net + Σ超编', async () => {
    const s = await createTestDb();
    try {
      const { seedShengzhou, SHENGZHOU } = await import('../fixtures/shengzhou.ts');
      await seedShengzhou(s.db);
      await runCheck(s.db, '2026-11-30');
      const { all, bySector } = await scopedSums(s.db, null, QUOTA_DIMS);
      const panel = quotaPanel(all, bySector);
      expect(panel.totals).toMatchObject({ approved: 16220, onQuota: 13950, vacantNet: SHENGZHOU.netVacant, vacantNetRate: 14.0, overUnits: SHENGZHOU.overUnits });
      expect(panel.totals.vacantGross).toBe(panel.totals.vacantNet + panel.totals.overGross);
      expect(panel.totals.overGross).toBe(130);
      const kinds = Object.fromEntries(panel.byKind.map((k) => [k.kind, k]));
      expect(kinds['行政编制']).toMatchObject({ approved: 2976, onQuota: 2592, vacantNet: 384, vacantNetRate: 12.9, overUnits: 10 });
      expect(kinds['事业编制']).toMatchObject({ approved: 13244, onQuota: 11358, vacantNet: 1886, vacantNetRate: 14.2, overUnits: 55 });
      expect(Object.fromEntries(panel.bySector.map((x) => [x.sector, x.units]))).toEqual({ 教育: 60, 卫生: 30, 其他: 270 });
      const over = panel.saturation.find((b) => b.band === '超编')!.units;
      expect(over).toBe(65);
      // Drill: the 65 units over quota, each by 2.
      const d = await drillStat(s.db, 'over', '事业编制', null, undefined, 200);
      expect(d.total).toBe(55);
      expect(d.units.every((u) => u.n === 2)).toBe(true);
    } finally {
      await s.close();
    }
  }, 120_000);
});
