// `sanse notices run|list` as a user runs them (a child process), on SQLite or MariaDB: the demo
// county checked, its half-year 2026H2 cross-checked on 2027-01-04; a second run issues nothing;
// a half-year not ended or written wrong is refused with exit code 2.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const D = '2026-11-23';
let t: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-notices-'));
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: '00112233445566778899aabbccddeeff', LOG_LEVEL: 'silent' };
  const demo = await sanse('demo', '--units', '20', '--people', '200', '--seed', '4', '--date', D);
  expect(demo.code, demo.stderr).toBe(0);
  const check = await sanse('check', '--date', D, '--force');
  expect(check.code, check.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse notices', () => {
  it('refuses a half-year not ended and one written wrong', async () => {
    const early = await sanse('notices', 'run', '--half', '2026H2', '--date', '2026-12-31');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('尚未结束');
    const bad = await sanse('notices', 'run', '--half', '2026Q4', '--date', '2027-01-04');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('格式不对');
  });

  it('issues the half-year\'s notices once, numbered; list shows them', async () => {
    const r = await sanse('notices', 'run', '--half', '2026H2', '--date', '2027-01-04', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.issued.length).toBeGreaterThan(0);
    expect(out.issued.map((n: { number: string }) => n.number)).toEqual(out.issued.map((_: unknown, i: number) => `柯编函〔2027〕${i + 1}号`));
    expect(Number((await t.db('notices').where({ half: '2026H2' }).count({ n: '*' }).first())!.n)).toBe(out.issued.length);
    const again = await sanse('notices', 'run', '--half', '2026H2', '--date', '2027-01-05');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('新发函告 0 份');
    // The human output names the half-year as users read it; the JSON keeps the code.
    expect(again.stdout).toContain('2026年下半年半年交叉检查');
    expect(again.stdout).not.toContain('2026H2');
    expect(out.half).toBe('2026H2');
    expect(out.halfText).toBe('2026年下半年');
    expect(Number((await t.db('notices').where({ half: '2026H2' }).count({ n: '*' }).first())!.n)).toBe(out.issued.length);
    const list = await sanse('notices', 'list', '--half', '2026H2');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`书面函告 ${out.issued.length} 份`);
    expect(list.stdout).toContain('柯编函〔2027〕1号');
  });
});
