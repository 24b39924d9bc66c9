// How a run of the daily check ends in check_runs: ok, failed with its error, or interrupted when
// its process was killed (a real process killed with SIGKILL half-way), on the real database.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../db/check.ts';
import { checkDoneOn, closeInterruptedRuns, STALE_RUN_MS } from '../../db/check-runs.ts';
import { nowMoment } from '../../db/clock.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const run = promisify(execFile);
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

const runs = () => t.db('check_runs').orderBy('id').select('id', 'date', 'outcome', 'finished_at', 'error');

describe('check_runs', () => {
  it('records a finished check as ok, and a check that threw as failed with its error', async () => {
    await runCheck(t.db, '2026-03-02', { rules: [] });
    await expect(runCheck(t.db, '2026-03-03', { rules: [], afterWrite: async () => { throw new Error('平台写入失败'); } })).rejects.toThrow('平台写入失败');
    const [ok, failed] = await runs();
    expect(ok).toMatchObject({ date: '2026-03-02', outcome: 'ok' });
    expect(ok.finished_at).toBeTruthy();
    expect(failed).toMatchObject({ date: '2026-03-03', outcome: 'failed', error: '平台写入失败' });
    expect(failed.finished_at).toBeTruthy();
    // The schedule runs a failed day again; a finished one not.
    expect(await checkDoneOn(t.db, '2026-03-02')).toBe(true);
    expect(await checkDoneOn(t.db, '2026-03-03')).toBe(false);
  });

  it('closes the run of a process killed half-way (SIGKILL) as interrupted, and the next check of that day runs', async () => {
    // A real process opens a run the way runCheck does, then is killed before it can finish it.
    const child = `
      const { openDb } = await import(${JSON.stringify(path.resolve('db/connection.ts'))});
      const { startCheckRun } = await import(${JSON.stringify(path.resolve('db/check-runs.ts'))});
      const db = openDb(${JSON.stringify(t.url)});
      await startCheckRun(db, '2026-03-04');
      process.kill(process.pid, 'SIGKILL');`;
    await expect(run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child])).rejects.toMatchObject({ signal: 'SIGKILL' });
    const [left] = (await runs()).filter((r) => r.date === '2026-03-04');
    expect(left.finished_at).toBeNull();
    expect(await checkDoneOn(t.db, '2026-03-04')).toBe(false);

    await runCheck(t.db, '2026-03-04', { rules: [] });
    const day = (await runs()).filter((r) => r.date === '2026-03-04');
    expect(day.map((r) => r.outcome)).toEqual(['interrupted', 'ok']);
    expect(day[0].finished_at).toBeTruthy();
    expect(day[0].error).toContain('中途退出');
    expect(await t.db('check_runs').whereNull('finished_at').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('leaves a run of a live process alone, and closes one from another machine only once it is older than any check', async () => {
    const now = Date.now();
    await t.db('check_runs').insert([
      { date: '2026-03-05', started_at: nowMoment(now - 60_000), host: 'other-host', pid: 1 },
      { date: '2026-03-06', started_at: nowMoment(now - STALE_RUN_MS - 60_000), host: 'other-host', pid: 1 },
      { date: '2026-03-09', started_at: nowMoment(now - 60_000), host: (await import('node:os')).hostname().slice(0, 64), pid: process.ppid },
    ]);
    expect(await closeInterruptedRuns(t.db, now)).toBe(1);
    const open = await t.db('check_runs').whereNull('finished_at').orderBy('date').pluck('date');
    expect(open).toEqual(['2026-03-05', '2026-03-09']);
  });
});
