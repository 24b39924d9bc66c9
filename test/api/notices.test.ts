// 书面函告 over HTTP (issue 18 deliverable 5): the demo county checked on D0, its half-year 2026H2
// cross-checked on 2027-01-04; the office lists every notice, a unit sees only its own, another
// unit's people get 403 for reading and replying, the reply and the review go through, the files
// are .docx and PDF with masked IDs only, the settings are validated by field. SQLite, or MariaDB.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { runHalfYearNotices } from '../../commands/half-year-notices.ts';
import { subtreeIds } from '../../db/scope.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let admin: Session;
const BASE = 'http://127.0.0.1:3415';
let notice: Row;
let own: Session;
let other: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, BASE);
  const r = await runHalfYearNotices(a.t.db, { date: '2027-01-04', half: '2026H2', publicBaseUrl: BASE });
  expect(r.issued.length).toBeGreaterThan(1);
  admin = await login(a.app, 'demo-admin');
  // A notice whose unit has a 单位专管员, and a 专管员 of another unit.
  const withSpecialist: Row = await a.t.db('notices as n').join('users as u', 'u.unit_id', 'n.unit_id').where('u.role', '单位专管员').orderBy('n.id').first('n.*', 'u.id as user_id');
  notice = withSpecialist;
  own = await login(a.app, withSpecialist.user_id);
  const o: Row = await a.t.db('users').where('role', '单位专管员').whereNot('unit_id', withSpecialist.unit_id).first('id');
  other = await login(a.app, o.id);
}, 120_000);
afterAll(async () => { await a?.close(); });

const get = (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });
const post = (s: Session, url: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') => a.app.inject({ method, url, headers: s.write, payload: payload as object });

describe(`书面函告 API (${TEST_DB_KIND})`, () => {
  it('the office lists every notice with its state; a unit only its own', async () => {
    const all = (await get(admin, '/api/notices')).json();
    expect(all.rows.length).toBe(Number((await a.t.db('notices').count({ n: '*' }).first())!.n));
    expect(all.halves).toEqual(['2026H2']);
    expect(new Set(all.rows.map((r: Row) => r.stateText))).toEqual(new Set(['未回复']));
    const mine = (await get(own, '/api/notices')).json();
    // Its own unit's and its subordinate units' (the scope of a unit role), no other.
    const scope = new Set(await subtreeIds(a.t.db, Number(notice.unit_id)));
    expect(mine.rows.map((r: Row) => r.unitId)).toContain(Number(notice.unit_id));
    expect(mine.rows.every((r: Row) => scope.has(r.unitId))).toBe(true);
    expect(mine.rows.length).toBeLessThan(all.rows.length);
  });

  it('another unit\'s 专管员 may neither read nor reply (403); bad ids 404/400', async () => {
    expect((await get(other, `/api/notices/${notice.id}`)).statusCode).toBe(403);
    expect((await get(other, `/api/notices/${notice.id}/file?format=pdf`)).statusCode).toBe(403);
    const r = await post(other, `/api/notices/${notice.id}/reply`, { text: '我单位已全部整改完毕，请审核。' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error ?? r.json().message).toMatch(/权限|范围/);
    expect((await get(admin, '/api/notices/99999')).statusCode).toBe(404);
    expect((await get(admin, '/api/notices/abc')).statusCode).toBe(400);
  });

  it('the files: .docx and PDF, audited, masked IDs only', async () => {
    const docx = await get(own, `/api/notices/${notice.id}/file?format=docx`);
    expect(docx.statusCode).toBe(200);
    expect(docx.headers['content-type']).toContain('wordprocessingml');
    const pdf = await get(admin, `/api/notices/${notice.id}/file?format=pdf`);
    expect(pdf.statusCode).toBe(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notice-'));
    fs.writeFileSync(path.join(dir, 'n.pdf'), pdf.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'n.pdf'), '-']).toString();
    expect(text).toContain(notice.number);
    expect(text).toContain('关于机构编制实名制数据问题整改的函');
    expect(text).not.toMatch(/\d{17}[\dX]/);
    fs.rmSync(dir, { recursive: true, force: true });
    expect((await a.t.db('audit_log').where({ action: 'notice_download', entity_id: notice.id })).length).toBe(2);
  });

  it('the unit replies (validated), the office returns, the unit replies again, the office closes', async () => {
    const short = await post(own, `/api/notices/${notice.id}/reply`, { text: '好' });
    expect(short.statusCode).toBe(400);
    expect(short.json().fields.text).toContain('至少写 10 个字');
    const ok = await post(own, `/api/notices/${notice.id}/reply`, { text: '已逐项核对并整改，详见各项说明。' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'replied', canReply: false });
    const q = await login(a.app, 'demo-leader');
    expect((await post(q, `/api/notices/${notice.id}/review`, { decision: 'close' })).statusCode).toBe(403);
    const back = await post(admin, `/api/notices/${notice.id}/review`, { decision: 'return', note: '请说明未整改问题的计划' });
    expect(back.json()).toMatchObject({ returned: true, reviewNote: '请说明未整改问题的计划' });
    expect((await get(own, `/api/notices/${notice.id}`)).json()).toMatchObject({ canReply: true, returned: true });
    expect((await post(own, `/api/notices/${notice.id}/reply`, { text: '补充：其余问题本月底前完成整改。' })).statusCode).toBe(200);
    const closed = await post(admin, `/api/notices/${notice.id}/review`, { decision: 'close' });
    expect(closed.json()).toMatchObject({ state: 'closed', stateText: '已办结' });
    expect((await get(admin, '/api/notices?state=closed')).json().rows.map((r: Row) => r.id)).toEqual([notice.id]);
  });

  it('settings and a run by hand: validated, by role', async () => {
    const bad = await post(admin, '/api/notices/settings', { overdueWorkdays: '0' }, 'PUT');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.overdueWorkdays).toContain('1 至 120');
    const good = await post(admin, '/api/notices/settings', { overdueWorkdays: 15, replyWorkdays: '5' }, 'PUT');
    expect(good.json()).toMatchObject({ overdueWorkdays: 15, replyWorkdays: 5, repeatTimes: 3 });
    expect((await get(admin, '/api/notices/settings')).json()).toMatchObject({ overdueWorkdays: 15 });
    expect((await post(own, '/api/notices/run', { half: '2026H1' })).statusCode).toBe(403);
    expect((await post(admin, '/api/notices/run', { half: '2026H3' })).statusCode).toBe(400);
    const run = await post(admin, '/api/notices/run', { half: '2026H1' });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ half: '2026H1' });
  });
});
