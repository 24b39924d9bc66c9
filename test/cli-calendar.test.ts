// sanse calendar as an office's script runs it (a child process on a fresh test database): a
// year's overrides and coverage, days set and unset by a 编办管理员 (refused for others and for a bad
// date, naming it), and `sanse jobs` warning about a year ahead not yet entered while its --json
// keeps its array shape.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageWarning, createCalendar } from '../core/calendar.ts';
import { todayInShanghai } from '../core/dates.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const AT = '2026-01-01 00:00:00';
let t: TestDb;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  const user = (id: string, name: string, role: string) => ({ id, name, role, unit_id: null, unit_code: null, mobile: null, locked: false, created_at: AT, updated_at: AT });
  await t.db('users').insert([user('adm', '王管理', '编办管理员'), user('biz', '赵业务', '编办业务人员')]);
});
afterAll(async () => {
  await t?.close();
});

describe('sanse calendar', () => {
  it('shows a year not yet known, and sanse jobs warns about it while --json stays an array', async () => {
    const r = await sanse('calendar', '--year', '2027', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ year: 2027, covered: false, overrides: [] });
    const text = await sanse('calendar', '--year', '2027');
    expect(text.stdout).toContain('2027年：节假日安排未录入（按周一至周五为工作日推算）');
    const warning = coverageWarning(createCalendar(), todayInShanghai());
    const jobs = await sanse('jobs');
    expect(jobs.code, jobs.stderr).toBe(0);
    if (warning) expect(jobs.stdout).toContain(`注意：${warning}`);
    else expect(jobs.stdout).not.toContain('注意：');
    const json = await sanse('jobs', '--json');
    expect(Array.isArray(JSON.parse(json.stdout))).toBe(true);
  });

  it('sets days as a 编办管理员 only, refuses a bad date naming it, and unsets', async () => {
    const other = await sanse('calendar', 'set', '2027-01-01', '--off', '--as', 'biz');
    expect([other.code, other.stderr.trim()]).toEqual([2, '只有编办管理员可以调整工作日历']);
    const bad = await sanse('calendar', 'set', '2027-01-01,2027-02-29', '--off', '--as', 'adm');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('“2027-02-29”不是有效日期');
    expect((await sanse('calendar', 'set', '2027-01-01', '--as', 'adm')).code).toBe(2); // neither --off nor --work
    expect(await t.db('calendar_overrides').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    const off = await sanse('calendar', 'set', '2027-01-01', '--off', '--note', '2027年元旦', '--as', 'adm');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain('已将 2027-01-01 设为休息日（2027年元旦）');
    const work = await sanse('calendar', 'set', '2027-02-06', '--work', '--note', '春节调休上班', '--as', 'adm');
    expect(work.stdout).toContain('已将 2027-02-06 设为工作日（调休上班）');
    const year = JSON.parse((await sanse('calendar', '--year', '2027', '--json')).stdout);
    expect(year).toMatchObject({ year: 2027, covered: true, overrides: [{ date: '2027-01-01', work: false, note: '2027年元旦' }, { date: '2027-02-06', work: true, note: '春节调休上班' }] });
    const table = await sanse('calendar', '--year', '2027');
    expect(table.stdout).toMatch(/2027-01-01\s+休息\s+2027年元旦/);

    const unset = await sanse('calendar', 'unset', '2027-02-06', '--as', 'adm');
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stdout).toContain('已取消 2027-02-06 的调整');
    expect((await t.db('calendar_overrides').select('date')).map((r) => r.date)).toEqual(['2027-01-01']);
    expect(await t.db('audit_log').where({ action: 'calendar_override', actor: 'adm' }).count({ n: '*' }).first()).toMatchObject({ n: 3 });
  });
});
