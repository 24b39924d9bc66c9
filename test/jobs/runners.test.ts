// The job registry's contract (server/jobs/): one suite that both runners pass — in-process
// timers and bull repeatable jobs (Redis at 127.0.0.1:6379, a unique key prefix per test, removed
// after) — on the real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql). The clock is
// injected: no test waits for 08:30.

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/connection.ts';
import { getJobRun, MAX_ATTEMPTS, RETRY_AFTER_MS } from '../../db/job-runs.ts';
import { nowMoment } from '../../db/clock.ts';
import { createBullRunner } from '../../server/jobs/bull.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { LOCK_CONFLICT_ATTEMPTS, type Job, type JobContext, type JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock, rhythmAt, workdaysAt, type Clock } from '../../server/jobs/schedule.ts';
import { putSetting } from '../../db/settings.ts';
import { enqueue } from '../../db/outbox.ts';
import { setJobSchedule } from '../../commands/set-job-schedule.ts';
import { describeJobs, describeRun, schedulable } from '../../server/jobs/report.ts';
import type { Rhythm } from '../../core/rhythms.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const REDIS_URL = process.env.SANSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const sh = (moment: string) => `${moment}+08:00`;

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** A job that counts its runs per slot; `gate` holds a run until released, `fail` makes it throw. */
function countingJob(name: string, opts: { scheduled?: boolean; fail?: () => boolean; rhythm?: Rhythm; time?: string; send?: boolean } = {}) {
  const calls: JobContext[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const job: Job = {
    name,
    // Named: the office's change to this job's schedule is read.
    schedule: opts.scheduled === false ? null : opts.rhythm || opts.time ? rhythmAt(opts.rhythm ?? { kind: 'workdays' }, opts.time ?? '08:30', name) : workdaysAt('08:30'),
    async run(ctx) {
      calls.push(ctx);
      // A job that sends: one group message in a transaction (as commands do), one to people outside one.
      if (opts.send) {
        await ctx.db.transaction((trx) => enqueue(trx, `${name}:${ctx.slot}:group`, { op: 'send', target: { kind: 'group', groupId: 'office-group' }, message: { kind: 'text', content: `${ctx.slot} 群消息` } }));
        await enqueue(ctx.db, `${name}:${ctx.slot}:users`, { op: 'send', target: { kind: 'users', userIds: ['u-admin'] }, message: { kind: 'text', content: `${ctx.slot} 私信` } });
      }
      if (gate) await gate;
      if (opts.fail?.()) throw new Error('模拟失败');
      return { slot: ctx.slot, n: calls.length };
    },
  };
  return {
    job, calls,
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    release: () => {
      gate = null;
      release();
    },
  };
}

async function waitFor<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const finished = (db: Db, id: number) => waitFor(() => getJobRun(db, id), (r) => r?.state === 'ok' || r?.state === 'failed');

describe.each(['in-process', 'redis'] as const)('job runner contract: %s', (mode) => {
  let prefix = '';
  let runners: JobRunner[] = [];
  let pools: Db[] = [];

  beforeEach(async () => {
    prefix = `sanse-test-jobs-${crypto.randomBytes(4).toString('hex')}`;
    await t.db('job_runs').del();
    await t.db('outbox').del();
  });

  afterEach(async () => {
    for (const r of runners) await r.stop();
    for (const p of pools) await p.destroy();
    runners = [];
    pools = [];
    if (mode === 'redis') {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  /** A runner as one instance runs it: its own connection to the database when `ownDb`. */
  function make(jobs: Job[], clock: Clock, opts: { ownDb?: boolean; realWakeUp?: boolean } = {}): JobRunner {
    let db: Db = t.db;
    if (opts.ownDb) {
      db = openDb(t.url);
      pools.push(db);
    }
    const log = () => {};
    // The minute's wake-up would fire at a wall-clock minute in the middle of a test on the fixed
    // clock; the tests wake the runner themselves (wake below), except the one about the wake-up.
    const wakeUpCron = opts.realWakeUp ? undefined : '0 3 29 2 *';
    const r = mode === 'redis' ? createBullRunner({ db, jobs, clock, log, redisUrl: REDIS_URL, prefix, wakeUpCron }) : createInProcessRunner({ db, jobs, clock, log });
    runners.push(r);
    return r;
  }

  async function stopOne(r: JobRunner): Promise<void> {
    await r.stop();
    runners = runners.filter((x) => x !== r);
  }

  /**
   * What the wake-up does: in-process, the timer's tick; with bull, a tick message through the
   * queue (to whichever worker takes it), waited for until the queue is empty and the runs ended.
   */
  async function wake(...rs: JobRunner[]): Promise<void> {
    if (mode === 'in-process') {
      await Promise.all(rs.map((r) => r.tick()));
      return;
    }
    const q = (rs[0] as ReturnType<typeof createBullRunner>).queue;
    for (const _ of rs) await q.add({ kind: 'tick' });
    await waitFor(() => q.getJobCounts(), (c) => c.waiting === 0 && c.active === 0);
    await Promise.all(rs.map((r) => r.idle()));
  }

  const slotsOf = async (job: string) => (await t.db('job_runs').where({ job }).orderBy('slot')).map((r) => r.slot);

  it('runs a slot when it falls due, not before, and not twice', async () => {
    const c = countingJob('count');
    const clock = fixedClock(sh('2026-12-07T08:29:00'));
    // Sunday's and Saturday's are no slots; the last one due before Monday 08:29 is Friday's.
    await t.db('job_runs').insert({ job: 'count', slot: '2026-12-04', state: 'ok', attempts: 1, created_at: nowMoment() });
    const r = make([c.job], clock);
    await r.start();
    expect(await r.tick()).toEqual([]);
    expect(c.calls).toHaveLength(0);
    clock.set(sh('2026-12-07T08:30:00'));
    const [id] = await r.tick();
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07']);
    expect(await getJobRun(t.db, id)).toMatchObject({ job: 'count', slot: '2026-12-07', state: 'ok', attempts: 1, error: null, result: { slot: '2026-12-07', n: 1 } });
    clock.set(sh('2026-12-07T17:00:00'));
    expect(await r.tick()).toEqual([]);
    expect(c.calls).toHaveLength(1);
  });

  it('runs a slot once when two instances (two connections) race for it', async () => {
    const c = countingJob('race');
    c.hold();
    const clock = fixedClock(sh('2026-12-07T08:31:00'));
    const a = make([c.job], clock, { ownDb: true });
    const b = make([c.job], clock, { ownDb: true });
    // Both start at once: each catches up the due slot; the unique row lets one of them run it.
    const both = Promise.all([a.start(), b.start(), a.tick(), b.tick()]);
    await waitFor(async () => c.calls.length, (n) => n >= 1);
    c.release();
    await both;
    expect(c.calls).toHaveLength(1);
    const rows = await t.db('job_runs').where({ job: 'race' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ slot: '2026-12-07', state: 'ok' });
  });

  it('runs only the latest slot missed while everything was down, once, at start', async () => {
    const c = countingJob('missed');
    // Down since Friday morning; back on Wednesday at 07:00, before that day's slot.
    const clock = fixedClock(sh('2026-12-09T07:00:00'));
    await make([c.job], clock).start();
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-08']);
    // Another start (a restart, a second instance) finds it done.
    await make([c.job], clock).start();
    expect(c.calls).toHaveLength(1);
    expect((await t.db('job_runs').where({ job: 'missed' })).map((r) => r.slot)).toEqual(['2026-12-08']);
  });

  it('queues a run asked for by hand and answers at once; a second ask while it runs gets the same run', async () => {
    const c = countingJob('manual', { scheduled: false });
    c.hold();
    const clock = fixedClock(sh('2026-12-07T10:00:00'));
    const r = make([c.job], clock);
    await r.start();
    const first = await r.enqueue('manual', '2026-12-07');
    expect(first.created).toBe(true);
    expect(['queued', 'running']).toContain((await getJobRun(t.db, first.runId))!.state);
    await waitFor(async () => c.calls.length, (n) => n === 1);
    const second = await r.enqueue('manual', '2026-12-07');
    expect(second).toEqual({ runId: first.runId, created: false });
    c.release();
    expect(await finished(t.db, first.runId)).toMatchObject({ state: 'ok', slot: '2026-12-07#1', result: { slot: '2026-12-07#1' } });
    expect(c.calls[0]).toMatchObject({ key: '2026-12-07', manual: true });
    // Once it has ended, asking again is a new run.
    const third = await r.enqueue('manual', '2026-12-07');
    expect(third.created).toBe(true);
    expect(await finished(t.db, third.runId)).toMatchObject({ state: 'ok', slot: '2026-12-07#2' });
  });

  it('gives two simultaneous asks from two instances one run', async () => {
    const c = countingJob('clicks', { scheduled: false });
    c.hold();
    const clock = fixedClock(sh('2026-12-07T10:00:00'));
    const a = make([c.job], clock, { ownDb: true });
    const b = make([c.job], clock, { ownDb: true });
    await Promise.all([a.start(), b.start()]);
    const [x, y] = await Promise.all([a.enqueue('clicks', '2026-12-07'), b.enqueue('clicks', '2026-12-07')]);
    expect(x.runId).toBe(y.runId);
    c.release();
    await finished(t.db, x.runId);
    expect(c.calls).toHaveLength(1);
  });

  it('records a failed run with its error, and tries its slot again after a pause, a few times at most', async () => {
    const c = countingJob('flaky', { fail: () => true });
    const clock = fixedClock(sh('2026-12-07T08:31:00'));
    const r = make([c.job], clock);
    await r.start();
    const [row] = await t.db('job_runs').where({ job: 'flaky' });
    expect(row).toMatchObject({ slot: '2026-12-07', state: 'failed', error: '模拟失败' });
    expect(await r.tick()).toEqual([]);
    for (let i = 2; i <= MAX_ATTEMPTS + 1; i++) {
      clock.set(clock.now() + RETRY_AFTER_MS + 60_000);
      await r.tick();
    }
    expect(c.calls).toHaveLength(MAX_ATTEMPTS);
    expect(await getJobRun(t.db, Number(row.id))).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS });
  });

  it('takes a run again at once when its transaction lost a lock conflict (a deadlock), but not on another error', async () => {
    let conflicts = 1;
    const deadlock = Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
    const c = countingJob('contended');
    const inner = c.job.run;
    c.job.run = async (ctx) => {
      const r = await inner(ctx);
      if (conflicts-- > 0) throw deadlock;
      return r;
    };
    const r = make([c.job], fixedClock(sh('2026-12-07T08:31:00')));
    await r.start();
    expect(c.calls).toHaveLength(2);
    expect(await t.db('job_runs').where({ job: 'contended' }).first()).toMatchObject({ state: 'ok', attempts: 1 });
    // A conflict every time: given up after LOCK_CONFLICT_ATTEMPTS, the run failed with the database's words.
    conflicts = Infinity;
    const d = countingJob('deadlocked');
    const innerD = d.job.run;
    d.job.run = async (ctx) => { await innerD(ctx); throw deadlock; };
    const r2 = make([d.job], fixedClock(sh('2026-12-07T08:31:00')));
    await r2.start();
    expect(d.calls).toHaveLength(LOCK_CONFLICT_ATTEMPTS);
    expect(await t.db('job_runs').where({ job: 'deadlocked' }).first()).toMatchObject({ state: 'failed', error: expect.stringContaining('Deadlock') });
  });

  it('closes the run of a dead process as failed and runs its slot again at start', async () => {
    const c = countingJob('orphan');
    // A process that has exited: its pid is free.
    const child = execFile(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    const clock = fixedClock(sh('2026-12-07T09:00:00'));
    const [id] = await t.db('job_runs').insert({ job: 'orphan', slot: '2026-12-07', state: 'running', attempts: 1, created_at: nowMoment(clock.now()), started_at: nowMoment(clock.now()), host: (await import('node:os')).hostname().slice(0, 64), pid });
    await make([c.job], clock).start();
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07']);
    expect(await getJobRun(t.db, Number(id))).toMatchObject({ state: 'ok', attempts: 2 });
  });

  if (mode === 'redis') {
    it('wakes the registry with one repeatable bull job every minute, and drops the per-job wake-ups of earlier versions', async () => {
      const c = countingJob('repeat');
      const first = make([c.job], fixedClock(sh('2026-12-07T07:00:00')), { realWakeUp: true }) as ReturnType<typeof createBullRunner>;
      // What an earlier version left: a cron per job and a 10-minute sweep.
      await first.queue.add({ kind: 'tick', job: 'repeat' }, { repeat: { cron: '30 8 * * *', tz: 'Asia/Shanghai' }, jobId: 'tick-repeat' });
      await first.queue.add({ kind: 'tick', job: '*' }, { repeat: { cron: '*/10 * * * *', tz: 'Asia/Shanghai' }, jobId: 'sweep' });
      await first.start();
      const ids = async () => (await first.queue.getRepeatableJobs()).map((x) => ({ id: x.id, cron: x.cron, tz: x.tz }));
      const expected = [{ id: 'tick', cron: '* * * * *', tz: 'Asia/Shanghai' }];
      expect(await ids()).toEqual(expected);
      // A restart (another instance, other jobs) does not add it twice.
      await make([countingJob('other').job], fixedClock(sh('2026-12-07T07:00:00')), { realWakeUp: true }).start();
      expect(await ids()).toEqual(expected);
    });
  }

  it('fires a schedule the office retimed at its new time, not at the old one; a switched-off one not at all', async () => {
    const c = countingJob('retimed', { time: '08:30' });
    await t.db('job_runs').insert({ job: 'retimed', slot: '2026-12-04', state: 'ok', attempts: 1, created_at: nowMoment() });
    const admin = { id: 'admin', role: '编办管理员' };
    await setJobSchedule(t.db, admin, schedulable([c.job]), { name: 'retimed', time: '09:15' });
    const clock = fixedClock(sh('2026-12-07T08:31:00'));
    const r = make([c.job], clock);
    await r.start();
    await wake(r);
    expect(c.calls).toHaveLength(0);
    const [listed] = await describeJobs(t.db, [c.job], clock.now());
    expect(listed).toMatchObject({ schedule: '每个工作日 09:15（北京时间）', nextRun: '2026-12-07T09:15:00+08:00', nextSlot: '2026-12-07' });
    clock.set(sh('2026-12-07T09:15:00'));
    await wake(r);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07']);
    // Moved later once today's has run: today's is not run again, and the next is tomorrow's.
    await setJobSchedule(t.db, admin, schedulable([c.job]), { name: 'retimed', time: '10:00' });
    clock.set(sh('2026-12-07T10:00:00'));
    await wake(r);
    expect(c.calls).toHaveLength(1);
    expect((await describeJobs(t.db, [c.job], Date.parse(sh('2026-12-07T09:30:00'))))[0].nextRun).toBe('2026-12-08T10:00:00+08:00');
    await setJobSchedule(t.db, admin, schedulable([c.job]), { name: 'retimed', time: '09:15' });
    // Switched off: Tuesday's slot does not run, and there is no next run; on again, it runs.
    await setJobSchedule(t.db, admin, schedulable([c.job]), { name: 'retimed', enabled: false });
    clock.set(sh('2026-12-08T09:20:00'));
    await wake(r);
    expect(c.calls).toHaveLength(1);
    expect((await describeJobs(t.db, [c.job], clock.now()))[0]).toMatchObject({ enabled: false, nextRun: null, schedule: '每个工作日 09:15（北京时间）（已停用）' });
    await setJobSchedule(t.db, admin, schedulable([c.job]), { name: 'retimed', enabled: true });
    await wake(r);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07', '2026-12-08']);
    await putSetting(t.db, 'job-schedules', {});
  });

  it('follows the office\'s change of a job whose schedule was made without the job\'s name', async () => {
    const c = countingJob('unnamed'); // workdaysAt('08:30'), no name
    await t.db('job_runs').insert({ job: 'unnamed', slot: '2026-12-04', state: 'ok', attempts: 1, created_at: nowMoment() });
    await setJobSchedule(t.db, { id: 'admin', role: '编办管理员' }, schedulable([c.job]), { name: 'unnamed', enabled: false });
    const clock = fixedClock(sh('2026-12-07T09:00:00'));
    const r = make([c.job], clock);
    await r.start();
    await wake(r);
    expect(c.calls).toHaveLength(0);
    expect((await describeJobs(t.db, [c.job], clock.now()))[0]).toMatchObject({ enabled: false, nextRun: null });
    await putSetting(t.db, 'job-schedules', {});
    await wake(r);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07']);
  });

  it('a restarted instance neither repeats nor skips the slot of the first working day of the week', async () => {
    const c = countingJob('weekly', { rhythm: { kind: 'week-first-workday' }, time: '09:00' });
    await t.db('job_runs').insert({ job: 'weekly', slot: '2026-11-30', state: 'ok', attempts: 1, created_at: nowMoment() });
    const clock = fixedClock(sh('2026-12-07T08:00:00'));
    const a = make([c.job], clock);
    await a.start();
    expect(c.calls).toHaveLength(0);
    clock.set(sh('2026-12-07T09:00:00'));
    await wake(a);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07']);
    // Stopped mid-week; back the next Monday after 09:00: the missed slot runs once, at start.
    clock.set(sh('2026-12-09T11:00:00'));
    await stopOne(a);
    clock.set(sh('2026-12-14T10:00:00'));
    const b = make([c.job], clock);
    await b.start();
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07', '2026-12-14']);
    await wake(b);
    clock.set(sh('2026-12-15T09:00:00'));
    await wake(b);
    expect(c.calls).toHaveLength(2);
    // Stopped on Tuesday, restarted Monday before 09:00: nothing at start, the slot at 09:00.
    await stopOne(b);
    clock.set(sh('2026-12-21T08:59:00'));
    const d = make([c.job], clock);
    await d.start();
    expect(c.calls).toHaveLength(2);
    clock.set(sh('2026-12-21T09:00:00'));
    await wake(d);
    await wake(d);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-12-07', '2026-12-14', '2026-12-21']);
    expect(await slotsOf('weekly')).toEqual(['2026-11-30', '2026-12-07', '2026-12-14', '2026-12-21']);
  });

  it('a restarted instance neither repeats nor skips the slot of the first working day of the month (over the National Day holiday)', async () => {
    const c = countingJob('monthly', { rhythm: { kind: 'month-first-workday' }, time: '09:00' });
    await t.db('job_runs').insert({ job: 'monthly', slot: '2026-09-01', state: 'ok', attempts: 1, created_at: nowMoment() });
    const clock = fixedClock(sh('2026-09-15T10:00:00'));
    const a = make([c.job], clock);
    await a.start();
    expect(c.calls).toHaveLength(0);
    const [listed] = await describeJobs(t.db, [c.job], clock.now());
    expect(listed.nextRun).toBe('2026-10-08T09:00:00+08:00');
    await stopOne(a);
    // Down over the holiday; back on 10-09: October's slot (10-08) runs once, at start.
    clock.set(sh('2026-10-09T10:00:00'));
    const b = make([c.job], clock);
    await b.start();
    await wake(b);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-10-08']);
    await stopOne(b);
    clock.set(sh('2026-10-20T10:00:00'));
    const d = make([c.job], clock);
    await d.start();
    expect(c.calls).toHaveLength(1);
    await stopOne(d);
    // Back on 11-02 before 09:00: November's slot at 09:00, once.
    clock.set(sh('2026-11-02T08:59:00'));
    const e = make([c.job], clock);
    await e.start();
    expect(c.calls).toHaveLength(1);
    clock.set(sh('2026-11-02T09:00:00'));
    await wake(e);
    await wake(e);
    expect(c.calls.map((x) => x.slot)).toEqual(['2026-10-08', '2026-11-02']);
    expect(await slotsOf('monthly')).toEqual(['2026-09-01', '2026-10-08', '2026-11-02']);
  });

  it('two instances on one database (and one Redis) run each slot of each job once', async () => {
    const jobs = [
      countingJob('two-daily', { time: '08:30' }),
      countingJob('two-weekly', { rhythm: { kind: 'week-first-workday' }, time: '09:00' }),
      countingJob('two-monthly', { rhythm: { kind: 'month-first-workday' }, time: '09:00' }),
    ];
    // Each job's slot before Monday 11-30 noon has run.
    for (const [j, slot] of [[jobs[0], '2026-11-30'], [jobs[1], '2026-11-30'], [jobs[2], '2026-11-02']] as const) await t.db('job_runs').insert({ job: j.job.name, slot, state: 'ok', attempts: 1, created_at: nowMoment() });
    const clock = fixedClock(sh('2026-11-30T12:00:00'));
    const a = make(jobs.map((j) => j.job), clock, { ownDb: true });
    const b = make(jobs.map((j) => j.job), clock, { ownDb: true });
    await Promise.all([a.start(), b.start()]);
    // Two weeks, every half hour of the mornings: both instances wake at each moment.
    for (let day = 1; day <= 14; day++) {
      const date = new Date(Date.parse('2026-11-30T00:00:00Z') + day * 86_400_000).toISOString().slice(0, 10);
      for (const time of ['08:00', '08:30', '09:00', '09:30']) {
        clock.set(sh(`${date}T${time}:00`));
        await wake(a, b);
      }
    }
    const [daily, weekly, monthly] = jobs.map((j) => j.calls.map((x) => x.slot));
    expect(daily).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14']);
    expect(weekly).toEqual(['2026-12-07', '2026-12-14']);
    expect(monthly).toEqual(['2026-12-01']);
    for (const j of jobs) {
      const slots = await slotsOf(j.job.name);
      expect(new Set(slots).size).toBe(slots.length);
    }
  });

  it('records what a run sent: the outbox rows it wrote, tagged with the run, in or out of a transaction', async () => {
    const c = countingJob('sender', { scheduled: false, send: true });
    const clock = fixedClock(sh('2026-12-07T10:00:00'));
    await putSetting(t.db, 'office', { groupId: 'office-group' });
    const r = make([c.job], clock);
    await r.start();
    // A row written outside any run carries none.
    await enqueue(t.db, 'not-a-job', { op: 'send', target: { kind: 'group', groupId: 'office-group' }, message: { kind: 'text', content: '路由发出的消息' } });
    const { runId } = await r.enqueue('sender', '2026-12-07');
    await finished(t.db, runId);
    const run = await describeRun(t.db, [c.job], runId);
    expect(run!.sent.map((m) => ({ target: m.targetText, state: m.stateText, kind: m.kind }))).toEqual([
      { target: '编办工作群', state: '发送中', kind: 'message' },
      { target: '用户 u-admin', state: '发送中', kind: 'message' },
    ]);
    expect((await t.db('outbox').where({ dedup_key: 'not-a-job' }).first()).job_run_id).toBeNull();
  });
});
