// The daily check on the job registry: at 08:30 (Asia/Shanghai) of a working day the schedule
// runs the real check of that day once (job_runs slot = the day, check_runs its own ok row);
// before 08:30, on a day off, or when the day was already checked, nothing new. Both runners,
// the real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql), an injected clock.

import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/demo/seed.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { createBullRunner } from '../../server/jobs/bull.ts';
import { DAILY_CHECK, dailyCheckJob } from '../../server/jobs/daily-check.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import type { JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { describeRun } from '../../server/jobs/report.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const REDIS_URL = process.env.SANSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const URL = 'http://127.0.0.1:3000';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 20, people: 200, seed: 7, today: '2026-11-23' });
});
afterAll(async () => {
  await t?.close();
});

describe.each(['in-process', 'redis'] as const)('the daily check on the %s runner', (mode) => {
  let runner: JobRunner | null = null;
  const prefix = `sanse-test-daily-${crypto.randomBytes(4).toString('hex')}`;
  // Each runner starts from no run of these days (the other runner's suite ran them).
  beforeAll(async () => {
    await t.db('job_runs').del();
    await t.db('check_runs').where('date', '>=', '2026-12-01').del();
    await t.db('outbox').del();
  });
  afterEach(async () => {
    await runner?.stop();
    runner = null;
    if (mode === 'redis') {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });
  const start = async (at: string) => {
    const clock = fixedClock(`${at}+08:00`);
    const jobs = [dailyCheckJob({ publicBaseUrl: URL, log: () => {} })];
    runner = mode === 'redis' ? createBullRunner({ db: t.db, jobs, clock, log: () => {}, redisUrl: REDIS_URL, prefix, wakeUpCron: '0 3 29 2 *' }) : createInProcessRunner({ db: t.db, jobs, clock, log: () => {} });
    await runner.start();
    return clock;
  };
  const checkRuns = (date: string) => t.db('check_runs').where({ date }).select('outcome');

  it('checks a working day at 08:30 once, with its summary as the run\'s result', async () => {
    // Monday 2026-12-14; the previous slot (Friday 12-11) was run before the stop.
    await t.db('job_runs').insert({ job: DAILY_CHECK, slot: '2026-12-11', state: 'ok', attempts: 1, created_at: '2026-12-11 08:30:00' });
    const clock = await start('2026-12-14T08:29:59');
    expect(await checkRuns('2026-12-14')).toEqual([]);
    clock.set('2026-12-14T08:30:00+08:00');
    await runner!.tick();
    expect(await checkRuns('2026-12-14')).toEqual([{ outcome: 'ok' }]);
    const run = await t.db('job_runs').where({ job: DAILY_CHECK, slot: '2026-12-14' }).first();
    expect(run.state).toBe('ok');
    expect(JSON.parse(run.result)).toMatchObject({ date: '2026-12-14', units: 20 });
    clock.set('2026-12-14T12:00:00+08:00');
    await runner!.tick();
    expect(await checkRuns('2026-12-14')).toHaveLength(1);
    // The run lists what it sent: the units' digest cards into their groups, the leaders' cards, by name.
    const view = await describeRun(t.db, runner!.jobs, Number(run.id));
    const digests = view!.sent.filter((m) => m.kindText === '单位预警卡片');
    const leaders = view!.sent.filter((m) => m.kindText === '领导红灯汇总卡片');
    const rows = await t.db('outbox').where({ job_run_id: run.id });
    expect(view!.sent).toHaveLength(rows.length);
    expect(digests.length).toBe(JSON.parse(run.result).alerts.groupCards);
    expect(leaders.length).toBe(JSON.parse(run.result).alerts.leaderCards);
    expect(digests.length).toBeGreaterThan(0);
    for (const m of digests) expect(m.targetText).toMatch(/工作群$/);
    expect(digests.every((m) => m.kind === 'card' && m.stateText === '发送中')).toBe(true);
    expect(view!.summary).toContain('工作群预警卡片');
  });

  it('does not check on a day off, nor check again a day checked by hand before 08:30', async () => {
    // Saturday 2026-12-19: the due slot is Friday's, which is run once (a catch-up).
    await start('2026-12-19T09:00:00');
    expect(await checkRuns('2026-12-19')).toEqual([]);
    expect(await checkRuns('2026-12-18')).toEqual([{ outcome: 'ok' }]);
    await runner!.stop();
    // Monday 12-21, checked by hand at 08:00 (sanse check): the schedule's slot records the skip.
    await dailyCheck(t.db, '2026-12-21', URL);
    await start('2026-12-21T08:31:00');
    expect(await checkRuns('2026-12-21')).toEqual([{ outcome: 'ok' }]);
    const run = await t.db('job_runs').where({ job: DAILY_CHECK, slot: '2026-12-21' }).first();
    expect(run.state).toBe('ok');
    expect(JSON.parse(run.result)).toEqual({ date: '2026-12-21', skipped: '当天已完成检查' });
  });

  it('does not catch up a missed day once a later day has been checked (a first start after the demo\'s check of today)', async () => {
    // Sunday 12-27, today checked already (the demo's first start does); Friday 12-25's slot was never run.
    await dailyCheck(t.db, '2026-12-27', URL);
    await start('2026-12-27T10:00:00');
    expect(await checkRuns('2026-12-25')).toEqual([]);
    const run = await t.db('job_runs').where({ job: DAILY_CHECK, slot: '2026-12-25' }).first();
    expect(JSON.parse(run.result)).toEqual({ date: '2026-12-25', skipped: '已检查更晚的日期（2026-12-27）' });
  });
});
