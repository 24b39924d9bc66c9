// The annual report routes by role (SQLite; MariaDB with SANSE_TEST_DB=mysql): office roles read
// the year's figures and download the 编制使用决算报表; unit roles get 403 for the county table and
// may download only their own unit's draft 机构编制报告; a bad year 400 in Chinese; downloads audited.

import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
let leader: Session;
let spec: Session;
let specUnit: { id: number; name: string };
const YEAR = String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear());

beforeAll(async () => {
  a = await startApp();
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  specUnit = await a.t.db('units').where({ id: s.unit_id }).first('id', 'name');
  [admin, leader, spec] = await Promise.all([login(a.app, 'demo-admin'), login(a.app, 'demo-leader'), login(a.app, s.id)]);
}, 300_000);
afterAll(async () => a?.close());

const get = (who: Session, url: string) => a.app.inject({ method: 'GET', url, headers: who.read });

describe('annual report API', () => {
  it('office roles read the figures per unit; the totals equal the tables now (the year has not ended)', async () => {
    const r = await get(leader, `/api/reports/annual?year=${YEAR}`);
    expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
    const v = r.json();
    expect(v.ended).toBe(false);
    expect(v.units.length).toBe(Number((await a.t.db('units').count({ n: '*' }).first())!.n));
    const onQuota = Number((await a.t.db('people').where({ status: '在编' }).count({ n: '*' }).first())!.n);
    expect(v.total.actualEnd).toBe(onQuota);
    const mine = v.units.find((u: { id: number }) => u.id === specUnit.id);
    const mineNow = Number((await a.t.db('people').where({ status: '在编', unit_id: specUnit.id }).count({ n: '*' }).first())!.n);
    expect(mine.actualEnd).toBe(mineNow);
  }, 120_000);

  it('no year: the latest year with data (the demo county was loaded this year: this year), and from when the system holds history', async () => {
    const r = await get(leader, '/api/reports/annual');
    expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
    const first = String((await a.t.db('record_versions').min({ m: 'changed_at' }).first())!.m).slice(0, 10);
    expect(r.json().historyFrom).toBe(first);
    expect(r.json().year).toBe(first < `${YEAR}-01-01` ? Number(YEAR) - 1 : Number(YEAR));
  }, 120_000);

  it('the .xlsx download is audited with the address', async () => {
    const r = await get(admin, `/api/reports/annual.xlsx?year=${YEAR}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    expect(String(r.headers['content-disposition'])).toContain(`annual-${YEAR}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '决算表']);
    const row = await a.t.db('audit_log').where({ action: 'annual_report_export', actor: 'demo-admin' }).first();
    expect(row.ip).toBeTruthy();
    expect(JSON.parse(row.detail)).toMatchObject({ kind: 'annual', via: 'console' });
  }, 120_000);

  it('unit roles: 403 for the county table, their own unit report only', async () => {
    for (const url of [`/api/reports/annual?year=${YEAR}`, `/api/reports/annual.xlsx?year=${YEAR}`]) {
      const r = await get(spec, url);
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error).toBe('编制使用决算报表仅限编办人员下载');
    }
    const own = await get(spec, `/api/reports/unit-annual.docx?year=${YEAR}&unit=${specUnit.id}`);
    expect(own.statusCode, own.body.slice(0, 200)).toBe(200);
    const xml = await (await JSZip.loadAsync(own.rawPayload)).file('word/document.xml')!.async('string');
    expect(xml).toContain(`${specUnit.name}${YEAR}年度机构编制报告（草稿）`);
    const other = await a.t.db('units').whereNot({ id: specUnit.id }).whereNot({ parent_id: specUnit.id }).orderBy('id').first('id');
    const r = await get(spec, `/api/reports/unit-annual.docx?year=${YEAR}&unit=${other.id}`);
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toBe('超出您的数据范围');
    const audited = await a.t.db('audit_log').where({ action: 'unit_report_export', unit_id: specUnit.id }).first();
    expect(audited.actor).toBe(spec.userId);
  }, 120_000);

  it('a bad year or unit: 400 / 404 in Chinese', async () => {
    const bad = await get(admin, '/api/reports/annual?year=26');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('年度 应为四位数字的年份');
    const future = await get(admin, `/api/reports/annual.xlsx?year=${Number(YEAR) + 1}`);
    expect(future.statusCode).toBe(400);
    expect(future.json().error).toContain('尚未开始的年度没有决算');
    const none = await get(admin, `/api/reports/unit-annual.xlsx?year=${YEAR}&unit=999999`);
    expect(none.statusCode).toBe(404);
    const notNumber = await get(admin, `/api/reports/unit-annual.xlsx?year=${YEAR}&unit=abc`);
    expect(notNumber.statusCode).toBe(400);
  }, 120_000);
});
