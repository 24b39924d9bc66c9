import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../core/idnumber.ts';
import { ruleByCode } from '../../core/rules/index.ts';
import { SHEETS, type CellValue } from '../../core/sheets.ts';
import { makeUscc } from '../../core/uscc.ts';
import { exportWorkbook, FINDING_COLUMNS } from '../../db/export.ts';
import { saveDataSet } from '../../db/store.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
let dir: string;
const TODAY = '2026-11-23'; // a Monday
const id = (body17: string) => body17 + idCheckChar(body17);
const TOP = makeUscc('11330603', '00300001');
const CHILD = makeUscc('12330603', '00300002');
const OTHER = makeUscc('11330603', '00300003');
const ID_A = id('33062119800101001');
const ID_B = id('33062119850505002');
const ID_C = id('33062119900909003');
const ID_W = id('33062120000101004');

async function read(file: string): Promise<Record<string, CellValue[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: Record<string, CellValue[][]> = {};
  for (const ws of wb.worksheets) {
    const rows: CellValue[][] = [];
    ws.eachRow((row) => {
      const cells: CellValue[] = [];
      for (let c = 1; c <= ws.columnCount; c++) cells.push((row.getCell(c).value ?? null) as CellValue);
      rows.push(cells);
    });
    out[ws.name] = rows;
  }
  return out;
}

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-export-'));
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, {
    units: [
      { code: TOP, name: '柯桥区甲局', regionCode: '330603', nature: '政府机关', level: '正科级', funding: '全额拨款', internalOffices: ['办公室', '法规科'], annualReport: true, workerCap: 3, extra: { 备注: '试点' } },
      { code: CHILD, name: '柯桥区甲局下属中心', parentCode: TOP, regionCode: '330603', nature: '事业单位', category: '公益一类', isCanGong: false, approvalDate: '2024-03' },
      { code: OTHER, name: '柯桥区乙局', regionCode: '330603', nature: '政府机关' },
    ],
    quotas: [{ unitCode: TOP, kind: '行政编制', approved: 8, approvalNo: '绍柯编〔2024〕1号' }, { unitCode: CHILD, kind: '事业编制', approved: 5 }],
    leaderPosts: [{ unitCode: TOP, kind: '单位正职', approved: 1 }],
    people: [
      { unitCode: TOP, idNumber: ID_A, name: '张三', status: '在编', quotaKind: '行政编制', birthDate: '1980-01-01', extra: { 工号: 'A1' } },
      { unitCode: CHILD, idNumber: ID_B, name: '李四', status: '在编', quotaKind: '事业编制', workStartOn: '2008-07' },
      { unitCode: OTHER, idNumber: ID_C, name: '王五', status: '在编' },
    ],
    workers: [{ unitCode: TOP, idNumber: ID_W, name: '赵六', postClass: '窗口服务类', employment: '劳务派遣', firstContractOn: '2023-02-01' }],
  }, { by: 'seed', source: '测试', today: TODAY }));

  const units = new Map((await t.db('units').select('id', 'code')).map((u) => [u.code, Number(u.id)]));
  const person = await t.db('people').where({ name: '张三' }).first();
  const base = { scope: 'person', entity_id: person.id, unit_id: units.get(TOP), subject_kind: 'person', subject_name: '张三', subject_id_masked: person.id_masked, qualifier: null, last_seen_on: TODAY };
  await t.db('findings').insert([
    { ...base, fingerprint: 'a', open_key: 'a', rule: 'P-RT-01', status: 'open', first_seen_on: TODAY, opened_on: TODAY, resolved_on: null, detail: JSON.stringify({ retireMonth: '2026-10', 证件: ID_A }) },
    { ...base, fingerprint: 'b', open_key: 'b', rule: 'X-ZZ-99', status: 'open', first_seen_on: '2026-11-02', opened_on: '2026-11-02', resolved_on: null, detail: null },
    { ...base, fingerprint: 'c', open_key: null, rule: 'P-ID-01', status: 'resolved', first_seen_on: '2026-11-02', opened_on: '2026-11-02', resolved_on: '2026-11-20', detail: null },
    { ...base, fingerprint: 'd', open_key: 'd', rule: 'P-ID-01', status: 'pending', first_seen_on: TODAY, opened_on: null, resolved_on: null, detail: null },
    { ...base, fingerprint: 'e', open_key: 'e', rule: 'U-QT-01', scope: 'unit', entity_id: units.get(OTHER), unit_id: units.get(OTHER), subject_kind: 'unit', subject_name: '柯桥区乙局', subject_id_masked: null, qualifier: '行政编制', status: 'open', first_seen_on: TODAY, opened_on: TODAY, detail: JSON.stringify({ 核定: 3, 实有: 4 }) },
  ]);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('units and people', () => {
  it('uses the headers of the import sheets, with kept extra columns after them', async () => {
    const file = path.join(dir, 'units.xlsx');
    const r = await exportWorkbook(t.db, 'units', file, { today: TODAY });
    expect(r).toEqual({ file, rows: 6, sheets: { 机构: 3, 编制: 2, 领导职数: 1 } });
    const book = await read(file);
    expect(Object.keys(book)).toEqual(['说明', '机构', '编制', '领导职数']);
    expect(book.机构[0]).toEqual([...SHEETS.机构.columns, '备注']);
    expect(book.编制[0]).toEqual(SHEETS.编制.columns);
    expect(book.领导职数[0]).toEqual(SHEETS.领导职数.columns);
    const top = Object.fromEntries(book.机构[0].map((h, i) => [h, book.机构.find((row) => row[0] === TOP)![i]]));
    expect(top).toMatchObject({ 机构名称: '柯桥区甲局', 所属区划: '330603', 内设机构: '办公室、法规科', 是否年报单位: '是', 编外用工控制数: 3, 是否参公: null, 备注: '试点' });
    const child = book.机构.find((row) => row[0] === CHILD)!;
    expect(child[SHEETS.机构.columns.indexOf('上级机构代码')]).toBe(TOP);
    expect(child[SHEETS.机构.columns.indexOf('是否参公')]).toBe('否');
    expect(child[SHEETS.机构.columns.indexOf('批准日期')]).toBe('2024-03');
    expect(book.编制.slice(1)).toEqual([[TOP, '行政编制', 8, '绍柯编〔2024〕1号'], [CHILD, '事业编制', 5, null]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });

  it('masks ID numbers by default: the export is audited as a plain export, no full-ID row', async () => {
    await t.db('audit_log').delete();
    const file = path.join(dir, 'people-masked.xlsx');
    const r = await exportWorkbook(t.db, 'people', file, { today: TODAY });
    expect(r.sheets).toEqual({ 人员: 3, 编外人员: 1 });
    const book = await read(file);
    expect(book.人员[0]).toEqual([...SHEETS.人员.columns, '工号']);
    expect(book.编外人员[0]).toEqual(SHEETS.编外人员.columns);
    const ids = book.人员.slice(1).map((row) => row[1]);
    expect(ids).toContain(`${ID_A.slice(0, 6)}***********${ID_A.slice(-1)}`);
    const raw = fs.readFileSync(file);
    for (const full of [ID_A, ID_B, ID_C, ID_W]) expect(JSON.stringify(book)).not.toContain(full);
    expect(raw.length).toBeGreaterThan(0);
    const log = await t.db('audit_log').select('*');
    expect(log.map((r) => r.action)).toEqual(['export']);
    expect(JSON.parse(log[0].detail)).toMatchObject({ kind: 'people', file: 'people-masked.xlsx', rows: 4 });
    await t.db('audit_log').delete();
  });

  it('exports full ID numbers only with pii, and audits that export', async () => {
    await expect(exportWorkbook(t.db, 'people', path.join(dir, 'x.xlsx'), { today: TODAY, fullIds: true })).rejects.toThrow(/pii/);
    await t.db('audit_log').delete();
    const file = path.join(dir, 'people-full.xlsx');
    await exportWorkbook(t.db, 'people', file, { today: TODAY, fullIds: true, pii: t.pii, by: 'admin01' });
    const book = await read(file);
    expect(book.人员.slice(1).map((row) => row[1]).sort()).toEqual([ID_A, ID_B, ID_C].sort());
    expect(book.编外人员[1][1]).toBe(ID_W);
    const log = await t.db('audit_log').select('*');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ actor: 'admin01', action: 'export_full_ids', entity: 'person' });
    expect(JSON.parse(log[0].detail)).toEqual({ kind: 'people', file: 'people-full.xlsx', unitId: null, unitCode: null, people: 4, rows: { 人员: 3, 编外人员: 1 } });
    expect(log[0].detail).not.toContain(ID_A);
  });

  it('limits to a unit and the units below it', async () => {
    const file = path.join(dir, 'people-top.xlsx');
    const r = await exportWorkbook(t.db, 'people', file, { today: TODAY, unitCode: TOP.toLowerCase() });
    expect(r.sheets).toEqual({ 人员: 2, 编外人员: 1 });
    const units = await exportWorkbook(t.db, 'units', path.join(dir, 'units-child.xlsx'), { today: TODAY, unitCode: CHILD });
    expect(units.sheets).toEqual({ 机构: 1, 编制: 1, 领导职数: 0 });
    await expect(exportWorkbook(t.db, 'units', path.join(dir, 'none.xlsx'), { today: TODAY, unitCode: makeUscc('11330603', '00399999') })).rejects.toThrow(/未找到统一社会信用代码/);
  });
});

describe('findings', () => {
  it('lists open findings with titles, computed lights and masked IDs', async () => {
    const file = path.join(dir, 'findings.xlsx');
    const r = await exportWorkbook(t.db, 'findings', file, { today: TODAY });
    expect(r.rows).toBe(3);
    const book = await read(file);
    expect(book.问题清单[0]).toEqual([...FINDING_COLUMNS]);
    const rows = book.问题清单.slice(1);
    const masked = `${ID_A.slice(0, 6)}***********${ID_A.slice(-1)}`;
    // Most urgent first, as every list of open findings: red, then the earliest deadline, then id.
    expect(rows).toEqual([
      ['X-ZZ-99', 'X-ZZ-99', '柯桥区甲局', TOP, '人员', '张三', masked, '红灯', '2026-11-02', null, '未整改', null],
      ['P-RT-01', ruleByCode('P-RT-01')!.title, '柯桥区甲局', TOP, '人员', '张三', masked, '黄灯', TODAY, null, '未整改', `退休月份：2026-10；证件：${masked}`],
      ['U-QT-01', ruleByCode('U-QT-01')!.title, '柯桥区乙局', OTHER, '机构', '柯桥区乙局', null, '黄灯', TODAY, null, '未整改', '行政编制；核定：3；实有：4'],
    ]);
    expect(JSON.stringify(book)).not.toContain(ID_A);
    // 说明 first: as of when, of whom, how many, and that it does not re-import.
    expect(Object.keys(book)[0]).toBe('说明');
    const notice = book.说明.flat().join('\n');
    expect(notice).toContain(`截至日期：${TODAY}；状态：未整改；范围：全部单位；共 3 条`);
    expect(notice).toMatch(/已脱敏.*不能用于导入/);
  });

  it('filters by status and unit', async () => {
    const resolved = await read((await exportWorkbook(t.db, 'findings', path.join(dir, 'f-resolved.xlsx'), { today: TODAY, status: 'resolved' })).file);
    expect(resolved.问题清单.slice(1).map((row) => [row[0], row[7], row[9], row[10]])).toEqual([['P-ID-01', '绿灯', '2026-11-20', '已整改']]);
    const all = await exportWorkbook(t.db, 'findings', path.join(dir, 'f-all.xlsx'), { today: TODAY, status: 'all' });
    expect(all.rows).toBe(4); // pending findings are never shown
    const other = await exportWorkbook(t.db, 'findings', path.join(dir, 'f-other.xlsx'), { today: TODAY, status: 'all', unitCode: OTHER });
    expect(other.rows).toBe(1);
    const child = await exportWorkbook(t.db, 'findings', path.join(dir, 'f-child.xlsx'), { today: TODAY, unitCode: CHILD });
    expect(child.rows).toBe(0);
  });
});
