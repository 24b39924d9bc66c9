// `sanse feed import`: a good 社保 file is stored and listed by `feed versions`; a bad one exits
// non-zero in Chinese naming row and field, and writes nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idCheckChar } from '../core/idnumber.ts';
import { runSanse } from './sanse-cli.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);
const ID1 = '33062119800101001' + idCheckChar('33062119800101001');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-feed-'));
  env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'sanse.db')}`, PII_KEY: '00112233445566778899aabbccddeeff' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function book(name: string, status: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('社保');
  ws.addRow(['身份证号', '姓名', '参保单位', '参保状态']);
  ws.addRow([ID1, '张晓明', '柯桥区测试局', '参保']);
  ws.addRow([null, '王小明', '柯桥区测试局', status]);
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

it('imports a 社保 file for a month and lists the version', async () => {
  const r = await sanse('feed', 'import', 'si', await book('si.xlsx', '暂停'), '--month', '2026-10');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('社保名单导入成功');
  expect(r.stdout).toContain('2026-10：2 行');
  expect(r.stdout).toContain('有 2 行的参保单位未能对应到机构：柯桥区测试局（2行）');
  const v = await sanse('feed', 'versions', '社保', '--json');
  expect(JSON.parse(v.stdout)).toEqual([expect.objectContaining({ kind: '社保', month: '2026-10', rows: 2, unmatchedUnits: 2, invalidIds: 1, by: 'cli', replacedBy: null })]);
  expect(r.stdout).not.toContain(ID1);
}, 60_000);

it('exits non-zero in Chinese on a bad row, a bad month or an unknown kind', async () => {
  const bad = await sanse('feed', 'import', '社保', await book('bad.xlsx', '在职'), '--month', '2026-11');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('导入失败，未写入任何数据');
  expect(bad.stderr).toContain('第3行 参保状态：“在职”不是有效的参保状态');
  expect(bad.stderr).toContain(`错误说明已写入：${path.join(dir, 'bad.错误.xlsx')}`);
  const v = await sanse('feed', 'versions', '--json');
  expect(JSON.parse(v.stdout)).toHaveLength(1);
  const month = await sanse('feed', 'import', 'si', path.join(dir, 'si.xlsx'), '--month', '2026-13');
  expect(month.code).toBe(2);
  expect(month.stderr).toMatch(/--month 应为 YYYY-MM/);
  const kind = await sanse('feed', 'import', 'pension', path.join(dir, 'si.xlsx'));
  expect(kind.code).toBe(2);
  expect(kind.stderr).toContain('名单类型应为 si（社保）');
  const missing = await sanse('feed', 'import', 'payroll', path.join(dir, 'nope.xlsx'));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('找不到要导入的文件');
}, 60_000);

it('writes the empty template of a feed, which imports as an empty sheet', async () => {
  const out = path.join(dir, '工资统发模板.xlsx');
  const r = await sanse('feed', 'template', 'payroll', '--out', out);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('已导出工资统发名单导入模板');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(out);
  const header = (wb.getWorksheet('工资统发')!.getRow(1).values as unknown[]).slice(1);
  expect(header).toEqual(['身份证号', '姓名', '发薪单位', '统一社会信用代码', '出生日期', '月份', '应发', '是否发放']);
  const empty = await sanse('feed', 'import', 'payroll', out);
  expect(empty.code).toBe(1);
  expect(empty.stderr).toContain('“工资统发”没有数据行');
}, 60_000);
