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
import type { Job, JobContext, JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock, workdaysAt, type Clock } from '../../server/jobs/schedule.ts';
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
function countingJob(name: string, opts: { scheduled?: boolean; fail?: () => boolean } = {}) {
  const calls: JobContext[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const job: Job = {
    name,
    schedule: opts.scheduled === false ? null : workdaysAt('08:30'),
    async run(ctx) {
      calls.push(ctx);
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
  function make(jobs: Job[], clock: Clock, opts: { ownDb?: boolean } = {}): JobRunner {
    let db: Db = t.db;
    if (opts.ownDb) {
      db = openDb(t.url);
      pools.push(db);
    }
    const log = () => {};
    const r = mode === 'redis' ? createBullRunner({ db, jobs, clock, log, redisUrl: REDIS_URL, prefix }) : createInProcessRunner({ db, jobs, clock, log });
    runners.push(r);
    return r;
  }

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
    it('wakes the registry with a repeatable bull job at the schedule\'s time', async () => {
      const c = countingJob('repeat');
      const r = make([c.job], fixedClock(sh('2026-12-07T07:00:00'))) as ReturnType<typeof createBullRunner>;
      await r.start();
      const repeat = await r.queue.getRepeatableJobs();
      const ids = (list: typeof repeat) => list.map((x) => ({ id: x.id, cron: x.cron, tz: x.tz })).sort((x, y) => String(x.id).localeCompare(String(y.id)));
      // The job's time, and the sweep that retries failed slots.
      const expected = [{ id: 'sweep', cron: '*/10 * * * *', tz: 'Asia/Shanghai' }, { id: 'tick-repeat', cron: '30 8 * * *', tz: 'Asia/Shanghai' }];
      expect(ids(repeat)).toEqual(expected);
      // A restart (another instance) does not add them twice; a job gone from the registry loses its wake-up.
      await (make([c.job], fixedClock(sh('2026-12-07T07:00:00'))) as ReturnType<typeof createBullRunner>).start();
      expect(ids(await r.queue.getRepeatableJobs())).toEqual(expected);
      const other = countingJob('other');
      const r3 = make([other.job], fixedClock(sh('2026-12-07T07:00:00'))) as ReturnType<typeof createBullRunner>;
      await r3.start();
      expect(ids(await r3.queue.getRepeatableJobs()).map((x) => x.id)).toEqual(['sweep', 'tick-other']);
    });
  }
});
