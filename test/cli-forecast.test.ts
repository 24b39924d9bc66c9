// sanse forecast and sanse report monthly as an office's script runs them: the exact JSON shape
// {from, to, years, units}, its figures those of db/forecast.ts, refusals in Chinese; a report
// of the current month written as .xlsx, a past month not generated refused.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonthsToMonth, monthOf, todayInShanghai } from '../core/dates.ts';
import { forecastJson } from '../core/forecast.ts';
import { runCheck } from '../db/check.ts';
import { seedDemo } from '../db/demo/seed.ts';
import { forecastOf } from '../db/forecast.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const TODAY = '2026-11-30';
let t: TestDb;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-forecast-'));

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  await seedDemo(t.db, t.pii, { units: 30, people: 500, seed: 3, today: TODAY });
  await runCheck(t.db, TODAY);
}, 120_000);
afterAll(async () => { await t?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

describe('sanse forecast', () => {
  it('prints exactly {from, to, years: [{year, retirements, bySector, byQuotaKind}], units: [...]}', async () => {
    const r = await sanse('forecast', '--years', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['from', 'to', 'years', 'units']);
    expect(out.from).toBe('2026-11');
    expect(out.to).toBe('2031-10');
    for (const y of out.years) {
      expect(Object.keys(y)).toEqual(['year', 'retirements', 'bySector', 'byQuotaKind']);
      expect(Object.keys(y.bySector)).toEqual(['教育', '卫生', '其他']);
    }
    for (const u of out.units) expect(Object.keys(u)).toEqual(['id', 'name', 'sector', 'retirements', 'byYear', 'vacantNow', 'vacantAfter']);
    expect(out).toEqual(forecastJson(await forecastOf(t.db, { years: 5 })));
    expect(out.years.reduce((a: number, y: any) => a + y.retirements, 0)).toBeGreaterThan(0);
  });

  it('takes --from, --unit (the unit\'s id) and --sector, and prints a Chinese table without --json', async () => {
    const all = JSON.parse((await sanse('forecast', '--years', '5', '--json')).stdout);
    const top = all.units[0];
    const one = JSON.parse((await sanse('forecast', '--years', '5', '--unit', String(top.id), '--json')).stdout);
    expect(one.units).toEqual([top]);
    const edu = JSON.parse((await sanse('forecast', '--years', '2', '--from', '2027-03', '--sector', '教育', '--json')).stdout);
    expect(edu).toEqual(forecastJson(await forecastOf(t.db, { years: 2, from: '2027-03', sector: '教育' })));
    const text = await sanse('forecast', '--years', '5');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('退休预测 2026-11 至 2031-10');
    expect(text.stdout).toContain('期末空编');
  });

  it('refuses a start before the stats, a window beyond them, a bad month or sector, in Chinese', async () => {
    const early = await sanse('forecast', '--years', '5', '--from', '2026-01', '--json');
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('不能早于 2026-11');
    const far = await sanse('forecast', '--years', '10', '--from', '2027-01');
    expect(far.stderr).toContain(`最远到 ${addMonthsToMonth('2026-11', 119)}`);
    expect((await sanse('forecast', '--years', '5', '--from', '2026-13')).stderr).toContain('--from');
    expect((await sanse('forecast', '--years', '5', '--sector', '文化')).stderr).toContain('--sector');
    expect((await sanse('forecast', '--years', '5', '--unit', '99999')).stderr).toContain('未找到编号为 99999 的单位');
  });
});

describe('sanse report monthly', () => {
  it('writes the current month\'s report as .xlsx and refuses a past month that was not generated', async () => {
    const month = monthOf(todayInShanghai());
    const file = path.join(dir, 'a.xlsx');
    const r = await sanse('report', 'monthly', '--month', month, '--name', '空编单位名单', '--out', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('《空编单位名单》已按当前数据生成');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets[0].name).toBe('空编单位');
    const old = await sanse('report', 'monthly', '--month', '2025-06', '--name', 'admin-quota', '--out', file);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain('2025-06 的《行政编制分析报表》未生成');
    expect((await sanse('report', 'monthly', '--month', month, '--name', '没有的表', '--out', file)).stderr).toContain('没有名为');
  });
});
