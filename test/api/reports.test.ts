// The forecast and report routes on the demo county (SQLite, or MariaDB with SANSE_TEST_DB=mysql):
// a unit role's forecast covers only its units and the reports refuse it; the office lists,
// generates and downloads the month's reports; the sector mapping is validated and audited.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { monthOf, todayInShanghai } from '../../core/dates.ts';
import { REPORTS } from '../../core/report-defs.ts';
import { forecastOf } from '../../db/forecast.ts';
import { subtreeIds } from '../../db/scope.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
let clerk: Session;
let specialist: Session;
let scope: number[];

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  admin = await login(a.app, 'demo-admin');
  clerk = await login(a.app, 'demo-staff-01');
  // A 专管员 of a unit with units below it.
  const parents = (await a.t.db('units').whereNotNull('parent_id').distinct('parent_id')).map((r: any) => Number(r.parent_id));
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereIn('unit_id', parents).orderBy('id').first('id', 'unit_id');
  specialist = await login(a.app, s.id);
  scope = await subtreeIds(a.t.db, Number(s.unit_id));
}, 120_000);
afterAll(async () => { await a?.close(); });

describe(`forecast and reports API (${TEST_DB_KIND})`, () => {
  it('gives a unit role the forecast of its own units only; the office the whole county', async () => {
    const own = await a.app.inject({ method: 'GET', url: '/api/forecast?years=5', headers: specialist.read });
    expect(own.statusCode, own.body).toBe(200);
    const body = own.json();
    expect(body.units.every((u: any) => scope.includes(u.id))).toBe(true);
    const want = await forecastOf(a.t.db, { years: 5, scope });
    expect(body.total).toEqual(want.total);
    expect(body.years.map((y: any) => y.retirements)).toEqual(want.years.map((y) => y.retirements));
    const all = (await a.app.inject({ method: 'GET', url: '/api/forecast?years=5&sector=教育'.replace('教育', encodeURIComponent('教育')), headers: clerk.read })).json();
    expect(all.total).toEqual((await forecastOf(a.t.db, { years: 5, sector: '教育' })).total);
    expect(all.from).toBe(monthOf(D0));
  });

  it('refuses a bad window or sector with a Chinese message', async () => {
    const early = await a.app.inject({ method: 'GET', url: '/api/forecast?years=5&from=2026-01', headers: admin.read });
    expect(early.statusCode).toBe(400);
    expect(early.json().error).toContain('不能早于 2026-11');
    const far = await a.app.inject({ method: 'GET', url: '/api/forecast?years=11', headers: admin.read });
    expect(far.statusCode).toBe(400);
    expect(far.json().error).toMatch(/年数/);
    const sector = await a.app.inject({ method: 'GET', url: '/api/forecast?sector=x', headers: admin.read });
    expect(sector.statusCode).toBe(400);
  });

  it('refuses the reports to a unit role (403)', async () => {
    for (const url of ['/api/reports', '/api/reports/admin-quota.xlsx', '/api/sectors']) {
      const r = await a.app.inject({ method: 'GET', url, headers: specialist.read });
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error).toMatch(/[\u4e00-\u9fff]/);
    }
    const g = await a.app.inject({ method: 'POST', url: '/api/reports/generate', headers: specialist.write, payload: {} });
    expect(g.statusCode).toBe(403);
  });

  it('lets only 编办管理员 and 编办业务人员 generate: a 查询用户 reads but gets 403 on 生成', async () => {
    await a.t.db('users').insert({ id: 'viewer-1', name: '审计查询', role: '查询用户', locked: false, created_at: '2026-11-01 09:00:00', updated_at: '2026-11-01 09:00:00' });
    const viewer = await login(a.app, 'viewer-1');
    expect((await a.app.inject({ method: 'GET', url: '/api/reports', headers: viewer.read })).statusCode).toBe(200);
    const g = await a.app.inject({ method: 'POST', url: '/api/reports/generate', headers: viewer.write, payload: {} });
    expect(g.statusCode).toBe(403);
    expect(g.json().error).toContain('生成报表');
  });

  it('lets the office generate the current month, list it and download each report; a past month not generated is 404', async () => {
    const month = monthOf(todayInShanghai());
    const g = await a.app.inject({ method: 'POST', url: '/api/reports/generate', headers: clerk.write, payload: {} });
    expect(g.statusCode, g.body).toBe(200);
    expect(g.json().generated).toHaveLength(REPORTS.length);
    const list = (await a.app.inject({ method: 'GET', url: '/api/reports', headers: admin.read })).json();
    expect(list.reports.map((r: any) => r.title)).toContain('行政编制分析报表');
    expect(list.reports.every((r: any) => r.months[0]?.month === month && r.months[0].generatedBy === 'demo-staff-01')).toBe(true);
    const file = await a.app.inject({ method: 'GET', url: `/api/reports/admin-quota.xlsx?month=${month}`, headers: admin.read });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain(encodeURIComponent('行政编制分析报表'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0].name).toBe('行政编制分析');
    expect(wb.worksheets[0].getRow(1).getCell(2).value).toBe('单位名称');
    const old = await a.app.inject({ method: 'GET', url: '/api/reports/admin-quota.xlsx?month=2025-01', headers: admin.read });
    expect(old.statusCode).toBe(404);
    expect(old.json().error).toContain('未生成');
    const bad = await a.app.inject({ method: 'GET', url: '/api/reports/admin-quota.xlsx?month=2025-13', headers: admin.read });
    expect(bad.statusCode).toBe(400);
  });

  it('lets only the 编办管理员 map units to sectors: known ids, known sectors, audited', async () => {
    const list = (await a.app.inject({ method: 'GET', url: '/api/sectors', headers: clerk.read })).json();
    expect(list.units.length).toBeGreaterThan(0);
    const unit = list.units[0];
    const to = unit.sector === '教育' ? '卫生' : '教育';
    expect((await a.app.inject({ method: 'PUT', url: '/api/sectors', headers: clerk.write, payload: { units: { [unit.id]: to } } })).statusCode).toBe(403);
    const unknown = await a.app.inject({ method: 'PUT', url: '/api/sectors', headers: admin.write, payload: { units: { 999999: to } } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toContain('999999');
    expect((await a.app.inject({ method: 'PUT', url: '/api/sectors', headers: admin.write, payload: { units: { [unit.id]: '文化' } } })).statusCode).toBe(400);
    const ok = await a.app.inject({ method: 'PUT', url: '/api/sectors', headers: admin.write, payload: { units: { [unit.id]: to } } });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = (await a.app.inject({ method: 'GET', url: '/api/sectors', headers: admin.read })).json();
    expect(after.units.find((u: any) => u.id === unit.id)).toMatchObject({ mapped: to, sector: to, guessed: unit.guessed });
    expect(await a.t.db('audit_log').where({ action: 'sectors_update', actor: 'demo-admin' }).first()).toBeTruthy();
  });
});
