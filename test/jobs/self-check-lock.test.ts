// The monthly self-check on the job registry: the month close (self-check-lock, first working day
// 09:00) locks exactly the 单位专管员 of the units short of the office's number in the month
// before, tells each 1:1 and the office group once; a re-run does nothing more; a 编办管理员's
// unlock (audited, note required) is not undone by it. The reminders (15th and three working days
// before month end, 09:00) go to the short units only: their group @ their specialists, or 1:1.
// Real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql), in-process runner, injected clock.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockSelfChecks } from '../../commands/lock-self-checks.ts';
import { unlockUser } from '../../commands/unlock-user.ts';
import { loadUnits } from '../../db/records.ts';
import { putSetting, setRuleSetting } from '../../db/settings.ts';
import { lockNotice } from '../../db/user-locks.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import type { Job, JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { SELF_CHECK_LOCK, selfCheckLockJob } from '../../server/jobs/self-check-lock.ts';
import { SELF_CHECK_REMINDER_END, SELF_CHECK_REMINDER_MID, selfCheckReminderJobs } from '../../server/jobs/self-check-reminders.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const URL = 'http://127.0.0.1:3000';
const OLD = '2026-10-01 08:00:00';
type Row = Record<string, any>;

let t: TestDb;
const ids: Record<string, number> = {};

async function seed(db: TestDb['db']) {
  await putSetting(db, 'office', { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' });
  // A: group, two specialists; B: no group; C: enough self-checks; D: no specialist; E: came in on 11-20.
  for (const [key, group, created] of [['A', 'g-a', OLD], ['B', null, OLD], ['C', 'g-c', OLD], ['D', 'g-d', OLD], ['E', null, '2026-11-20 10:00:00']] as const) {
    const [id] = await db('units').insert({ code: `CODE${key}`, name: `${key}局`, group_id: group, created_at: created, updated_at: created });
    ids[key] = Number(id);
  }
  const user = (id: string, name: string, role: string, unit: string | null, mobile: string | null = null) =>
    ({ id, name, role, unit_id: unit ? ids[unit] : null, unit_code: unit ? `CODE${unit}` : null, mobile, locked: false, created_at: OLD, updated_at: OLD });
  await db('users').insert([
    user('admin1', '王管理', '编办管理员', null, '13800000001'),
    user('staff1', '赵业务', '编办业务人员', null),
    user('sA1', '甲一', '单位专管员', 'A'), user('sA2', '甲二', '单位专管员', 'A'), user('leadA', '甲领导', '单位领导', 'A'),
    user('sB1', '乙一', '单位专管员', 'B'), user('sC1', '丙一', '单位专管员', 'C'), user('sE1', '戊一', '单位专管员', 'E'),
  ]);
  const checks = (unit: string, user: string, ...at: string[]) => at.map((a) => ({ unit_id: ids[unit], user_id: user, at: a, findings: 0 }));
  await db('self_checks').insert([
    ...checks('A', 'sA1', '2026-11-10 10:00:00', '2026-10-31 23:59:59', '2026-12-01 00:00:00'),
    ...checks('C', 'sC1', '2026-11-03 09:00:00', '2026-11-30 17:00:00'),
  ]);
}

beforeAll(async () => {
  t = await createTestDb();
  await seed(t.db);
});
afterAll(async () => {
  await t?.close();
});

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.stop();
  runner = null;
});
async function runAt(at: string, jobs: Job[]) {
  const clock = fixedClock(`${at}+08:00`);
  runner = createInProcessRunner({ db: t.db, jobs, clock, log: () => {} });
  await runner.start();
  await runner.idle();
  return runner;
}
const outbox = async (prefix: string): Promise<Row[]> =>
  (await t.db('outbox').where('dedup_key', 'like', `${prefix}%`).orderBy('id')).map((r: Row) => ({ ...r, payload: JSON.parse(r.payload) }));
const lockedIds = async () => (await t.db('users').where({ locked: true }).orderBy('id').pluck('id')).map(String);

describe('the month close of self-checks', () => {
  it('does nothing before 09:00 of the first working day', async () => {
    await runAt('2026-12-01T08:59:59', [selfCheckLockJob({ log: () => {} })]);
    expect(await lockedIds()).toEqual([]);
    expect(await t.db('job_runs').where({ job: SELF_CHECK_LOCK }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('locks exactly the specialists of the units short in November, tells each and the office group', async () => {
    await runAt('2026-12-01T09:00:01', [selfCheckLockJob({ log: () => {} })]);
    // A: 1 in November (10-31 and 12-01 are other months); B: 0. C has 2; D no specialist; E new in November; 甲领导 is no specialist.
    expect(await lockedIds()).toEqual(['sA1', 'sA2', 'sB1']);
    const locks: Row[] = await t.db('user_locks').orderBy('user_id');
    expect(locks.map((l) => [l.user_id, l.kind, l.month, Number(l.unit_id), Number(l.self_checks), Number(l.required), l.unlocked_at])).toEqual([
      ['sA1', 'self-check', '2026-11', ids.A, 1, 2, null], ['sA2', 'self-check', '2026-11', ids.A, 1, 2, null], ['sB1', 'self-check', '2026-11', ids.B, 0, 2, null],
    ]);
    expect(await t.db('audit_log').where({ action: 'user_lock' }).count({ n: '*' }).first()).toMatchObject({ n: 3 });
    const direct = await outbox('self-check-lock:');
    expect(direct.map((r) => r.payload.target)).toEqual([{ kind: 'users', userIds: ['sA1'] }, { kind: 'users', userIds: ['sA2'] }, { kind: 'users', userIds: ['sB1'] }]);
    expect(direct[0].payload.message.text).toContain('A局 2026年11月 自查 1 次，少于规定的每月 2 次');
    expect(direct[0].payload.message.text).toContain('王管理（13800000001）');
    const summary = await outbox('self-check-lock-summary:');
    expect(summary).toHaveLength(1);
    expect(summary[0].payload.target).toEqual({ kind: 'group', groupId: 'office-group' });
    expect(summary[0].payload.message.text).toContain('A局：自查 1 次；锁定 甲一、甲二');
    expect(summary[0].payload.message.text).toContain('B局：自查 0 次；锁定 乙一');
    expect(summary[0].payload.message.text).not.toMatch(/C局|D局|E局/);
    const notice = await lockNotice(t.db, 'sB1');
    expect(notice?.text).toBe('您的账号已被锁定：本单位 2026年11月 自查 0 次，少于规定的 2 次。请联系编办管理员王管理（13800000001）解锁。');
  });

  it('a unit whose specialists are locked for self-checks still has them (no U-PR-03 专管员未明确)', async () => {
    const units = await loadUnits(t.db, '2026-12-02', [ids.A, ids.B, ids.D]);
    expect([units.get(ids.A)!.agg.specialists, units.get(ids.B)!.agg.specialists, units.get(ids.D)!.agg.specialists]).toEqual([2, 1, 0]);
  });

  it('a second run of the month locks nobody and sends nothing more', async () => {
    const before = Number((await t.db('outbox').count({ n: '*' }).first())!.n);
    const r = await lockSelfChecks(t.db, { date: '2026-12-01' });
    expect(r.locked).toBe(0);
    expect(Number((await t.db('outbox').count({ n: '*' }).first())!.n)).toBe(before);
    expect(await t.db('user_locks').count({ n: '*' }).first()).toMatchObject({ n: 3 });
  });

  it('only a 编办管理员 unlocks, with a note; audited; the same month\'s lock does not lock again', async () => {
    await expect(unlockUser(t.db, { actor: { id: 'staff1', role: '编办业务人员' }, userId: 'sA1', note: '已补自查' })).rejects.toMatchObject({ status: 403, message: '只有编办管理员可以解锁账号' });
    await expect(unlockUser(t.db, { actor: { id: 'admin1', role: '编办管理员' }, userId: 'sA1', note: '  ' })).rejects.toMatchObject({ status: 400, message: '请填写解锁说明' });
    expect(await lockedIds()).toContain('sA1');
    const r = await unlockUser(t.db, { actor: { id: 'admin1', role: '编办管理员' }, userId: 'sA1', note: '已补自查' });
    expect(r.locks.map((l) => l.month)).toEqual(['2026-11']);
    expect(await lockedIds()).toEqual(['sA2', 'sB1']);
    const lock: Row = await t.db('user_locks').where({ user_id: 'sA1' }).first();
    expect([lock.unlocked_by, lock.unlock_note, typeof lock.unlocked_at]).toEqual(['admin1', '已补自查', 'string']);
    const audit: Row = await t.db('audit_log').where({ action: 'user_unlock' }).first();
    expect([audit.actor, audit.entity, Number(audit.entity_id), JSON.parse(audit.detail).note]).toEqual(['admin1', 'user_lock', Number(lock.id), '已补自查']);
    await expect(unlockUser(t.db, { actor: { id: 'admin1', role: '编办管理员' }, userId: 'sA1', note: '再来' })).rejects.toMatchObject({ status: 409 });
    expect((await lockSelfChecks(t.db, { date: '2026-12-01' })).locked).toBe(0);
    expect(await lockedIds()).toEqual(['sA2', 'sB1']);
  });

  it('with U-PR-01 switched off nobody is locked', async () => {
    await setRuleSetting(t.db, 'U-PR-01', { enabled: false });
    try {
      expect((await lockSelfChecks(t.db, { date: '2027-01-04' })).units).toEqual([]);
    } finally {
      await t.db('rule_settings').where({ code: 'U-PR-01' }).del();
    }
  });
});

describe('the self-check reminders', () => {
  beforeAll(async () => {
    await t.db('users').update({ locked: false });
    await t.db('user_locks').del();
    await t.db('job_runs').del();
  });
  const jobs = () => selfCheckReminderJobs({ publicBaseUrl: URL, log: () => {} });

  it('mid-month: the units short this month, in their group @ their specialists or 1:1, with the deadline and the 自查 page', async () => {
    await runAt('2026-12-14T09:30:00', jobs());
    expect(await outbox('self-check-reminder:')).toEqual([]);
    await runAt('2026-12-15T09:00:00', jobs());
    const rows = await outbox('self-check-reminder:');
    // December: A 1 (12-01), B 0, C 0, E 0 (E was new in November, not in December); D has no specialist.
    expect(rows.map((r) => [r.dedup_key, r.payload.target, r.payload.message.atUserIds ?? null])).toEqual([
      [`self-check-reminder:2026-12:mid:${ids.A}`, { kind: 'group', groupId: 'g-a' }, ['sA1', 'sA2']],
      [`self-check-reminder:2026-12:mid:${ids.B}`, { kind: 'users', userIds: ['sB1'] }, null],
      [`self-check-reminder:2026-12:mid:${ids.C}`, { kind: 'group', groupId: 'g-c' }, ['sC1']],
      [`self-check-reminder:2026-12:mid:${ids.E}`, { kind: 'users', userIds: ['sE1'] }, null],
    ]);
    const text: string = rows[0].payload.message.text;
    expect(text).toContain('A局：本月（2026年12月）已自查 **1** 次，按规定每月不少于 **2** 次');
    expect(text).toContain('**2026年12月31日**');
    expect(text).toContain(`(${URL}/m/#/self-check?unit=${ids.A})`);
  });

  it('three working days before month end: only the units still short; each slot once', async () => {
    await t.db('self_checks').insert([
      { unit_id: ids.A, user_id: 'sA1', at: '2026-12-20 10:00:00', findings: 0 },
      { unit_id: ids.C, user_id: 'sC1', at: '2026-12-21 10:00:00', findings: 0 },
      { unit_id: ids.C, user_id: 'sC1', at: '2026-12-22 10:00:00', findings: 0 },
    ]);
    // The last working day of December 2026 is Thursday the 31st: three working days before is Monday the 28th.
    await runAt('2026-12-25T09:00:00', jobs());
    expect(await outbox('self-check-reminder:2026-12:end')).toEqual([]);
    await runAt('2026-12-28T09:00:00', jobs());
    const rows = await outbox('self-check-reminder:2026-12:end');
    expect(rows.map((r) => r.dedup_key)).toEqual([`self-check-reminder:2026-12:end:${ids.B}`, `self-check-reminder:2026-12:end:${ids.E}`]);
    const before = (await outbox('self-check-reminder:')).length;
    const again = await runner!.runNow(SELF_CHECK_REMINDER_END, '2026-12-28');
    expect(again.state).toBe('ok');
    await runner!.runNow(SELF_CHECK_REMINDER_MID, '2026-12-15');
    expect((await outbox('self-check-reminder:')).length).toBe(before);
  });
});
