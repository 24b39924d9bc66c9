// The working-day calendar over the API (server/routes/api/calendar.ts): office roles read a year's
// overrides and whether the year is known, only the 编办管理员 enters or removes days, a bad date is
// named and nothing is written; the app as serve builds it on a seeded county (SQLite, or MariaDB
// with SANSE_TEST_DB=mysql).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageWarning } from '../../core/calendar.ts';
import { todayInShanghai } from '../../core/dates.ts';
import { nowMoment } from '../../db/clock.ts';
import { loadCalendar } from '../../db/settings.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
let staff: Session;
let specialist: Session;

beforeAll(async () => {
  a = await startApp();
  const unit = await a.t.db('units').first('id');
  const at = nowMoment();
  await a.t.db('users').insert({ id: 'zgy', name: '专管员甲', role: '单位专管员', unit_id: unit.id, created_at: at, updated_at: at });
  [admin, staff, specialist] = await Promise.all(['demo-admin', 'demo-staff-01', 'zgy'].map((u) => login(a.app, u)));
}, 120_000);
afterAll(async () => {
  await a?.close();
});

const get = (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });
const put = (s: Session, payload: unknown) => a.app.inject({ method: 'PUT', url: '/api/calendar', headers: s.write, payload: payload as object });
const count = async () => Number((await a.t.db('calendar_overrides').count({ n: '*' }).first())!.n);

describe('GET /api/calendar', () => {
  it('tells office roles whether a year is known, with its overrides and the warning', async () => {
    const y2026 = (await get(staff, '/api/calendar?year=2026')).json();
    expect(y2026).toMatchObject({ year: 2026, covered: true, overrides: [] });
    const r = await get(staff, '/api/calendar?year=2027');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ year: 2027, covered: false, overrides: [] });
    expect(r.json().warning).toBe(coverageWarning(await loadCalendar(a.t.db), todayInShanghai()));
    expect((await get(staff, '/api/calendar?year=27')).statusCode).toBe(400);
  });

  it('refuses unit roles in Chinese', async () => {
    const r = await get(specialist, '/api/calendar');
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toBe('工作日历仅供编办工作人员查看');
  });
});

describe('PUT /api/calendar', () => {
  it('only the 编办管理员 enters days', async () => {
    for (const s of [staff, specialist]) {
      const r = await put(s, { dates: ['2027-01-01'], work: false });
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('只有编办管理员可以调整工作日历');
    }
    expect(await count()).toBe(0);
  });

  it('a bad date is named and nothing is written', async () => {
    const r = await put(admin, { dates: ['2027-01-01', '2027-13-01'], work: false });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toContain('“2027-13-01”不是有效日期');
    expect((await put(admin, { dates: ['2027-01-01'] })).statusCode).toBe(400);
    expect(await count()).toBe(0);
  });

  it('enters holidays and a make-up day, the year becomes known and the month close moves; null removes', async () => {
    const r = await put(admin, { dates: ['2027-01-01'], work: false, note: '2027年元旦' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ year: 2027, covered: true, overrides: [{ date: '2027-01-01', work: false, note: '2027年元旦' }], changed: ['2027-01-01'] });
    expect((await put(admin, { dates: ['2027-02-06'], work: true, note: '春节调休上班' })).statusCode).toBe(200);
    const cal = await loadCalendar(a.t.db);
    expect(cal.isWorkday('2027-01-01')).toBe(false);
    expect(cal.isWorkday('2027-02-06')).toBe(true);
    expect(cal.firstWorkdayOfMonth('2027-01')).toBe('2027-01-04');
    const y = (await get(staff, '/api/calendar?year=2027')).json();
    expect(y.overrides.map((o: { date: string }) => o.date)).toEqual(['2027-01-01', '2027-02-06']);

    const del = await put(admin, { dates: ['2027-02-06'], work: null });
    expect(del.statusCode).toBe(200);
    expect(del.json().overrides).toEqual([{ date: '2027-01-01', work: false, note: '2027年元旦' }]);
    const audits = await a.t.db('audit_log').where({ action: 'calendar_override', actor: 'demo-admin' }).orderBy('id');
    expect(audits.length).toBe(3);
    expect(JSON.parse(audits[2].detail)).toMatchObject({ dates: ['2027-02-06'], before: [{ date: '2027-02-06', work: true }], after: [] });
  });
});
