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
import { answer } from '../../bot/robot.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { publishRanking } from '../../commands/publish-ranking.ts';
import { recheckUnit } from '../../commands/recheck-unit.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createBullRunner } from '../../server/jobs/bull.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import { REPORTS } from '../../core/report-defs.ts';
import ExcelJS from 'exceljs';
import type { JobRunner } from '../../server/jobs/registry.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { createTestDb, dropDemoFeeds, type TestDb } from '../db/helpers.ts';

const REDIS_URL = process.env.SANSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const BASE = 'http://127.0.0.1:3000';
const FIRST = '2026-09-28';
const LAST = '2026-11-02';
/** The moments of a day the runners wake at (Asia/Shanghai): before and after each job's time. */
const TIMES = ['08:00', '08:21', '08:26', '08:31', '08:46', '09:01', '09:31', '12:00', '18:00'];

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
  /** U1 self-checks twice on 10-13 (enough), U2 once (short); both were listed on 10-12 for that alone. */
  let u1: { id: number; group: string; specialist: string };
  let u2: { id: number; group: string; specialist: string };

  /** Units of the week's stored list listed only for too few self-checks, with a group and a specialist. */
  async function selfCheckOnlyUnits(week: string) {
    const list = JSON.parse((await t.db('weekly_lists').where({ week }).first()).content);
    const ids = list.units.filter((l: any) => !l.red && !l.suspension && !l.waitingRequests.length && l.selfChecks).map((l: any) => Number(l.unitId));
    const rows = await t.db('units as u').join('users as s', 's.unit_id', 'u.id').where('s.role', '单位专管员').whereIn('u.id', ids).whereNotNull('u.group_id')
      .orderBy('u.id').select('u.id', 'u.group_id', 's.id as specialist');
    const seen = new Set<number>();
    return rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).map((r) => ({ id: Number(r.id), group: `group:${r.group_id}`, specialist: String(r.specialist) }));
  }

  /** What happens by hand on some days, after the jobs of the morning (10:00). */
  async function byHand(day: string): Promise<void> {
    clock.set(`${day}T10:00:00+08:00`);
    if (day === '2026-10-13') {
      [u1, u2] = await selfCheckOnlyUnits('2026-10-12');
      const as = (u: typeof u1) => ({ id: u.specialist, role: '单位专管员', scope: [u.id] });
      await recheckUnit(t.db, { actor: as(u1), unitId: u1.id, today: day, selfCheck: true });
      await recheckUnit(t.db, { actor: as(u1), unitId: u1.id, today: day, selfCheck: true });
      await recheckUnit(t.db, { actor: as(u2), unitId: u2.id, today: day, selfCheck: true });
    }
    if (day === '2026-11-02') {
      // Office staff look at the 红黑榜 the month close built, and broadcast it.
      const clerk = await t.db('users').where({ role: '编办业务人员' }).first('id');
      await publishRanking({ db: t.db, month: '2026-10', actor: clerk.id, publicBaseUrl: BASE });
    }
    await dispatcher.drain({ timeoutMs: 10_000 });
  }

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
      if (time === '12:00') await byHand(day);
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
    // The office's rhythm without the other departments' rosters (their findings are tested elsewhere).
    await dropDemoFeeds(t.db);
    // The county's units were in sanse long before (a unit new in a month is spared its self-check lock).
    await t.db('units').update({ created_at: '2026-01-05 09:00:00' });
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

  const groupOf = async (unitId: number) => `group:${(await t.db('units').where({ id: unitId }).first('group_id')).group_id}`;
  const officeGroup = 'group:office-group';
  const text = (m: { payload: unknown }) => JSON.stringify(m.payload);

  it('sends the weekly list on the first working day of each week, once: to the office group, and each listed unit its part @ its specialist', async () => {
    expect(runsOf('weekly-list').map((r) => r.slice(0, 10))).toEqual(['2026-09-28', '2026-10-08', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02']);
    for (const day of ['2026-09-28', '2026-10-08', '2026-10-12', '2026-11-02']) {
      const office = days.get(day)!.messages.filter((m) => m.conversation === officeGroup && m.payload.card?.cardId?.startsWith('weekly-office:'));
      expect(office, day).toHaveLength(1);
      const parts = days.get(day)!.messages.filter((m) => m.payload.card?.cardId?.startsWith('weekly-unit:'));
      expect(parts.length, day).toBeGreaterThan(0);
      for (const m of parts) {
        const unitId = Number(m.payload.card.cardId.split(':')[1]);
        // Its 专管员 (those locked at a month close since are not called on after it).
        const specialists = await t.db('users').where({ role: '单位专管员', unit_id: unitId }).pluck('id');
        const group = await groupOf(unitId);
        // A unit without a 工作群: 1:1 to its specialists.
        if (group === 'group:null') { expect(specialists.map((id) => `user:${id}`)).toContain(m.conversation); continue; }
        expect(m.conversation).toBe(group);
        const called = m.payload.card.atUsers?.map((u: { userId: string }) => u.userId) ?? [];
        // Before the first month close nobody is locked: a unit with a 专管员 has them called on.
        if (day === '2026-09-28' && specialists.length) expect(called.length, `${day} ${unitId}`).toBeGreaterThan(0);
        expect(specialists).toEqual(expect.arrayContaining(called));
      }
    }
    expect(days.get('2026-10-09')!.messages.filter((m) => text(m).includes('weekly-'))).toEqual([]);
  });

  it('marks a unit 已整改 in place on its weekly card once it has self-checked enough; one still short stays open', async () => {
    const card = async (u: typeof u1) => JSON.parse((await t.db('sandbox_messages').where({ card_id: `weekly-unit:${u.id}:2026-10-12` }).first()).payload).card.data;
    expect(await card(u1)).toMatchObject({ light: 'green' });
    expect((await card(u2)).light).not.toBe('green');
    const office = JSON.parse((await t.db('sandbox_messages').where({ card_id: 'weekly-office:2026-10-12' }).first()).payload);
    expect(Number(office.card.data.resolved)).toBeGreaterThanOrEqual(1);
    expect(office.card.data.markdown).toMatch(/已整改 \*\*[1-9]\d*\*\* 个单位/);
  });

  it('generates the month before\'s reports on each month\'s first working day before the check, each once', async () => {
    expect(runsOf('monthly-reports').map((r) => r.slice(0, 10))).toEqual(['2026-10-08', '2026-11-02']);
    const files = await t.db('report_files').select('name', 'month', 'job_run_id', 'bytes');
    expect(files.filter((f) => f.month === '2026-10')).toHaveLength(REPORTS.length);
    expect(files.filter((f) => f.month === '2026-09')).toHaveLength(REPORTS.length);
    expect(files.every((f) => f.job_run_id != null)).toBe(true);
    // October's were made from October's last check (10-30), not from 11-02's.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(files.find((f) => f.month === '2026-10' && f.name === 'admin-quota')!.bytes);
    const notes: string[] = [];
    wb.worksheets[0].eachRow((r) => notes.push(String(r.getCell(1).value ?? '')));
    expect(notes.some((n) => n.includes('数据截至 2026-10-30'))).toBe(true);
  });

  it('reminds units short of self-checks mid-month and 3 working days before month end, in their groups', async () => {
    expect(runsOf('self-check-reminder-mid').map((r) => r.slice(0, 10))).toEqual(['2026-10-15']);
    expect(runsOf('self-check-reminder-end').map((r) => r.slice(0, 10))).toEqual(['2026-09-24', '2026-10-27'].filter((d) => d >= FIRST));
    for (const day of ['2026-10-15', '2026-10-27']) {
      const reminders = days.get(day)!.messages.filter((m) => text(m).includes('自查'));
      const to = new Set(reminders.map((m) => m.conversation));
      expect(to.has(u2.group), day).toBe(true);
      expect(to.has(u1.group), day).toBe(false);
    }
  });

  it('at month close locks the specialists of units short of self-checks, scores October and ranks it; the 红黑榜 goes to every group on the office\'s click', async () => {
    const locked = async (u: typeof u1) => Boolean(Number((await t.db('users').where({ id: u.specialist }).first('locked')).locked));
    expect(await locked(u1)).toBe(false);
    expect(await locked(u2)).toBe(true);
    expect(await t.db('user_locks').where({ user_id: u2.specialist, month: '2026-10' })).toHaveLength(1);
    expect(days.get('2026-11-02')!.messages.some((m) => m.conversation === `user:${u2.specialist}` && text(m).includes('锁定'))).toBe(true);

    const scores = await t.db('unit_scores').where({ month: '2026-10' }).select('unit_id', 'score', 'rank', 'deductions');
    expect(scores).toHaveLength(await t.db('units').count({ n: '*' }).first().then((r) => Number(r!.n)));
    const of = (id: number) => JSON.parse(scores.find((s) => Number(s.unit_id) === id)!.deductions);
    expect(of(u1.id).selfCheck).toBe(0);
    expect(of(u2.id).selfCheck).toBeGreaterThan(0);
    const ranks = scores.map((s) => Number(s.rank)).sort((a, b) => a - b);
    expect(ranks[0]).toBe(1);

    const groups = new Set([...(await t.db('units').whereNotNull('group_id').distinct('group_id').pluck('group_id')).map((g) => `group:${g}`), officeGroup]);
    const boards = days.get('2026-11-02')!.messages.filter((m) => text(m).includes('红黑榜'));
    expect(new Set(boards.map((m) => m.conversation))).toEqual(groups);
    expect(boards).toHaveLength(groups.size);

    // 排名 in the robot: the published list and the asker's own rank and score.
    const reply = await answer(t.db, u1.specialist, '专管员', '排名', '2026-11-02', { type: 'group', id: u1.group.slice(6) });
    const own = scores.find((s) => Number(s.unit_id) === u1.id)!;
    expect(JSON.stringify(reply)).toContain(`第 ${own.rank} 名`);
  });
});
