// A month of the office's rhythm driven day by day on the working-day calendar, against the
// sandbox: 2026-09-28 to 2026-11-02, across the National Day holiday (10-01…10-07 off) and its
// make-up Saturday (10-10). Every job of the office (server/jobs/office-jobs.ts) on a runner whose
// clock is moved through each day; the dispatcher sends the outbox to the sandbox after each
// tick; what each group and person received is read back per day. Twice: one in-process
// instance, and two instances on one Redis ticking at the same moments (each slot still once).
// One instance is restarted between the check and the weekly list, and after a weekend down.

import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../bot/dispatcher.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createBullRunner } from '../../server/jobs/bull.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import type { JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const REDIS_URL = process.env.SANSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const BASE = 'http://127.0.0.1:3000';
const FIRST = '2026-09-28';
const LAST = '2026-11-02';
/** The moments of a day the runners wake at (Asia/Shanghai): before and after each job's time. */
const TIMES = ['08:00', '08:21', '08:31', '08:46', '09:01', '09:31', '12:00', '18:00'];

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

type Day = { messages: Array<{ conversation: string; payload: any }>; runs: string[] };

describe.each(['one in-process instance', 'two instances on one Redis'] as const)('a simulated month of the office\'s rhythm, %s', (mode) => {
  let t: TestDb;
  const clock = fixedClock('2026-09-27T12:00:00+08:00');
  const prefix = `sanse-test-month-${crypto.randomBytes(4).toString('hex')}`;
  let runners: JobRunner[] = [];
  let dispatcher: ReturnType<typeof createDispatcher>;
  /** What was sent on each simulated day, and the slots run. */
  const days = new Map<string, Day>();

  function newRunner(): JobRunner {
    const opts = { db: t.db, jobs: officeJobs({ pii: t.pii, publicBaseUrl: BASE, log: () => {} }), clock, log: () => {} };
    return mode === 'two instances on one Redis' ? createBullRunner({ ...opts, redisUrl: REDIS_URL, prefix }) : createInProcessRunner({ ...opts, tickMs: 3_600_000 });
  }

  /** Moves the clock through one day, waking every runner at each of `times` at once and sending what was queued. */
  async function live(day: string, times = TIMES, restartAt?: string): Promise<void> {
    const seenMsg = Number((await t.db('sandbox_messages').max({ m: 'id' }).first())?.m ?? 0);
    const seenRun = Number((await t.db('job_runs').max({ m: 'id' }).first())?.m ?? 0);
    for (const time of times) {
      clock.set(`${day}T${time}:00+08:00`);
      if (time === restartAt) {
        // A restarted instance: a new runner over the same database; start() catches up what is due.
        await runners[0].stop();
        runners[0] = newRunner();
        await runners[0].start();
      }
      await Promise.all(runners.map((r) => r.tick()));
      await dispatcher.drain({ timeoutMs: 10_000 });
    }
    const messages = (await t.db('sandbox_messages').where('id', '>', seenMsg).orderBy('id').select('conversation', 'payload'))
      .map((r) => ({ conversation: r.conversation as string, payload: JSON.parse(r.payload) }));
    const runs = (await t.db('job_runs').where('id', '>', seenRun).orderBy('id').select('job', 'slot')).map((r) => `${r.job}@${r.slot}`);
    days.set(day, { messages, runs });
  }

  beforeAll(async () => {
    t = await createTestDb();
    await seedDemo(t.db, t.pii, { units: 24, people: 300, seed: 14, today: FIRST });
    dispatcher = createDispatcher(t.db, createSandboxPlatform(t.db), { ratePerSecond: 1000, baseBackoffMs: 10, pollMs: 50 });
    // Started the Sunday before: the catch-up of Friday's slots happens then, and Monday is ticked as any day.
    runners = mode === 'two instances on one Redis' ? [newRunner(), newRunner()] : [newRunner()];
    for (const r of runners) await r.start();
    await dispatcher.drain({ timeoutMs: 10_000 });
    for (let day = FIRST; day <= LAST; day = nextDay(day)) {
      if (day === '2026-10-12') await live(day, ['08:00', '08:31', '08:50', '09:01', '09:31', '12:00', '18:00'], '08:50'); // restarted between the check and the weekly list
      else if (day === '2026-10-26') await live(day, ['10:00', '12:00', '18:00'], '10:00'); // down from Friday evening until Monday 10:00
      else await live(day);
    }
    for (const r of runners) await r.stop();
  }, 600_000);

  afterAll(async () => {
    for (const r of runners) await r.stop().catch(() => {});
    if (mode === 'two instances on one Redis') {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await t?.close();
  });

  const runsOf = (job: string) => [...days.entries()].flatMap(([day, d]) => d.runs.filter((r) => r.startsWith(`${job}@`)).map((r) => `${day} ${r}`));

  it('checks every working day once, the make-up Saturday included, and no holiday or weekend', async () => {
    const checked = runsOf('daily-check').map((r) => r.slice(0, 10));
    expect(checked).toContain('2026-10-10');
    for (const off of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-07', '2026-10-03', '2026-10-11', '2026-10-17']) expect(checked).not.toContain(off);
    expect(checked[0]).toBe('2026-09-28');
    expect(new Set(checked).size).toBe(checked.length);
    // 09-28…09-30, 10-08…10-10, then every weekday to 10-30, and 11-02.
    expect(checked).toHaveLength(3 + 3 + 15 + 1);
    const runs = await t.db('check_runs').where('outcome', 'ok').where('date', '>=', FIRST).pluck('date');
    expect(new Set(runs)).toEqual(new Set(checked));
  });

  it('sends nothing on days off, and each working day\'s alert cards to the unit groups', async () => {
    for (const off of ['2026-10-01', '2026-10-03', '2026-10-04', '2026-10-06', '2026-10-11', '2026-10-31', '2026-11-01']) {
      expect(days.get(off)!.messages, off).toEqual([]);
      expect(days.get(off)!.runs, off).toEqual([]);
    }
    const groupsWithUnits = new Set((await t.db('units').whereNotNull('group_id').pluck('group_id')).map((g) => `group:${g}`));
    for (const day of ['2026-09-28', '2026-10-08', '2026-10-10', '2026-10-30']) {
      const cards = days.get(day)!.messages.filter((m) => groupsWithUnits.has(m.conversation) && m.payload.card?.template === 'alert');
      expect(cards.length, day).toBeGreaterThan(0);
      expect(cards.every((c) => JSON.stringify(c.payload).includes(day)), day).toBe(true);
    }
  });

  it('a restarted instance neither repeats nor skips a slot', async () => {
    // 10-12: restarted at 08:50, after the check: the check is not run again.
    expect(days.get('2026-10-12')!.runs.filter((r) => r.startsWith('daily-check@'))).toEqual(['daily-check@2026-10-12']);
    // 10-26: down until 10:00; the day's missed slots run once at start.
    expect(days.get('2026-10-26')!.runs.filter((r) => r.startsWith('daily-check@') || r.startsWith('expire-plans@')).sort()).toEqual(['daily-check@2026-10-26', 'expire-plans@2026-10-26']);
    const all = await t.db('job_runs').select('job', 'slot', 'state', 'error');
    expect(all.filter((r) => r.state !== 'ok')).toEqual([]);
    const bySlot = new Set(all.map((r) => `${r.job}@${r.slot}`));
    expect(bySlot.size).toBe(all.length);
  });

  it('each unit leader with red items below them gets one card a day, 1:1, and only on working days', async () => {
    const leaders = await t.db('users').where({ role: '单位领导' }).pluck('id');
    expect(leaders.length).toBeGreaterThan(0);
    const leaderCards = (day: string) => days.get(day)!.messages.filter((m) => m.conversation.startsWith('user:') && leaders.includes(m.conversation.slice(5)) && m.payload.card?.cardId?.startsWith('leader-digest:'));
    // By the end of October findings left open since September are red: the leaders hear of them.
    const late = leaderCards('2026-10-30');
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late.map((m) => m.conversation)).size).toBe(late.length);
    expect(late.every((m) => m.payload.card.data.red !== '0')).toBe(true);
    expect(leaderCards('2026-10-31')).toEqual([]);
  });
});
