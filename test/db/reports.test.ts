// The monthly analysis reports (core/report-defs.ts, db/reports.ts) opened as .xlsx with exceljs
// and compared with counts made here from the tables (SQLite and MariaDB): the Shengzhou example
// of domain.md §7, and the demo county for towns, 参公 units and leader posts; the monthly job
// run twice stores each report once.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthFromIndex, monthIndex } from '../../core/dates.ts';
import type { UnitRecord } from '../../core/model.ts';
import { REPORTS, reportByName } from '../../core/report-defs.ts';
import { personRetirement } from '../../core/rules/retirement.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { personRecords } from '../../db/people.ts';
import { generateReport, listStoredReports, reportFile, storedReport } from '../../db/reports.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { monthlyReportsJob, MONTHLY_REPORTS } from '../../server/jobs/monthly-reports.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { seedShengzhou, SHENGZHOU } from '../fixtures/shengzhou.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from './helpers.ts';

type Row = Record<string, any>;
type Sheet = { headers: string[]; rows: any[][] };

async function open(bytes: Buffer): Promise<Map<string, Sheet>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as any);
  const out = new Map<string, Sheet>();
  wb.eachSheet((ws) => {
    const all: any[][] = [];
    ws.eachRow((r) => all.push((r.values as any[]).slice(1)));
    out.set(ws.name, { headers: all[0].map(String), rows: all.slice(1) });
  });
  return out;
}
const col = (s: Sheet, h: string) => {
  const i = s.headers.indexOf(h);
  if (i < 0) throw new Error(`no column ${h} in ${s.headers.join(',')}`);
  return i;
};
/** The line whose label (anywhere in the row) is `label`. */
const line = (s: Sheet, label: string) => s.rows.find((r) => r.includes(label))!;
const dataRows = (s: Sheet) => s.rows.filter((r) => typeof r[0] === 'number');
async function sheetOf(db: TestDb['db'], name: string, month: string, sheet?: string): Promise<Sheet> {
  const { bytes } = await generateReport(db, reportByName(name)!, month);
  const book = await open(bytes);
  return sheet ? book.get(sheet)! : [...book.values()][0];
}

describe('reports on the Shengzhou example (domain.md §7)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await seedShengzhou(t.db);
    await runCheck(t.db, '2026-11-30');
  }, 300_000);
  afterAll(async () => t?.close());

  it('编制和人员情况提示表: 行政 2976/2592, 事业 13244/11358, net 空编 2270 = 14.0%, gross larger by Σ超编', async () => {
    const s = await sheetOf(t.db, '编制和人员情况提示表', '2026-11', '按编制类型');
    const admin = line(s, '行政编制');
    const inst = line(s, '事业编制');
    expect([admin[col(s, '核定')], admin[col(s, '实有')]]).toEqual([2976, 2592]);
    expect([inst[col(s, '核定')], inst[col(s, '实有')]]).toEqual([13244, 11358]);
    expect(admin[col(s, '超编单位数')] + inst[col(s, '超编单位数')]).toBe(SHENGZHOU.overUnits);
    const net = line(s, '合计（净）');
    const gross = line(s, '合计（毛）');
    expect(net[col(s, '空编')]).toBe(2270);
    expect(Math.round(net[col(s, '空编率')] * 1000) / 10).toBe(14.0);
    expect(gross[col(s, '空编')] - net[col(s, '空编')]).toBe(gross[col(s, '超编')]);
    expect(gross[col(s, '超编')]).toBe(65 * 2);
    const byUnit = await sheetOf(t.db, '编制和人员情况提示表', '2026-11', '按单位');
    expect(dataRows(byUnit)).toHaveLength(360);
    expect(line(byUnit, '合计（净）')[col(byUnit, '空编')]).toBe(2270);
  });

  it('行政编制分析报表 totals 2976/2592 with gross and net 空编; 超编单位名单 lists the 65 units', async () => {
    const s = await sheetOf(t.db, 'admin-quota', '2026-11');
    expect(dataRows(s)).toHaveLength(60);
    const net = line(s, '合计（净）');
    expect([net[col(s, '核定')], net[col(s, '实有')], net[col(s, '空编')]]).toEqual([2976, 2592, 384]);
    expect(line(s, '合计（毛）')[col(s, '空编')]).toBe(384 + 20);
    const over = await sheetOf(t.db, 'over-units', '2026-11');
    expect(dataRows(over)).toHaveLength(65);
    expect(line(over, '合计')[col(over, '超编')]).toBe(130);
    expect(dataRows(over).filter((r) => r[col(over, '编制类型')] === '行政编制')).toHaveLength(10);
    const vacant = await sheetOf(t.db, 'vacant-units', '2026-11');
    expect(dataRows(vacant)).toHaveLength(360 - 65);
  });
});

describe('reports on the demo county against counts from the tables', () => {
  let t: TestDb;
  const TODAY = '2026-11-30';
  let units: Row[];
  const children = new Map<number, number[]>();
  const subtree = (id: number): number[] => [id, ...(children.get(id) ?? []).flatMap(subtree)];
  let approved: Map<string, number>;
  let actual: Map<string, number>;
  let leaders: Map<string, number>;
  let posts: Map<string, number>;

  beforeAll(async () => {
    t = await createTestDb();
    await seedDemo(t.db, t.pii, { units: 60, people: 1200, seed: 5, today: TODAY });
    await runCheck(t.db, TODAY);
    units = await t.db('units').select('id', 'name', 'parent_id', 'nature', 'is_can_gong', 'level');
    for (const u of units) if (u.parent_id != null) children.set(Number(u.parent_id), [...(children.get(Number(u.parent_id)) ?? []), Number(u.id)]);
    approved = new Map(((await t.db('quotas').select('unit_id', 'kind', 'approved')) as Row[]).map((r) => [`${r.unit_id}|${r.kind}`, Number(r.approved)]));
    posts = new Map(((await t.db('leader_posts').select('unit_id', 'kind', 'approved')) as Row[]).map((r) => [`${r.unit_id}|${r.kind}`, Number(r.approved)]));
    actual = new Map();
    for (const r of (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind')) as Row[]) actual.set(`${r.unit_id}|${r.quota_kind}`, Number(r.n));
    leaders = new Map();
    for (const r of (await t.db('people').where({ status: '在编' }).whereNotNull('leader_level').select('unit_id', 'leader_level').count({ n: '*' }).groupBy('unit_id', 'leader_level')) as Row[]) leaders.set(`${r.unit_id}|${r.leader_level}`, Number(r.n));
  }, 300_000);
  afterAll(async () => t?.close());

  it('镇街道事业编制分析报表: each town with its subtree summed', async () => {
    const s = await sheetOf(t.db, '镇街道事业编制分析报表', '2026-11');
    const towns = units.filter((u) => u.nature === '乡镇(街道)机关');
    expect(towns.length).toBeGreaterThan(0);
    expect(dataRows(s)).toHaveLength(towns.length);
    for (const town of towns) {
      const ids = subtree(Number(town.id));
      const a = ids.reduce((x, id) => x + (approved.get(`${id}|事业编制`) ?? 0), 0);
      const n = ids.reduce((x, id) => x + (actual.get(`${id}|事业编制`) ?? 0), 0);
      const v = ids.reduce((x, id) => x + Math.max(0, (approved.get(`${id}|事业编制`) ?? 0) - (actual.get(`${id}|事业编制`) ?? 0)), 0);
      const row = dataRows(s).find((r) => r[0] === Number(town.id))!;
      expect([row[col(s, '核定')], row[col(s, '实有')], row[col(s, '空编')]]).toEqual([a, n, v]);
    }
  });

  it('参公事业单位编制职数情况分析报表 and 市管领导干部配置情况提示表: quotas, posts and holders per unit', async () => {
    const s = await sheetOf(t.db, '参公事业单位编制职数情况分析报表', '2026-11');
    const canGong = units.filter((u) => Number(u.is_can_gong));
    expect(dataRows(s)).toHaveLength(canGong.length);
    for (const u of canGong) {
      const row = dataRows(s).find((r) => r[0] === Number(u.id))!;
      expect(row[col(s, '参公编制核定')]).toBe(approved.get(`${u.id}|参公事业编制`) ?? 0);
      expect(row[col(s, '参公编制实有')]).toBe(actual.get(`${u.id}|参公事业编制`) ?? 0);
      expect(row[col(s, '单位副职职数')]).toBe(posts.get(`${u.id}|单位副职`) ?? 0);
      expect(row[col(s, '单位副职实配')]).toBe(leaders.get(`${u.id}|单位副职`) ?? 0);
    }
    const p = await sheetOf(t.db, '市管领导干部配置情况提示表', '2026-11');
    let gap = 0;
    let excess = 0;
    for (const r of dataRows(p)) {
      const a = posts.get(`${r[0]}|单位正职`) ?? 0;
      const n = leaders.get(`${r[0]}|单位正职`) ?? 0;
      expect([r[col(p, '单位正职职数')], r[col(p, '单位正职实配')], r[col(p, '单位正职空缺')], r[col(p, '单位正职超配')]]).toEqual([a, n, Math.max(0, a - n), Math.max(0, n - a)]);
      gap += Math.max(0, a - n);
      excess += Math.max(0, n - a);
    }
    expect(dataRows(p).length).toBeGreaterThan(10);
    expect([line(p, '合计')[col(p, '单位正职空缺')], line(p, '合计')[col(p, '单位正职超配')]]).toEqual([gap, excess]);
  });

  it('5年退休预测表: per unit and year, the total equal to the retirements computed person by person', async () => {
    const s = await sheetOf(t.db, '5年退休预测表', '2026-11');
    const lo = monthIndex('2026-12-01');
    const byUnit = new Map<number, number>();
    const unitOf = new Map(units.map((u) => [Number(u.id), u]));
    let y2027 = 0;
    for (const p of await personRecords(t.db, { status: '在编' })) {
      const r = personRetirement(p, { level: unitOf.get(p.unitId!)!.level } as UnitRecord);
      if (!r || r.monthIndex < lo || r.monthIndex >= lo + 60) continue;
      byUnit.set(p.unitId!, (byUnit.get(p.unitId!) ?? 0) + 1);
      if (monthFromIndex(r.monthIndex).startsWith('2027')) y2027++;
    }
    expect(s.headers.slice(3, 9)).toEqual(['2026年（1个月）', '2027年', '2028年', '2029年', '2030年', '2031年（11个月）']);
    expect(dataRows(s)).toHaveLength(byUnit.size);
    for (const r of dataRows(s)) expect(r[col(s, '退休合计')]).toBe(byUnit.get(r[0]));
    expect(line(s, '合计')[col(s, '2027年')]).toBe(y2027);
    const sectors = await sheetOf(t.db, '5年退休预测表', '2026-11', '按领域');
    expect(sectors.rows.slice(0, 3).map((r) => r[0])).toEqual(['教育', '卫生', '其他']);
    expect(line(sectors, '合计')[col(sectors, '2027年')]).toBe(y2027);
    expect(line(sectors, '合计')[col(sectors, '退休合计')]).toBe([...byUnit.values()].reduce((a, b) => a + b, 0));
  });

  it('the monthly job run twice stores each report once; a past month not generated is refused', async () => {
    const clock = fixedClock('2026-12-01T08:26:00+08:00');
    const runner = createInProcessRunner({ db: t.db, jobs: [monthlyReportsJob({ log: () => {} })], clock, log: () => {} });
    const first = await runner.tick();
    expect(first).toHaveLength(1);
    await runner.idle();
    const again = await runner.runNow(MONTHLY_REPORTS, '2026-12-01');
    expect(again.result).toMatchObject({ month: '2026-11', generated: 0, skipped: REPORTS.length });
    const stored = await listStoredReports(t.db);
    expect(stored.map((r) => r.name).sort()).toEqual(REPORTS.map((r) => r.name).sort());
    expect(new Set(stored.map((r) => r.jobRunId))).toEqual(new Set([first[0]]));
    expect(stored.every((r) => r.month === '2026-11')).toBe(true);
    const file = await storedReport(t.db, 'admin-quota', '2026-11');
    const book = await open(file!.bytes);
    expect(dataRows([...book.values()][0]).length).toBe(file!.info.rows);
    expect(await reportFile(t.db, reportByName('admin-quota')!, '2026-10', '2026-12-02')).toBeNull();
    if (TEST_DB_KIND === 'mysql') {
      // A county's workbook can pass 64 KB: the column is LONGBLOB, not knex's BLOB.
      const [rows] = await t.db.raw("SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'report_files' AND COLUMN_NAME = 'bytes'");
      expect(rows[0].t).toBe('longblob');
    }
  });
});
