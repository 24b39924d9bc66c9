// What the audit trail records (issue 17), through the API as the console and the mini-app call it:
// a login, refused logins (unknown account, locked, over the per-account limit), a logout, a view
// of one person, an export, an import, a staffing request's 初审 and 终审, a setting changed. Each
// writes exactly the expected row (actor, action, unit, address). Then the acts that touch full ID
// numbers (a full-ID export, a refused one, an import whose file name holds a number) and a scan of
// every row: none holds any person's or 编外人员's real ID number, nor anything shaped like one;
// after all of it the chain verifies.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAuditChain, verifyAuditChain } from '../../db/audit.ts';
import { writeTemplate } from '../../db/export.ts';
import { login, multipartBody, nextIp, sessionCookie, startApp, type ApiTestApp } from './helpers.ts';

const AT = '2026-01-01 00:00:00';
const CALENDAR_CHANGE = { dates: ['2027-01-04'], work: false, note: '审计测试' };
const CODE = '11330603MB0000007X';
let a: ApiTestApp;
let unitId: number;
type Row = Record<string, any>;

beforeAll(async () => {
  a = await startApp();
  const db = a.t.db;
  [unitId] = (await db('units').insert({ code: CODE, name: '审计测试局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  await db('quotas').insert({ unit_id: unitId, kind: '行政编制', approved: 2 });
  await db('users').insert([
    { id: 'audit-spec', name: '专管员', role: '单位专管员', unit_id: unitId, locked: false, created_at: AT, updated_at: AT },
    { id: 'audit-clerk', name: '业务科', role: '编办业务人员', locked: false, created_at: AT, updated_at: AT },
    { id: 'audit-lead', name: '领导甲', role: '分管领导', locked: false, created_at: AT, updated_at: AT },
    { id: 'audit-locked', name: '锁定者', role: '单位专管员', unit_id: unitId, locked: true, created_at: AT, updated_at: AT },
  ]);
}, 180_000);
afterAll(async () => {
  await a?.close();
});

/** The id of the newest audit row: what an act writes comes after it. */
const mark = async (): Promise<number> => Number((await a.t.db('audit_log').max({ m: 'id' }).first())?.m ?? 0);
const since = async (id: number): Promise<Row[]> => a.t.db('audit_log').where('id', '>', id).orderBy('id');
const detail = (r: Row) => (r.detail ? JSON.parse(r.detail) : null);

describe('the audit rows of what users do', () => {
  it('a login, refused logins and a logout', async () => {
    let m = await mark();
    const ip = nextIp();
    const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'audit-spec' }, remoteAddress: ip });
    expect(res.statusCode).toBe(200);
    let rows = await since(m);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'audit-spec', action: 'login', ip });
    expect(Number(rows[0].unit_id)).toBe(unitId);
    expect(detail(rows[0])).toEqual({ door: 'sandbox' });

    m = await mark();
    const cookie = sessionCookie(res)!;
    const out = await a.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, 'x-csrf-token': res.json().csrfToken }, remoteAddress: ip });
    expect(out.statusCode).toBe(200);
    rows = await since(m);
    expect(rows.map((r) => [r.actor, r.action, r.ip])).toEqual([['audit-spec', 'logout', ip]]);

    m = await mark();
    const unknownIp = nextIp();
    expect((await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'nobody-here' }, remoteAddress: unknownIp })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'audit-locked' }, remoteAddress: unknownIp })).statusCode).toBe(423);
    rows = await since(m);
    expect(rows.map((r) => [r.actor, r.action, r.ip, detail(r).reason])).toEqual([
      ['nobody-here', 'login_refused', unknownIp, 'unknown'],
      ['audit-locked', 'login_refused', unknownIp, 'locked'],
    ]);

    // Over the per-account limit (10 a minute), from ten addresses: the eleventh is refused.
    m = await mark();
    for (let i = 0; i < 10; i++) await login(a.app, 'audit-clerk');
    const over = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'audit-clerk' }, remoteAddress: nextIp() });
    expect(over.statusCode).toBe(429);
    rows = await since(m);
    expect(rows.filter((r) => r.action === 'login')).toHaveLength(10);
    const refused = rows.filter((r) => r.action === 'login_refused');
    expect(refused.map((r) => [r.actor, detail(r).reason])).toEqual([['audit-clerk', 'rate_limited']]);
  });

  it('a view of one person, with its unit; a list page writes nothing', async () => {
    const admin = await login(a.app, 'demo-admin');
    const p: Row = await a.t.db('people').whereNotNull('id_enc').orderBy('id').first();
    const m = await mark();
    const ip = nextIp();
    const res = await a.app.inject({ method: 'GET', url: `/api/people/${p.id}`, headers: admin.read, remoteAddress: ip });
    expect(res.statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/api/findings', headers: admin.read, remoteAddress: ip })).statusCode).toBe(200);
    const rows = await since(m);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'demo-admin', action: 'view_person', entity: 'person', ip });
    expect(Number(rows[0].entity_id)).toBe(Number(p.id));
    expect(Number(rows[0].unit_id)).toBe(Number(p.unit_id));

    const full = await a.app.inject({ method: 'GET', url: `/api/people/${p.id}/id-number`, headers: admin.read, remoteAddress: ip });
    expect(full.statusCode).toBe(200);
    const [v] = await since(rows[0].id);
    expect(v).toMatchObject({ actor: 'demo-admin', action: 'view_full_id', ip });
    expect(Number(v.unit_id)).toBe(Number(p.unit_id));
  });

  it('an export: file name and rows', async () => {
    const staff = await login(a.app, 'demo-staff-01');
    const m = await mark();
    const ip = nextIp();
    const res = await a.app.inject({ method: 'GET', url: '/api/export/data', headers: staff.read, remoteAddress: ip });
    expect(res.statusCode).toBe(200);
    const rows = await since(m);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'demo-staff-01', action: 'export', ip });
    const d = detail(rows[0]);
    expect(d.file).toMatch(/^机构和人员-脱敏-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(d.rows).toBeGreaterThan(400);
    expect(d).toMatchObject({ kind: 'all', via: 'console' });
  });

  it('an import: file name, rows, outcome', async () => {
    const admin = await login(a.app, 'demo-admin');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-audit-'));
    try {
      const file = path.join(dir, 't.xlsx');
      await writeTemplate(file);
      const m = await mark();
      const ip = nextIp();
      const body = multipartBody('file', '空白模板.xlsx', fs.readFileSync(file));
      const res = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, ...body.headers }, payload: body.payload, remoteAddress: ip });
      expect(res.statusCode, res.body).toBe(202);
      for (;;) {
        const view = (await a.app.inject({ method: 'GET', url: `/api/import/${res.json().id}`, headers: admin.read })).json();
        if (view.state === 'done' || view.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const rows = (await since(m)).filter((r) => r.action === 'import');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'demo-admin', ip });
      expect(detail(rows[0])).toMatchObject({ file: '空白模板.xlsx', outcome: 'ok', rows: 0 });
      // Its row is signed like any other although the import ran on its own connection.
      expect(rows[0].row_mac).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a request submitted, reviewed and decided: one row each, with the unit', async () => {
    const spec = await login(a.app, 'audit-spec');
    const ip = nextIp();
    let m = await mark();
    const s = await a.app.inject({ method: 'POST', url: '/api/requests', headers: spec.write, remoteAddress: ip, payload: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: '行政编制', 数量: 1, 申请理由: '补充' } });
    expect(s.statusCode, s.body).toBe(201);
    const id = s.json().id;
    const clerk = await login(a.app, 'audit-clerk').catch(() => null);
    // audit-clerk may be over its login limit from the first test: the office's other account reviews.
    const reviewer = clerk ?? (await login(a.app, 'demo-staff-01'));
    expect((await a.app.inject({ method: 'POST', url: `/api/requests/${id}/review`, headers: reviewer.write, remoteAddress: ip, payload: { decision: 'pass' } })).statusCode).toBe(200);
    const lead = await login(a.app, 'audit-lead');
    m = await mark();
    const d = await a.app.inject({ method: 'POST', url: `/api/requests/${id}/decide`, headers: lead.write, remoteAddress: ip, payload: { decision: 'approve', comment: '同意' } });
    expect(d.statusCode, d.body).toBe(200);
    const rows = await since(m);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'audit-lead', action: 'request_decide', entity: 'request', ip });
    expect(Number(rows[0].entity_id)).toBe(id);
    expect(Number(rows[0].unit_id)).toBe(unitId);
    expect(detail(rows[0])).toMatchObject({ decision: 'approve', kind: '用编计划' });
    const all = await a.t.db('audit_log').where({ entity: 'request', entity_id: id }).orderBy('id');
    expect(all.map((r: Row) => r.action)).toEqual(['request_submit', 'request_review', 'request_decide']);
  });

  it('a setting changed', async () => {
    const admin = await login(a.app, 'demo-admin');
    const m = await mark();
    const ip = nextIp();
    const res = await a.app.inject({ method: 'PUT', url: '/api/weekly/settings', headers: admin.write, remoteAddress: ip, payload: { requestLimitWorkdays: 12 } });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await since(m);
    expect(rows.map((r) => [r.actor, r.action, r.ip])).toEqual([['demo-admin', 'weekly_settings', ip]]);
    // A command called by a route records the request's address without being passed it.
    const m2 = await mark();
    const cal = await a.app.inject({ method: 'PUT', url: '/api/calendar', headers: admin.write, remoteAddress: ip, payload: CALENDAR_CHANGE });
    expect(cal.statusCode, cal.body).toBe(200);
    expect((await since(m2)).map((r) => [r.actor, r.action, r.ip])).toEqual([['demo-admin', 'calendar_override', ip]]);
  });

  it('holds no real ID number anywhere, after the acts that handle full numbers', async () => {
    const db = a.t.db;
    // The real numbers of the test database, decrypted.
    const real = new Set<string>();
    for (const table of ['people', 'workers']) {
      for (const r of (await db(table).whereNotNull('id_enc').select('id_enc')) as Row[]) real.add(a.t.pii.decrypt(String(r.id_enc)));
    }
    expect(real.size).toBeGreaterThan(400);
    const someone = [...real].find((n) => /^\d{17}[\dX]$/.test(n))!;
    const admin = await login(a.app, 'demo-admin');
    const lead = await login(a.app, 'audit-lead'); // 分管领导: may not see full numbers
    const ip = nextIp();
    // A full-ID export (written to its row with file name and count), and one refused.
    const m = await mark();
    const full = await a.app.inject({ method: 'GET', url: '/api/export/data?fullIds=1', headers: admin.read, remoteAddress: ip });
    expect(full.statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/api/export/data?fullIds=1', headers: lead.read, remoteAddress: ip })).statusCode).toBe(403);
    expect((await since(m)).map((r) => r.action)).toEqual(['export_full_ids', 'full_id_refused']);
    // An import whose file name holds a person's number: the row keeps the name, the number masked.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-audit-'));
    try {
      const file = path.join(dir, 't.xlsx');
      await writeTemplate(file);
      const body = multipartBody('file', `花名册-${someone}.xlsx`, fs.readFileSync(file));
      const res = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, ...body.headers }, payload: body.payload, remoteAddress: ip });
      expect(res.statusCode, res.body).toBe(202);
      for (;;) {
        const view = (await a.app.inject({ method: 'GET', url: `/api/import/${res.json().id}`, headers: admin.read })).json();
        if (view.state === 'done' || view.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const imported: Row = await db('audit_log').where({ action: 'import' }).orderBy('id', 'desc').first();
    expect(detail(imported).file).toBe(`花名册-${someone.slice(0, 6)}***********${someone.slice(-1)}.xlsx`);

    // Every column of every row (the MACs are hex: checked for the real numbers only).
    const rows: Row[] = await db('audit_log').orderBy('id');
    expect(rows.length).toBeGreaterThan(30);
    const actions = new Set(rows.map((r) => r.action));
    for (const act of ['login', 'login_refused', 'logout', 'view_person', 'view_full_id', 'export', 'export_full_ids', 'full_id_refused', 'import', 'request_submit', 'request_review', 'request_decide', 'weekly_settings', 'calendar_override']) {
      expect(actions, act).toContain(act);
    }
    for (const r of rows) {
      const all = Object.values(r).map((v) => String(v ?? '')).join('|').toUpperCase();
      for (const n of real) expect(all.includes(n), `第 ${r.id} 行（${r.action}）含身份证号`).toBe(false);
      const text = [r.actor, r.entity, r.ip, r.detail].map((v) => String(v ?? '')).join('|');
      expect(text, `第 ${r.id} 行（${r.action}）`).not.toMatch(/\d{17}[\dXx]/);
    }
  });

  it('the chain verifies after all of it', async () => {
    await sealAuditChain(a.t.db);
    expect(await verifyAuditChain(a.t.db)).toMatchObject({ ok: true, unsealed: 0 });
  });
});
