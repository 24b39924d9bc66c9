// POST /api/check queues the daily check on the job registry and answers at once (202 {runId});
// GET /api/check/runs/:id is polled until the run is ok (with the check's summary) or failed
// (with its error). Two clicks while a check of that day runs are one run. Office roles only.
// SQLite and MariaDB (SANSE_TEST_DB=mysql).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/demo/seed.ts';
import { buildApp } from '../../main/app.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { loadConfig } from '../../server/config.ts';
import { dailyCheckJob } from '../../server/jobs/daily-check.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import type { JobRunner } from '../../server/jobs/registry.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { D0, login, type Session } from './helpers.ts';
import type { FastifyInstance } from 'fastify';

let t: TestDb;
let app: FastifyInstance;
let jobs: JobRunner;
let admin: Session;
let specialist: Session;
/** The check waits for `gate` while set, and throws while `failing` is. */
let gate: Promise<void> | null = null;
let failing = false;

beforeAll(async () => {
  process.env.LOG_LEVEL ??= 'silent';
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 400, seed: 5, today: D0 });
  const config = loadConfig({ PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: '3000' });
  const check = async (db: Parameters<typeof dailyCheck>[0], date: string, url: string) => {
    if (gate) await gate;
    if (failing) throw new Error('数据库连接中断');
    return dailyCheck(db, date, url);
  };
  jobs = createInProcessRunner({ db: t.db, jobs: [dailyCheckJob({ publicBaseUrl: config.publicBaseUrl, check, log: () => {} })] });
  app = await buildApp({ config, db: t.db, pii: t.pii, close: async () => {} }, undefined, { jobs });
  await app.ready();
  admin = await login(app, 'demo-admin');
  const zgy = await t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  specialist = await login(app, zgy.id);
});
afterAll(async () => {
  await jobs?.stop();
  await app?.close();
  await t?.close();
});

const post = (s: Session, payload: object = { date: D0 }) => app.inject({ method: 'POST', url: '/api/check', headers: s.write, payload });
const poll = (s: Session, id: number) => app.inject({ method: 'GET', url: `/api/check/runs/${id}`, headers: s.read });

async function until(id: number, states: string[]): Promise<Record<string, any>> {
  const end = Date.now() + 30_000;
  for (;;) {
    const res = await poll(admin, id);
    expect(res.statusCode, res.body).toBe(200);
    if (states.includes(res.json().state)) return res.json();
    if (Date.now() > end) throw new Error(`run ${id} still ${res.json().state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('POST /api/check and GET /api/check/runs/:id', () => {
  it('queues the check, answers 202 at once, and polling reaches ok with the summary', async () => {
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    const res = await post(admin);
    expect(res.statusCode, res.body).toBe(202);
    const { runId } = res.json();
    expect(runId).toBeGreaterThan(0);
    // The check has not finished (it is held): the answer did not wait for it.
    const during = await until(runId, ['queued', 'running']);
    expect(during.summary).toBeUndefined();
    // A second click for the same day while it runs: the same run, not a second check.
    const again = await post(admin);
    expect(again.statusCode).toBe(202);
    expect(again.json().runId).toBe(runId);
    gate = null;
    release();
    const done = await until(runId, ['ok', 'failed']);
    expect(done).toMatchObject({ state: 'ok', date: D0 });
    expect(done.startedAt).toBeTruthy();
    expect(done.finishedAt >= done.startedAt).toBe(true);
    expect(done.summary).toMatchObject({ date: D0, units: Number((await t.db('units').count({ n: '*' }).first())!.n) });
    expect(done.summary.findings.open).toBeGreaterThan(0);
    // check_runs stays the check's own record: one ok run of that day.
    expect(await t.db('check_runs').where({ date: D0, outcome: 'ok' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    // Once it has ended, a click is a new run.
    const next = await post(admin);
    expect(next.json().runId).not.toBe(runId);
    expect((await until(next.json().runId, ['ok', 'failed'])).state).toBe('ok');
  });

  it('gives two simultaneous clicks one run', async () => {
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    let x, y;
    try {
      [x, y] = await Promise.all([post(admin), post(admin)]);
    } finally {
      gate = null;
      release();
    }
    expect([x.statusCode, y.statusCode]).toEqual([202, 202]);
    expect(x.json().runId).toBe(y.json().runId);
    expect((await until(x.json().runId, ['ok', 'failed'])).state).toBe('ok');
  });

  it('shows a failed check with its error', async () => {
    failing = true;
    try {
      const res = await post(admin);
      const done = await until(res.json().runId, ['ok', 'failed']);
      expect(done).toMatchObject({ state: 'failed', error: '数据库连接中断' });
      expect(done.summary).toBeUndefined();
    } finally {
      failing = false;
    }
  });

  it('refuses a unit specialist (403) both ways, and answers 404 for a run that does not exist', async () => {
    const refused = await post(specialist);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatch(/编办管理员/);
    const run = await t.db('job_runs').orderBy('id').first('id');
    const peek = await poll(specialist, Number(run.id));
    expect(peek.statusCode).toBe(403);
    expect(peek.json().error).toMatch(/编办管理员/);
    for (const id of ['999999', 'abc', '-1']) {
      const res = await poll(admin, id as unknown as number);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe('没有该检查记录');
    }
  });
});
