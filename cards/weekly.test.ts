import { describe, expect, it } from 'vitest';
import type { WeeklyUnitLine } from '../core/weekly-list.ts';
import { lineSummary, weeklyOfficeCard, weeklyUnitCard } from './weekly.ts';

const line = (over: Partial<WeeklyUnitLine> = {}): WeeklyUnitLine => ({
  unitId: 7, unitName: '[点此](http://evil.example)局', unitCode: 'X', regionCode: '330602', regionName: '越城区',
  red: { count: 7, oldestWorkdays: 12, since: '2026-11-20' },
  redItems: Array.from({ length: 7 }, (_, i) => ({ findingId: i + 1, rule: 'P-RT-01', title: '退休人员未及时出编', subject: `人${i}`, idMasked: '330602********1234', openedOn: '2026-11-13', workdaysOpen: 12 - i, redSince: '2026-11-20' })),
  suspension: null, waitingRequests: [], selfChecks: { count: 0, min: 2 }, actions: ['fix-red', 'self-check'], ...over,
});

describe('weekly cards', () => {
  it('a unit\'s card: its items (the first five), @ its 专管员, data escaped, the recheck button until done', () => {
    const c = weeklyUnitCard({ date: '2026-12-07', week: '2026-12-07', line: line(), mentions: [{ userId: 'u1', name: '小王' }], url: 'http://h/m/#/todo?unit=7', done: false });
    expect(c.cardId).toBe('weekly-unit:7:2026-12-07');
    expect(c.data.markdown).not.toContain('](http');
    expect(c.data.markdown).toContain('［点此］');
    expect(c.data.markdown).toContain('……另有 2 项');
    expect(c.data.markdown).toContain('请 @小王 尽快整改红灯问题，并本月完成自查');
    expect(c.data.recheckText).toBe('已整改，重新检查');
    const done = weeklyUnitCard({ date: '2026-12-07', week: '2026-12-07', line: line(), mentions: [], url: 'u', done: true });
    expect(done.data).toMatchObject({ light: 'green', progress: '已整改', recheckText: '' });
  });

  it('the office card: counts, regions, lines, 已整改 marks', () => {
    const l = line();
    const c = weeklyOfficeCard({
      date: '2026-12-07', week: '2026-12-07', settings: { requestLimitWorkdays: 5, minSelfChecks: 2 },
      counts: { units: 1, redUnits: 1, redItems: 7, suspended: 0, waitingRequests: 0, noSelfCheck: 1 },
      regions: [{ name: '越城区', counts: { units: 1, redUnits: 1, redItems: 7, suspended: 0, waitingRequests: 0, noSelfCheck: 1 } }],
      lines: [l], more: 0, doneUnitIds: [7], url: 'http://h/m/#/console/weekly',
    });
    expect(c.cardId).toBe('weekly-office:2026-12-07');
    expect(c.data.markdown).toContain('已整改');
    expect(c.data.progress).toBe('已整改 1/1 个单位');
    expect(lineSummary(l)).toBe('红灯 7 项，最长 12 个工作日；本月自查 0/2 次');
  });
});
