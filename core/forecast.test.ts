import { describe, expect, it } from 'vitest';
import { buildForecast, forecastJson, forecastWindow, windowRefusal } from './forecast.ts';
import type { UnitStats } from './unit-stats.ts';

const stats = (o: Record<string, number>): UnitStats => new Map(Object.entries(o));

describe('forecast window', () => {
  it('spans 12N months and refuses a start before the stats or an end beyond their 120 months', () => {
    const w = forecastWindow('2026-11', 5);
    expect(w.months).toHaveLength(60);
    expect(w.to).toBe('2031-10');
    expect(windowRefusal(w, '2026-11')).toBeNull();
    expect(windowRefusal(forecastWindow('2026-10', 1), '2026-11')).toContain('不能早于 2026-11');
    expect(windowRefusal(forecastWindow('2026-11', 10), '2026-11')).toBeNull();
    expect(windowRefusal(forecastWindow('2026-12', 10), '2026-11')).toContain('最远到 2036-10');
  });
});

describe('buildForecast', () => {
  const school = { id: 1, name: '一小', stats: stats({ 'sector|教育': 1, 'approved|事业编制': 10, 'onQuota|事业编制': 8, 'vacant|事业编制': 2, 'retire|2026-11|事业编制': 1, 'retire|2026-12|事业编制': 2, 'retire|2027-06|事业编制': 1, 'retire|2031-10|事业编制': 1, 'retire|2031-11|事业编制': 7, 'retire|2026-10|事业编制': 5 }) };
  const hospital = { id: 2, name: '卫生院', stats: stats({ 'sector|卫生': 1, 'approved|事业编制': 5, 'onQuota|事业编制': 7, 'over|事业编制': 2, 'retire|2027-01|事业编制': 3 }) };
  const organ = { id: 3, name: '一局', stats: stats({ 'sector|其他': 1, 'approved|行政编制': 4, 'onQuota|行政编制': 4, 'retire|2028-02|行政编制': 1, 'retire|2028-03|未填': 1 }) };
  const f = buildForecast([school, hospital, organ], forecastWindow('2026-11', 5));

  it('counts by calendar year, the first and last partial, only months inside the window', () => {
    expect(f.years.map((y) => [y.year, y.months, y.partial, y.retirements])).toEqual([
      [2026, 2, true, 3], [2027, 12, false, 4], [2028, 12, false, 2], [2029, 12, false, 0], [2030, 12, false, 0], [2031, 10, true, 1],
    ]);
    expect(f.total.retirements).toBe(10);
    expect(f.months.find((m) => m.month === '2026-12')!.retirements).toBe(2);
  });

  it('splits by sector and 编制类型', () => {
    expect(f.years[1].bySector).toEqual({ 教育: 1, 卫生: 3, 其他: 0 });
    expect(f.years[2].byQuotaKind).toEqual({ 行政编制: 1, 未填: 1 });
    expect(f.bySector.教育.retirements).toBe(5);
  });

  it('puts the retirements next to today\'s 空编: an over-staffed unit first absorbs its 超编', () => {
    const u = (id: number) => f.units.find((x) => x.id === id)!;
    expect(u(1)).toMatchObject({ retirements: 5, vacantNow: 2, vacantAfter: 7, byYear: { 2026: 3, 2027: 1, 2031: 1 } });
    expect(u(2)).toMatchObject({ retirements: 3, vacantNow: 0, vacantAfter: 1 });
    expect(u(3)).toMatchObject({ retirements: 2, vacantNow: 0, vacantAfter: 1 });
    expect(f.byQuotaKind.事业编制).toEqual({ retirements: 8, vacantNow: 2, vacantAfter: 8 });
    expect(f.units.map((x) => x.id)).toEqual([1, 2, 3]);
    expect(Object.keys(forecastJson(f))).toEqual(['from', 'to', 'years', 'units']);
  });
});
