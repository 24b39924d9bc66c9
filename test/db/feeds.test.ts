// The feeds (issue 16): 社保, 工资统发 and 组织部任免 imported all-or-nothing, versioned by month,
// ID numbers hashed like the roster's, units resolved by code then name, and rows without a valid
// ID number only ever proposed as candidates until a person confirms.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmFeedCandidate, markFeedNoMatch, withdrawFeedLink, withdrawFeedNoMatch } from '../../commands/feed-links.ts';
import { idCheckChar } from '../../core/idnumber.ts';
import type { CellValue } from '../../core/sheets.ts';
import { makeUscc } from '../../core/uscc.ts';
import { importFeed, listFeedDecisions, listFeedImports, sourceKey, unlinkedFeedRows, unmatchedUnitRows } from '../../db/feeds.ts';
import { importData } from '../../db/import.ts';
import { createTestDb, type TestDb } from './helpers.ts';

type Row = Record<string, any>;
let t: TestDb;
let dir: string;
const TODAY = '2026-11-23';
const id = (body17: string) => body17 + idCheckChar(body17);
const wrongCheck = (body17: string) => body17 + (idCheckChar(body17) === '0' ? '1' : '0');

const U1 = makeUscc('11330603', '00248218');
const SHARED = makeUscc('12330603', '00248219');
const ID1 = id('33062119800101001');
const ID2 = id('33062119900215002');
const ID3 = id('33062119750505003');
/** A legacy 15-digit number, kept and hashed as given on the roster (P-ID-06 reports it there). */
const ID15 = '330621650707004';
const admin = { id: 'admin01', role: '编办管理员' };

async function writeBook(name: string, sheet: string, rows: Array<Record<string, CellValue>>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  ws.addRow(keys);
  for (const r of rows) ws.addRow(keys.map((k) => r[k] ?? null));
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

const unitRow = (code: string, name: string) => {
  const { id: _id, ...rest } = templateUnit;
  return { ...rest, code, name };
};
let templateUnit: Row;
const count = async (table: string, where: Row = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())!.n);
let u1: number;
let centreA: number;
let centreB: number;
let zhang: Row;
let wang: Row;

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-feeds-'));
  const wb = new ExcelJS.Workbook();
  const units = wb.addWorksheet('机构');
  units.addRow(['统一社会信用代码', '机构名称', '所属区划', '机构性质', '事业单位类别', '机构规格', '经费形式']);
  units.addRow([U1, '柯桥区测试局', '330603', '政府机关', null, '正科级', '全额拨款']);
  units.addRow([SHARED, '柯桥区甲中心', '330603', '事业单位', '公益一类', '股级', '全额拨款']);
  const people = wb.addWorksheet('人员');
  people.addRow(['统一社会信用代码', '身份证号', '姓名', '在编状态', '使用编制类型']);
  people.addRow([U1, ID1, '张晓明', '在编', '行政编制']);
  people.addRow([SHARED, ID2, '王小明', '在编', '事业编制']);
  people.addRow([U1, ID3, '李出编', '已出编', null]);
  people.addRow([U1, ID15, '赵老号', '在编', '行政编制']);
  await wb.xlsx.writeFile(path.join(dir, 'roster.xlsx'));
  const r = await importData(t.db, t.pii, path.join(dir, 'roster.xlsx'), { by: 'tester', today: TODAY });
  expect(r.errors).toEqual([]);
  u1 = Number((await t.db('units').where({ code: U1 }).first()).id);
  centreA = Number((await t.db('units').where({ code: SHARED }).first()).id);
  // A second unit under the same credit code (U-IN-06): the feed's unit name decides.
  templateUnit = await t.db('units').where({ id: centreA }).first();
  const [b] = await t.db('units').insert(unitRow(SHARED, '柯桥区乙中心'));
  centreB = Number(b);
  zhang = await t.db('people').where({ name: '张晓明' }).first();
  wang = await t.db('people').where({ name: '王小明' }).first();
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const siRows = (): Array<Record<string, CellValue>> => [
  { 身份证号: ID1, 姓名: '张晓明', 参保单位: '柯桥区测试局', 统一社会信用代码: null, 出生日期: null, 参保状态: '参保', 起始月份: '2003-08', 终止月份: null },
  { 身份证号: wrongCheck('33062119900215002'), 姓名: '王晓明', 参保单位: '柯桥区乙中心', 统一社会信用代码: SHARED, 出生日期: null, 参保状态: '参保', 起始月份: '2012/9', 终止月份: null },
  { 身份证号: null, 姓名: '張曉明', 参保单位: '柯桥区不存在局', 统一社会信用代码: null, 出生日期: '1980-01-01', 参保状态: '暂停', 起始月份: null, 终止月份: null },
  { 身份证号: null, 姓名: '张晓明', 参保单位: '柯桥区测试局', 统一社会信用代码: null, 出生日期: '1980年1月1日', 参保状态: '参保', 起始月份: null, 终止月份: null },
];

describe('社保 import', () => {
  it('stores the rows: hash equal to the roster\'s, invalid numbers without hash, units by code then name', async () => {
    const file = await writeBook('si.xlsx', '社保', siRows());
    const r = await importFeed(t.db, t.pii, '社保', file, { by: 'tester', today: TODAY, month: '2026-10' });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.versions).toMatchObject([{ month: '2026-10', rows: 4, unmatchedUnits: 1, invalidIds: 3, replaced: null }]);
    expect(r.notices.join('\n')).toContain('有 1 行的参保单位未能对应到机构：柯桥区不存在局（1行）');
    const rows: Row[] = await t.db('feed_social_insurance').orderBy('row_no');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ month: '2026-10', id_hash: zhang.id_hash, id_masked: zhang.id_masked, name: '张晓明', unit_id: u1, status: '参保', from_month: '2003-08', birth_key: '1980-01-01', source_key: null });
    expect(Boolean(Number(rows[0].id_valid))).toBe(true);
    expect(t.pii.decrypt(rows[0].id_enc)).toBe(ID1);
    // A wrong check digit: no hash, no ciphertext, masked, birth from the number; the shared code resolved by name.
    expect(rows[1]).toMatchObject({ id_hash: null, id_enc: null, id_masked: '330621***********' + wrongCheck('33062119900215002').slice(-1), birth_key: '1990-02-15', unit_id: centreB, from_month: '2012-09' });
    expect(Boolean(Number(rows[1].id_valid))).toBe(false);
    expect(rows[1].source_key).toBe(sourceKey('社保', '王晓明', '1990-02-15', '柯桥区乙中心'));
    expect(rows[2]).toMatchObject({ id_hash: null, id_masked: null, unit_id: null, birth_key: '1980-01-01' });
    expect(rows[3]).toMatchObject({ id_hash: null, unit_id: u1, birth_key: '1980-01-01' });
    for (const row of rows) expect(JSON.stringify(row)).not.toContain('330621199');
    const [v] = await listFeedImports(t.db, '社保');
    expect(v).toMatchObject({ kind: '社保', month: '2026-10', fileName: 'si.xlsx', rows: 4, unmatchedUnits: 1, invalidIds: 3, by: 'tester', replacedBy: null });
    expect(await unmatchedUnitRows(t.db, '社保')).toEqual([{ unit: '柯桥区不存在局', code: null, rows: 1, months: ['2026-10'] }]);
  });

  it('hashes a legacy 15-digit number as the roster does', async () => {
    const r = await importFeed(t.db, t.pii, '社保', await writeBook('si-15.xlsx', '社保', [{ 身份证号: ID15, 姓名: '赵老号', 参保单位: '柯桥区测试局', 参保状态: '参保' }]), { by: 'tester', today: TODAY, month: '2025-06' });
    expect(r.versions[0]).toMatchObject({ invalidIds: 0 });
    const person = await t.db('people').where({ name: '赵老号' }).first();
    const row = await t.db('feed_social_insurance').where({ month: '2025-06' }).first();
    expect(row).toMatchObject({ id_hash: person.id_hash, id_masked: person.id_masked, birth_key: '1965-07-07' });
    expect(row.id_hash).toBeTruthy();
  });

  it('resolves a shared code to no unit when the name is neither, and a name shared by two units to none', async () => {
    await t.db('units').insert(unitRow(makeUscc('12330603', '00248299'), '柯桥区测试局'));
    const file = await writeBook('si-units.xlsx', '社保', [
      { 身份证号: ID2, 姓名: '王小明', 参保单位: '柯桥区丙中心', 统一社会信用代码: SHARED, 参保状态: '参保' },
      { 身份证号: ID1, 姓名: '张晓明', 参保单位: '柯桥区测试局', 参保状态: '参保' },
      { 身份证号: ID1, 姓名: '张晓明', 参保单位: '柯桥区测试局', 统一社会信用代码: U1, 参保状态: '参保' },
    ]);
    const r = await importFeed(t.db, t.pii, '社保', file, { by: 'tester', today: TODAY, month: '2026-01' });
    expect(r.versions[0]).toMatchObject({ unmatchedUnits: 2, invalidIds: 0 });
    const rows: Row[] = await t.db('feed_social_insurance').where({ month: '2026-01' }).orderBy('row_no');
    expect(rows.map((x) => x.unit_id)).toEqual([null, null, u1]);
    await t.db('units').where({ code: makeUscc('12330603', '00248299') }).del();
  });

  it('refuses a file with one bad row whole, with an error workbook naming row and field', async () => {
    const before = { imports: await count('feed_imports'), rows: await count('feed_social_insurance') };
    const rows = siRows();
    rows[2] = { ...rows[2], 参保状态: '在职' };
    rows[3] = { ...rows[3], 身份证号: '330621********0011', 起始月份: '2026-13' };
    const file = await writeBook('si-bad.xlsx', '社保', [...rows, { 身份证号: null, 姓名: null, 参保单位: null, 参保状态: '参保' } as any]);
    const r = await importFeed(t.db, t.pii, '社保', file, { by: 'tester', today: TODAY, month: '2026-11' });
    expect(r.ok).toBe(false);
    const messages = r.errors.map((e) => e.message);
    expect(messages).toContain('第4行 参保状态：“在职”不是有效的参保状态（可填：参保、暂停、退休、领取待遇）');
    expect(messages).toContain('第5行 身份证号：为脱敏号码（含“*”），请填写完整的身份证号');
    expect(messages.some((m) => m.startsWith('第5行 起始月份：'))).toBe(true);
    expect(messages).toContain('第6行 姓名：不能为空');
    expect(messages).toContain('第6行 参保单位：不能为空');
    expect(await count('feed_imports')).toBe(before.imports);
    expect(await count('feed_social_insurance')).toBe(before.rows);
    expect(r.errorFile).toBe(path.join(dir, 'si-bad.错误.xlsx'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.errorFile!);
    const ws = wb.getWorksheet('社保')!;
    const header = (ws.getRow(1).values as CellValue[]).slice(1);
    const col = header.indexOf('错误说明') + 1;
    expect(col).toBe(9);
    expect(String(ws.getRow(4).getCell(col).value)).toContain('第4行 参保状态');
    expect(ws.getRow(2).getCell(col).value).toBeNull();
    expect(ws.getRow(2).getCell(2).value).toBe('张晓明');
  });

  it('refuses a workbook without the feed\'s sheet, and a missing required column on row 1', async () => {
    const other = await writeBook('other.xlsx', '名单', siRows());
    await expect(importFeed(t.db, t.pii, '社保', other, { by: 'tester', today: TODAY })).rejects.toThrow('工作簿中没有名为“社保”的工作表（找到：名单）');
    const file = await writeBook('si-nostatus.xlsx', '社保', siRows().map(({ 参保状态: _s, ...r }) => r));
    const r = await importFeed(t.db, t.pii, '社保', file, { by: 'tester', today: TODAY });
    expect(r.errors.map((e) => e.message)).toEqual(['第1行 参保状态：缺少必填列“参保状态”']);
  });

  it('replaces a month: the old version listed as replaced, its rows gone, other months untouched', async () => {
    const oct = await count('feed_social_insurance', { month: '2026-10' });
    const first = await importFeed(t.db, t.pii, '社保', await writeBook('si-nov.xlsx', '社保', siRows()), { by: 'tester', today: TODAY, month: '2026-11' });
    const again = await importFeed(t.db, t.pii, '社保', await writeBook('si-nov2.xlsx', '社保', siRows().slice(0, 2)), { by: 'other', today: TODAY, month: '2026-11' });
    expect(again.versions[0]).toMatchObject({ month: '2026-11', rows: 2, replaced: first.versions[0].importId });
    expect(again.notices.join('\n')).toContain('2026-11 的社保名单已替换此前的导入');
    const list = await listFeedImports(t.db, '社保');
    expect(list.find((v) => v.id === first.versions[0].importId)).toMatchObject({ replacedBy: again.versions[0].importId, rows: 4 });
    expect(list.find((v) => v.id === again.versions[0].importId)).toMatchObject({ replacedBy: null, by: 'other', fileName: 'si-nov2.xlsx' });
    expect(await count('feed_social_insurance', { import_id: first.versions[0].importId })).toBe(0);
    expect(await count('feed_social_insurance', { month: '2026-11' })).toBe(2);
    expect(await count('feed_social_insurance', { month: '2026-10' })).toBe(oct);
  });

  it('takes the current month (Asia/Shanghai) when no month is given', async () => {
    const r = await importFeed(t.db, t.pii, '社保', await writeBook('si-now.xlsx', '社保', siRows().slice(0, 1)), { by: 'tester', today: '2026-12-01' });
    expect(r.versions[0].month).toBe('2026-12');
    await t.db('feed_social_insurance').where({ import_id: r.versions[0].importId }).del();
    await t.db('feed_imports').where({ id: r.versions[0].importId }).del();
  });
});

describe('candidates', () => {
  it('proposes candidates by name or reading + birth, and never links on its own', async () => {
    const list = await unlinkedFeedRows(t.db, '社保');
    const byName = new Map(list.map((e) => [e.name, e]));
    // An exact name + birth match is still only a candidate: its rows keep no hash.
    const exact = byName.get('张晓明')!;
    expect(exact.candidates).toEqual([expect.objectContaining({ personId: Number(zhang.id), reason: '姓名相同', sameUnit: true, idMasked: zhang.id_masked, unitName: '柯桥区测试局' })]);
    expect(byName.get('張曉明')!.candidates).toEqual([expect.objectContaining({ personId: Number(zhang.id), reason: '读音相同', sameUnit: false })]);
    expect(byName.get('王晓明')!.candidates).toEqual([expect.objectContaining({ personId: Number(wang.id), reason: '读音相同' })]);
    expect(byName.get('王晓明')!.months).toEqual(['2026-10', '2026-11']);
    expect(byName.get('王晓明')!.rows).toBe(2);
    const hashed = await t.db('feed_social_insurance').where({ id_valid: false }).whereNotNull('id_hash').count({ n: '*' }).first();
    expect(Number(hashed!.n)).toBe(0);
    expect(await count('feed_links')).toBe(0);
  });

  it('confirms a candidate: every row of the key takes the hash; a later import links again; withdraw undoes it', async () => {
    const key = sourceKey('社保', '王晓明', '1990-02-15', '柯桥区乙中心');
    await expect(confirmFeedCandidate(t.db, { actor: { id: 'u001', role: '单位专管员' }, kind: '社保', sourceKey: key, personId: wang.id })).rejects.toMatchObject({ status: 403 });
    await expect(confirmFeedCandidate(t.db, { actor: admin, kind: '社保', sourceKey: key, personId: zhang.id })).rejects.toMatchObject({ status: 409 });
    const off = await t.db('people').where({ name: '李出编' }).first();
    await expect(confirmFeedCandidate(t.db, { actor: admin, kind: '社保', sourceKey: key, personId: off.id })).rejects.toMatchObject({ status: 409 });
    const c = await confirmFeedCandidate(t.db, { actor: admin, kind: 'si', sourceKey: key, personId: wang.id });
    expect(c).toMatchObject({ rows: 2, reason: '读音相同' });
    const rows: Row[] = await t.db('feed_social_insurance').where({ source_key: key });
    expect(rows.every((r) => r.id_hash === wang.id_hash && Number(r.link_id) === c.linkId)).toBe(true);
    expect(await t.db('feed_links').where({ id: c.linkId }).first()).toMatchObject({ person_id: Number(wang.id), confirmed_by: 'admin01', reason: '读音相同', withdrawn_at: null });
    expect((await unlinkedFeedRows(t.db, '社保')).some((e) => e.sourceKey === key)).toBe(false);
    await expect(confirmFeedCandidate(t.db, { actor: admin, kind: '社保', sourceKey: key, personId: wang.id })).rejects.toMatchObject({ status: 409, message: '该记录已确认对应人员，如需更改请先撤销' });

    const dec = await importFeed(t.db, t.pii, '社保', await writeBook('si-dec.xlsx', '社保', siRows().slice(1, 2)), { by: 'tester', today: TODAY, month: '2026-12' });
    expect(dec.versions[0]).toMatchObject({ invalidIds: 1, linked: 1 });
    expect(await t.db('feed_social_insurance').where({ month: '2026-12' }).first()).toMatchObject({ id_hash: wang.id_hash, link_id: c.linkId });

    const w = await withdrawFeedLink(t.db, { actor: admin, id: c.linkId });
    expect(w.rows).toBe(3);
    expect(await count('feed_social_insurance', { source_key: key, link_id: c.linkId })).toBe(0);
    expect(Number((await t.db('feed_social_insurance').where({ source_key: key }).whereNull('id_hash').count({ n: '*' }).first())!.n)).toBe(3);
    const [d] = await listFeedDecisions(t.db, '社保');
    expect(d).toMatchObject({ type: 'link', withdrawnBy: 'admin01', person: { name: '王小明' } });
    await expect(withdrawFeedLink(t.db, { actor: admin, id: c.linkId })).rejects.toMatchObject({ status: 409 });
    expect((await unlinkedFeedRows(t.db, '社保')).some((e) => e.sourceKey === key)).toBe(true);
  });

  it('marks 无对应人员 and withdraws the mark', async () => {
    const key = sourceKey('社保', '張曉明', '1980-01-01', '柯桥区不存在局');
    const m = await markFeedNoMatch(t.db, { actor: admin, kind: '社保', sourceKey: key });
    expect((await unlinkedFeedRows(t.db, '社保')).some((e) => e.sourceKey === key)).toBe(false);
    await expect(confirmFeedCandidate(t.db, { actor: admin, kind: '社保', sourceKey: key, personId: zhang.id })).rejects.toMatchObject({ status: 409 });
    await withdrawFeedNoMatch(t.db, { actor: admin, id: m.id });
    expect((await unlinkedFeedRows(t.db, '社保')).some((e) => e.sourceKey === key)).toBe(true);
  });
});

describe('工资统发 and 组织部任免', () => {
  it('versions payroll by each row\'s month and tells paid rows', async () => {
    const file = await writeBook('payroll.xlsx', '工资统发', [
      { 身份证号: ID1, 姓名: '张晓明', 发薪单位: '柯桥区测试局', 月份: '2026-09', 应发: 8123.5, 是否发放: null },
      { 身份证号: ID1, 姓名: '张晓明', 发薪单位: '柯桥区测试局', 月份: '2026年10月', 应发: '0', 是否发放: null },
      { 身份证号: ID2, 姓名: '王小明', 发薪单位: '柯桥区甲中心', 月份: '202610', 应发: null, 是否发放: '否' },
      { 身份证号: ID2, 姓名: '王小明', 发薪单位: '柯桥区甲中心', 月份: '2026-10', 应发: null, 是否发放: null },
    ]);
    const r = await importFeed(t.db, t.pii, 'payroll' === 'payroll' ? '工资统发' : '工资统发', file, { by: 'tester', today: TODAY, month: '2026-01' });
    expect(r.errors).toEqual([]);
    expect(r.versions.map((v) => [v.month, v.rows])).toEqual([['2026-09', 1], ['2026-10', 3]]);
    const rows: Row[] = await t.db('feed_payroll').orderBy('row_no');
    expect(rows.map((x) => [x.month, Boolean(Number(x.paid)), x.amount == null ? null : Number(x.amount)])).toEqual([
      ['2026-09', true, 8123.5], ['2026-10', false, 0], ['2026-10', false, null], ['2026-10', true, null],
    ]);
    expect(rows[2]).toMatchObject({ id_hash: wang.id_hash, unit_id: centreA });
    const again = await importFeed(t.db, t.pii, '工资统发', await writeBook('payroll-oct.xlsx', '工资统发', [
      { 身份证号: ID1, 姓名: '张晓明', 发薪单位: '柯桥区测试局', 月份: '2026-10', 应发: 'abc' },
    ]), { by: 'tester', today: TODAY });
    expect(again.errors.map((e) => e.message)).toEqual(['第2行 应发：“abc”不是金额（应为不小于0的数字）']);
    expect(await count('feed_payroll')).toBe(4);
  });

  it('stores 组织部任免 rows under the import month', async () => {
    const file = await writeBook('appt.xlsx', '组织部任免', [
      { 身份证号: ID1, 姓名: '张晓明', 单位: '柯桥区测试局', 职务: '副局长', 职级: '二级主任科员', 任免: '任职', 文号: '柯委干〔2026〕12号', 日期: new Date(Date.UTC(2026, 9, 12)) },
      { 身份证号: ID2, 姓名: '王小明', 单位: '柯桥区甲中心', 职务: '主任', 任免: '免职', 日期: '2026/10/20' },
    ]);
    const r = await importFeed(t.db, t.pii, '组织部任免', file, { by: 'tester', today: TODAY, month: '2026-10' });
    expect(r.errors).toEqual([]);
    const rows: Row[] = await t.db('feed_appointments').orderBy('row_no');
    expect(rows.map((x) => [x.action, x.doc_date, x.post, x.month, x.id_hash])).toEqual([
      ['任职', '2026-10-12', '副局长', '2026-10', zhang.id_hash], ['免职', '2026-10-20', '主任', '2026-10', wang.id_hash],
    ]);
    const bad = await importFeed(t.db, t.pii, '组织部任免', await writeBook('appt-bad.xlsx', '组织部任免', [
      { 身份证号: ID1, 姓名: '张晓明', 单位: '柯桥区测试局', 任免: '调任', 日期: '2026-10' },
    ]), { by: 'tester', today: TODAY });
    expect(bad.errors.map((e) => e.field)).toEqual(['任免', '日期']);
  });
});

describe('CSV folders', () => {
  it('reads 社保.csv in UTF-8 and GBK, and refuses an Excel-rounded number', async () => {
    const head = '身份证号,姓名,参保单位,参保状态\n';
    const body = `${ID1},张晓明,柯桥区测试局,参保\n${ID2},王小明,柯桥区甲中心,退休\n`;
    for (const [enc, buf] of [['utf8', Buffer.from('\ufeff' + head + body, 'utf8')], ['gbk', iconv.encode(head + body, 'gbk')]] as const) {
      const folder = path.join(dir, `csv-${enc}`);
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, '社保.csv'), buf);
      fs.writeFileSync(path.join(folder, '说明.csv'), 'x\n1\n');
      const r = await importFeed(t.db, t.pii, '社保', folder, { by: 'tester', today: TODAY, month: '2025-01' });
      expect(r.errors, enc).toEqual([]);
      expect(r.notices).toContain('文件“说明.csv”不属于社保名单，已跳过');
      const rows: Row[] = await t.db('feed_social_insurance').where({ month: '2025-01' }).orderBy('row_no');
      expect(rows.map((x) => [x.name, x.unit_id, x.status, x.id_hash])).toEqual([['张晓明', u1, '参保', zhang.id_hash], ['王小明', centreA, '退休', wang.id_hash]]);
    }
    const binary = path.join(dir, 'csv-binary');
    fs.mkdirSync(binary);
    fs.writeFileSync(path.join(binary, '社保.csv'), Buffer.concat([Buffer.from(head), Buffer.alloc(64, 0)]));
    await expect(importFeed(t.db, t.pii, '社保', binary, { by: 'tester', today: TODAY, month: '2025-03' })).rejects.toThrow('“社保.csv”不是文本格式的 CSV 文件');
    expect(await count('feed_social_insurance', { month: '2025-03' })).toBe(0);
    const folder = path.join(dir, 'csv-one');
    fs.mkdirSync(folder);
    // Any name: the error workbook's sheet takes a name Excel allows (no [], at most 31 characters).
    fs.writeFileSync(path.join(folder, '社保[2026年10月]全县机关事业单位参保人员明细表（含退休人员）.csv'), `${head}3.30621198001010E+17,张晓明,柯桥区测试局,参保\n`);
    const r = await importFeed(t.db, t.pii, '社保', folder, { by: 'tester', today: TODAY, month: '2025-02' });
    expect(r.ok).toBe(false);
    expect(r.errors[0].message).toMatch(/^第2行 身份证号：/);
    expect(r.errorFile).toBe(path.join(dir, 'csv-one.错误.xlsx'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.errorFile!);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['社保_2026年10月_全县机关事业单位参保人员明细表（含退休']);
    expect(String(wb.worksheets[0].getRow(2).getCell(5).value)).toMatch(/^第2行 身份证号：/);
  });
});
