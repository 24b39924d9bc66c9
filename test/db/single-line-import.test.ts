// A line break or control character in a one-line field is an import error naming the row and
// the field, and nothing is written (issue 11, item 6). 主要职责 may hold several lines.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../core/idnumber.ts';
import { makeUscc } from '../../core/uscc.ts';
import { importData } from '../../db/import.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-single-line-'));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const U1 = makeUscc('11330603', '00248218');
const id = (body17: string) => body17 + idCheckChar(body17);
const opts = { by: 'tester', today: '2026-11-23' };

async function book(name: string, sheets: Record<string, Array<Record<string, string | number | null>>>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [sheet, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(sheet);
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    ws.addRow(keys);
    for (const r of rows) ws.addRow(keys.map((k) => r[k] ?? null));
  }
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

const unit = { 统一社会信用代码: U1, 机构名称: '柯桥区测试局', 所属区划: '330603', 主要职责: '一、负责测试。\n二、负责检查。' };
const person = (n: number, cells: Record<string, string> = {}) => ({ 统一社会信用代码: U1, 身份证号: id(`3306211980010100${n}`), 姓名: `张${n}`, 在编状态: '在编', ...cells });

describe('one-line fields at import', () => {
  it('refuses a 姓名 with a line break, naming the row and the field, and writes nothing', async () => {
    const file = await book('newline.xlsx', { 机构: [unit], 人员: [person(1), person(2, { 姓名: '[点此整改](http://evil.example/phish)\n### 紧急通知' })] });
    const r = await importData(t.db, t.pii, file, opts);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { sheet: '人员', row: 3, field: '姓名', message: '第3行 姓名：不能换行，请在一行内填写' },
    ]);
    expect(Number((await t.db('people').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await t.db('units').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('refuses a 机构名称 with a line break and keeps the lines of 主要职责', async () => {
    const bad = await importData(t.db, t.pii, await book('unit.xlsx', { 机构: [{ ...unit, 机构名称: '柯桥区\r\n[财政局](http://evil.example/u)' }] }), opts);
    expect(bad.errors).toEqual([{ sheet: '机构', row: 2, field: '机构名称', message: '第2行 机构名称：不能换行，请在一行内填写' }]);
    const good = await importData(t.db, t.pii, await book('good.xlsx', { 机构: [unit], 人员: [person(1)] }), opts);
    expect(good.errors).toEqual([]);
    expect((await t.db('units').first('duties')).duties).toBe('一、负责测试。\n二、负责检查。');
  });
});
