// The command line's dates and units, run as a user runs it (a child process) on SQLite or, with
// SANSE_TEST_DB=mysql, MariaDB: check dates through the one validator and the window (wider
// with --force), retirement's --birth, SIGTERM during a check, and --unit by the unit's id with
// a credit code shared by two units refused with the candidates.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CHECK_WINDOW, todayInShanghai } from '../core/dates.ts';
import { subtreeIds } from '../db/scope.ts';
import { dailyCheck } from '../commands/daily-check.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse, SANSE_BIN } from './sanse-cli.ts';

const BIN = SANSE_BIN;
const today = todayInShanghai();
let t: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
type Row = Record<string, any>;

const sanse = (...args: string[]) => runSanse(env, ...args);

async function written(): Promise<{ runs: number; findings: number; outbox: number; months: number }> {
  const n = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);
  return { runs: await n('check_runs'), findings: await n('findings'), outbox: await n('outbox'), months: await n('unit_monthly_status') };
}

/** Two leaf units (no units below them), the second given the first's credit code. */
let shared: { code: string; a: Row; b: Row };

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-dates-'));
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: '00112233445566778899aabbccddeeff', LOG_LEVEL: 'silent' };
  const demo = await sanse('demo', '--units', '30', '--people', '400', '--seed', '4', '--date', today);
  expect(demo.code, demo.stderr).toBe(0);
  const parents = new Set((await t.db('units').whereNotNull('parent_id').pluck('parent_id')).map(Number));
  const leaves = (await t.db('units').whereNot('code', '').orderBy('id').select('id', 'code', 'name')).filter((u: Row) => !parents.has(Number(u.id)));
  const withPeople = [];
  for (const u of leaves) if (Number((await t.db('people').where({ unit_id: u.id }).count({ n: '*' }).first())!.n) > 0) withPeople.push(u);
  const [a, b] = withPeople;
  await t.db('units').where({ id: b.id }).update({ code: a.code });
  shared = { code: a.code, a, b: { ...b, code: a.code } };
}, 300_000);
afterAll(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse check dates', () => {
  for (const date of ['9999-12-31', '0000-01-01', '2026-13-01', '2026-02-30', addDays(today, CHECK_WINDOW.daysAhead + 1), addDays(today, -CHECK_WINDOW.daysBack - 1)]) {
    it(`refuses ${date} in Chinese and writes nothing`, async () => {
      const before = await written();
      const r = await sanse('check', '--date', date);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--date/);
      expect(r.stderr).toMatch(/不是有效日期|有效范围|允许范围/);
      expect(r.stdout).toBe('');
      expect(await written()).toEqual(before);
    });
  }

  it('checks an out-of-window real day with --force, but never an impossible one', async () => {
    const far = addDays(today, -CHECK_WINDOW.daysBack - 10);
    const refused = await sanse('check', '--date', far);
    expect(refused.stderr).toMatch(/--force/);
    const forced = await sanse('check', '--date', far, '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).date).toBe(far);
    const before = await written();
    for (const date of ['9999-12-31', '0000-01-01', '2026-13-01']) {
      const r = await sanse('check', '--date', date, '--force');
      expect(r.code, date).toBe(2);
      expect(r.stderr).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await written()).toEqual(before);
  });

  it('refuses a re-check dated out of the window as well', async () => {
    const r = await sanse('recheck', '--unit', String(shared.a.id), '--date', '2026-13-01');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/不是有效日期/);
  });

  it('checks retirement\'s --birth with the same validator', async () => {
    for (const birth of ['1977-13', '0000-01', '9999-05', '1977-1']) {
      const r = await sanse('retirement', '--gender', '男', '--birth', birth);
      expect(r.code, birth).toBe(2);
      expect(r.stderr).toMatch(/--birth/);
    }
  });

  it('stops a check on SIGTERM and exits', async () => {
    const before = await written();
    const child = spawn(process.execPath, [BIN, 'check', '--date', today, '--force'], { env });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Sent once the check has started (its run row exists): it stops at the next phase.
    const t0 = Date.now();
    while (Number((await t.db('check_runs').count({ n: '*' }).first())!.n) === before.runs && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const code = await exited;
    if (code === 143) {
      expect(stderr).toMatch(/检查已中止/);
      const after = await written();
      expect({ findings: after.findings, outbox: after.outbox }).toEqual({ findings: before.findings, outbox: before.outbox });
    } else {
      // The check had already committed when the signal came: it finished, then exited.
      expect(code).toBe(0);
    }
  }, 120_000);

  it('stops the check between phases when its signal is aborted, before anything is written', async () => {
    const before = await written();
    const stop = new AbortController();
    const p = dailyCheck(t.db, today, 'http://127.0.0.1:3000', { signal: stop.signal });
    stop.abort();
    await expect(p).rejects.toThrow();
    const after = await written();
    expect({ findings: after.findings, outbox: after.outbox }).toEqual({ findings: before.findings, outbox: before.outbox });
    await expect(dailyCheck(t.db, today, 'http://127.0.0.1:3000', { signal: AbortSignal.abort() })).rejects.toThrow();
    expect((await written()).runs).toBe(after.runs);
  });
});

describe('sanse --unit by id', () => {
  it('refuses a credit code shared by two units, listing both with their ids and names', async () => {
    for (const args of [['findings', '--unit', shared.code], ['recheck', '--unit', shared.code], ['export', 'findings', '--out', path.join(dir, 'x.xlsx'), '--unit', shared.code]]) {
      const r = await sanse(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/对应 2 个单位/);
      expect(r.stderr).toContain(`编号 ${shared.a.id}  ${shared.a.name}`);
      expect(r.stderr).toContain(`编号 ${shared.b.id}  ${shared.b.name}`);
    }
    expect(fs.existsSync(path.join(dir, 'x.xlsx'))).toBe(false);
  });

  it('lists, re-checks and exports exactly the unit named by its id', async () => {
    const check = await sanse('check', '--date', today);
    expect(check.code, check.stderr).toBe(0);
    for (const u of [shared.a, shared.b]) {
      const tree = new Set(await subtreeIds(t.db, Number(u.id)));
      const mine = (await t.db('findings').where({ status: 'open', unit_id: u.id }).pluck('id')).length;
      expect(mine, u.name).toBeGreaterThan(0);
      const list = JSON.parse((await sanse('findings', '--unit', String(u.id), '--json', '--date', today)).stdout) as Row[];
      expect(list.length).toBe(mine);
      expect(list.every((f) => tree.has(f.unitId))).toBe(true);
      const file = path.join(dir, `unit-${u.id}.xlsx`);
      const exp = await sanse('export', 'findings', '--out', file, '--unit', String(u.id));
      expect(exp.code, exp.stderr).toBe(0);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.getWorksheet('问题清单')!;
      const names = new Set<string>();
      ws.eachRow((row, i) => { if (i > 1) names.add(String(row.getCell(3).value)); });
      expect(ws.rowCount - 1).toBe(mine);
      expect([...names]).toEqual([u.name]);
      const re = await sanse('recheck', '--unit', String(u.id), '--json', '--date', today);
      expect(re.code, re.stderr).toBe(0);
      expect(JSON.parse(re.stdout).subject.name).toBe(u.name);
    }
  });

  it('still takes a credit code that names one unit only', async () => {
    const unique = (await t.db('units').whereNot('code', '').whereNot('code', shared.code).select('code').count({ n: '*' }).groupBy('code').havingRaw('count(*) = 1').first()) as Row;
    const r = await sanse('findings', '--unit', unique.code, '--json', '--date', today);
    expect(r.code, r.stderr).toBe(0);
  });
});
