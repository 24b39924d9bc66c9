// `sanse jobs` as a user runs it (a child process on a fresh SQLite file): the list as JSON in its
// promised shape, a retime and a switch-off reflected in it, refusals in Chinese, a run by hand,
// its runs and what it sent.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/connection.ts';
import { runSanse } from './sanse-cli.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-jobs-'));
  env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'sanse.db')}`, PII_KEY: '00112233445566778899aabbccddeeff' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+08:00$/;

describe('sanse jobs', () => {
  it('prints [{name, schedule, lastRun, nextRun}] with --json, and a Chinese table without', async () => {
    const r = await sanse('jobs', '--json');
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    for (const j of list) expect(Object.keys(j)).toEqual(expect.arrayContaining(['name', 'schedule', 'lastRun', 'nextRun']));
    const check = list.find((j) => j.name === 'daily-check')!;
    expect(check).toMatchObject({ schedule: '每个工作日 08:30（北京时间）', lastRun: null });
    expect(check.nextRun).toMatch(ISO);
    expect(String(check.nextRun)).toContain('T08:30:00');
    expect(list.find((j) => j.name === 'expire-plans')).toMatchObject({ schedule: '每个工作日 08:20（北京时间）' });
    const human = await sanse('jobs');
    expect(human.stdout).toMatch(/^任务\s+排程\s+上次运行\s+下次运行/);
    expect(human.stdout).toContain('每日数据检查（daily-check）');
    expect(human.stdout).toContain('尚未运行');
  });

  it('retimes and switches a job off and on; bad input is refused in Chinese and changes nothing', async () => {
    const set = await sanse('jobs', 'set', 'daily-check', '--time', '9:00');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('每日数据检查：每个工作日 09:00（北京时间）');
    let check = JSON.parse((await sanse('jobs', '--json')).stdout).find((j: { name: string }) => j.name === 'daily-check');
    expect(check.schedule).toBe('每个工作日 09:00（北京时间）');
    expect(check.nextRun).toContain('T09:00:00+08:00');

    const bad = await sanse('jobs', 'set', 'daily-check', '--time', '24:00');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('运行时间应为 HH:MM');
    const unknown = await sanse('jobs', 'set', 'no-such-job', '--off');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('没有名为“no-such-job”的计划任务');
    expect((await sanse('jobs', 'set', 'daily-check')).code).toBe(2);

    expect((await sanse('jobs', 'set', 'daily-check', '--off')).code).toBe(0);
    check = JSON.parse((await sanse('jobs', '--json')).stdout).find((j: { name: string }) => j.name === 'daily-check');
    expect(check).toMatchObject({ nextRun: null, enabled: false });
    expect((await sanse('jobs', 'set', 'daily-check', '--on', '--time', '08:30')).code).toBe(0);
    check = JSON.parse((await sanse('jobs', '--json')).stdout).find((j: { name: string }) => j.name === 'daily-check');
    expect(check).toMatchObject({ schedule: '每个工作日 08:30（北京时间）', enabled: true });

    const db = openDb(env.DATABASE_URL!);
    try {
      const audits = await db('audit_log').where({ action: 'set_job_schedule' });
      expect(audits).toHaveLength(3);
      expect(audits[0].actor).toMatch(/^cli:/);
    } finally {
      await db.destroy();
    }
  });

  it('runs a job by hand, lists its runs, and shows one with what it sent', async () => {
    const run = await sanse('jobs', 'run', 'expire-plans', '--date', '2026-12-07', '--json');
    expect(run.code, run.stderr).toBe(0);
    const detail = JSON.parse(run.stdout);
    expect(detail).toMatchObject({ job: 'expire-plans', title: '用编计划到期处理', slot: '2026-12-07#1', state: 'ok', manual: true, sent: [], summary: '没有到期的用编计划' });
    const list = JSON.parse((await sanse('jobs', '--json')).stdout).find((j: { name: string }) => j.name === 'expire-plans');
    expect(list.lastRun).toMatchObject({ slot: '2026-12-07#1', state: 'ok' });
    expect(list.lastRun.startedAt).toMatch(/\+08:00$/);
    const runs = JSON.parse((await sanse('jobs', 'runs', 'expire-plans', '--json')).stdout);
    expect(runs.map((r: { id: number }) => r.id)).toEqual([detail.id]);
    const show = await sanse('jobs', 'show', String(detail.id));
    expect(show.stdout).toContain('本次运行没有发出消息');
    expect((await sanse('jobs', 'show', '99999')).stderr).toContain('没有编号为 99999 的运行记录');
    expect((await sanse('jobs', 'run', 'expire-plans', '--date', '2026-13-01')).code).toBe(2);
  });
});
