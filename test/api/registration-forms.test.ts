// Issue 18, the 《人员入(出)编登记表》 through the API as the mini-app and console call it (SQLite;
// MariaDB with SANSE_TEST_DB=mysql): an approved 增人入编 / 减人出编 issues exactly one form in the
// approval's transaction; the Word and PDF files carry exactly the approved request's facts (each
// field compared with the request, the person, the unit and the approvers read here from the
// database, independently of the code that made the form); numbers run per year without gaps,
// also under concurrent approvals; another unit's user gets 403; the ID number is masked for roles
// without full-ID rights, in the file too; the unit's group is sent a link and no ID number; the
// office's register lists, filters and exports (audited).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { idCheckChar } from '../../core/idnumber.ts';
import { decideRequest } from '../../commands/decide-request.ts';
import { issueRegistrationForm } from '../../commands/registration-form.ts';
import { idRow } from '../../db/store.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

const AT = '2026-01-01 00:00:00';
// Approvals through the API are dated by the server's clock: the direct ones here too, so all share a year.
const TODAY = todayInShanghai();
const Y = Number(TODAY.slice(0, 4));
let a: ApiTestApp;
let unitA: number;
let unitB: number;
let unitC: number;
let unitD: number;
let spec: Session;
let specB: Session;
let clerk: Session;
let lead: Session;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-regform-'));

const idNo = (birth: string, seq: number) => {
  const body = `330603${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return body + idCheckChar(body);
};
const NEWCOMER = idNo('1995-08-08', 19);

beforeAll(async () => {
  a = await startApp({ seed: false, env: { PUBLIC_BASE_URL: 'http://127.0.0.1:3414' } });
  const db = a.t.db;
  [unitA] = (await db('units').insert({ code: '11330603MB0000017X', name: '登记表测试局', region_code: '330603', group_id: 'group-a', created_at: AT, updated_at: AT })).map(Number);
  [unitB] = (await db('units').insert({ code: '11330603MB0000018X', name: '另一测试局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  [unitC] = (await db('units').insert({ code: '11330603MB0000020X', name: '第三测试局', region_code: '330603', group_id: 'group-c', created_at: AT, updated_at: AT })).map(Number);
  [unitD] = (await db('units').insert({ code: '11330603MB0000021X', name: '第四测试局', region_code: '330603', group_id: 'group-d', created_at: AT, updated_at: AT })).map(Number);
  await db('quotas').insert([{ unit_id: unitA, kind: '行政编制', approved: 20 }, { unit_id: unitB, kind: '事业编制', approved: 20 }, { unit_id: unitC, kind: '行政编制', approved: 20 }, { unit_id: unitD, kind: '行政编制', approved: 20 }]);
  await db('users').insert([
    { id: 'spec', name: '专管员甲', role: '单位专管员', unit_id: unitA, created_at: AT, updated_at: AT },
    { id: 'specB', name: '专管员乙', role: '单位专管员', unit_id: unitB, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科小李', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead', name: '张主任', role: '分管领导', created_at: AT, updated_at: AT },
    { id: 'lead2', name: '赵主任', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
  [spec, specB, clerk, lead] = await Promise.all([login(a.app, 'spec'), login(a.app, 'specB'), login(a.app, 'clerk'), login(a.app, 'lead')]);
}, 120_000);
afterAll(async () => {
  await a?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const get = (who: Session, url: string) => a.app.inject({ method: 'GET', url, headers: who.read });
const post = (who: Session, url: string, payload: object) => a.app.inject({ method: 'POST', url, headers: who.write, payload });

let personSeq = 100;
async function addPerson(unit: number, name: string, quotaKind: string): Promise<{ id: number; idNumber: string }> {
  const idNumber = idNo(`19${60 + (personSeq % 30)}-0${1 + (personSeq % 9)}-1${personSeq % 10}`, personSeq++);
  const [id] = (await a.t.db('people').insert({ unit_id: unit, name, gender: '女', status: '在编', quota_kind: quotaKind, birth_date: `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`, ...idRow(idNumber, a.t.pii, TODAY), created_at: AT, updated_at: AT })).map(Number);
  return { id, idNumber };
}

/** Submitted by the unit's specialist (`by`), passed at 初审 by the clerk: waits for 终审. */
async function reviewed(by: Session, payload: object): Promise<number> {
  const s = await post(by, '/api/requests', payload);
  expect(s.statusCode, s.body).toBe(201);
  const id = Number(s.json().id);
  const r = await post(clerk, `/api/requests/${id}/review`, { decision: 'pass', comment: '材料齐全，同意报送' });
  expect(r.statusCode, r.body).toBe(200);
  return id;
}

async function exitRequest(unit: number, by: Session, name: string, quotaKind: string, reason = '退休'): Promise<{ id: number; person: { id: number; idNumber: string } }> {
  const person = await addPerson(unit, name, quotaKind);
  const id = await reviewed(by, { 申请类型: '减人出编', 单位ID: unit, 人员ID: person.id, 出编原因: reason, 出编日期: '2026-11-20', 申请理由: `${name}已办理${reason}手续` });
  return { id, person };
}

/** The text of each table cell of the Word file, in order, and all its paragraphs. */
async function docxCells(buf: Buffer): Promise<{ cells: string[]; text: string }> {
  const xml = await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string');
  const textOf = (x: string) => [...x.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');
  const cells = [...xml.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((m) => textOf(m[1]));
  const text = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => textOf(m[0])).join('\n');
  return { cells, text };
}

/** label → value of the form's cells (a label cell is followed by its value cell). */
function pairs(cells: string[], labels: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < cells.length - 1; i++) if (labels.includes(cells[i]) && !(cells[i] in out)) out[cells[i]] = cells[i + 1];
  return out;
}

function pdfText(buf: Buffer, name: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, buf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** The repo's one masked form (region code and check character), written out here. */
const mask = (id: string) => `${id.slice(0, 6)}${'*'.repeat(11)}${id.slice(-1)}`;
const squash = (s: string) => s.replace(/\s+/g, '');
const cnDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const cnMoment = (m: string) => `${cnDate(m)} ${m.slice(11, 16)}`;

/** What the form must say, read here straight from the database (not through the form's code). */
async function expectedFacts(requestId: number, idShown: string): Promise<{ title: string; number: string; fields: Record<string, string>; office: string; approvedOn: string }> {
  const db = a.t.db;
  const req = await db('staffing_requests').where({ id: requestId }).first();
  const person = await db('people').where({ id: req.person_id }).first();
  const unit = await db('units').where({ id: req.unit_id }).first();
  const steps = await db('request_steps as s').join('users as u', 'u.id', 's.by').where('s.request_id', requestId).orderBy('s.id').select('s.decision', 's.at', 's.comment', 'u.name');
  const form = await db('registration_forms').where({ request_id: requestId }).first();
  const payload = JSON.parse(req.payload);
  const step = (d: string) => steps.find((s) => s.decision === d);
  const approverLine = (s: { name: string; at: string; comment: string | null }) => `${s.name}　${cnMoment(s.at)}${s.comment ? `　意见：${s.comment}` : ''}`;
  const fields: Record<string, string> = {
    姓名: person.name,
    性别: person.gender ?? '—',
    身份证号: idShown,
    出生日期: person.birth_date ?? '—',
    // The unit by its name and 统一社会信用代码; its internal id is never printed.
    所在单位: unit.code ? `${unit.name}（统一社会信用代码 ${unit.code}）` : unit.name,
    编制类型: req.kind === '增人入编' ? payload.quotaKind : person.quota_kind,
    审批编号: req.request_no,
    批准日期: req.approved_on,
    申请理由: req.reason ?? payload.reason,
    初审: approverLine(step('pass')),
    终审: approverLine(step('approve')),
  };
  if (req.kind === '增人入编') Object.assign(fields, { 入编日期: person.entered_on, 参加工作时间: person.work_start_on, 学历: person.education, 人员身份: person.identity });
  else Object.assign(fields, { 出编原因: person.exit_reason, 出编日期: person.exit_on });
  const office = JSON.parse((await db('settings').where({ key: 'office' }).first())?.value ?? '{}').name ?? '机构编制委员会办公室';
  return { title: req.kind === '增人入编' ? '人员入编登记表' : '人员出编登记表', number: form.number, fields, office, approvedOn: req.approved_on };
}

async function checkFiles(who: Session, requestId: number, idShown: string, forbidden: string | null): Promise<void> {
  const exp = await expectedFacts(requestId, idShown);
  const docx = await get(who, `/api/requests/${requestId}/registration-form.docx`);
  expect(docx.statusCode, docx.body.slice(0, 200)).toBe(200);
  expect(docx.headers['content-type']).toContain('wordprocessingml');
  const { cells, text } = await docxCells(docx.rawPayload);
  const got = pairs(cells, Object.keys(exp.fields));
  expect(got).toEqual(exp.fields);
  expect(text).toContain(exp.title);
  expect(text).not.toContain('单位ID');
  expect(text).toContain(exp.number);
  expect(text).toContain(exp.office);
  expect(text).toContain(cnDate(exp.approvedOn));
  const pdf = await get(who, `/api/requests/${requestId}/registration-form.pdf`);
  expect(pdf.statusCode).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  const ptext = pdfText(pdf.rawPayload, `${who.userId}-${requestId}.pdf`);
  const flat = squash(ptext);
  for (const [label, value] of Object.entries(exp.fields)) expect(flat, `${label} in the PDF`).toContain(squash(`${label}${value}`));
  for (const s of [exp.title, exp.number, exp.office, cnDate(exp.approvedOn)]) expect(flat).toContain(squash(s));
  if (forbidden) {
    expect(text).not.toContain(forbidden);
    expect(flat).not.toContain(forbidden);
  }
}

describe('registration forms', () => {
  it('an approved 增人入编 issues one form whose Word and PDF carry exactly its facts; the group gets a link and no ID number', async () => {
    const id = await reviewed(spec, {
      申请类型: '增人入编', 单位ID: unitA, 身份证号: NEWCOMER, 姓名: '新人甲', 性别: '男', 出生日期: '1995-08-08', 使用编制类型: '行政编制', 人员身份: '干部',
      参加工作时间: '2018-07-01', 入编时间: '2026-11-20', 学历: '大学本科', 申请理由: '公务员招录新进人员',
    });
    // Nothing before the approval.
    expect((await get(spec, `/api/requests/${id}/registration-form`)).json()).toEqual({ form: null });
    expect((await get(spec, `/api/requests/${id}/registration-form.pdf`)).statusCode).toBe(404);
    const d = await post(lead, `/api/requests/${id}/decide`, { decision: 'approve', comment: '同意入编' });
    expect(d.statusCode, d.body).toBe(200);
    const forms = await a.t.db('registration_forms').where({ request_id: id });
    expect(forms).toHaveLength(1);
    // No office short name in the settings: 编登〔2026〕1号.
    expect(forms[0]).toMatchObject({ number: `编登〔${Y}〕1号`, year: Y, seq: 1, kind: '入编', unit_id: unitA, issued_by: 'lead' });
    expect(forms[0].facts).not.toContain(NEWCOMER);
    expect(a.t.pii.decrypt(forms[0].id_enc)).toBe(NEWCOMER);

    const info = await get(spec, `/api/requests/${id}/registration-form`);
    expect(info.json().form).toMatchObject({ number: `编登〔${Y}〕1号`, kind: '入编', title: '人员入编登记表', personName: '新人甲', unitName: '登记表测试局' });
    const masked = mask(NEWCOMER);
    // The unit's specialist and the 分管领导: masked; the 编办业务人员 (FULL_ID_ROLES): the full number.
    await checkFiles(spec, id, masked, NEWCOMER);
    await checkFiles(lead, id, masked, NEWCOMER);
    await checkFiles(clerk, id, NEWCOMER, null);
    const downloads = await a.t.db('audit_log').where({ action: 'registration_form_download', entity_id: forms[0].id }).select('actor', 'detail');
    expect(downloads.map((r) => r.actor).sort()).toEqual(['clerk', 'clerk', 'lead', 'lead', 'spec', 'spec']);
    expect(downloads.filter((r) => JSON.parse(r.detail).fullId).map((r) => r.actor)).toEqual(['clerk', 'clerk']);
    expect(await a.t.db('audit_log').where({ action: 'registration_form_issue', entity_id: forms[0].id }).first()).toBeTruthy();

    const out = await a.t.db('outbox').where({ dedup_key: `registration-form:${id}` }).first();
    expect(out).toBeTruthy();
    const delivery = JSON.parse(out.payload);
    expect(delivery.target).toEqual({ kind: 'group', groupId: 'group-a' });
    expect(delivery.message.kind).toBe('actionCard');
    expect(delivery.message.text).toContain(`编登〔${Y}〕1号`);
    expect(delivery.message.text).toContain('新人甲');
    expect(delivery.message.buttons).toEqual([{ title: '下载登记表', url: `http://127.0.0.1:3414/m/#/requests/${id}` }]);
    expect(out.payload).not.toMatch(/\d{6}\*{11}[\dX]|\d{17}[\dX]/);
  }, 120_000);

  it('numbers run per year without gaps with the office short name; approving twice issues one form; a rejection none', async () => {
    const db = a.t.db;
    await db('settings').insert({ key: 'office', value: JSON.stringify({ name: '柯桥区委编办', shortName: '柯编', regionName: '柯桥区' }) });
    const x = await exitRequest(unitA, spec, '出编乙', '行政编制');
    const d = await post(lead, `/api/requests/${x.id}/decide`, { decision: 'approve', comment: '同意' });
    expect(d.statusCode, d.body).toBe(200);
    const again = await post(lead, `/api/requests/${x.id}/decide`, { decision: 'approve' });
    expect(again.statusCode).toBe(409);
    // A repeated callback (the card's button) and a direct second issue: still one form.
    const actor = { id: 'lead2', role: '分管领导', scope: null };
    const deps = { db, pii: a.t.pii, today: TODAY, publicBaseUrl: 'http://127.0.0.1:3414' };
    expect((await decideRequest(deps, { actor, id: x.id, decision: 'approve' })).outcome).toBe('already');
    expect(await db.transaction((trx) => issueRegistrationForm(trx, deps, x.id, 'lead2'))).toMatchObject({ number: `柯编登〔${Y}〕2号` });
    expect(await db('registration_forms').where({ request_id: x.id }).select('number')).toEqual([{ number: `柯编登〔${Y}〕2号` }]);
    expect(await db('outbox').where({ dedup_key: `registration-form:${x.id}` }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    await checkFiles(clerk, x.id, x.person.idNumber, null);
    await checkFiles(spec, x.id, mask(x.person.idNumber), x.person.idNumber);

    const r = await exitRequest(unitA, spec, '出编丙', '行政编制', '调出');
    expect((await post(lead, `/api/requests/${r.id}/decide`, { decision: 'reject', comment: '材料不全' })).statusCode).toBe(200);
    expect(await db('registration_forms').where({ request_id: r.id }).first()).toBeUndefined();
    expect((await get(spec, `/api/requests/${r.id}/registration-form.pdf`)).json().error).toContain('终审同意后才签发');
  }, 120_000);

  it('concurrent approvals of four units number without gaps or duplicates; a double decision of one request issues one', async () => {
    const db = a.t.db;
    const before = Number((await db('registration_form_counters').where({ year: Y }).first())?.last ?? 0);
    const reqs = await Promise.all([
      exitRequest(unitA, spec, '并发甲', '行政编制'), exitRequest(unitB, specB, '并发乙', '事业编制'),
      exitRequest(unitA, spec, '并发丙', '行政编制'), exitRequest(unitB, specB, '并发丁', '事业编制'),
      // Submitted by the office on behalf of two more units: four units approved at once.
      exitRequest(unitC, clerk, '并发戊', '行政编制'), exitRequest(unitD, clerk, '并发己', '行政编制'),
      exitRequest(unitC, clerk, '并发庚', '行政编制'), exitRequest(unitD, clerk, '并发辛', '行政编制'),
    ]);
    const deps = { db, pii: a.t.pii, today: TODAY, publicBaseUrl: 'http://127.0.0.1:3414' };
    const lead1 = { id: 'lead', role: '分管领导', scope: null };
    const lead2 = { id: 'lead2', role: '分管领导', scope: null };
    const results = await Promise.all(reqs.flatMap((r) => [
      decideRequest(deps, { actor: lead1, id: r.id, decision: 'approve', recheck: 'deferred' }),
      decideRequest(deps, { actor: lead2, id: r.id, decision: 'approve', recheck: 'deferred' }),
    ]));
    expect(results.filter((r) => r.outcome === 'decided')).toHaveLength(8);
    const forms = await db('registration_forms').whereIn('request_id', reqs.map((r) => r.id)).orderBy('seq').select('seq', 'number', 'request_id');
    expect(forms).toHaveLength(8);
    expect(forms.map((f) => Number(f.seq))).toEqual(Array.from({ length: 8 }, (_, i) => before + 1 + i));
    expect(forms.map((f) => f.number)).toEqual(forms.map((f) => `柯编登〔${Y}〕${f.seq}号`));
    const all = await db('registration_forms').where({ year: Y }).orderBy('seq').pluck('seq');
    expect(all.map(Number)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    // unit B has no work group: its specialist is told 1:1.
    const out = JSON.parse((await db('outbox').where({ dedup_key: `registration-form:${reqs[1].id}` }).first()).payload);
    expect(out.target).toEqual({ kind: 'users', userIds: ['specB'] });
  }, 180_000);

  it('another unit\'s user gets 403; the register is the office\'s, filtered, and exported (audited, masked)', async () => {
    const db = a.t.db;
    const formA = await db('registration_forms').where({ unit_id: unitA }).orderBy('seq').first();
    for (const suffix of ['', '.pdf', '.docx']) {
      const r = await get(specB, `/api/requests/${formA.request_id}/registration-form${suffix}`);
      expect(r.statusCode, suffix).toBe(403);
      expect(r.json().error).toBe('超出您的数据范围');
    }
    expect((await get(spec, '/api/registration-forms')).statusCode).toBe(403);
    expect((await get(spec, '/api/registration-forms.xlsx')).statusCode).toBe(403);
    const all = await get(clerk, '/api/registration-forms');
    expect(all.statusCode).toBe(200);
    const count = Number((await db('registration_forms').count({ n: '*' }).first())!.n);
    expect(all.json().rows).toHaveLength(count);
    expect(all.json().years).toEqual([Y]);
    const exits = (await get(clerk, `/api/registration-forms?year=${Y}&kind=出编&unit=${unitB}`)).json().rows;
    const expected = await db('registration_forms').where({ year: Y, kind: '出编', unit_id: unitB }).orderBy('seq', 'desc').pluck('number');
    expect(exits.map((r: { number: string }) => r.number)).toEqual(expected);
    expect(exits.length).toBe(2);
    for (const r of all.json().rows) expect(r.idMasked).toMatch(/^\d{6}\*{11}[\dX]$/);
    expect(all.body).not.toMatch(/\d{17}[\dX]/);
    const bad = await get(clerk, '/api/registration-forms?kind=调入');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('类型应为 入编 或 出编');
    expect((await get(clerk, '/api/registration-forms?year=26')).json().error).toContain('四位数字');

    const x = await get(clerk, `/api/registration-forms.xlsx?year=${Y}&kind=出编`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('登记表台账')!;
    const rows = ws.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1).map((c) => String(c ?? '')));
    const exitNumbers = await db('registration_forms').where({ kind: '出编' }).orderBy('seq', 'desc').pluck('number');
    expect(rows.map((r) => r[0])).toEqual(exitNumbers);
    for (const r of rows) expect(r[5]).toMatch(/^\d{6}\*{11}[\dX]$/);
    const au = await db('audit_log').where({ action: 'registration_register_export', actor: 'clerk' }).first();
    expect(JSON.parse(au.detail)).toMatchObject({ rows: exitNumbers.length, filters: { year: Y, kind: '出编' } });
  }, 120_000);
});
