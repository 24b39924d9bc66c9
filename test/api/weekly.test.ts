// The weekly supervision list's API on the demo county (SQLite, or MariaDB with
// SANSE_TEST_DB=mysql): who sees what, the export, sending once, the office's limit setting.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { weeklyListOn } from '../../commands/weekly-list.ts';
import { todayInShanghai } from '../../core/dates.ts';
import { subtreeIds } from '../../db/scope.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
let clerk: Session;
let specialist: Session;
let specialistUnit: number;
let specialistSees: number[];

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  admin = await login(a.app, 'demo-admin');
  clerk = await login(a.app, 'demo-staff-01');
  // A 专管员 of a listed unit: they see the listed units of their scope (their unit and those below it).
  const listed = (await weeklyListOn(a.t.db, D0)).units.map((l) => l.unitId);
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereIn('unit_id', listed).orderBy('id').first('id', 'unit_id');
  if (s) {
    specialist = await login(a.app, s.id);
    specialistUnit = Number(s.unit_id);
    const scope = new Set(await subtreeIds(a.t.db, specialistUnit));
    specialistSees = listed.filter((id) => scope.has(id));
  }
  expect(specialist).toBeTruthy();
});
afterAll(async () => { await a?.close(); });

const unitIdsOf = (body: any): number[] => body.regions.flatMap((r: any) => r.units.map((u: any) => u.unitId));

describe(`weekly list API (${TEST_DB_KIND})`, () => {
  it('office roles see the whole list by region; a unit role only its own part', async () => {
    const all = await a.app.inject({ method: 'GET', url: `/api/weekly?date=${D0}`, headers: admin.read });
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body).toMatchObject({ date: D0, week: D0, sentAt: null, settings: { requestLimitWorkdays: 5, minSelfChecks: 2 } });
    const ids = unitIdsOf(body);
    expect(ids.length).toBe(body.counts.units);
    expect(ids.length).toBeGreaterThan(1);
    expect(body.regions[0].units[0]).toMatchObject({ summary: expect.any(String), done: false });
    expect(ids).toContain(specialistUnit);

    const own = (await a.app.inject({ method: 'GET', url: `/api/weekly?date=${D0}`, headers: specialist.read })).json();
    expect(unitIdsOf(own).sort()).toEqual([...specialistSees].sort());
    expect(own.counts.units).toBe(specialistSees.length);
    expect(specialistSees.length).toBeLessThan(ids.length);
  });

  it('refuses a date that is no day, naming the field', async () => {
    const r = await a.app.inject({ method: 'GET', url: '/api/weekly?date=2026-13-01', headers: admin.read });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toContain('date');
  });

  it('exports the list as .xlsx, a unit role its own rows only', async () => {
    const r = await a.app.inject({ method: 'GET', url: `/api/weekly/export?date=${D0}`, headers: specialist.read });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as any);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '红灯单位', '逾期问题', '暂停办理单位', '超时未办申请', '本月未自查单位']);
    const names: string[] = [];
    wb.getWorksheet('汇总')!.eachRow((row, i) => { if (i > 1) names.push(String(row.getCell(2).value)); });
    const units = await a.t.db('units').whereIn('id', specialistSees).pluck('name');
    expect(names.sort()).toEqual(units.sort());
  });

  it('office staff send it now, once a week; a unit role may not', async () => {
    expect((await a.app.inject({ method: 'POST', url: '/api/weekly/send', headers: specialist.write, payload: {} })).statusCode).toBe(403);
    const r = await a.app.inject({ method: 'POST', url: '/api/weekly/send', headers: clerk.write, payload: {} });
    expect(r.statusCode).toBe(200);
    const today = todayInShanghai();
    expect(r.json()).toMatchObject({ sent: true, date: today, office: 'group' });
    const office = await a.t.db('outbox').where('dedup_key', 'like', 'weekly:%:office').first('target', 'op');
    expect(office).toEqual({ target: 'group:office-group', op: 'createCard' });
    expect(Number((await a.t.db('outbox').where('dedup_key', 'like', 'weekly:%:unit:%').count({ n: '*' }).first())!.n)).toBe(r.json().unitGroupCards + r.json().unitDirectCards);
    const again = await a.app.inject({ method: 'POST', url: '/api/weekly/send', headers: admin.write, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toContain('不再重复发送');
    // Once sent, the list reads as sent.
    expect((await a.app.inject({ method: 'GET', url: `/api/weekly?date=${today}`, headers: admin.read })).json().sentAt).toBeTruthy();
  });

  it('a unit listed for too few self-checks reads 已整改 once its 专管员 has self-checked enough', async () => {
    const week = (await a.t.db('weekly_lists').first('content')).content;
    const lines: any[] = JSON.parse(week).units;
    const specs = await a.t.db('users').where({ role: '单位专管员', locked: false }).select('id', 'unit_id');
    const line = lines.find((l) => l.selfChecks && !l.red && specs.some((u) => Number(u.unit_id) === l.unitId));
    expect(line, 'a unit listed only for its self-checks').toBeTruthy();
    const s = await login(a.app, specs.find((u) => Number(u.unit_id) === line.unitId)!.id);
    const cardId = `weekly-unit:${line.unitId}:${JSON.parse(week).week}`;
    const updates = () => a.t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', `card:${cardId}:done`).count({ n: '*' }).first();
    for (let i = line.selfChecks.count; i < line.selfChecks.min; i++) {
      expect(await updates()).toMatchObject({ n: 0 });
      const r = await a.app.inject({ method: 'POST', url: `/api/units/${line.unitId}/self-check`, headers: s.write, payload: {} });
      expect(r.statusCode, r.body).toBe(200);
    }
    expect(await updates()).toMatchObject({ n: 1 });
    const card = JSON.parse((await a.t.db('outbox').where('dedup_key', `card:${cardId}:done`).first('payload')).payload).card;
    expect(card.data.progress).toBe('已整改');
    const office = (await a.app.inject({ method: 'GET', url: '/api/weekly', headers: admin.read })).json();
    expect(office.doneUnitIds).toContain(line.unitId);
  });

  it('the request limit is the 编办管理员\'s to change', async () => {
    expect((await a.app.inject({ method: 'PUT', url: '/api/weekly/settings', headers: clerk.write, payload: { requestLimitWorkdays: 3 } })).statusCode).toBe(403);
    const bad = await a.app.inject({ method: 'PUT', url: '/api/weekly/settings', headers: admin.write, payload: { requestLimitWorkdays: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.requestLimitWorkdays).toContain('1 至 60');
    const ok = await a.app.inject({ method: 'PUT', url: '/api/weekly/settings', headers: admin.write, payload: { requestLimitWorkdays: 3 } });
    expect(ok.json()).toMatchObject({ requestLimitWorkdays: 3 });
    expect((await a.app.inject({ method: 'GET', url: '/api/weekly/settings', headers: specialist.read })).json().requestLimitWorkdays).toBe(3);
  });
});
