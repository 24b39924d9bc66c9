// POST /api/check takes only a real day within the window around today (core/dates.ts
// CHECK_WINDOW): far, impossible or out-of-window dates are refused in Chinese before anything
// is written (no check_runs row, no finding, no outbox row). SQLite and MariaDB.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, CalendarRangeError, MAX_WALK_DAYS } from '../../core/calendar.ts';
import { addDays, CHECK_WINDOW, todayInShanghai } from '../../core/dates.ts';
import { findingLight, openLightsOn } from '../../core/lights.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
const today = todayInShanghai();

beforeAll(async () => {
  a = await startApp();
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

async function written(): Promise<{ runs: number; jobRuns: number; findings: number; outbox: number; lights: number }> {
  const n = async (table: string) => Number((await a.t.db(table).count({ n: '*' }).first())!.n);
  return { runs: await n('check_runs'), jobRuns: await n('job_runs'), findings: await n('findings'), outbox: await n('outbox'), lights: await n('unit_daily_lights') };
}

describe('POST /api/check dates', () => {
  const refused = [
    ['9999-12-31', /有效范围|允许范围/],
    ['0000-01-01', /有效范围|允许范围/],
    ['2026-13-01', /不是有效日期/],
    ['2026-02-30', /不是有效日期/],
    ['26-1-1', /不是有效日期/],
    [addDays(today, CHECK_WINDOW.daysAhead + 1), /允许范围/],
    [addDays(today, -CHECK_WINDOW.daysBack - 1), /允许范围/],
    [20261201, /日期/],
  ] as const;
  for (const [date, message] of refused) {
    it(`refuses ${date} in Chinese and writes nothing`, async () => {
      const before = await written();
      const t0 = Date.now();
      const res = await a.app.inject({ method: 'POST', url: '/api/check', headers: admin.write, payload: { date } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatch(message);
      expect(res.json().error).toMatch(/[\u4e00-\u9fff]/);
      expect(res.json().fields?.date).toBeTruthy();
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(await written()).toEqual(before);
    });
  }

  it('takes the edges of the window, and no force through the API', async () => {
    const forced = await a.app.inject({ method: 'POST', url: '/api/check', headers: admin.write, payload: { date: addDays(today, -CHECK_WINDOW.daysBack - 1), force: true } });
    expect(forced.statusCode).toBe(400);
    const res = await a.app.inject({ method: 'POST', url: '/api/check', headers: admin.write, payload: { date: addDays(today, -CHECK_WINDOW.daysBack) } });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().date).toBe(addDays(today, -CHECK_WINDOW.daysBack));
  });
});

describe('calendar walks are bounded', () => {
  it('refuses a walk to a far date at once instead of counting millions of days', () => {
    const cal = createCalendar();
    const t0 = Date.now();
    expect(() => cal.workdaysBetween('2026-11-23', '9999-12-31')).toThrow(CalendarRangeError);
    expect(() => cal.workdaysBetween('2026-11-23', '9999-12-31')).toThrow(/跨度/);
    expect(() => cal.addWorkdays('2026-11-23', 10_000_000)).toThrow(CalendarRangeError);
    // Overrides that make every day off end in a refusal, not an endless loop.
    const allOff = createCalendar(Array.from({ length: MAX_WALK_DAYS + 10 }, (_, i) => ({ date: addDays('2026-01-01', i), work: false })));
    expect(() => allOff.addWorkdays('2026-01-01', 0)).toThrow(CalendarRangeError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('lights a finding opened before the walk\'s bound red, without walking to it', () => {
    const cal = createCalendar();
    const t0 = Date.now();
    expect(findingLight({ rule: 'U-QT-01', openedOn: '0000-01-01', resolvedOn: null }, '2026-11-23', cal)).toBe('red');
    expect(openLightsOn('2026-11-23', cal)('1901-01-01', 'U-QT-01').light).toBe('red');
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
