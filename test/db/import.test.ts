import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../core/idnumber.ts';
import type { CellValue } from '../../core/sheets.ts';
import { makeUscc } from '../../core/uscc.ts';
import { exportWorkbook } from '../../db/export.ts';
import { importData, ImportRefused } from '../../db/import.ts';
import { runCheck } from '../../db/check.ts';
import type { PiiCipher } from '../../db/pii.ts';
import { writeXfdWorkbook } from '../fixtures/import-files.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-import-'));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const TODAY = '2026-11-23';
const opts = { by: 'tester', today: TODAY };
const id = (body17: string) => body17 + idCheckChar(body17);

const U1 = makeUscc('11330603', '00248218');
const U2 = makeUscc('12330603', '00248219');
const UNKNOWN = makeUscc('12330603', '99999999');
const ID1 = id('33062119800101001');
const ID2 = id('33062119900215002');
const ID3 = id('33062119950505003');
const W1 = id('33062120000101004');

type Sheet = Array<Record<string, CellValue>>;
type Book = Record<string, Sheet>;

/** Writes a workbook: each sheet's header is the union of its rows' keys, in order. */
async function writeBook(name: string, book: Book, headerOverride: Record<string, string[]> = {}): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [sheet, rows] of Object.entries(book)) {
    const ws = wb.addWorksheet(sheet);
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    ws.addRow(headerOverride[sheet] ?? keys);
    for (const r of rows) ws.addRow(keys.map((k) => r[k] ?? null));
  }
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

async function readBook(file: string): Promise<Record<string, CellValue[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: Record<string, CellValue[][]> = {};
  for (const ws of wb.worksheets) {
    const rows: CellValue[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row: CellValue[] = [];
      for (let c = 1; c <= ws.columnCount; c++) row.push((ws.getRow(r).getCell(c).value ?? null) as CellValue);
      rows.push(row);
    }
    out[ws.name] = rows;
  }
  return out;
}

const TABLES = ['units', 'quotas', 'leader_posts', 'internal_offices', 'people', 'workers', 'users', 'record_versions'];
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await t.db(table).count({ n: '*' }).first())!.n);
  return out;
}

const unit1 = {
  统一社会信用代码: U1, 机构名称: '柯桥区测试局', 上级机构代码: null, 所属区划: '330603', 区划名称: '柯桥区', 机构性质: '政府机关',
  事业单位类别: null, 是否参公: null, 机构规格: '正科级', 经费形式: '全额拨款', 批准文号: '绍柯编〔2023〕12号', 批准日期: '2023-05-06',
  内设机构: '办公室、财务科', 内设机构核定数: 2, 主要职责: '负责测试', 是否年报单位: '是', 编外用工控制数: 5, 工作群: 'cidTEST1',
};
const unit2 = {
  统一社会信用代码: U2, 机构名称: '柯桥区测试中心', 上级机构代码: U1, 所属区划: '330603', 区划名称: '柯桥区', 机构性质: '事业单位',
  事业单位类别: '公益一类', 是否参公: '否', 机构规格: '股级', 经费形式: '全额拨款', 内设机构: null, 内设机构核定数: 0, 是否年报单位: '否',
};
const person1 = {
  统一社会信用代码: U1, 身份证号: ID1, 姓名: '张三', 性别: '男', 民族: '汉族', 出生日期: '1980-01-01', 所在处室: '办公室', 在编状态: '在编',
  使用编制类型: '行政编制', 职务: '科长', 领导职务层次: '中层正职', 职级: '一级主任科员', 入编时间: '2003-08-01', 参加工作时间: '2003-08', 学历: '大学本科', 人员身份: '干部',
};
const person2 = { 统一社会信用代码: U2, 身份证号: ID2, 姓名: '李四', 性别: '女', 民族: '汉族', 在编状态: '在编', 使用编制类型: '事业编制', 岗位类别: '专业技术岗位', 职称: '中级' };
const goodBook = (): Book => ({
  机构: [unit1, unit2],
  编制: [
    { 统一社会信用代码: U1, 编制类型: '行政编制', 核定数: 10, 批准文号: '绍柯编〔2023〕12号' },
    { 统一社会信用代码: U2, 编制类型: '事业编制', 核定数: 20 },
  ],
  领导职数: [
    { 统一社会信用代码: U1, 职数类型: '单位正职', 核定数: 1 },
    { 统一社会信用代码: U1, 职数类型: '单位副职', 核定数: 2 },
  ],
  人员: [person1, person2],
  编外人员: [{ 统一社会信用代码: U1, 身份证号: W1, 姓名: '王五', 性别: '男', 岗位分类: '窗口服务类', 具体工作岗位: '窗口受理', 用工方式: '劳务派遣', 首次签订合同时间: '2022/3/1' }],
  用户: [
    { 用户ID: 'u001', 姓名: '赵专管', 角色: '单位专管员', 统一社会信用代码: U1, 手机: '13800000001' },
    { 用户ID: 'admin01', 姓名: '钱管理', 角色: '编办管理员' },
  ],
});

describe('a good workbook', () => {
  it('imports every sheet and versions every record with source 导入：name', async () => {
    const file = await writeBook('good.xlsx', goodBook());
    const r = await importData(t.db, t.pii, file, opts);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.errorFile).toBeUndefined();
    const created = (n: number) => ({ created: n, updated: 0, unchanged: 0 });
    expect(r.counts).toEqual({ units: created(2), quotas: created(2), leaderPosts: created(2), people: created(2), workers: created(1), users: created(2) });
    expect(await snapshot()).toEqual({ units: 2, quotas: 2, leader_posts: 2, internal_offices: 2, people: 2, workers: 1, users: 2, record_versions: 11 });
    const sources = await t.db('record_versions').distinct('source');
    expect(sources.map((s) => s.source)).toEqual(['导入：good.xlsx']);
    expect((await t.db('record_versions').distinct('changed_by')).map((s) => s.changed_by)).toEqual(['tester']);

    const u1 = await t.db('units').where({ code: U1 }).first();
    expect(u1).toMatchObject({ name: '柯桥区测试局', region_code: '330603', approval_date: '2023-05-06', internal_offices: '办公室、财务科', internal_offices_approved: 2, worker_cap: 5, group_id: 'cidTEST1' });
    expect(Boolean(Number(u1.annual_report))).toBe(true);
    const u2 = await t.db('units').where({ code: U2 }).first();
    expect(u2.parent_id).toBe(u1.id);
    expect(Number(u2.is_can_gong)).toBe(0);
    const p1 = await t.db('people').where({ id_hash: t.pii.hash(ID1) }).first();
    expect(p1).toMatchObject({ unit_id: u1.id, name: '张三', birth_date: '1980-01-01', work_start_on: '2003-08', posts: '科长', extra: null });
    expect(JSON.stringify(p1)).not.toContain(ID1);
    const w = await t.db('workers').first();
    expect(w).toMatchObject({ name: '王五', first_contract_on: '2022-03-01' });
    const user = await t.db('users').where({ id: 'u001' }).first();
    expect(user).toMatchObject({ role: '单位专管员', unit_code: U1, unit_id: u1.id, mobile: '13800000001' });
  });

  it('re-import with one changed cell updates exactly that record and adds a version', async () => {
    const book = goodBook();
    book.人员[0] = { ...person1, 职务: '副局长' };
    const before = await snapshot();
    const r = await importData(t.db, t.pii, await writeBook('changed.xlsx', book), opts);
    expect(r.ok).toBe(true);
    const same = (n: number) => ({ created: 0, updated: 0, unchanged: n });
    expect(r.counts).toEqual({ units: same(2), quotas: same(2), leaderPosts: same(2), people: { created: 0, updated: 1, unchanged: 1 }, workers: same(1), users: same(2) });
    expect(await snapshot()).toEqual({ ...before, record_versions: before.record_versions + 1 });
    const p1 = await t.db('people').where({ id_hash: t.pii.hash(ID1) }).first();
    expect(p1.posts).toBe('副局长');
    const versions = await t.db('record_versions').where({ entity: 'person', entity_id: p1.id }).orderBy('version');
    expect(versions).toHaveLength(2);
    expect(versions[1].source).toBe('导入：changed.xlsx');
    expect(JSON.parse(versions[1].before)).toEqual({ posts: '科长' });
    expect(JSON.parse(versions[1].after)).toEqual({ posts: '副局长' });
  });

  it('takes a workbook with only 人员 referring to units already stored', async () => {
    const r = await importData(t.db, t.pii, await writeBook('only-people.xlsx', { 人员: [{ 统一社会信用代码: U2, 身份证号: ID3, 姓名: '孙七', 在编状态: '在编' }] }), opts);
    expect(r.errors).toEqual([]);
    expect(r.counts.people.created).toBe(1);
    expect(r.counts.units).toEqual({ created: 0, updated: 0, unchanged: 0 });
  });
});

describe('import errors', () => {
  const FORMS = '可用格式：YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYY年M月D日，只知年月时用YYYY-MM';
  const NOT_FOUND = '不存在（不在本工作簿的“机构”表中，也未在系统中登记）';
  const cases: Array<{ what: string; book: Book; sheet: string; row: number; field: string; message: string }> = [
    { what: 'missing 统一社会信用代码', book: { 机构: [unit1, { ...unit2, 统一社会信用代码: '' }] }, sheet: '机构', row: 3, field: '统一社会信用代码', message: '第3行 统一社会信用代码：不能为空' },
    { what: 'missing 身份证号', book: { 人员: [{ ...person1, 身份证号: null }] }, sheet: '人员', row: 2, field: '身份证号', message: '第2行 身份证号：不能为空' },
    { what: 'missing 编制类型', book: { 编制: [{ 统一社会信用代码: U1, 编制类型: ' ', 核定数: 3 }] }, sheet: '编制', row: 2, field: '编制类型', message: '第2行 编制类型：不能为空' },
    { what: 'missing 职数类型', book: { 领导职数: [{ 统一社会信用代码: U1, 职数类型: null, 核定数: 3 }] }, sheet: '领导职数', row: 2, field: '职数类型', message: '第2行 职数类型：不能为空' },
    { what: 'missing 用户ID', book: { 用户: [{ 用户ID: 'u9', 姓名: '甲', 角色: '查询用户' }, { 用户ID: null, 姓名: '乙', 角色: '查询用户' }] }, sheet: '用户', row: 3, field: '用户ID', message: '第3行 用户ID：不能为空' },
    { what: 'a date that is no date', book: { 人员: [{ ...person1, 入编时间: '2003-02-30' }] }, sheet: '人员', row: 2, field: '入编时间', message: `第2行 入编时间：“2003-02-30”不是有效日期（${FORMS}）` },
    { what: 'a date in no listed spelling', book: { 人员: [{ ...person1, 出生日期: '19800101' }] }, sheet: '人员', row: 2, field: '出生日期', message: `第2行 出生日期：“19800101”不是有效日期（${FORMS}）` },
    { what: 'a 核定数 that is no integer', book: { 编制: [{ 统一社会信用代码: U1, 编制类型: '行政编制', 核定数: '3.5' }] }, sheet: '编制', row: 2, field: '核定数', message: '第2行 核定数：“3.5”不是整数' },
    { what: 'a negative 内设机构核定数', book: { 机构: [{ ...unit1, 内设机构核定数: -1 }] }, sheet: '机构', row: 2, field: '内设机构核定数', message: '第2行 内设机构核定数：“-1”应为不小于0的整数' },
    { what: 'a 编外用工控制数 that is text', book: { 机构: [{ ...unit1, 编外用工控制数: '五人' }] }, sheet: '机构', row: 2, field: '编外用工控制数', message: '第2行 编外用工控制数：“五人”不是整数' },
    { what: 'missing 机构名称', book: { 机构: [{ ...unit1, 机构名称: null }] }, sheet: '机构', row: 2, field: '机构名称', message: '第2行 机构名称：不能为空' },
    { what: 'missing 所属区划', book: { 机构: [{ ...unit1, 所属区划: '' }] }, sheet: '机构', row: 2, field: '所属区划', message: '第2行 所属区划：不能为空' },
    { what: 'a 所属区划 of 5 digits', book: { 机构: [{ ...unit1, 所属区划: '33060' }] }, sheet: '机构', row: 2, field: '所属区划', message: '第2行 所属区划：“33060”应为6位数字的行政区划代码' },
    { what: 'missing 姓名', book: { 人员: [{ ...person1, 姓名: null }] }, sheet: '人员', row: 2, field: '姓名', message: '第2行 姓名：不能为空' },
    { what: 'missing 核定数', book: { 领导职数: [{ 统一社会信用代码: U1, 职数类型: '单位正职', 核定数: null }] }, sheet: '领导职数', row: 2, field: '核定数', message: '第2行 核定数：不能为空' },
    {
      what: 'a 角色 outside the role list', book: { 用户: [{ 用户ID: 'u9', 姓名: '甲', 角色: '管理员' }] }, sheet: '用户', row: 2, field: '角色',
      message: '第2行 角色：“管理员”不是有效的角色（可填：编办管理员、编办业务人员、分管领导、单位领导、单位专管员、查询用户、数据安全管理员）',
    },
    {
      what: 'a 编制类型 outside its list', book: { 编制: [{ 统一社会信用代码: U1, 编制类型: '行政', 核定数: 3 }] }, sheet: '编制', row: 2, field: '编制类型',
      message: '第2行 编制类型：“行政”不是有效的编制类型（可填：行政编制、政法专项编制、事业编制、参公事业编制、机关工勤编制、机关事业编制、专项编制）',
    },
    {
      what: 'a 职数类型 outside its list', book: { 领导职数: [{ 统一社会信用代码: U1, 职数类型: '正职', 核定数: 1 }] }, sheet: '领导职数', row: 2, field: '职数类型',
      message: '第2行 职数类型：“正职”不是有效的职数类型（可填：单位正职、单位副职、中层正职、中层副职、其他领导职数）',
    },
    { what: 'an unknown 上级机构代码', book: { 机构: [{ ...unit2, 上级机构代码: UNKNOWN }] }, sheet: '机构', row: 2, field: '上级机构代码', message: `第2行 上级机构代码：上级机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'an unknown unit on 编制', book: { 编制: [{ 统一社会信用代码: UNKNOWN, 编制类型: '行政编制', 核定数: 3 }] }, sheet: '编制', row: 2, field: '统一社会信用代码', message: `第2行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'an unknown unit on 领导职数', book: { 领导职数: [{ 统一社会信用代码: UNKNOWN, 职数类型: '单位正职', 核定数: 1 }] }, sheet: '领导职数', row: 2, field: '统一社会信用代码', message: `第2行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'an unknown unit on 人员', book: { 人员: [person1, { ...person2, 统一社会信用代码: UNKNOWN }] }, sheet: '人员', row: 3, field: '统一社会信用代码', message: `第3行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'an unknown unit on 编外人员', book: { 编外人员: [{ 统一社会信用代码: UNKNOWN, 身份证号: W1, 姓名: '王五' }] }, sheet: '编外人员', row: 2, field: '统一社会信用代码', message: `第2行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'an unknown unit on 用户', book: { 用户: [{ 用户ID: 'u9', 姓名: '甲', 角色: '单位专管员', 统一社会信用代码: UNKNOWN }] }, sheet: '用户', row: 2, field: '统一社会信用代码', message: `第2行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}` },
    { what: 'the same unit twice', book: { 机构: [unit1, unit2, { ...unit1, 机构名称: '重名' }] }, sheet: '机构', row: 4, field: '统一社会信用代码', message: '第4行 统一社会信用代码：与第2行重复' },
    { what: 'the same person twice in a unit', book: { 人员: [person1, person2, { ...person1, 身份证号: ID1.toLowerCase() + ' ', 姓名: '张三三' }] }, sheet: '人员', row: 4, field: '身份证号', message: '第4行 身份证号：与第2行重复' },
    { what: 'the same quota kind twice', book: { 编制: [{ 统一社会信用代码: U1, 编制类型: '行政编制', 核定数: 3 }, { 统一社会信用代码: U1, 编制类型: '行政编制', 核定数: 4 }] }, sheet: '编制', row: 3, field: '编制类型', message: '第3行 编制类型：与第2行重复' },
    { what: 'the same user twice', book: { 用户: [{ 用户ID: 'u9', 姓名: '甲', 角色: '查询用户' }, { 用户ID: 'u9', 姓名: '乙', 角色: '查询用户' }] }, sheet: '用户', row: 3, field: '用户ID', message: '第3行 用户ID：与第2行重复' },
    {
      what: 'an 18-digit ID Excel has turned into a number', book: { 人员: [{ ...person1, 身份证号: Number(ID1.slice(0, 17) + '1') }] }, sheet: '人员', row: 2, field: '身份证号',
      message: '第2行 身份证号：以数值格式保存，超过15位的号码已被Excel改写，请将该列设为文本格式后重新填写',
    },
    { what: 'a 是/否 that is neither', book: { 机构: [{ ...unit1, 是否参公: '可能' }] }, sheet: '机构', row: 2, field: '是否参公', message: '第2行 是否参公：“可能”应填“是”或“否”' },
    { what: 'a value longer than its column', book: { 用户: [{ 用户ID: 'u9', 姓名: '甲', 角色: '查询用户', 手机: '138-0000-00001' }] }, sheet: '用户', row: 2, field: '手机', message: '第2行 手机：内容过长（最多11个字符，现为14个）' },
    { what: 'a masked ID', book: { 人员: [{ ...person1, 身份证号: '330621********0011' }] }, sheet: '人员', row: 2, field: '身份证号', message: '第2行 身份证号：为脱敏号码（含“*”），请填写完整的身份证号' },
  ];

  for (const c of cases) {
    it(`${c.what}: ${c.message}`, async () => {
      const before = await snapshot();
      const file = await writeBook(`bad-${cases.indexOf(c)}.xlsx`, c.book);
      const r = await importData(t.db, t.pii, file, opts);
      expect(r.ok).toBe(false);
      expect(r.errors).toEqual([{ sheet: c.sheet, row: c.row, field: c.field, message: c.message }]);
      expect(r.counts.people).toEqual({ created: 0, updated: 0, unchanged: 0 });
      expect(await snapshot()).toEqual(before);
      expect(r.errorFile).toBe(path.join(dir, `bad-${cases.indexOf(c)}.错误.xlsx`));
      const out = await readBook(r.errorFile!);
      for (const [sheet, rows] of Object.entries(out)) {
        const col = rows[0].indexOf('错误说明');
        expect(col, sheet).toBe(rows[0].length - 1);
        rows.slice(1).forEach((row, i) => expect(row[col] ?? null).toBe(sheet === c.sheet && i + 2 === c.row ? c.message : null));
      }
    });
  }

  it('reports every problem of every sheet at once, on the right rows of the error workbook, never quoting an ID in clear', async () => {
    const before = await snapshot();
    const book: Book = {
      机构: [unit1, { ...unit2, 机构名称: '', 批准日期: '去年' }],
      编制: [{ 统一社会信用代码: U1, 编制类型: '行政编制', 核定数: 10 }],
      人员: [person1, { ...person2, 出生日期: ID2 }, { ...person2, 身份证号: ID3, 统一社会信用代码: UNKNOWN }],
    };
    const errorOut = path.join(dir, 'out', '自定义.xlsx');
    const r = await importData(t.db, t.pii, await writeBook('many.xlsx', book), { ...opts, errorOut });
    const masked = `${ID2.slice(0, 6)}***********${ID2.slice(-1)}`;
    expect(r.errors.map((e) => e.message)).toEqual([
      '第3行 机构名称：不能为空',
      `第3行 批准日期：“去年”不是有效日期（${FORMS}）`,
      `第3行 出生日期：“${masked}”不是有效日期（${FORMS}）`,
      `第4行 统一社会信用代码：机构“${UNKNOWN}”${NOT_FOUND}`,
    ]);
    expect(JSON.stringify(r)).not.toContain(ID2);
    expect(r.errorFile).toBe(errorOut);
    expect(await snapshot()).toEqual(before);
    const out = await readBook(errorOut);
    expect(Object.keys(out)).toEqual(['机构', '编制', '人员']);
    const errorColumn = (sheet: string) => out[sheet].map((row) => row[out[sheet][0].indexOf('错误说明')] ?? null);
    expect(errorColumn('机构')).toEqual(['错误说明', null, `第3行 机构名称：不能为空；第3行 批准日期：“去年”不是有效日期（${FORMS}）`]);
    expect(errorColumn('编制')).toEqual(['错误说明', null]);
    expect(errorColumn('人员')).toEqual(['错误说明', null, r.errors[2].message, r.errors[3].message]);
    // the rest of the workbook is as it was
    expect(out.人员[2][1]).toBe(ID2);
    // fixing the error workbook and importing it again works (its 错误说明 column is ignored)
    const fixed = new ExcelJS.Workbook();
    await fixed.xlsx.readFile(errorOut);
    fixed.getWorksheet('机构')!.getRow(3).getCell(2).value = '柯桥区测试中心';
    fixed.getWorksheet('机构')!.getRow(3).getCell(12).value = '2024年1月2日';
    fixed.getWorksheet('人员')!.getRow(3).getCell(6).value = null;
    fixed.getWorksheet('人员')!.getRow(4).getCell(1).value = U2;
    const fixedFile = path.join(dir, 'fixed.xlsx');
    await fixed.xlsx.writeFile(fixedFile);
    const again = await importData(t.db, t.pii, fixedFile, opts);
    expect(again.errors).toEqual([]);
    expect(again.notices).toEqual([]);
    expect(again.counts.units).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect((await t.db('units').where({ code: U2 }).first()).approval_date).toBe('2024-01-02');
  });

  it('reports a missing required column once, on the header row', async () => {
    const before = await snapshot();
    const r = await importData(t.db, t.pii, await writeBook('nocol.xlsx', { 人员: [{ 统一社会信用代码: U1, 身份证号: ID1 }, { 统一社会信用代码: U1, 身份证号: ID3 }] }), opts);
    expect(r.errors).toEqual([{ sheet: '人员', row: 1, field: '姓名', message: '第1行 姓名：缺少必填列“姓名”' }]);
    expect(await snapshot()).toEqual(before);
    const out = await readBook(r.errorFile!);
    expect(out.人员[0][2]).toBe('错误说明（第1行 姓名：缺少必填列“姓名”）');
  });
});

describe('what is stored, not refused', () => {
  it('stores values outside the other dictionaries, a wrong ID check digit and a wrong credit-code check character', async () => {
    const badCheck = ID3.slice(0, 17) + (ID3[17] === '1' ? '2' : '1');
    const badCode = U2.slice(0, 17) + (U2[17] === 'A' ? 'B' : 'A');
    const book: Book = {
      机构: [{ ...unit1, 统一社会信用代码: badCode, 机构性质: '机关', 机构规格: '', 经费形式: '财政' }],
      人员: [{ 统一社会信用代码: badCode, 身份证号: badCheck, 姓名: '周八', 民族: '汉', 在编状态: null, 学历: '大学' }],
      编外人员: [{ 统一社会信用代码: badCode, 身份证号: badCheck, 姓名: '周八', 岗位分类: '其他', 用工方式: '外包' }],
    };
    const r = await importData(t.db, t.pii, await writeBook('findings-not-errors.xlsx', book), opts);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    const p = await t.db('people').where({ id_hash: t.pii.hash(badCheck) }).first();
    expect(p).toMatchObject({ name: '周八', ethnicity: '汉', status: null, education: '大学' });
    expect(Number(p.id_check_ok)).toBe(0);
    expect(await t.db('units').where({ code: badCode }).first()).toMatchObject({ nature: '机关', level: null, funding: '财政' });
  });
});

describe('spellings', () => {
  it('accepts every date spelling of the dictionary and Excel date cells', async () => {
    const spellings: Array<[CellValue, string]> = [
      ['1985-03-04', '1985-03-04'], ['1985/3/4', '1985-03-04'], ['1985.03.04', '1985-03-04'], ['1985年3月4日', '1985-03-04'],
      [new Date(Date.UTC(1985, 2, 4)), '1985-03-04'], ['1985-03', '1985-03'], ['１９８５－０３－０４', '1985-03-04'], [' 1985-3-4 ', '1985-03-04'],
    ];
    const ids = spellings.map((_, i) => id(`3306211985030410${i}`));
    const book: Book = { 人员: spellings.map(([v], i) => ({ 统一社会信用代码: U1, 身份证号: ids[i], 姓名: `日期${i}`, 出生日期: v })) };
    const r = await importData(t.db, t.pii, await writeBook('dates.xlsx', book), opts);
    expect(r.errors).toEqual([]);
    for (let i = 0; i < spellings.length; i++) {
      expect((await t.db('people').where({ id_hash: t.pii.hash(ids[i]) }).first()).birth_date, String(spellings[i][0])).toBe(spellings[i][1]);
    }
  });

  it('matches full-width and spaced headers in any order, keeps unknown columns and reports them once per sheet', async () => {
    const pid = id('33062119880808005');
    const file = await writeBook('headers.xlsx', {
      人员: [
        { a: '张九', b: pid, c: U1, d: '备注一', e: 'A001' },
        { a: '张十', b: id('33062119880808006'), c: U1, d: null, e: 'A002' },
      ],
      '用户 ': [{ a: 'u77', b: '测试用户', c: '查询用户', d: '人事科' }],
    }, { 人员: [' 姓 名 ', '　身份证号', '统一社会信用代码　', '备注', '工号'], '用户 ': ['用户ＩＤ', '姓名', '角色', '部门'] });
    const r = await importData(t.db, t.pii, file, opts);
    expect(r.errors).toEqual([]);
    expect(r.notices).toEqual(['人员：未识别的列“备注”、“工号”已作为附加信息保留', '用户：未识别的列“部门”已忽略']);
    const p = await t.db('people').where({ id_hash: t.pii.hash(pid) }).first();
    expect(p.name).toBe('张九');
    expect(JSON.parse(p.extra)).toEqual({ 备注: '备注一', 工号: 'A001' });
    expect(JSON.parse((await t.db('people').where({ name: '张十' }).first()).extra)).toEqual({ 工号: 'A002' });
    expect(await t.db('users').where({ id: 'u77' }).first()).toMatchObject({ name: '测试用户', role: '查询用户' });
  });
});

describe('Chinese text of any length', () => {
  it('keeps every character of a long workbook whose parts arrive in many chunks (no split characters)', async () => {
    // 600 people with long Chinese 职务: the shared strings and the sheet run to several 64 KB
    // chunks, and some chunk boundaries fall inside a three-byte character.
    const posts = (i: number) => `副检察长兼第${i}检察部主任（分管综合业务、案件管理、法律政策研究、检察技术、人民监督员工作）`;
    const people = Array.from({ length: 600 }, (_, i) => ({ ...person1, 身份证号: id(`330621198001${String(10000 + i).slice(1)}`), 姓名: `张${'三四五六七'[i % 5]}${i}`, 职务: posts(i) }));
    const file = await writeBook('long.xlsx', { ...goodBook(), 人员: people });
    const r = await importData(t.db, t.pii, file, opts);
    expect(r.errors).toEqual([]);
    const stored = await t.db('people').whereIn('name', people.map((p) => p.姓名)).select('name', 'posts');
    expect(stored).toHaveLength(600);
    for (const p of stored) {
      expect(p.posts).not.toContain('\ufffd');
      expect(p.posts).toBe(posts(Number(p.name.slice(2))));
    }
  });
});

describe('CSV folders', () => {
  const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
  const U3 = makeUscc('11330603', '00248220');
  const units = csv([['统一社会信用代码', '机构名称', '所属区划', '机构性质', '内设机构'], [U3, '柯桥区某某办公室', '330603', '党委机关', '秘书科、综合科']]);
  const people = (pid: string, name: string) => csv([['统一社会信用代码', '身份证号', '姓名', '出生日期', '职务'], [U3, pid, name, '1970年1月2日', '主任、党组书记']]);

  it('reads UTF-8 with a BOM', async () => {
    const folder = path.join(dir, '柯桥UTF8');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '机构.csv'), '\uFEFF' + units);
    fs.writeFileSync(path.join(folder, '人员.csv'), '\uFEFF' + people(id('33062119700102007'), '吴一'));
    const r = await importData(t.db, t.pii, folder, opts);
    expect(r.errors).toEqual([]);
    expect(r.counts.units.created).toBe(1);
    expect(r.counts.people.created).toBe(1);
    expect(await t.db('units').where({ code: U3 }).first()).toMatchObject({ name: '柯桥区某某办公室', internal_offices: '秘书科、综合科' });
    expect(await t.db('people').where({ name: '吴一' }).first()).toMatchObject({ birth_date: '1970-01-02', posts: '主任、党组书记' });
    const versions = await t.db('record_versions').where({ source: '导入：柯桥UTF8' });
    expect(versions).toHaveLength(2);
  });

  it('reads GBK', async () => {
    const folder = path.join(dir, 'gbk');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '机构.csv'), iconv.encode(units, 'gbk'));
    fs.writeFileSync(path.join(folder, '人员.csv'), iconv.encode(people(id('33062119700102008'), '郑二'), 'gbk'));
    fs.writeFileSync(path.join(folder, '说明.csv'), iconv.encode('随便写写\r\n', 'gbk'));
    const r = await importData(t.db, t.pii, folder, opts);
    expect(r.errors).toEqual([]);
    expect(r.notices).toEqual(['未识别的文件“说明.csv”已跳过']);
    expect(r.counts.units).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await t.db('people').where({ name: '郑二' }).first()).toMatchObject({ birth_date: '1970-01-02', posts: '主任、党组书记' });
  });

  it('builds the error workbook from the CSV sheets', async () => {
    const folder = path.join(dir, 'csv-bad');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '人员.csv'), csv([['统一社会信用代码', '身份证号', '姓名'], [U3, id('33062119700102009'), '甲'], [U3, '', '乙']]));
    const before = await snapshot();
    const r = await importData(t.db, t.pii, folder, opts);
    expect(r.errors.map((e) => e.message)).toEqual(['第3行 身份证号：不能为空']);
    expect(await snapshot()).toEqual(before);
    expect(r.errorFile).toBe(path.join(dir, 'csv-bad.错误.xlsx'));
    const out = await readBook(r.errorFile!);
    expect(out.人员).toEqual([
      ['统一社会信用代码', '身份证号', '姓名', '错误说明'],
      [U3, id('33062119700102009'), '甲', null],
      [U3, null, '乙', '第3行 身份证号：不能为空'],
    ]);
  });
});

describe('all or nothing', () => {
  it('writes nothing when the transaction fails half-way', async () => {
    let calls = 0;
    const failing: PiiCipher = { ...t.pii, encrypt: (plain) => { if (++calls > 1) throw new Error('加密机故障'); return t.pii.encrypt(plain); } };
    const book = goodBook();
    book.人员 = [{ ...person1, 身份证号: id('33062119600101011'), 姓名: '新人一' }, { ...person1, 身份证号: id('33062119600101012'), 姓名: '新人二' }];
    const before = await snapshot();
    await expect(importData(t.db, failing, await writeBook('fails.xlsx', book), opts)).rejects.toThrow(/导入失败，已全部撤销，未写入任何数据：加密机故障/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('export and import again', () => {
  it('gives unchanged counts for units and people exported with full ID numbers', async () => {
    const unitsFile = path.join(dir, 'export-units.xlsx');
    const peopleFile = path.join(dir, 'export-people.xlsx');
    await exportWorkbook(t.db, 'units', unitsFile, { today: TODAY });
    await exportWorkbook(t.db, 'people', peopleFile, { today: TODAY, fullIds: true, pii: t.pii, by: 'tester' });
    const before = await snapshot();
    const units = await importData(t.db, t.pii, unitsFile, opts);
    expect(units.errors).toEqual([]);
    const people = await importData(t.db, t.pii, peopleFile, opts);
    expect(people.errors).toEqual([]);
    for (const r of [units, people]) for (const c of Object.values(r.counts)) expect(c).toMatchObject({ created: 0, updated: 0 });
    expect(units.counts.units.unchanged).toBe(before.units);
    expect(units.counts.quotas.unchanged).toBe(before.quotas);
    expect(people.counts.people.unchanged).toBe(before.people);
    expect(people.counts.workers.unchanged).toBe(before.workers);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a masked export as input instead of creating people with masked numbers', async () => {
    const file = path.join(dir, 'export-masked.xlsx');
    await exportWorkbook(t.db, 'people', file, { today: TODAY });
    const before = await snapshot();
    const r = await importData(t.db, t.pii, file, opts);
    expect(r.ok).toBe(false);
    expect(r.errors.length).toBe(before.people + before.workers);
    expect(new Set(r.errors.map((e) => e.message.replace(/^第\d+行 /, '')))).toEqual(new Set(['身份证号：为脱敏号码（含“*”），请填写完整的身份证号']));
    expect(await snapshot()).toEqual(before);
  });
});

describe('bounds, before anything is loaded', () => {
  const refusal = async (source: string, limits = {}) => {
    const e = await importData(t.db, t.pii, source, { ...opts, limits }).then(() => null, (err: Error) => err);
    expect(e, 'refused').toBeInstanceOf(ImportRefused);
    return e!.message;
  };

  it('refuses a header cell at column XFD with 3,000 one-cell rows, naming sheet, row and column (18 KB killed the server)', async () => {
    const file = path.join(dir, 'xfd.xlsx');
    await writeXfdWorkbook(file);
    expect(fs.statSync(file).size).toBeLessThan(40_000);
    const before = await snapshot();
    const heap = process.memoryUsage().heapUsed;
    const message = await refusal(file);
    expect(message).toMatch(/^工作表“人员”第1行第XFD列有内容，超出了该表允许的列数（最多 53 列/);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(200 * 1024 * 1024);
    expect(await snapshot()).toEqual(before);
  });

  it('ignores trailing empty cells, refuses content in a data row past the columns', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员');
    ws.addRow(['统一社会信用代码', '身份证号', '姓名']);
    ws.getCell('XFD1').value = '   ';
    ws.addRow([U1, id('33062119800101901'), '甲']);
    ws.getCell('CZ3').value = '多余';
    const file = path.join(dir, 'wide-row.xlsx');
    await wb.xlsx.writeFile(file);
    expect(await refusal(file)).toMatch(/^工作表“人员”第3行第CZ列有内容/);
  });

  it('refuses more rows or cells than the limits, naming where it stopped', async () => {
    const book: Book = { 用户: Array.from({ length: 150 }, (_, i) => ({ 用户ID: `u${i}`, 姓名: '某', 角色: '查询用户' })) };
    const file = await writeBook('rows.xlsx', book);
    expect(await refusal(file, { rows: 100 })).toMatch(/^工作簿的行数过多（最多 100 行数据），读到工作表“用户”第102行时超出/);
    expect(await refusal(file, { cells: 200 })).toMatch(/^工作簿的单元格过多（最多 200 个有内容的单元格），读到工作表“用户”第\d+行时超出/);
  });

  it('refuses a zip whose declared uncompressed size is over the limit, and one that understates it', async () => {
    const book: Book = { 用户: Array.from({ length: 2000 }, (_, i) => ({ 用户ID: `user-${i}`, 姓名: '某某某', 角色: '查询用户' })) };
    const file = await writeBook('bomb.xlsx', book);
    expect(await refusal(file, { uncompressedBytes: 20_000 })).toMatch(/^工作簿解压后过大（\d+ MB，最多 0 MB），可能是恶意构造的压缩文件/);
    // The same file with every size in its central directory written as 1 byte: stopped while inflating.
    const buf = fs.readFileSync(file);
    for (let p = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); p >= 0; p = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 4)) buf.writeUInt32LE(1, p + 24);
    const liar = path.join(dir, 'liar.xlsx');
    fs.writeFileSync(liar, buf);
    expect(await refusal(liar, { uncompressedBytes: 20_000 })).toMatch(/^工作簿解压后过大/);
  });

  it('answers a damaged workbook in Chinese, not with the zip library\'s words', async () => {
    const file = await writeBook('damaged.xlsx', goodBook());
    const buf = fs.readFileSync(file);
    buf.fill(0x41, 200, Math.min(buf.length - 2000, 6000));
    const bad = path.join(dir, 'damaged2.xlsx');
    fs.writeFileSync(bad, buf);
    expect(await refusal(bad)).toBe('无法读取工作簿：文件已损坏或不是 .xlsx 格式');
    const notZip = path.join(dir, 'text.xlsx');
    fs.writeFileSync(notZip, 'not a zip at all');
    expect(await refusal(notZip)).toBe('无法读取工作簿：文件已损坏或不是 .xlsx 格式');
  });

  it('writes the error workbook readable by the server\'s user only', async () => {
    const book = goodBook();
    book.人员 = [{ ...person1, 姓名: '' }];
    const r = await importData(t.db, t.pii, await writeBook('private.xlsx', book), opts);
    expect(r.ok).toBe(false);
    expect(fs.statSync(r.errorFile!).mode & 0o777).toBe(0o600);
  });
});

describe('CSV: encodings, binary files, large files', () => {
  const header = '统一社会信用代码,身份证号,姓名\r\n';

  it('reads UTF-16 with its BOM (Excel\'s Unicode text, tab-separated) in both byte orders', async () => {
    await importData(t.db, t.pii, await writeBook('u16-units.xlsx', { 机构: [unit1] }), opts);
    for (const [order, bom, tag] of [['utf16le', Buffer.from([0xff, 0xfe]), '1'], ['utf16be', Buffer.from([0xfe, 0xff]), '2']] as const) {
      const folder = path.join(dir, `utf16-${order}`);
      fs.mkdirSync(folder);
      const text = `统一社会信用代码\t身份证号\t姓名\r\n${U1}\t${id(`3306211975010100${tag}`)}\t统一码${tag}\r\n`;
      fs.writeFileSync(path.join(folder, '人员.csv'), Buffer.concat([bom, iconv.encode(text, order)]));
      const r = await importData(t.db, t.pii, folder, opts);
      expect(r.errors, order).toEqual([]);
      expect(r.counts.people.created, order).toBe(1);
      expect(await t.db('people').where({ name: `统一码${tag}` }).first(), order).toBeTruthy();
    }
  });

  it('refuses binary garbage named 人员.csv as not a text CSV', async () => {
    const folder = path.join(dir, 'garbage');
    fs.mkdirSync(folder);
    let seed = 7;
    const bytes = Buffer.alloc(64 * 1024, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    fs.writeFileSync(path.join(folder, '人员.csv'), bytes);
    const before = await snapshot();
    const e = await importData(t.db, t.pii, folder, opts).then(() => null, (err: Error) => err);
    expect(e).toBeInstanceOf(ImportRefused);
    expect(e!.message).toMatch(/^“人员\.csv”不是文本格式的 CSV 文件/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a CSV row with content past the columns, naming row and column', async () => {
    const folder = path.join(dir, 'csv-wide');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '人员.csv'), `${header}${U1},${id('33062119800101902')},甲${','.repeat(70)}x\r\n`);
    const e = await importData(t.db, t.pii, folder, opts).then(() => null, (err: Error) => err);
    expect(e?.message).toMatch(/^工作表“人员”第2行第BU列有内容，超出了该表允许的列数/);
  });

  it('answers 200,000 rows with repeated ID numbers with errors and an error workbook (no stack overflow)', async () => {
    const folder = path.join(dir, 'repeated');
    fs.mkdirSync(folder);
    const row = `${U1},${id('33062119800101903')},重复\r\n`;
    fs.writeFileSync(path.join(folder, '人员.csv'), header + row.repeat(200_000));
    const r = await importData(t.db, t.pii, folder, opts);
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(199_999);
    expect(r.errors[0].message).toBe('第3行 身份证号：与第2行重复');
    expect(fs.statSync(r.errorFile!).size).toBeGreaterThan(100_000);
  }, 120_000);
});

describe('P-ID-07 on imported numbers', () => {
  it('records the irregular writing of the cell (lower-case x, full-width digits, inner spaces), so the check reports it', async () => {
    const U9 = makeUscc('11330603', '00248299');
    const withX = (() => {
      for (let i = 100; i < 999; i++) if (idCheckChar(`33060219800101${i}`) === 'X') return `33060219800101${i}x`;
      throw new Error('no body with check character X');
    })();
    const full = id('33060219800101124');
    const fullWidth = full.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const spaced = id('33060219800101125');
    const clean = id('33060219800101126');
    const ids = [withX, fullWidth, `${spaced.slice(0, 6)} ${spaced.slice(6)}`, clean];
    const book: Book = {
      机构: [{ ...unit1, 统一社会信用代码: U9, 机构名称: 'P-ID-07 测试局' }],
      人员: ids.map((n, i) => ({ 统一社会信用代码: U9, 身份证号: n, 姓名: `写法${i}`, 性别: null })),
    };
    const r = await importData(t.db, t.pii, await writeBook('irregular.xlsx', book), opts);
    expect(r.errors).toEqual([]);
    const unit = await t.db('units').where({ code: U9 }).first();
    const stored = await t.db('people').where({ unit_id: unit.id }).orderBy('name');
    expect(stored.map((p: Record<string, unknown>) => Boolean(Number(p.id_irregular)))).toEqual([true, true, true, false]);
    // Stored normalised: the hash is the normalised number's.
    expect(stored[1].id_hash).toBe(t.pii.hash(full));
    await runCheck(t.db, TODAY);
    const findings = await t.db('findings').where({ rule: 'P-ID-07', status: 'open', unit_id: unit.id });
    expect(findings).toHaveLength(3);
  });
});
