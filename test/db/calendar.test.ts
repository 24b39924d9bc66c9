// The office's entry of holiday days into the working-day calendar (commands/set-calendar-days.ts)
// on a real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql): a 2027 holiday moves the month
// close, a make-up Saturday counts, others are refused, a bad date is named with nothing written,
// each change audited with before and after.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { coverageWarning } from '../../core/calendar.ts';
import { nextRhythmDay } from '../../core/rhythms.ts';
import { CommandError } from '../../commands/errors.ts';
import { setCalendarDays } from '../../commands/set-calendar-days.ts';
import { overridesOfYear } from '../../db/calendar.ts';
import { loadCalendar } from '../../db/settings.ts';
import { rhythmAt, shanghaiMoment } from '../../server/jobs/schedule.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
const admin = { id: 'adm', role: '编办管理员' };

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db('calendar_overrides').delete();
  await t.db('audit_log').where({ action: 'calendar_override' }).delete();
});

async function refusal(p: Promise<unknown>): Promise<CommandError> {
  const e = await p.then(() => null, (err) => err);
  expect(e).toBeInstanceOf(CommandError);
  return e as CommandError;
}

describe('setCalendarDays', () => {
  it('a 2027 New Year set as 休息日 is no working day, and the month close moves to 4 January', async () => {
    const before = await loadCalendar(t.db);
    expect(before.isWorkday('2027-01-01')).toBe(true); // not covered: a Friday counts as a working day
    expect(nextRhythmDay({ kind: 'month-first-workday' }, before, '2026-12-02')).toBe('2027-01-01');
    expect(coverageWarning(before, '2026-12-06')).toContain('2027年的节假日安排尚未录入工作日历');

    const r = await setCalendarDays(t.db, admin, { dates: ['2027-01-01'], work: false, note: '2027年元旦' });
    expect(r).toEqual({ dates: ['2027-01-01'], overrides: [{ date: '2027-01-01', work: false, note: '2027年元旦' }] });
    const cal = await loadCalendar(t.db);
    expect(cal.isWorkday('2027-01-01')).toBe(false);
    expect(cal.isCovered('2027-06-01')).toBe(true);
    expect(coverageWarning(cal, '2026-12-06')).toBeNull();
    expect(nextRhythmDay({ kind: 'month-first-workday' }, cal, '2026-12-02')).toBe('2027-01-04');
    // The scheduler's next slot, as serve reckons it.
    const next = await rhythmAt({ kind: 'month-first-workday' }, '09:00').next(t.db, shanghaiMoment('2026-12-02', '10:00'));
    expect(next?.slot).toBe('2027-01-04');
  });

  it('a make-up Saturday set as 工作日 counts; several days in one go; unset restores', async () => {
    await setCalendarDays(t.db, admin, { dates: '2027-02-06,2027-02-20', work: true, note: '2027年春节调休上班' });
    await setCalendarDays(t.db, admin, { dates: ['2027-02-08', '2027-02-09', '2027-02-10'], work: false, note: '2027年春节' });
    let cal = await loadCalendar(t.db);
    expect(cal.isWorkday('2027-02-06')).toBe(true);
    expect(cal.isWorkday('2027-02-09')).toBe(false);
    // Fri 5th → Sat 6th (make-up) is the next working day.
    expect(cal.addWorkdays('2027-02-05', 1)).toBe('2027-02-06');
    expect(cal.workdaysBetween('2027-02-05', '2027-02-12')).toBe(3); // 6th, 11th, 12th
    expect((await overridesOfYear(t.db, 2027)).map((o) => [o.date, o.work])).toEqual([
      ['2027-02-06', true], ['2027-02-08', false], ['2027-02-09', false], ['2027-02-10', false], ['2027-02-20', true],
    ]);
    await setCalendarDays(t.db, admin, { dates: ['2027-02-06'], work: null });
    cal = await loadCalendar(t.db);
    expect(cal.isWorkday('2027-02-06')).toBe(false);
    expect((await overridesOfYear(t.db, 2027)).length).toBe(4);
  });

  it('refuses anyone but a 编办管理员, in Chinese', async () => {
    for (const role of ['编办业务人员', '分管领导', '查询用户', '单位专管员']) {
      const e = await refusal(setCalendarDays(t.db, { id: 'x', role }, { dates: ['2027-01-01'], work: false }));
      expect([e.status, e.message]).toEqual([403, '只有编办管理员可以调整工作日历']);
    }
    expect(await t.db('calendar_overrides').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('refuses a bad date naming it, with nothing written', async () => {
    const e = await refusal(setCalendarDays(t.db, admin, { dates: ['2027-01-01', '2027-02-30'], work: false }));
    expect(e.status).toBe(400);
    expect(e.message).toContain('“2027-02-30”不是有效日期');
    const w = await refusal(setCalendarDays(t.db, admin, { dates: ['2027-01-01'], work: 'yes' }));
    expect(w.status).toBe(400);
    expect(await t.db('calendar_overrides').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await t.db('audit_log').where({ action: 'calendar_override' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('audits each change with before and after', async () => {
    await setCalendarDays(t.db, admin, { dates: ['2027-01-01'], work: true });
    await setCalendarDays(t.db, admin, { dates: ['2027-01-01'], work: false, note: '2027年元旦' });
    const rows = await t.db('audit_log').where({ action: 'calendar_override' }).orderBy('id');
    expect(rows.map((r) => r.actor)).toEqual(['adm', 'adm']);
    expect(JSON.parse(rows[1].detail)).toEqual({
      dates: ['2027-01-01'],
      before: [{ date: '2027-01-01', work: true }],
      after: [{ date: '2027-01-01', work: false, note: '2027年元旦' }],
    });
  });
});
