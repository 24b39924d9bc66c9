import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { buildWeeklyList, lineDone, weekOf, type WeeklyFacts } from './weekly-list.ts';

const cal = createCalendar();
// 2026-12-07 is a Monday.
const D = '2026-12-07';

function facts(over: Partial<WeeklyFacts> = {}): WeeklyFacts {
  return {
    date: D,
    units: [
      { id: 1, name: '甲局', code: 'A', regionCode: '330602', regionName: '越城区' },
      { id: 2, name: '乙中心', code: 'B', regionCode: '330603', regionName: '柯桥区' },
      { id: 3, name: '丙所', code: 'C', regionCode: '330602', regionName: '越城区' },
      { id: 4, name: '丁站', code: null, regionCode: null, regionName: null },
    ],
    findings: [],
    suspensions: [],
    requests: [],
    selfChecks: new Map([[1, 2], [2, 2], [3, 2], [4, 2]]),
    selfCheckUnitIds: [1, 2, 3, 4],
    settings: { requestLimitWorkdays: 5, minSelfChecks: 2 },
    ...over,
  };
}

const finding = (findingId: number, unitId: number, openedOn: string) => ({ findingId, unitId, rule: 'P-RT-01', title: '退休人员未及时出编', subject: '张三', idMasked: '330602********1234', openedOn });

describe('the weekly list', () => {
  it('lists red findings only (open more than 3 working days), the longest open first, with the first red day', () => {
    // 2026-12-02 (Wed) is 3 working days before Monday 12-07: still yellow; 12-01 is 4: red.
    const list = buildWeeklyList(facts({ findings: [finding(10, 1, '2026-12-02'), finding(11, 1, '2026-12-01'), finding(12, 2, '2026-11-20')] }), cal);
    expect(list.units.map((l) => l.unitId)).toEqual([2, 1]);
    const a = list.units.find((l) => l.unitId === 1)!;
    expect(a.red).toEqual({ count: 1, oldestWorkdays: 4, since: D });
    expect(a.redItems.map((i) => i.findingId)).toEqual([11]);
    expect(list.units[0].red!.oldestWorkdays).toBe(11);
    expect(list.counts).toMatchObject({ units: 2, redUnits: 2, redItems: 2 });
    expect(list.week).toBe(D);
  });

  it('lists suspensions in force, requests over the limit and units short of self-checks; groups by region, most urgent first', () => {
    const list = buildWeeklyList(facts({
      suspensions: [{ unitId: 3, startsOn: '2026-12-01', endsOn: '2027-02-28', byUnitId: 3 }, { unitId: 2, startsOn: '2026-01-01', endsOn: '2026-03-31', byUnitId: 2 }],
      requests: [
        { id: 7, no: 'SQ2026-000007', unitId: 4, kind: '增人入编', state: 'submitted', submittedOn: '2026-11-27' }, // 6 working days
        { id: 8, no: 'SQ2026-000008', unitId: 2, kind: '用编计划', state: 'reviewed', submittedOn: '2026-11-30' }, // 5: not over
      ],
      selfChecks: new Map([[1, 1], [2, 2], [3, 2], [4, 2]]),
    }), cal);
    expect(list.units.map((l) => [l.unitId, l.actions])).toEqual([[3, ['suspended']], [4, ['await-office']], [1, ['self-check']]]);
    expect(list.units[0].suspension).toEqual({ startsOn: '2026-12-01', endsOn: '2027-02-28', inherited: false });
    expect(list.units[1].waitingRequests[0]).toMatchObject({ no: 'SQ2026-000007', workdaysWaiting: 6 });
    expect(list.units[2].selfChecks).toEqual({ count: 1, min: 2 });
    expect(list.regions.map((r) => [r.name, r.units.map((u) => u.unitId)])).toEqual([['越城区', [3, 1]], ['', [4]]]);
    expect(list.regions[0].counts).toMatchObject({ units: 2, suspended: 1, noSelfCheck: 1 });
  });

  it('a lower limit lists more requests; an empty county lists nothing', () => {
    const requests = [{ id: 8, no: 'SQ2026-000008', unitId: 2, kind: '用编计划', state: 'reviewed' as const, submittedOn: '2026-11-30' }];
    expect(buildWeeklyList(facts({ requests }), cal).units).toHaveLength(0);
    expect(buildWeeklyList(facts({ requests, settings: { requestLimitWorkdays: 4, minSelfChecks: 2 } }), cal).units).toHaveLength(1);
  });

  it('a line is done when its listed red items are resolved and it self-checked enough; a suspension alone never is', () => {
    const line = { red: { count: 1, oldestWorkdays: 4, since: D }, selfChecks: { count: 0, min: 2 } };
    expect(lineDone(line, { openListedRed: 1, selfChecks: 2 })).toBe(false);
    expect(lineDone(line, { openListedRed: 0, selfChecks: 1 })).toBe(false);
    expect(lineDone(line, { openListedRed: 0, selfChecks: 2 })).toBe(true);
    expect(lineDone({ red: null, selfChecks: null }, { openListedRed: 0, selfChecks: 9 })).toBe(false);
  });

  it('a week is named by its Monday', () => {
    expect(weekOf('2026-12-09')).toBe(D);
    expect(weekOf('2026-12-13')).toBe(D);
  });
});
