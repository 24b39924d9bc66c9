// `sanse weekly` run as a user runs it (a child process) on SQLite or, with SANSE_TEST_DB=mysql,
// MariaDB: the date through the one validator, the workbook without --send (nothing queued),
// --send queueing the week's cards once.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const D = '2026-11-23';
let t: TestDb;
let dir: string;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);
const weeklyRows = async () => Number((await t.db('outbox').where('dedup_key', 'like', 'weekly:%').count({ n: '*' }).first())!.n);

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-weekly-'));
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: '00112233445566778899aabbccddeeff', LOG_LEVEL: 'silent' };
  const demo = await sanse('demo', '--units', '30', '--people', '400', '--seed', '4', '--date', D);
  expect(demo.code, demo.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse weekly', () => {
  it('refuses a date that is no day, and a missing --out', async () => {
    const bad = await sanse('weekly', '--date', '2026-02-30', '--out', path.join(dir, 'x.xlsx'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--date');
    expect(fs.existsSync(path.join(dir, 'x.xlsx'))).toBe(false);
    const noOut = await sanse('weekly', '--date', D);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out');
  });

  it('writes the workbook without sending; --send queues the week once', async () => {
    const file = path.join(dir, 'weekly.xlsx');
    const r = await sanse('weekly', '--date', D, '--out', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${D} 每周督办清单：`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '红灯单位', '逾期问题', '暂停办理单位', '超时未办申请', '本月未自查单位']);
    expect(await weeklyRows()).toBe(0);

    const sent = await sanse('weekly', '--date', D, '--out', file, '--send', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    const out = JSON.parse(sent.stdout);
    expect(out.sent).toMatchObject({ sent: true, week: D, office: 'group' });
    const queued = await weeklyRows();
    expect(queued).toBe(1 + out.sent.unitGroupCards + out.sent.unitDirectCards);
    expect(wb.getWorksheet('汇总')!.rowCount - 1).toBe(out.counts.units);

    const again = await sanse('weekly', '--date', '2026-11-24', '--out', file, '--send');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('未重复发送');
    expect(await weeklyRows()).toBe(queued);
  });
});
