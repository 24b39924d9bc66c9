// 月度核账 (issue 16 deliverable 4): the job opens the month once per unit with the office's due
// date and notices; a unit's 单位专管员 confirms (who, when, note, snapshot) and U-PR-02 turns
// green at once; out-of-scope and read-only roles are refused; U-PR-02 fires through the real
// daily check on the day after the due date and not before; the office's list counts what the
// table holds; the 催办 goes at most once a day. SQLite, or MariaDB with SANSE_TEST_DB=mysql.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { openMonthlyConfirmation } from '../../commands/open-monthly-confirmation.ts';
import { recheckRecord } from '../../commands/daily-check.ts';
import { EXPORT_HEADERS } from '../../commands/monthly-confirmation-views.ts';
import { addDays, addMonthsToMonth, monthOf, todayInShanghai } from '../../core/dates.ts';
import { dueOnFor } from '../../core/monthly-confirmation.ts';
import { subtreeIds } from '../../db/scope.ts';
import { loadCalendar } from '../../db/settings.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { MONTHLY_CONFIRMATION_OPEN, MONTHLY_CONFIRMATION_REMINDER, monthlyConfirmationJobs } from '../../server/jobs/monthly-confirmation.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { D0, dropDemoFeeds, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;
const BASE = 'http://127.0.0.1:3000';
/** The API's business day (the real one): the tests that go through the API reckon from it. */
const T = todayInShanghai();
const M = addMonthsToMonth(monthOf(T), -1);

beforeAll(async () => {
  a = await startApp();
  // The feeds these tests import are the first ones: the demo county's own are removed.
  await dropDemoFeeds(a.t.db);
  await dailyCheck(a.t.db, D0, BASE);
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

const rowsOf = (month: string) => a.t.db('monthly_reports').where({ month }).orderBy('unit_id').select('*');
const outboxLike = (prefix: string) => a.t.db('outbox').where('dedup_key', 'like', `${prefix}%`).select('dedup_key', 'target', 'payload');

describe('the job that opens the month', () => {
  it('opens 2026-11 on 2026-12-01 once: one row per unit due on the 5th working day, a notice to each unit; a second run and a restart write nothing', async () => {
    const units: number[] = (await a.t.db('units').pluck('id')).map(Number).sort((x, y) => x - y);
    expect(await rowsOf('2026-11')).toEqual([]);
    const jobs = monthlyConfirmationJobs({ publicBaseUrl: BASE, log: () => {} }).filter((j) => j.name === MONTHLY_CONFIRMATION_OPEN);
    const clock = fixedClock('2026-12-01T08:21:00+08:00');
    const runner = createInProcessRunner({ db: a.t.db, jobs, clock, log: () => {} });
    const ran = await runner.tick();
    await runner.idle();
    expect(ran).toHaveLength(1);
    const rows = await rowsOf('2026-11');
    expect(rows.map((r: Row) => Number(r.unit_id))).toEqual(units);
    // December 2026: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7.
    expect(new Set(rows.map((r: Row) => r.due_on))).toEqual(new Set(['2026-12-07']));
    expect(rows.every((r: Row) => r.confirmed_on == null && r.opened_at)).toBe(true);
    const notices = await outboxLike('monthly-confirm-open:2026-11:');
    const reachable = await a.t.db('units').whereIn('id', units).where((w) => w.whereNotNull('group_id').andWhereNot('group_id', '')
      .orWhereIn('id', a.t.db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').select('unit_id'))).count({ n: '*' }).first();
    expect(notices.length).toBe(Number(reachable!.n));
    expect(notices.length).toBeGreaterThan(0);
    const text = JSON.stringify(JSON.parse(notices[0].payload));
    expect(text).toContain('2026年11月');
    expect(text).toContain('2026年12月7日');
    expect(text).toMatch(/\/m\/#\/monthly\/\d+/);
    // Again: the same slot run again, and a restarted runner.
    const again = await runner.runNow(MONTHLY_CONFIRMATION_OPEN, '2026-12-01');
    expect(again.result).toMatchObject({ month: '2026-11', opened: 0, sent: 0 });
    const restarted = createInProcessRunner({ db: a.t.db, jobs, clock, log: () => {} });
    await restarted.tick();
    await restarted.idle();
    const second = await openMonthlyConfirmation(a.t.db, { date: '2026-12-02', publicBaseUrl: BASE });
    expect(second.opened).toBe(0);
    expect(await rowsOf('2026-11')).toEqual(rows);
    expect((await outboxLike('monthly-confirm-open:2026-11:')).length).toBe(notices.length);
  });
});

describe('the reminder job', () => {
  it('reminds the unconfirmed units two working days before the due date (2026-12-03 for 12-07), once, and not on other days', async () => {
    const job = monthlyConfirmationJobs({ publicBaseUrl: BASE, log: () => {} }).find((j) => j.name === MONTHLY_CONFIRMATION_REMINDER)!;
    const runner = createInProcessRunner({ db: a.t.db, jobs: [job], clock: fixedClock('2026-12-03T09:01:00+08:00'), log: () => {} });
    // 12-02: not the day.
    const before = await runner.runNow(MONTHLY_CONFIRMATION_REMINDER, '2026-12-02');
    expect(before.result).toMatchObject({ month: '2026-11', sent: 0 });
    expect(await outboxLike('monthly-confirm-remind:2026-11:')).toEqual([]);
    // A unit that confirmed is not reminded.
    const confirmed = await a.t.db('monthly_reports').where({ month: '2026-11' }).orderBy('unit_id').first();
    await a.t.db('monthly_reports').where({ unit_id: confirmed.unit_id, month: '2026-11' }).update({ confirmed_on: '2026-12-02', confirmed_by: 'demo-admin' });
    const ran = await runner.tick();
    await runner.idle();
    expect(ran).toHaveLength(1);
    const sent = await outboxLike('monthly-confirm-remind:2026-11:2026-12-03:');
    const opened = await outboxLike('monthly-confirm-open:2026-11:');
    expect(sent.length).toBe(opened.filter((o) => !o.dedup_key.endsWith(`:${confirmed.unit_id}`)).length);
    expect(sent.some((o) => o.dedup_key.endsWith(`:${confirmed.unit_id}`))).toBe(false);
    expect(JSON.stringify(JSON.parse(sent[0].payload))).toContain('尚未确认');
    const again = await runner.runNow(MONTHLY_CONFIRMATION_REMINDER, '2026-12-03');
    expect(again.result).toMatchObject({ sent: 0 });
    expect((await outboxLike('monthly-confirm-remind:2026-11:')).length).toBe(sent.length);
    await a.t.db('monthly_reports').where({ unit_id: confirmed.unit_id, month: '2026-11' }).update({ confirmed_on: null, confirmed_by: null });
  });
});

describe('a unit confirms', () => {
  let unitA: Row;
  let unitB: Row;
  let specialistA: Session;
  let leaderA: Session;

  beforeAll(async () => {
    await openMonthlyConfirmation(a.t.db, { date: T, month: M, publicBaseUrl: BASE });
    // A: a unit with a specialist, a leader and open findings; B: a unit outside A's subtree.
    const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
    for (const s of specialists) {
      const leader = await a.t.db('users').where({ role: '单位领导', unit_id: s.unit_id }).first();
      const open = await a.t.db('findings').where({ unit_id: s.unit_id, status: 'open' }).whereNotIn('rule', ['U-QT-02']).first('id');
      if (!leader || !open) continue;
      unitA = await a.t.db('units').where({ id: s.unit_id }).first();
      specialistA = await login(a.app, s.id);
      leaderA = await login(a.app, leader.id);
      break;
    }
    const sub = await subtreeIds(a.t.db, Number(unitA.id));
    unitB = await a.t.db('units').whereNotIn('id', sub).orderBy('id').first();
    // A is overdue (due yesterday): U-PR-02 opens for A at the re-check, as it would at the morning's check.
    await a.t.db('monthly_reports').where({ unit_id: unitA.id, month: M }).update({ due_on: addDays(T, -1), confirmed_on: null });
    await recheckRecord(a.t.db, { unitId: Number(unitA.id) }, T);
    // The other departments' rosters: a 社保 import of three of A's rows and one of B's; no 工资统发.
    const [imp] = await a.t.db('feed_imports').insert({ kind: '社保', month: M, file_name: 'si.xlsx', rows: 4, by: 'demo-admin', at: `${T} 08:00:00` });
    const feedRow = (n: number, unit: number, status: string) => ({ import_id: imp, month: M, row_no: n, name: `参保${n}`, unit_id: unit, status, id_valid: false });
    await a.t.db('feed_social_insurance').insert([feedRow(1, unitA.id, '参保'), feedRow(2, unitA.id, '参保'), feedRow(3, unitA.id, '退休'), feedRow(4, unitB.id, '参保')]);
  });

  it('shows the 核账清单 and lists the month as waiting on the unit\'s 待整改', async () => {
    const open = await a.t.db('findings').where({ unit_id: unitA.id, rule: 'U-PR-02', status: 'open', qualifier: M }).first();
    expect(open).toBeTruthy();
    const res = await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitA.id}`, headers: specialistA.read });
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json();
    expect(c.confirmation).toMatchObject({ month: M, state: 'overdue', stateText: '逾期未确认', confirmedOn: null });
    expect(c.canConfirm).toBe(true);
    // 在编 by 编制类型 as the unit's people say.
    const onStaff = await a.t.db('people').where({ unit_id: unitA.id, status: '在编' }).whereNotNull('quota_kind').count({ n: '*' }).first();
    expect(c.figures.staffing.reduce((n: number, s: Row) => n + s.actual, 0)).toBe(Number(onStaff!.n));
    const quotas = await a.t.db('quotas').where({ unit_id: unitA.id }).sum({ n: 'approved' }).first();
    expect(c.figures.staffing.reduce((n: number, s: Row) => n + s.approved, 0)).toBe(Number(quotas!.n ?? 0));
    expect(c.figures.feeds.社保).toEqual({ month: M, rows: 3, by: { 参保: 2, 退休: 1 } });
    expect(c.figures.feeds.工资统发).toBeNull();
    // Every open finding listed with where it is fixed; U-PR-02 leads to this page.
    const openN = await a.t.db('findings').where({ unit_id: unitA.id, status: 'open' }).count({ n: '*' }).first();
    expect(c.findings).toHaveLength(Number(openN!.n));
    expect(c.findings.find((f: Row) => f.rule === 'U-PR-02').fix.href).toBe(`#/monthly/${unitA.id}?finding=${open.id}`);
    const fam = c.figures.findings;
    const sum = ['person', 'unit', 'cross', 'worker'].reduce((n, k) => n + fam[k].red + fam[k].yellow + fam[k].hint, 0);
    expect(sum).toBe(Number(openN!.n));
    const office = (await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitA.id}`, headers: admin.read })).json();
    expect(office.findings.find((f: Row) => f.rule === 'U-PR-02').fix).toEqual({ kind: 'monthly', label: '查看月度核账情况', href: '#/console/monthly' });
    const pending = (await a.app.inject({ method: 'GET', url: '/api/monthly-confirmations/pending', headers: specialistA.read })).json();
    expect(pending.map((p: Row) => p.unitId)).toContain(Number(unitA.id));
    expect(pending.some((p: Row) => p.unitId === Number(unitB.id))).toBe(false);
  });

  it('refuses other units, the office, read-only roles, a bad note, and a month not open', async () => {
    const post = (s: Session, unit: number, payload: unknown = {}) => a.app.inject({ method: 'POST', url: `/api/monthly-confirmations/units/${unit}/confirm`, headers: s.write, payload: payload as any });
    const out = await post(specialistA, Number(unitB.id), { confirmRed: true });
    expect(out.statusCode).toBe(403);
    expect(out.json().error).toBe('超出您的数据范围');
    expect((await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitB.id}`, headers: specialistA.read })).statusCode).toBe(403);
    const at = `${T} 09:00:00`;
    await a.t.db('users').insert({ id: 'mc-query', name: '查询员', role: '查询用户', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at });
    for (const id of ['demo-admin', 'demo-leader', 'mc-query']) {
      const s = id === 'demo-admin' ? admin : await login(a.app, id);
      const r = await post(s, Number(unitA.id), { confirmRed: true });
      expect(r.statusCode, id).toBe(403);
      expect(r.json().error).toMatch(/单位专管员或单位领导确认/);
    }
    const long = await post(specialistA, Number(unitA.id), { note: '很'.repeat(501), confirmRed: true });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/备注不能超过 500 个字/);
    const notOpen = await post(specialistA, Number(unitA.id), { month: '2025-01', confirmRed: true });
    expect(notOpen.statusCode).toBe(409);
    expect(notOpen.json().error).toBe('2025年1月的月度核账尚未开启，无需确认');
    const bad = await post(specialistA, Number(unitA.id), { month: '2026-13' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/月份/);
    expect((await a.t.db('monthly_reports').where({ unit_id: unitA.id, month: M }).first()).confirmed_on).toBeNull();
  });

  it('asks again when red findings are open, then stores who, when, the note and the snapshot, and U-PR-02 turns green at once', async () => {
    const url = `/api/monthly-confirmations/units/${unitA.id}/confirm`;
    const before = (await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitA.id}`, headers: specialistA.read })).json();
    expect(before.red).toBeGreaterThan(0);
    const first = await a.app.inject({ method: 'POST', url, headers: specialistA.write, payload: { note: '已核对' } });
    expect(first.statusCode).toBe(409);
    expect(first.json()).toMatchObject({ needsConfirm: true, red: before.red });
    expect(first.json().error).toContain(`还有 ${before.red} 个红灯问题`);
    const ok = await a.app.inject({ method: 'POST', url, headers: specialistA.write, payload: { note: '已核对，社保差异系借调人员', confirmRed: true } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ month: M, confirmedOn: T, confirmedBy: specialistA.userId, resolved: 1 });
    const row = await a.t.db('monthly_reports').where({ unit_id: unitA.id, month: M }).first();
    expect(row).toMatchObject({ confirmed_on: T, confirmed_by: specialistA.userId, note: '已核对，社保差异系借调人员' });
    expect(row.confirmed_at.slice(0, 10)).toBe(T);
    const snap = JSON.parse(row.snapshot);
    expect(snap.feeds.社保).toEqual({ month: M, rows: 3, by: { 参保: 2, 退休: 1 } });
    expect(snap.staffing).toEqual(before.figures.staffing);
    expect(snap.findings.unit.red + snap.findings.unit.yellow).toBe(before.figures.findings.unit.red + before.figures.findings.unit.yellow);
    // U-PR-02 resolved by the confirmation's re-check, not waiting for the morning's check.
    expect(await a.t.db('findings').where({ unit_id: unitA.id, rule: 'U-PR-02', status: 'open' }).first()).toBeUndefined();
    expect(await a.t.db('findings').where({ unit_id: unitA.id, rule: 'U-PR-02', status: 'resolved', qualifier: M }).first()).toBeTruthy();
    expect(await a.t.db('audit_log').where({ action: 'monthly-confirmation.confirm', entity_id: unitA.id }).first()).toBeTruthy();
    // Twice: refused, naming who and when; the leader sees the same.
    const again = await a.app.inject({ method: 'POST', url, headers: leaderA.write, payload: { confirmRed: true } });
    expect(again.statusCode).toBe(409);
    const me = await a.t.db('users').where({ id: specialistA.userId }).first('name');
    expect(again.json().error).toContain(`已由${me.name}于${row.confirmed_at.slice(0, 16)}确认`);
    // The office reads the same page, without the button.
    const office = (await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitA.id}`, headers: admin.read })).json();
    expect(office).toMatchObject({ canConfirm: false, readOnly: expect.stringContaining('单位专管员或单位领导确认') });
    const view = (await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/units/${unitA.id}`, headers: leaderA.read })).json();
    expect(view.confirmation).toMatchObject({ state: 'confirmed', confirmedBy: { id: specialistA.userId, name: me.name } });
    expect(view.canConfirm).toBe(false);
    expect(view.snapshot.feeds.社保.rows).toBe(3);
    const pending = (await a.app.inject({ method: 'GET', url: '/api/monthly-confirmations/pending', headers: specialistA.read })).json();
    expect(pending.some((p: Row) => p.unitId === Number(unitA.id))).toBe(false);
  });

  it('the office\'s list counts what the table holds; the .xlsx has the same rows; 催办 once a day to the unconfirmed', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations?month=${M}`, headers: admin.read });
    expect(res.statusCode).toBe(200);
    const list = res.json();
    const rows: Row[] = await a.t.db('monthly_reports').where({ month: M });
    const confirmed = rows.filter((r) => r.confirmed_on).length;
    const overdue = rows.filter((r) => !r.confirmed_on && r.due_on < T).length;
    expect(list.counts).toEqual({ units: rows.length, confirmed, overdue, open: rows.length - confirmed - overdue });
    expect(confirmed).toBeGreaterThanOrEqual(1);
    const mine = list.rows.find((r: Row) => r.unitId === Number(unitA.id));
    expect(mine).toMatchObject({ state: 'confirmed', confirmedBy: { id: specialistA.userId } });
    const unconfirmed = (await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations?month=${M}&state=unconfirmed`, headers: admin.read })).json();
    expect(unconfirmed.rows).toHaveLength(rows.length - confirmed);
    const exp = await a.app.inject({ method: 'GET', url: `/api/monthly-confirmations/export?month=${M}`, headers: admin.read });
    expect(exp.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exp.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('月度核账')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...EXPORT_HEADERS]);
    expect(ws.rowCount - 1).toBe(rows.length);
    // Unit roles: not the office's list, nor its 催办 or setting.
    for (const [method, url, payload] of [['GET', '/api/monthly-confirmations'], ['POST', '/api/monthly-confirmations/remind', {}], ['PUT', '/api/monthly-confirmations/settings', { dueKind: 'day', dueDay: 10 }]] as const) {
      expect((await a.app.inject({ method, url, headers: specialistA.write, payload: payload as any })).statusCode, url).toBe(403);
    }
    const remind = await a.app.inject({ method: 'POST', url: '/api/monthly-confirmations/remind', headers: admin.write, payload: { month: M } });
    expect(remind.statusCode, remind.body).toBe(200);
    const sent = await outboxLike(`monthly-confirm-remind:${M}:${T}:`);
    expect(sent.length).toBe(remind.json().notices.group + remind.json().notices.users);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.some((s) => s.dedup_key.endsWith(`:${unitA.id}`))).toBe(false);
    const twice = await a.app.inject({ method: 'POST', url: '/api/monthly-confirmations/remind', headers: admin.write, payload: { month: M } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toMatch(/今天已催办过/);
    expect((await outboxLike(`monthly-confirm-remind:${M}:${T}:`)).length).toBe(sent.length);
  });

  it('the setting: validated, audited, 编办管理员 only; it sets the due date of the months opened after it', async () => {
    const put = (s: Session, payload: unknown) => a.app.inject({ method: 'PUT', url: '/api/monthly-confirmations/settings', headers: s.write, payload: payload as any });
    expect((await put(admin, { dueKind: 'day', dueDay: 29 })).json().error).toMatch(/1 到 28/);
    expect((await put(admin, { dueKind: 'week', dueDay: 3 })).statusCode).toBe(400);
    const staff = await login(a.app, 'demo-staff-01');
    expect((await put(staff, { dueKind: 'day', dueDay: 10 })).statusCode).toBe(403);
    const ok = await put(admin, { dueKind: 'day', dueDay: 10 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().text).toBe('次月10日（遇节假日顺延）');
    expect(await a.t.db('audit_log').where({ action: 'monthly-confirmation.setting', actor: 'demo-admin' }).first()).toBeTruthy();
    // 2027-01-10 is a Sunday: the next working day.
    const r = await openMonthlyConfirmation(a.t.db, { date: '2027-01-04', publicBaseUrl: BASE });
    expect(r).toMatchObject({ month: '2026-12', dueOn: dueOnFor('2026-12', { dueKind: 'day', dueDay: 10 }, await loadCalendar(a.t.db)) });
    expect(r.dueOn).toBe('2027-01-11');
  });
});

describe('U-PR-02 through the real daily check', () => {
  it('fires on the day after the due date for an unconfirmed unit, and not before', async () => {
    // A unit still unconfirmed for 2026-11 (due 2026-12-07), its row as the job wrote it.
    const row = await a.t.db('monthly_reports').where({ month: '2026-11', due_on: '2026-12-07' }).whereNull('confirmed_on').orderBy('unit_id').first();
    expect(row).toBeTruthy();
    const open = () => a.t.db('findings').where({ unit_id: row.unit_id, rule: 'U-PR-02', qualifier: '2026-11', status: 'open' }).first();
    await dailyCheck(a.t.db, '2026-12-07', BASE);
    expect(await open()).toBeUndefined();
    await dailyCheck(a.t.db, '2026-12-08', BASE);
    const f = await open();
    expect(f).toMatchObject({ opened_on: '2026-12-08' });
    expect(JSON.parse(f.detail)).toMatchObject({ month: '2026-11', dueOn: '2026-12-07' });
  });
});

describe('the message budget', () => {
  it('holds the notices back when the month\'s budget is short (the units still see the month on 待整改)', async () => {
    // February 2027: 4,999 of the sandbox's 5,000 calls used on its first working day.
    await a.t.db('api_calls').insert({ month: '2027-02', platform: 'sandbox', kind: 'send-group', n: 4999 });
    const r = await openMonthlyConfirmation(a.t.db, { date: '2027-02-01', month: '2027-01', publicBaseUrl: BASE });
    expect(r.opened).toBe(Number((await a.t.db('units').count({ n: '*' }).first())!.n));
    expect(r.notices.group + r.notices.users).toBe(0);
    expect(r.notices.heldForBudget).toBeGreaterThan(0);
    expect(r.notices.heldForBudget + r.notices.unreached).toBe(r.opened);
    expect(await outboxLike('monthly-confirm-open:2027-01:')).toEqual([]);
    await a.t.db('api_calls').where({ month: '2027-02' }).del();
  });
});
