// sanse report annual / unit-annual as the office runs them: the real CLI writes the 决算报表
// (.xlsx; its 合计 row against counts made here from the tables) and a unit's draft report (.docx);
// a bad year, a missing --unit or a wrong extension is refused in Chinese with a non-zero exit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../core/dates.ts';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
let t: TestDb;
let env: NodeJS.ProcessEnv;
let dir: string;
const sanse = (...args: string[]) => runSanse(env, ...args);
const YEAR = todayInShanghai().slice(0, 4);

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  await seedDemo(t.db, createPiiCipher(KEY), { units: 15, people: 200, seed: 7, today: todayInShanghai() });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-annual-'));
}, 180_000);
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t?.close();
});

describe('sanse report annual', () => {
  it('writes the 决算报表 whose 合计 equals the tables', async () => {
    const out = path.join(dir, 'annual.xlsx');
    const r = await sanse('report', 'annual', '--year', YEAR, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ year: Number(YEAR), ended: false, out });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets[0].name).toBe('说明');
    const ws = wb.getWorksheet('决算表')!;
    const head = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    let total: unknown[] | null = null;
    ws.eachRow((row) => { if (row.getCell(3).value === '合计' && row.getCell(5).value === '全部编制类型') total = row.values as unknown[]; });
    const onQuota = Number((await t.db('people').where({ status: '在编' }).count({ n: '*' }).first())!.n);
    const approved = Number((await t.db('quotas').sum({ n: 'approved' }).first())!.n);
    expect(total![head.indexOf('年末实有') + 1]).toBe(onQuota);
    expect(total![head.indexOf('年末核定') + 1]).toBe(approved);
    // the demo was entered this year: nothing before it
    expect(total![head.indexOf('年初实有') + 1]).toBe(0);
    const a = await t.db('audit_log').where({ action: 'annual_report_export' }).first();
    expect(a.actor).toMatch(/^cli:/);
  }, 120_000);

  it('writes a unit draft report and refuses bad input in Chinese', async () => {
    const unit = await t.db('units').orderBy('id').first('id', 'name');
    const out = path.join(dir, 'unit.docx');
    const r = await sanse('report', 'unit-annual', '--year', YEAR, '--unit', String(unit.id), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${unit.name}${YEAR}年度机构编制报告（草稿）`);
    const xml = await (await JSZip.loadAsync(fs.readFileSync(out))).file('word/document.xml')!.async('string');
    expect(xml).toContain('一、单位基本情况');
    const bad = await sanse('report', 'annual', '--year', '20x6', '--out', path.join(dir, 'x.xlsx'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--year 应为四位数字的年份');
    const future = await sanse('report', 'annual', '--year', String(Number(YEAR) + 1), '--out', path.join(dir, 'x.xlsx'));
    expect(future.code).not.toBe(0);
    expect(future.stderr).toContain('尚未开始的年度没有决算');
    const noUnit = await sanse('report', 'unit-annual', '--year', YEAR, '--out', out);
    expect(noUnit.stderr).toContain('请用 --unit 指定单位ID');
    const ext = await sanse('report', 'annual', '--year', YEAR, '--out', path.join(dir, 'x.docx'));
    expect(ext.stderr).toContain('扩展名为 .xlsx');
    const missing = await sanse('report', 'unit-annual', '--year', YEAR, '--unit', '999999', '--out', out);
    expect(missing.stderr).toContain('没有该单位');
  }, 120_000);
});
