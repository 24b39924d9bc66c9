// The weekly-list job on the registry (SQLite, or MariaDB with SANSE_TEST_DB=mysql): due on the
// first working day of the week at 09:00, run once per slot, the list sent once per week even
// when run again by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/demo/seed.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { WEEKLY_LIST, weeklyListJob } from '../../server/jobs/weekly-list.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../db/helpers.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 300, seed: 3, today: '2026-11-23' });
});
afterAll(async () => { await t?.close(); });

describe(`weekly-list job (${TEST_DB_KIND})`, () => {
  it('is one of the office jobs, titled 每周督办清单, due on the first working day of the week at 09:00', async () => {
    const job = officeJobs({ pii: t.pii, publicBaseUrl: 'http://x' }).find((j) => j.name === WEEKLY_LIST)!;
    expect(job.title).toBe('每周督办清单');
    expect(job.schedule!.text).toBe('每周第一个工作日 09:00（北京时间）');
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-07T09:00:00+08:00'))).toMatchObject({ slot: '2026-12-07' });
    // Monday before 09:00: last week's list is of another week, caught up by nobody.
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-07T08:59:00+08:00'))).toBeNull();
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-06T20:00:00+08:00'))).toMatchObject({ slot: '2026-11-30' });
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-09T15:00:00+08:00'))).toMatchObject({ slot: '2026-12-07' });
  });

  it('sends the week\'s list once: the schedule\'s run, then a run by hand the same week', async () => {
    const clock = fixedClock('2026-12-07T09:01:00+08:00');
    let kicked = 0;
    const runner = createInProcessRunner({ db: t.db, jobs: [weeklyListJob({ publicBaseUrl: 'http://x', kick: () => kicked++, log: () => {} })], clock, log: () => {} });
    const [runId] = await runner.tick();
    expect(runId).toBeTruthy();
    await runner.idle();
    expect(await runner.tick()).toEqual([]);
    const run = await t.db('job_runs').where({ id: runId }).first();
    expect(run.state).toBe('ok');
    expect(JSON.parse(run.result)).toMatchObject({ sent: true, week: '2026-12-07', office: 'group' });
    expect(kicked).toBe(1);
    const office = await t.db('outbox').where({ dedup_key: 'weekly:2026-12-07:office' }).first('target');
    expect(office.target).toBe('group:office-group');
    const manual = await runner.runNow(WEEKLY_LIST, '2026-12-08');
    expect(manual.result).toMatchObject({ sent: false, week: '2026-12-07' });
    expect(Number((await t.db('weekly_lists').count({ n: '*' }).first())!.n)).toBe(1);
  });
});
