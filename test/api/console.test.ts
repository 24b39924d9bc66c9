// The console: findings list (order, filters, redFrom), units with lights, findings export,
// import with an error workbook to download, a good import, running the check, the unit
// self-check.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { addDays } from '../../core/dates.ts';
import { redFrom } from '../../core/lights.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, multipartBody, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;
let specialist: Session;

beforeAll(async () => {
  a = await startApp();
  // Findings opened a week before today (red now) and today (yellow), so the list has both lights.
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await dailyCheck(a.t.db, addDays(today, -14), 'http://127.0.0.1:3000');
  const ids = (await a.t.db('findings').where({ status: 'open' }).orderBy('id').select('id')).map((r: Row) => Number(r.id));
  await a.t.db('findings').whereIn('id', ids.filter((_, i) => i % 2 === 0).slice(0, 400)).update({ opened_on: today, first_seen_on: today });
  admin = await login(a.app, 'demo-admin');
  const zgy = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  specialist = await login(a.app, zgy.id);
});
afterAll(async () => {
  await a?.close();
});

/** Uploads a file to POST /api/import (answered at once, 202) and polls its job until it ends. */
async function runImport(s: Session, fileName: string, content: Buffer, type?: string): Promise<Row> {
  const body = multipartBody('file', fileName, content, type);
  const res = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...s.write, ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().id;
  expect(id).toMatch(/^[0-9a-f]{24}$/);
  for (;;) {
    const job = await a.app.inject({ method: 'GET', url: `/api/import/${id}`, headers: s.read });
    expect(job.statusCode, job.body).toBe(200);
    const view = job.json();
    if (view.state === 'done' || view.state === 'failed') return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function workbook(payload: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(payload as unknown as ArrayBuffer);
  return wb;
}

describe('findings and units', () => {
  it('lists findings red, yellow, then 提示, each by deadline (oldest first), with title, severity and redFrom', async () => {
    const res = await a.app.inject({ method: 'GET', url: '/api/findings?limit=5000', headers: admin.read });
    expect(res.statusCode).toBe(200);
    const list = res.json() as Row[];
    expect(list.length).toBe(Number((await a.t.db('findings').where({ status: 'open' }).count({ n: '*' }).first())!.n));
    const lights = list.map((f) => f.light);
    expect(lights).toContain('red');
    expect(lights).toContain('yellow');
    expect(lights).toContain('hint');
    expect(lights.indexOf('yellow')).toBeGreaterThan(lights.lastIndexOf('red'));
    expect(lights.indexOf('hint')).toBeGreaterThan(lights.lastIndexOf('yellow'));
    for (const f of list) expect(f.light === 'hint', f.rule).toBe(f.severity === 'S3');
    for (let i = 1; i < list.length; i++) if (list[i].light === list[i - 1].light) expect(list[i].openedOn >= list[i - 1].openedOn).toBe(true);
    const cal = createCalendar();
    for (const f of list.slice(0, 50)) {
      expect(f.redFrom).toBe(redFrom(f.openedOn, cal));
      expect(f.title).toBeTruthy();
      expect(['S1', 'S2', 'S3']).toContain(f.severity);
    }
  });

  it('filters by unit (with its subordinates), rule, light, status and limit', async () => {
    const f = (await a.app.inject({ method: 'GET', url: '/api/findings?limit=1', headers: admin.read })).json()[0];
    const byRule = (await a.app.inject({ method: 'GET', url: `/api/findings?rule=${f.rule}&light=red`, headers: admin.read })).json() as Row[];
    expect(byRule.length).toBeGreaterThan(0);
    expect(byRule.every((x) => x.rule === f.rule && x.light === 'red')).toBe(true);
    const byUnit = (await a.app.inject({ method: 'GET', url: `/api/findings?unit=${f.unitId}`, headers: admin.read })).json() as Row[];
    expect(byUnit.some((x) => x.id === f.id), JSON.stringify(f)).toBe(true);
    expect((await a.app.inject({ method: 'GET', url: '/api/findings?limit=3', headers: admin.read })).json()).toHaveLength(3);
    expect((await a.app.inject({ method: 'GET', url: '/api/findings?status=resolved', headers: admin.read })).statusCode).toBe(200);
    for (const q of ['status=closed', 'light=blue', 'rule=NOPE', 'limit=0', 'limit=abc']) {
      const res = await a.app.inject({ method: 'GET', url: `/api/findings?${q}`, headers: admin.read });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('lists units with their light and open counts', async () => {
    const units = (await a.app.inject({ method: 'GET', url: '/api/units', headers: admin.read })).json() as Row[];
    expect(units.length).toBe(Number((await a.t.db('units').count({ n: '*' }).first())!.n));
    const red = units.find((u) => u.light === 'red')!;
    expect(red.red).toBeGreaterThan(0);
    expect(red.open).toBe(red.red + red.yellow + red.hint);
    expect(units[0].red).toBeGreaterThanOrEqual(units[units.length - 1].red);
    const mine = (await a.app.inject({ method: 'GET', url: '/api/units', headers: specialist.read })).json() as Row[];
    expect(mine.map((u) => u.code)).toContain(specialist.me.unit.code);
    expect(mine.length).toBeLessThan(units.length);
  });

  it('exports the findings as .xlsx with a Chinese file name (RFC 5987), honouring the filters', async () => {
    const res = await a.app.inject({ method: 'GET', url: '/api/export/findings?light=red', headers: admin.read });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(/^attachment; filename="findings-\d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cd.split("UTF-8''")[1])).toMatch(/^问题清单-全部单位-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const ws = (await workbook(res.rawPayload)).getWorksheet('问题清单')!;
    const lights: string[] = [];
    ws.eachRow((row, n) => { if (n > 1) lights.push(String(row.getCell(8).value)); });
    const reds = (await a.app.inject({ method: 'GET', url: '/api/findings?light=red&limit=5000', headers: admin.read })).json();
    expect(lights.length).toBe(reds.length);
    expect(new Set(lights)).toEqual(new Set(['红灯']));
  });
});

describe('import', () => {
  let errorFile: string;

  it('answers a bad workbook with the errors and a downloadable error workbook, and stores nothing', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员');
    ws.addRow(['统一社会信用代码', '身份证号', '姓名', '出生日期']);
    ws.addRow(['NOSUCHUNIT0000000X', '110101199003070011', '', '1990-13-01']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const people = Number((await a.t.db('people').count({ n: '*' }).first())!.n);
    const job = await runImport(admin, '2026年人员.xlsx', buf);
    expect(job).toMatchObject({ state: 'done', fileName: '2026年人员.xlsx', progress: { phase: 'done', read: 1, validated: 1, written: 0, total: 1 } });
    const r = job.result;
    expect(r.ok).toBe(false);
    expect(r.errorCount).toBe(3);
    expect(r.errors.map((e: Row) => e.field).sort()).toEqual(['出生日期', '姓名', '统一社会信用代码'].sort());
    expect(r.errors.every((e: Row) => /^第2行 /.test(e.message))).toBe(true);
    expect(r.counts.people).toEqual({ created: 0, updated: 0, unchanged: 0 });
    expect(r.errorFile).toMatch(/^\/api\/import\/errors\/[0-9a-f]{32}\.xlsx$/);
    expect(Number((await a.t.db('people').count({ n: '*' }).first())!.n)).toBe(people);
    errorFile = r.errorFile;

    const dl = await a.app.inject({ method: 'GET', url: errorFile, headers: admin.read });
    expect(dl.statusCode).toBe(200);
    expect(decodeURIComponent(String(dl.headers['content-disposition']).split("UTF-8''")[1])).toBe('导入错误说明.xlsx');
    const back = (await workbook(dl.rawPayload)).getWorksheet('人员')!;
    expect(back.getRow(1).getCell(5).value).toBe('错误说明');
    expect(String(back.getRow(2).getCell(5).value)).toMatch(/第2行 姓名：不能为空/);
  });

  it('serves only error workbooks by their server-given names, to the office', async () => {
    for (const name of ['..%2F..%2Fetc%2Fpasswd', 'abc.xlsx', `${'0'.repeat(32)}.xlsx`, `${'A'.repeat(32)}.xlsx`]) {
      const res = await a.app.inject({ method: 'GET', url: `/api/import/errors/${name}`, headers: admin.read });
      expect(res.statusCode, name).toBe(404);
    }
    expect((await a.app.inject({ method: 'GET', url: errorFile, headers: specialist.read })).statusCode).toBe(403);
  });

  it('imports a good CSV file, versioned with its name', async () => {
    const csv = '\ufeff用户ID,姓名,角色,统一社会信用代码\nnew-query-user,孙查询,查询用户,\n';
    const job = await runImport(admin, '用户.csv', Buffer.from(csv, 'utf8'), 'text/csv');
    expect(job.state).toBe('done');
    expect(job.progress).toMatchObject({ phase: 'done', total: 1, written: 1 });
    expect(job.result).toMatchObject({ ok: true, errors: [], counts: { users: { created: 1 } } });
    expect(job.result.errorFile).toBeUndefined();
    expect(await a.t.db('users').where({ id: 'new-query-user' }).first()).toMatchObject({ role: '查询用户' });
    expect(await a.t.db('record_versions').where({ entity: 'user', source: '导入：用户.csv', changed_by: 'demo-admin' }).first()).toBeTruthy();
  });

  it('refuses other file types, a missing file and unreadable workbooks, in Chinese', async () => {
    const txt = multipartBody('file', 'notes.txt', Buffer.from('x'), 'text/plain');
    const r1 = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, ...txt.headers }, payload: txt.payload });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().error).toMatch(/只能导入/);
    const junk = multipartBody('file', 'junk.xlsx', Buffer.from('not a zip'));
    const r2 = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, ...junk.headers }, payload: junk.payload });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error).toBe('无法读取工作簿：文件已损坏或不是 .xlsx 格式');
    const r3 = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, 'content-type': 'application/json' }, payload: {} });
    expect(r3.statusCode).toBe(400);
  });
});

describe('check and self-check', () => {
  it('runs the daily check for the office, and refuses a unit specialist', async () => {
    const res = await a.app.inject({ method: 'POST', url: '/api/check', headers: admin.write, payload: { date: D0 } });
    expect(res.statusCode, res.body).toBe(202);
    // Queued (test/api/check-runs.test.ts): the summary comes with the finished run.
    let run: Row = {};
    for (let i = 0; i < 500 && !['ok', 'failed'].includes(run.state); i++) {
      await new Promise((r) => setTimeout(r, 20));
      run = (await a.app.inject({ method: 'GET', url: `/api/check/runs/${res.json().runId}`, headers: admin.read })).json();
    }
    expect(run.state, run.error).toBe('ok');
    const s = run.summary;
    expect(s).toMatchObject({ date: D0, units: Number((await a.t.db('units').count({ n: '*' }).first())!.n) });
    expect(s.findings.open).toBeGreaterThan(0);
    const refused = await a.app.inject({ method: 'POST', url: '/api/check', headers: specialist.write, payload: {} });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatch(/编办管理员/);
    const bad = await a.app.inject({ method: 'POST', url: '/api/check', headers: admin.write, payload: { date: '2026-02-30' } });
    expect(bad.statusCode).toBe(400);
  });

  it('records a self-check of the specialist\'s unit and re-checks it', async () => {
    const code = specialist.me.unit.code;
    const unit = await a.t.db('units').where({ code }).first();
    const before = Number((await a.t.db('self_checks').where({ unit_id: unit.id }).count({ n: '*' }).first())!.n);
    const res = await a.app.inject({ method: 'POST', url: `/api/units/${code}/self-check`, headers: specialist.write, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.unit.code).toBe(code);
    expect(body.findings.open).toBe(body.findings.red + body.findings.yellow);
    expect(body.selfChecksThisMonth).toBeGreaterThanOrEqual(1);
    const rows = await a.t.db('self_checks').where({ unit_id: unit.id }).orderBy('id', 'desc');
    expect(rows.length).toBe(before + 1);
    expect(rows[0]).toMatchObject({ user_id: specialist.userId });
    expect(Number(rows[0].findings)).toBe(body.findings.open);
  });
});
