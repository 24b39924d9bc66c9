// /api/feeds: a 社保 file uploaded as a job, its version listed, the row without an ID number
// offered with its candidate and linked only when an office user confirms; unit roles refused.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDemoFeeds, login, multipartBody, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let admin: Session;
let leader: Session;
let specialist: Session;
let person: Row;
let unit: Row;

beforeAll(async () => {
  a = await startApp();
  // The feeds these tests import are the first ones: the demo county's own are removed.
  await dropDemoFeeds(a.t.db);
  admin = await login(a.app, 'demo-admin');
  leader = await login(a.app, 'demo-leader');
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').first();
  specialist = await login(a.app, s.id);
  // A person whose name and birth nobody else on the roster shares.
  const people: Row[] = await a.t.db('people').whereNotNull('birth_key').whereNot({ status: '已出编' }).whereNotNull('id_hash').orderBy('id');
  person = people.find((p) => people.filter((q) => q.birth_key === p.birth_key && q.name === p.name).length === 1)!;
  unit = await a.t.db('units').where({ id: person.unit_id }).first();
});
afterAll(async () => {
  await a?.close();
});

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('社保');
  ws.addRow(['身份证号', '姓名', '参保单位', '出生日期', '参保状态']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(s: Session, url: string, file: Buffer, name = 'si.xlsx') {
  const body = multipartBody('file', name, file);
  return a.app.inject({ method: 'POST', url, headers: { ...s.write, ...body.headers }, payload: body.payload });
}

async function finished(s: Session, id: string): Promise<Row> {
  for (let i = 0; i < 200; i++) {
    const view = (await a.app.inject({ method: 'GET', url: `/api/feeds/import/${id}`, headers: s.read })).json();
    if (view.state === 'done' || view.state === 'failed') return view;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

describe('/api/feeds', () => {
  it('imports a 社保 file, lists the version, and proposes the candidate without linking', async () => {
    const res = await upload(admin, '/api/feeds/si/import?month=2026-10', await workbook([
      [null, person.name, unit.name, person.birth_key, '参保'],
      [null, '查无此人', '不存在的单位', '1970-01-01', '暂停'],
    ]));
    expect(res.statusCode, res.body).toBe(202);
    const view = await finished(admin, res.json().id);
    expect(view.state).toBe('done');
    expect(view.result).toMatchObject({ ok: true, kind: '社保', versions: [{ month: '2026-10', rows: 2, unmatchedUnits: 1, invalidIds: 2 }] });
    expect(view.result.notices.join('\n')).toContain('有 1 行的参保单位未能对应到机构：不存在的单位（1行）');
    const versions = (await a.app.inject({ method: 'GET', url: '/api/feeds/imports?kind=si', headers: leader.read })).json();
    expect(versions).toEqual([expect.objectContaining({ kind: '社保', month: '2026-10', rows: 2, by: 'demo-admin', fileName: 'si.xlsx', replacedBy: null })]);
    const units = (await a.app.inject({ method: 'GET', url: `/api/feeds/${encodeURIComponent('社保')}/unmatched-units`, headers: admin.read })).json();
    expect(units).toEqual([{ unit: '不存在的单位', code: null, rows: 1, months: ['2026-10'] }]);
    const list = (await a.app.inject({ method: 'GET', url: '/api/feeds/si/candidates', headers: admin.read })).json();
    const entry = list.find((e: Row) => e.name === person.name);
    expect(entry.candidates[0]).toMatchObject({ personId: Number(person.id), reason: '姓名相同', sameUnit: true, idMasked: person.id_masked, unitName: unit.name });
    expect(list.find((e: Row) => e.name === '查无此人').candidates).toEqual([]);
    expect(await a.t.db('feed_social_insurance').whereNotNull('id_hash').first()).toBeUndefined();
  });

  it('links on an office user\'s confirmation only, and withdraws', async () => {
    const list = (await a.app.inject({ method: 'GET', url: '/api/feeds/si/candidates', headers: admin.read })).json();
    const entry = list.find((e: Row) => e.name === person.name);
    const body = { sourceKey: entry.sourceKey, personId: Number(person.id) };
    const byLeader = await a.app.inject({ method: 'POST', url: '/api/feeds/si/links', headers: leader.write, payload: body });
    expect(byLeader.statusCode).toBe(403);
    expect(byLeader.json().error).toBe('只有编办管理员和编办业务人员可以确认外部数据的人员对应关系');
    const ok = await a.app.inject({ method: 'POST', url: '/api/feeds/si/links', headers: admin.write, payload: body });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rows: 1, reason: '姓名相同' });
    expect(await a.t.db('feed_social_insurance').where({ name: person.name }).first()).toMatchObject({ id_hash: person.id_hash, link_id: ok.json().linkId });
    const decisions = (await a.app.inject({ method: 'GET', url: '/api/feeds/si/decisions', headers: admin.read })).json();
    expect(decisions[0]).toMatchObject({ type: 'link', person: { id: Number(person.id), idMasked: person.id_masked }, rows: 1, withdrawnAt: null });
    const w = await a.app.inject({ method: 'POST', url: `/api/feeds/links/${ok.json().linkId}/withdraw`, headers: admin.write, payload: {} });
    expect(w.json()).toMatchObject({ rows: 1 });
    expect(await a.t.db('feed_social_insurance').where({ name: person.name }).first()).toMatchObject({ id_hash: null, link_id: null });
    const other = list.find((e: Row) => e.name === '查无此人');
    const m = await a.app.inject({ method: 'POST', url: '/api/feeds/si/no-match', headers: admin.write, payload: { sourceKey: other.sourceKey } });
    expect(m.statusCode).toBe(200);
    const mw = await a.app.inject({ method: 'POST', url: `/api/feeds/no-match/${m.json().id}/withdraw`, headers: admin.write, payload: {} });
    expect(mw.statusCode).toBe(200);
    const bad = await a.app.inject({ method: 'POST', url: '/api/feeds/si/links', headers: admin.write, payload: { sourceKey: 'x', personId: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers a bad file with its errors and an error workbook for the importer only', async () => {
    const res = await upload(admin, '/api/feeds/si/import?month=2026-11', await workbook([[null, person.name, unit.name, null, '在职']]));
    const view = await finished(admin, res.json().id);
    expect(view.result.ok).toBe(false);
    expect(view.result.errors[0].message).toBe('第2行 参保状态：“在职”不是有效的参保状态（可填：参保、暂停、退休、领取待遇）');
    const file = await a.app.inject({ method: 'GET', url: view.result.errorFile, headers: admin.read });
    expect(file.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    expect(String(wb.getWorksheet('社保')!.getRow(2).getCell(6).value)).toContain('第2行 参保状态');
    expect((await a.app.inject({ method: 'GET', url: '/api/feeds/imports', headers: admin.read })).json()).toHaveLength(1);
    const month = await upload(admin, '/api/feeds/payroll/import?month=2026-11', await workbook([]));
    expect(month.statusCode).toBe(400);
    expect(month.json().error).toContain('工资统发名单按各行的“月份”分月保存');
    const kind = await upload(admin, '/api/feeds/pension/import', await workbook([]));
    expect(kind.statusCode).toBe(404);
  });

  it('takes a CSV file of any name for 工资统发, each row\'s month its version', async () => {
    const csv = `身份证号,姓名,发薪单位,月份,应发\n,${person.name},${unit.name},2026-09,100\n,${person.name},${unit.name},2026-10,0\n`;
    const body = multipartBody('file', '10月工资.csv', Buffer.from(csv, 'utf8'), 'text/csv');
    const res = await a.app.inject({ method: 'POST', url: '/api/feeds/payroll/import', headers: { ...admin.write, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(202);
    const view = await finished(admin, res.json().id);
    expect(view.result.versions.map((v: Row) => [v.month, v.rows])).toEqual([['2026-09', 1], ['2026-10', 1]]);
    const versions = (await a.app.inject({ method: 'GET', url: '/api/feeds/imports?kind=payroll', headers: admin.read })).json();
    expect(versions.map((v: Row) => [v.month, v.fileName])).toEqual([['2026-10', '10月工资.csv'], ['2026-09', '10月工资.csv']]);
  });

  it('refuses a unit\'s roles in Chinese', async () => {
    for (const [method, url] of [['GET', '/api/feeds/imports'], ['GET', '/api/feeds/si/candidates'], ['POST', '/api/feeds/si/no-match']] as const) {
      const res = await a.app.inject({ method, url, headers: specialist.write, payload: method === 'POST' ? { sourceKey: 'a'.repeat(64) } : undefined });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toBe('外部数据比对仅供编办工作人员查看');
    }
    const up = await upload(specialist, '/api/feeds/si/import', await workbook([]));
    expect(up.statusCode).toBe(403);
    expect(up.json().error).toBe('只有编办管理员和编办业务人员可以导入外部名单');
  });
});
