// The annual 编制使用决算报表 against numbers worked out by hand here (SQLite; MariaDB with
// SANSE_TEST_DB=mysql): a small county written through the real writers (saveDataSet, the
// approval's applyEffect) at known moments of 2025–2027, people entering and leaving with and
// without requests, a move between 编制类型, quota changes mid-year and a change after the year, a
// quota first imported mid-year (核定补录, not 核定增加) then raised, and a new quota by a 核定 document.
// Every cell of 2026 is compared with the expected table below; the .xlsx is read back with
// exceljs and the unit's .docx draft with jszip.

import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { annualReportFile, annualReportTable, defaultAnnualYear, unitAnnualReportFile } from '../../commands/annual-report.ts';
import { applyEffect } from '../../commands/request-effects.ts';
import type { DataSet, PersonInput } from '../../core/inputs.ts';
import { annualTable } from '../../db/annual-report.ts';
import { saveDataSet } from '../../db/store.ts';
import { syntheticIdNumber } from '../fixtures/import-files.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
type Row = Record<string, any>;

const U1 = '11330602000000001A';
const U2 = '12330602000000002B';
const U3 = '12330602000000003C';
const units: DataSet['units'] = [
  { code: U1, name: '某县教育局', regionCode: '330602', nature: '行政机关', level: '正科级', duties: '负责全县教育事业发展规划。' },
  { code: U2, name: '某县实验小学', regionCode: '330602', nature: '事业单位', parentCode: U1 },
  { code: U3, name: '某县人民医院', regionCode: '330602', nature: '事业单位' },
];
const person = (i: number, unitCode: string, quotaKind: string, status = '在编', extra: Partial<PersonInput> = {}): PersonInput =>
  ({ unitCode, idNumber: syntheticIdNumber(i), name: `人员${i}`, status, quotaKind, education: i % 2 ? '大学本科' : '研究生', ...extra });

// p0..p4 in U1 (p4 待入编), p5..p10 in U2, p11..p19 in U3
const roster = new Map<number, PersonInput>();
for (let i = 0; i <= 3; i++) roster.set(i, person(i, U1, '行政编制', '在编', i === 0 ? { leaderLevel: '单位正职' } : {}));
roster.set(4, person(4, U1, '行政编制', '待入编'));
for (let i = 5; i <= 10; i++) roster.set(i, person(i, U2, '事业编制'));
for (let i = 11; i <= 19; i++) roster.set(i, person(i, U3, '事业编制'));

async function at(moment: string, fn: () => Promise<void>) {
  vi.setSystemTime(new Date(`${moment}+08:00`));
  await fn();
}
const meta = (today: string, source = '测试导入') => ({ by: 'tester', source, today });
const save = (today: string, data: Partial<DataSet>, source?: string) => t.db.transaction((trx) => saveDataSet(trx, t.pii, data, meta(today, source)));
const setPerson = (i: number, patch: Partial<PersonInput>) => roster.set(i, { ...roster.get(i)!, ...patch });
const idOf = async (i: number, unit: string) => Number((await t.db('people as p').join('units as u', 'u.id', 'p.unit_id').where('u.code', unit).where('p.name', `人员${i}`).first('p.id')).id);

/** An approved 减人出编 through the approval's own effect (source 审批：{no}). */
async function approvedExit(i: number, unitCode: string, reason: string, date: string, no: string) {
  const id = await idOf(i, unitCode);
  const unitId = Number((await t.db('units').where({ code: unitCode }).first('id')).id);
  await t.db.transaction((trx) => applyEffect(trx, t.pii, { id: 0, request_no: no, unit_id: unitId, reason: null }, { kind: '减人出编', idNumber: '', exitReason: reason, exitDate: date, reason: '' },
    { refusals: [], warnings: [], quota: null, personRow: { id, name: `人员${i}` }, entry: null }, 'tester', date));
}

beforeAll(async () => {
  t = await createTestDb();
  vi.useFakeTimers({ toFake: ['Date'] });
  await at('2025-06-01T10:00:00', () => save('2025-06-01', {
    units,
    quotas: [{ unitCode: U1, kind: '行政编制', approved: 5 }, { unitCode: U2, kind: '事业编制', approved: 10 }, { unitCode: U3, kind: '事业编制', approved: 8 }],
    leaderPosts: [{ unitCode: U1, kind: '单位正职', approved: 1 }, { unitCode: U1, kind: '单位副职', approved: 2 }],
    people: [...roster.values()],
  }).then(() => undefined));
  // 2026: p4 enters (import); p1 retires (approval); p6 leaves without a request (import)
  setPerson(4, { status: '在编' });
  await at('2026-02-10T09:00:00', () => save('2026-02-10', { people: [roster.get(4)!] }).then(() => undefined));
  await at('2026-03-15T09:00:00', () => approvedExit(1, U1, '退休', '2026-03-15', 'BZ2026-0001'));
  setPerson(6, { status: '已出编' });
  await at('2026-04-20T09:00:00', () => save('2026-04-20', { people: [roster.get(6)!] }).then(() => undefined));
  // quotas: U1 行政 5→6, U2 事业 10→8
  await at('2026-05-01T09:00:00', () => save('2026-05-01', { quotas: [{ unitCode: U1, kind: '行政编制', approved: 6 }, { unitCode: U2, kind: '事业编制', approved: 8 }] }).then(() => undefined));
  // new records: p20 (U2) entered this year (入编时间 2026-06-01); p21 (U3) without 入编时间: 补录
  roster.set(20, person(20, U2, '事业编制', '在编', { enteredOn: '2026-06-01' }));
  roster.set(21, person(21, U3, '事业编制'));
  await at('2026-06-01T09:00:00', () => save('2026-06-01', { people: [roster.get(20)!, roster.get(21)!] }).then(() => undefined));
  // p2 moves from 行政编制 to 工勤编制 in U1
  setPerson(2, { quotaKind: '工勤编制' });
  await at('2026-07-01T09:00:00', () => save('2026-07-01', { people: [roster.get(2)!] }).then(() => undefined));
  // p21 resigns (approval): entered and left in the same year
  await at('2026-08-01T09:00:00', () => approvedExit(21, U3, '辞职', '2026-08-01', 'BZ2026-0002'));
  // a quota first imported mid-year: U3 工勤 2 (核定补录: the office recording what it had), then raised to 3 (核定增加 1)
  await at('2026-09-01T09:00:00', () => save('2026-09-01', { quotas: [{ unitCode: U3, kind: '工勤编制', approved: 2 }] }).then(() => undefined));
  await at('2026-10-01T09:00:00', () => save('2026-10-01', { quotas: [{ unitCode: U3, kind: '工勤编制', approved: 3 }] }).then(() => undefined));
  // a new quota by a 核定 document (source 批准文件：…): U2 工勤 1 is a real 核定增加
  await at('2026-10-02T09:00:00', () => save('2026-10-02', { quotas: [{ unitCode: U2, kind: '工勤编制', approved: 1 }] }, '批准文件：某编〔2026〕7号').then(() => undefined));
  // the last moment of 2026 and after the year: p5 transferred out (approval), U1 行政 6→7
  await at('2026-12-31T23:59:58', () => save('2026-12-31', { quotas: [{ unitCode: U2, kind: '事业编制', approved: 9 }] }).then(() => undefined));
  await at('2027-01-10T09:00:00', () => approvedExit(5, U2, '调出', '2027-01-10', 'BZ2027-0001'));
  await at('2027-01-10T10:00:00', () => save('2027-01-10', { quotas: [{ unitCode: U1, kind: '行政编制', approved: 7 }] }).then(() => undefined));
  vi.setSystemTime(new Date('2027-02-01T09:00:00+08:00'));
}, 120_000);
afterAll(async () => {
  vi.useRealTimers();
  await t?.close();
});

type Expected = [unit: string, kind: string, approvedStart: number, actualStart: number, quotaUp: number, quotaDown: number, approvedEnd: number,
  entered: number, enteredApproved: number, recorded: number, exits: Record<string, number>, exitedApproved: number, movedIn: number, movedOut: number, actualEnd: number,
  quotaRecorded: number];

// Worked out by hand from the story above (not by the code under test).
const EXPECTED_2026: Expected[] = [
  ['某县教育局', '行政编制', 5, 4, 1, 0, 6, 1, 0, 0, { 退休: 1 }, 1, 0, 1, 3, 0],
  ['某县教育局', '工勤编制', 0, 0, 0, 0, 0, 0, 0, 0, {}, 0, 1, 0, 1, 0],
  ['某县实验小学', '事业编制', 10, 6, 1, 2, 9, 1, 0, 0, { 其他: 1 }, 0, 0, 0, 6, 0],
  ['某县实验小学', '工勤编制', 0, 0, 1, 0, 1, 0, 0, 0, {}, 0, 0, 0, 0, 0],
  ['某县人民医院', '事业编制', 8, 9, 0, 0, 8, 0, 0, 1, { 辞职: 1 }, 1, 0, 0, 9, 0],
  ['某县人民医院', '工勤编制', 0, 0, 1, 0, 3, 0, 0, 0, {}, 0, 0, 0, 0, 2],
];
const REASONS = ['退休', '调出', '辞职', '辞退', '死亡', '其他'];

describe('编制使用决算报表', () => {
  it('equals the hand-worked table of 2026 cell by cell, in tree order with the sectors', async () => {
    const table = await annualTable(t.db, 2026, null, '2027-02-01');
    expect(table.ended).toBe(true);
    expect(table.asOf).toBe('2026-12-31');
    expect(table.units.map((u) => [u.name, u.sector])).toEqual([['某县教育局', '其他'], ['某县实验小学', '教育'], ['某县人民医院', '卫生']]);
    expect(table.rows.map((r) => [r.unitName, r.kind])).toEqual(EXPECTED_2026.map((e) => [e[0], e[1]]));
    expect(table.rows.map((r) => r.depth)).toEqual([0, 0, 1, 1, 0, 0]);
    for (const [i, e] of EXPECTED_2026.entries()) {
      const r = table.rows[i];
      const [, , approvedStart, actualStart, quotaUp, quotaDown, approvedEnd, entered, enteredApproved, recorded, exits, exitedApproved, movedIn, movedOut, actualEnd, quotaRecorded] = e;
      const exited = Object.values(exits).reduce((a, b) => a + b, 0);
      expect({ quotaRecorded: r.quotaRecorded, approvedStart: r.approvedStart, actualStart: r.actualStart, quotaUp: r.quotaUp, quotaDown: r.quotaDown, approvedEnd: r.approvedEnd, entered: r.entered, enteredApproved: r.enteredApproved, recorded: r.recorded, exited: r.exited, exitedApproved: r.exitedApproved, movedIn: r.movedIn, movedOut: r.movedOut, actualEnd: r.actualEnd }, `${e[0]} ${e[1]}`)
        .toEqual({ quotaRecorded, approvedStart, actualStart, quotaUp, quotaDown, approvedEnd, entered, enteredApproved, recorded, exited, exitedApproved, movedIn, movedOut, actualEnd });
      for (const reason of REASONS) expect(r.exits[reason as never], `${e[0]} ${e[1]} ${reason}`).toBe(exits[reason] ?? 0);
      expect(actualEnd, 'the identity').toBe(actualStart + entered + recorded - exited + movedIn - movedOut);
      expect(approvedEnd, 'the quota identity').toBe(approvedStart + quotaRecorded + quotaUp - quotaDown);
      expect([r.vacantStart, r.overStart, r.vacantEnd, r.overEnd]).toEqual([Math.max(0, approvedStart + quotaRecorded - actualStart - recorded), Math.max(0, actualStart + recorded - approvedStart - quotaRecorded), Math.max(0, approvedEnd - actualEnd), Math.max(0, actualEnd - approvedEnd)]);
    }
    const all = table.totalRows.find((r) => r.kind === '全部')!;
    expect([all.approvedStart, all.quotaRecorded, all.quotaUp, all.actualStart, all.approvedEnd, all.actualEnd, all.entered, all.recorded, all.exited, all.vacantEnd, all.overEnd])
      .toEqual([23, 2, 1 + 1 + 1 + 1, 19, 27, 19, 2, 1, 3, 3 + 3 + 1 + 3, 1 + 1]);
    const edu = table.sectorRows.find((r) => r.sector === '教育' && r.kind === '全部')!;
    expect([edu.approvedEnd, edu.actualEnd, edu.exits.其他]).toEqual([10, 6, 1]);
    expect(table.historyFrom).toBe('2025-06-01');
  });

  it('year-end people and the end of 2026 match the tables as they are now, but for what changed in 2027', async () => {
    // Straight from the tables: 在编 by unit and kind now; p5 left in 2027, so U2 has one more at the end of 2026.
    const now = (await t.db('people as p').join('units as u', 'u.id', 'p.unit_id').where('p.status', '在编').select('u.name', 'p.quota_kind').count({ n: '*' }).groupBy('u.name', 'p.quota_kind')) as Row[];
    const table = await annualTable(t.db, 2026, null, '2027-02-01');
    for (const r of now) {
      const row = table.rows.find((x) => x.unitName === r.name && x.kind === r.quota_kind)!;
      expect(row.actualEnd, `${r.name} ${r.quota_kind}`).toBe(Number(r.n) + (r.name === '某县实验小学' ? 1 : 0));
    }
    expect(table.yearEndPeople.length).toBe(19);
    expect(table.leaderPosts.filter((p) => p.approved > 0).length).toBe(2);
  });

  it('2027 (not ended): figures as of today, starting where 2026 ended', async () => {
    const y26 = await annualTable(t.db, 2026, null, '2027-02-01');
    const y27 = await annualTable(t.db, 2027, null, '2027-02-01');
    expect(y27.ended).toBe(false);
    expect(y27.asOf).toBe('2027-02-01');
    for (const r of y26.rows) {
      const n = y27.rows.find((x) => x.unitId === r.unitId && x.kind === r.kind)!;
      expect([n.approvedStart, n.actualStart], `${r.unitName} ${r.kind}`).toEqual([r.approvedEnd, r.actualEnd]);
    }
    const u2 = y27.rows.find((x) => x.unitName === '某县实验小学')!;
    expect([u2.exits.调出, u2.exitedApproved, u2.actualEnd]).toEqual([1, 1, 5]);
    const u1 = y27.rows.find((x) => x.unitName === '某县教育局' && x.kind === '行政编制')!;
    expect([u1.quotaUp, u1.approvedEnd]).toEqual([1, 7]);
  });

  it('the console opens on the latest year with data: the last ended year when the history starts before this year, else this year', async () => {
    expect(defaultAnnualYear('2025-06-01', '2027-02-01')).toBe(2026);
    expect(defaultAnnualYear('2027-01-15', '2027-02-01')).toBe(2027);
    expect(defaultAnnualYear(null, '2027-02-01')).toBe(2027);
    const t1 = await annualReportTable({ db: t.db, actor: 'system', year: undefined, today: '2027-02-01' });
    expect([t1.year, t1.ended, t1.historyFrom]).toEqual([2026, true, '2025-06-01']);
    const t2 = await annualReportTable({ db: t.db, actor: 'system', year: '', today: '2025-09-01' });
    expect([t2.year, t2.ended]).toEqual([2025, false]);
  });

  it('the .xlsx: 说明 first, the table with numbers as numbers, frozen header, audited', async () => {
    const f = await annualReportFile({ db: t.db, actor: 'system', year: '2026', today: '2027-02-01', via: 'cli' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(f.body as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '决算表']);
    expect(String(wb.getWorksheet('说明')!.getCell('A1').value)).toContain('2026年度编制使用决算报表');
    const ws = wb.getWorksheet('决算表')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const head = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => head.indexOf(name) + 1;
    expect(head.slice(0, 5)).toEqual(['序号', '单位ID', '单位名称', '所属系统', '编制类型']);
    for (const [i, e] of EXPECTED_2026.entries()) {
      const row = ws.getRow(i + 2);
      expect(String(row.getCell(3).value).trim()).toBe(e[0]);
      expect(row.getCell(5).value).toBe(e[1]);
      expect(row.getCell(col('年初核定')).value).toBe(e[2]);
      expect(row.getCell(col('年初实有')).value).toBe(e[3]);
      expect(row.getCell(col('核定增加')).value).toBe(e[4]);
      expect(row.getCell(col('核定减少')).value).toBe(e[5]);
      expect(row.getCell(col('年末核定')).value).toBe(e[6]);
      expect(row.getCell(col('入编')).value).toBe(e[7]);
      expect(row.getCell(col('人员补录')).value).toBe(e[9]);
      expect(row.getCell(col('核定补录')).value).toBe(e[15]);
      expect(row.getCell(col('年初核定（含补录）')).value).toBe(e[2] + e[15]);
      expect(row.getCell(col('年初实有（含补录）')).value).toBe(e[3] + e[9]);
      for (const r of REASONS) expect(row.getCell(col(`出编·${r}`)).value).toBe(e[10][r] ?? 0);
      expect(row.getCell(col('年末实有')).value).toBe(e[14]);
      expect(row.getCell(col('年末空编')).value).toBe(Math.max(0, e[6] - e[14]));
    }
    expect(String(ws.getRow(3).getCell(3).value)).toBe('某县教育局'); // 工勤 row of the root, no indent
    expect(String(ws.getRow(4).getCell(3).value)).toBe('　某县实验小学');
    const totals = [] as unknown[][];
    ws.eachRow((r) => { if (r.getCell(3).value === '合计' && r.getCell(5).value === '全部编制类型') totals.push(r.values as unknown[]); });
    expect(totals.length).toBe(1);
    expect(totals[0][col('年末核定')]).toBe(27);
    const notes = [] as string[];
    wb.getWorksheet('说明')!.eachRow((r) => notes.push(String(r.getCell(1).value)));
    expect(notes.join('\n')).toContain('年末核定 = 年初核定 + 核定补录 + 核定增加 − 核定减少');
    expect(notes.join('\n')).toContain('系统从 2025-06-01 起保存数据');
    const a = await t.db('audit_log').where({ action: 'annual_report_export' }).orderBy('id', 'desc').first();
    expect(JSON.parse(a.detail)).toMatchObject({ kind: 'annual', year: 2026, via: 'cli' });
  });

  it('the unit draft .docx carries the unit figures; its .xlsx the same tables', async () => {
    const unitId = Number((await t.db('units').where({ code: U1 }).first('id')).id);
    const f = await unitAnnualReportFile({ db: t.db, actor: 'system', year: 2026, unitId, today: '2027-02-01', via: 'cli', format: 'docx' });
    const xml = await (await JSZip.loadAsync(f.body)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('某县教育局2026年度机构编制报告（草稿）');
    expect(text).toContain('负责全县教育事业发展规划。');
    expect(text).toContain('2026年初，某县教育局核定编制5名，实有在编4名；年末核定编制6名，实有在编4名，空编3名，超编1名');
    expect(text).toContain('本单位入编1人（其中经审批0人），出编1人（退休1人）');
    expect(text).not.toMatch(/\{\{|undefined|NaN|XXX/);
    // 领导职数: 单位正职 核定 1 实配 1 (p0), 单位副职 核定 2 实配 0
    const posts = f.doc.blocks.find((b) => b.kind === 'table' && b.title?.startsWith('表2'));
    expect(posts && posts.kind === 'table' && posts.rows).toEqual([['单位正职', '1', '1', '0', '0'], ['单位副职', '2', '0', '2', '0']]);
    const x = await unitAnnualReportFile({ db: t.db, actor: 'system', year: 2026, unitId, today: '2027-02-01', via: 'cli', format: 'xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.body as never);
    expect(wb.worksheets[0].name).toBe('说明');
    const t1 = wb.worksheets.find((w) => w.name.startsWith('表1'))!;
    expect((t1.getRow(2).values as unknown[]).slice(1)).toEqual(['行政编制', 5, 4, 1, 0, 6, 3, 3, 0]);
    // a unit with 补录: the report's 年初 is 年初（含补录）; 提示 (S3, U-QT-02 满编) are not data problems
    const u3 = Number((await t.db('units').where({ code: U3 }).first('id')).id);
    const finding = (rule: string, n: number) => t.db('findings').insert({
      fingerprint: `${rule}|t${n}`, open_key: `${rule}|t${n}`, rule, scope: rule.startsWith('U') ? 'unit' : 'person', entity_id: n, unit_id: u3, status: 'open',
      first_seen_on: '2026-11-02', opened_on: '2026-11-02', resolved_on: null, last_seen_on: '2026-11-02', subject_kind: 'person', subject_name: `人员${n}`,
    });
    await finding('U-QT-02', 9001);
    await finding('X-PY-02', 9002);
    const r3 = await unitAnnualReportFile({ db: t.db, actor: 'system', year: 2026, unitId: u3, today: '2027-02-01', via: 'cli', format: 'docx' });
    const text3 = (await (await JSZip.loadAsync(r3.body)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(text3).toContain('2026年初（含年内补录），某县人民医院核定编制10名，实有在编10名');
    expect(text3).toContain('本单位的核定编制2名、在编人员1名是2026年内首次录入系统的原有数（补录）');
    expect(text3).toContain('年内核定编制增加1名、减少0名');
    expect(text3).toContain('发现数据问题1个，年内整改0个，年末尚有1个未整改。出现最多的问题：在编未发工资（X-PY-02）1个。另有提示1条（满编1条）');
    expect(text3).not.toContain('（U-QT-02）');
    const bad = unitAnnualReportFile({ db: t.db, actor: 'system', year: '2030', unitId, today: '2027-02-01', via: 'cli', format: 'docx' });
    await expect(bad).rejects.toMatchObject({ status: 400 });
  });
});
