// The retirement forecast (db/forecast.ts, what `sanse forecast` prints) against a count made
// here: every 在编 person's retirement month computed with personRetirement over the people
// rows, on the demo county after the daily check (SQLite and MariaDB).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonthsToMonth, monthFromIndex, monthIndex, monthOf } from '../../core/dates.ts';
import type { UnitRecord } from '../../core/model.ts';
import { personRetirement } from '../../core/rules/retirement.ts';
import { sectorOf } from '../../core/unit-stats.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { forecastOf, ForecastRefusal } from '../../db/forecast.ts';
import { personRecords } from '../../db/people.ts';
import { loadSectorMapping } from '../../db/unit-stats.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-30';
const FROM = monthOf(TODAY);
let t: TestDb;
type Row = Record<string, any>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 800, seed: 7, today: TODAY });
  await runCheck(t.db, TODAY);
}, 180_000);
afterAll(async () => t?.close());

/** Retirements in [from, from + 12·years) counted here: year → {total, sector, kind}, and by unit. */
async function counted(from: string, years: number) {
  const units = new Map<number, Row>(((await t.db('units').select('id', 'name', 'nature', 'level')) as Row[]).map((u) => [Number(u.id), u]));
  const mapping = await loadSectorMapping(t.db);
  const lo = monthIndex(`${from}-01`);
  const hi = lo + years * 12;
  const byYear = new Map<number, { n: number; sector: Record<string, number>; kind: Record<string, number> }>();
  const byUnit = new Map<number, number>();
  for (const p of await personRecords(t.db, { status: '在编' })) {
    const u = units.get(p.unitId!)!;
    const r = personRetirement(p, { level: u.level } as UnitRecord);
    if (!r || r.monthIndex < lo || r.monthIndex >= hi) continue;
    const year = Number(monthFromIndex(r.monthIndex).slice(0, 4));
    if (!byYear.has(year)) byYear.set(year, { n: 0, sector: { 教育: 0, 卫生: 0, 其他: 0 }, kind: {} });
    const y = byYear.get(year)!;
    y.n++;
    y.sector[sectorOf({ id: u.id, name: u.name, nature: u.nature }, mapping)]++;
    const kind = p.quotaKind || '未填';
    y.kind[kind] = (y.kind[kind] ?? 0) + 1;
    byUnit.set(u.id, (byUnit.get(u.id) ?? 0) + 1);
  }
  return { byYear, byUnit };
}

describe('sanse forecast figures', () => {
  it('equal the retirements computed here person by person, by year, sector and kind', async () => {
    const f = await forecastOf(t.db, { years: 5, from: FROM });
    const c = await counted(FROM, 5);
    expect(f.from).toBe(FROM);
    expect(f.to).toBe(addMonthsToMonth(FROM, 59));
    expect(f.years.map((y) => y.year)).toEqual([2026, 2027, 2028, 2029, 2030, 2031]);
    let total = 0;
    for (const y of f.years) {
      const want = c.byYear.get(y.year) ?? { n: 0, sector: { 教育: 0, 卫生: 0, 其他: 0 }, kind: {} };
      expect([y.year, y.retirements]).toEqual([y.year, want.n]);
      expect(y.bySector).toEqual(want.sector);
      expect(y.byQuotaKind).toEqual(want.kind);
      total += want.n;
    }
    expect(total).toBeGreaterThan(20);
    expect(f.total.retirements).toBe(total);
    const units = new Map(f.units.filter((u) => u.retirements).map((u) => [u.id, u.retirements]));
    expect(Object.fromEntries([...units].sort())).toEqual(Object.fromEntries([...c.byUnit].sort()));
  });

  it('take a later start, one unit, or one sector', async () => {
    const from = addMonthsToMonth(FROM, 7);
    const f = await forecastOf(t.db, { years: 2, from });
    const c = await counted(from, 2);
    expect(f.total.retirements).toBe([...c.byYear.values()].reduce((a, y) => a + y.n, 0));
    const top = (await forecastOf(t.db, { years: 5 })).units[0];
    const one = await forecastOf(t.db, { years: 5, unitId: top.id });
    expect(one.units).toHaveLength(1);
    expect(one.units[0]).toEqual(top);
    const edu = await forecastOf(t.db, { years: 5, sector: '教育' });
    const all = await forecastOf(t.db, { years: 5 });
    expect(edu.total.retirements).toBe(all.bySector.教育.retirements);
    expect(edu.units.every((u) => u.sector === '教育')).toBe(true);
  });

  it('puts each unit\'s 空编 today beside the retirements, from the quotas and the roster', async () => {
    const f = await forecastOf(t.db, { years: 5 });
    const approved = new Map<string, number>(((await t.db('quotas').select('unit_id', 'kind', 'approved')) as Row[]).map((r) => [`${r.unit_id}|${r.kind}`, Number(r.approved)]));
    const actual = new Map<string, number>();
    for (const r of (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind')) as Row[]) actual.set(`${r.unit_id}|${r.quota_kind}`, Number(r.n));
    const vacant = new Map<number, number>();
    for (const [k, a] of approved) {
      const id = Number(k.split('|')[0]);
      vacant.set(id, (vacant.get(id) ?? 0) + Math.max(0, a - (actual.get(k) ?? 0)));
    }
    for (const u of f.units) {
      expect(u.vacantNow).toBe(vacant.get(u.id) ?? 0);
      expect(u.vacantAfter).toBeGreaterThanOrEqual(u.vacantNow);
      expect(u.vacantAfter).toBeLessThanOrEqual(u.vacantNow + u.retirements);
    }
    expect(f.total.vacantNow).toBe([...vacant.values()].reduce((a, b) => a + b, 0));
  });

  it('refuses in Chinese a start before the stats or a window beyond their 120 months', async () => {
    await expect(forecastOf(t.db, { years: 5, from: '2026-10' })).rejects.toThrow(/不能早于 2026-11/);
    await expect(forecastOf(t.db, { years: 10, from: '2027-01' })).rejects.toThrow(ForecastRefusal);
    await expect(forecastOf(t.db, { years: 10, from: '2027-01' })).rejects.toThrow(/最远到 2036-10/);
  });
});
