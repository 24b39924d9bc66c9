// The sanse command line, run as a user runs it: a child process on a fresh SQLite file.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/connection.ts';
import { runSanse, SANSE_BIN } from './sanse-cli.ts';

const BIN = SANSE_BIN;
let dir: string;
let env: NodeJS.ProcessEnv;

const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-'));
  env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'sanse.db')}`, PII_KEY: '00112233445566778899aabbccddeeff' };
  const demo = await sanse('demo', '--units', '40', '--people', '600', '--seed', '3', '--date', '2026-11-23');
  expect(demo.code, demo.stderr).toBe(0);
  // The county a reset gives is the county a first start gives (with its history of red findings).
  const again = await sanse('demo', '--units', '40', '--people', '600', '--seed', '3', '--date', '2026-11-23');
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('--reset');
  reset = await sanse('demo', '--units', '40', '--people', '600', '--seed', '3', '--date', '2026-11-23', '--reset');
  expect(reset.code, reset.stderr).toBe(0);
});
let reset: { stdout: string; stderr: string; code: number };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sanse CLI', () => {
  it('computes retirement as JSON', async () => {
    const r = await sanse('retirement', '--gender', '男', '--identity', '干部', '--birth', '1975-06', '--json');
    expect(JSON.parse(r.stdout)).toEqual({ age: { years: 62, months: 8 }, month: '2038-02' });
    const w = await sanse('retirement', '--gender', '女', '--identity', '工人', '--birth', '1977-01', '--json');
    expect(JSON.parse(w.stdout)).toEqual({ age: { years: 51, months: 1 }, month: '2028-02' });
    const bad = await sanse('retirement', '--gender', '女', '--birth', '1977-13');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--birth 应为 YYYY-MM');
  });

  it('seeds the demo county with its history: red beside yellow, after a reset too', async () => {
    const red = Number(/红灯 (\d+)/.exec(reset.stdout)?.[1]);
    const yellow = Number(/黄灯 (\d+)/.exec(reset.stdout)?.[1]);
    expect(red, reset.stdout).toBeGreaterThan(10);
    expect(yellow, reset.stdout).toBeGreaterThan(10);
  });

  it('checks a day and prints one JSON object', async () => {
    const r = await sanse('check', '--date', '2026-11-23', '--force', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ date: '2026-11-23', units: 40, people: 600 });
    // The demo has checked this day already: everything is kept, nothing new.
    expect(s.findings.opened).toBe(0);
    expect(s.findings.kept).toBe(s.findings.open);
    expect(s.findings.byLight.red).toBeGreaterThan(0);
    expect(s.findings.byLight.hint).toBeGreaterThan(0); // 提示 (S3 rules): counted apart
    expect(s.findings.byLight.yellow + s.findings.byLight.red + s.findings.byLight.hint).toBe(s.findings.open);
    expect(Object.values(s.findings.byRule as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(s.findings.open);
    expect(typeof s.ms).toBe('number');
    const later = JSON.parse((await sanse('check', '--date', '2026-11-27', '--force', '--json')).stdout);
    expect(later.findings).toMatchObject({ opened: 0, kept: s.findings.open, resolved: 0, byLight: { yellow: 0, red: s.findings.open - s.findings.byLight.hint, hint: s.findings.byLight.hint } });
    // Each run is recorded as a run of the job registry, as the console's are (server/jobs/).
    const db = openDb(env.DATABASE_URL!);
    try {
      const runs = await db('job_runs').where({ job: 'daily-check' }).whereIn('slot', ['2026-11-23#1', '2026-11-27#1']).orderBy('id').select('slot', 'state', 'result');
      expect(runs.map((r) => [r.slot, r.state])).toEqual([['2026-11-23#1', 'ok'], ['2026-11-27#1', 'ok']]);
      expect(JSON.parse(runs[0].result).findings.open).toBe(s.findings.open);
    } finally {
      await db.destroy();
    }
  });

  it('lists findings with masked ID numbers', async () => {
    const r = await sanse('findings', '--json', '--status', 'open', '--date', '2026-11-27');
    const list = JSON.parse(r.stdout) as Array<{ rule: string; unit: string; subject: { kind: string; name: string; id: string | null }; light: string; openedOn: string; resolvedOn: null }>;
    expect(list.length).toBeGreaterThan(0);
    const person = list.find((f) => f.subject.kind === 'person' && f.subject.id && f.subject.id.length === 18)!;
    expect(person.subject.id).toMatch(/^\d{6}\*{11}[\dX]$/);
    expect(person).toMatchObject({ light: 'red', resolvedOn: null });
    expect(person.openedOn <= '2026-11-23').toBe(true);
    for (const f of list) if (f.subject.id && f.subject.id.length >= 15) expect(f.subject.id).toMatch(/^[\dA-Za-z]{6}\*+[\dA-Za-z]$/);
    const one = JSON.parse((await sanse('findings', '--json', '--unit', person.unit, '--date', '2026-11-27')).stdout) as typeof list;
    expect(one.every((f) => f.unit === person.unit)).toBe(true);
  });

  it('re-checks one unit and refuses an unknown one in Chinese', async () => {
    const list = JSON.parse((await sanse('findings', '--json')).stdout) as Array<{ unit: string; unitId: number }>;
    const r = await sanse('recheck', '--unit', String(list[0].unitId), '--json', '--date', '2026-11-27', '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).subject.kind).toBe('unit');
    const missing = await sanse('recheck', '--unit', '11330603000000000X');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('未找到统一社会信用代码');
  });

  it('lets the office disable a rule', async () => {
    const set = await sanse('rules', 'set', 'P-ID-03', '--disable');
    expect(set.stdout).toContain('停用');
    const rules = JSON.parse((await sanse('rules', '--json')).stdout) as Array<{ code: string; enabled: boolean }>;
    expect(rules).toHaveLength(89); // §5.1–5.10
    expect(rules.find((r) => r.code === 'P-ID-03')!.enabled).toBe(false);
    const s = JSON.parse((await sanse('check', '--date', '2026-11-30', '--force', '--json')).stdout);
    expect(s.findings.byRule['P-ID-03']).toBeUndefined();
    const bad = await sanse('rules', 'set', 'P-ST-11', '--param', 'nope=1');
    expect(bad.stderr).toContain('没有参数 nope');
  });

  it('ends quietly when the reader closes the pipe early (| head)', async () => {
    const child = spawn(process.execPath, [BIN, 'findings', '--json', '--status', 'all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // The reader is gone before the first write (as `head` is after its lines; a pipe's buffer hides it for small outputs).
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  });

  it('names rule parameters and finding details in Chinese', async () => {
    const rules = (await sanse('rules')).stdout;
    expect(rules).toMatch(/P-RT-01 .*宽限工作日：0/);
    expect(rules).not.toMatch(/[{"]|[A-Za-z]+：/);
    const set = await sanse('rules', 'set', 'P-ST-11', '--param', 'months=18');
    expect(set.stdout).toContain('参数 期限（月）：18');
    expect((await sanse('rules', 'set', 'P-ST-11', '--param', 'nope=1')).stderr).toContain('可用：months（期限（月））');
    const findings = (await sanse('findings', '--date', '2026-11-30')).stdout;
    expect(findings).toContain('：');
    expect(findings).not.toMatch(/[A-Za-z]+：/);
    const json = JSON.parse((await sanse('findings', '--json', '--date', '2026-11-30')).stdout) as Array<{ detailText: string | null }>;
    expect(json.some((f) => f.detailText && /^[^A-Za-z]*：/.test(f.detailText))).toBe(true);
  });

  it('exports findings to a workbook', async () => {
    const out = path.join(dir, 'findings.xlsx');
    const r = await sanse('export', 'findings', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
  });
});
