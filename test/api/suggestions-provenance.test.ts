// Issue 18: 自动修正 (suggestions offered on the person / worker read, never applied by reading)
// and 首录负责制 (who first entered and who last changed each record; the office's 首录人查询).

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../core/idnumber.ts';
import { D0, login, multipartBody, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;
let staff: Session;
let zgy: Session;
let otherZgy: Session;
let unit: Row;
let person: Row;

const count = async (table: string) => Number((await a.t.db(table).count({ n: '*' }).first())!.n);
const get = (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });

beforeAll(async () => {
  a = await startApp();
  admin = await login(a.app, 'demo-admin');
  staff = await login(a.app, 'demo-staff-01');
  // A unit with a specialist, and one of its people whose ID number is valid.
  const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
  for (const s of specialists) {
    const p = await a.t.db('people').where({ unit_id: s.unit_id, id_kind: '18', id_check_ok: true, id_province_ok: true, id_birth_invalid: false, id_irregular: false }).whereNotNull('id_gender').whereNotNull('birth_date').where((q) => q.whereNull('leader_level').orWhereNotIn('leader_level', ['单位正职', '单位副职'])).orderBy('id').first();
    if (p) {
      person = p;
      unit = await a.t.db('units').where({ id: s.unit_id }).first();
      zgy = await login(a.app, s.id);
      break;
    }
  }
  expect(person, 'a person with a valid ID number in a unit with a specialist').toBeTruthy();
  const other = specialists.find((s) => Number(s.unit_id) !== Number(unit.id) && Number(s.unit_id) !== Number(unit.parent_id ?? 0))!;
  otherZgy = await login(a.app, other.id);
  // The record as a roster might hold it: the sex against the number, the birth date a month off,
  // the office with a full-width space; the unit's 内设机构 list holds the right name once.
  await a.t.db('units').where({ id: unit.id }).update({ internal_offices: '办公室、政策法规科、综合科' });
  const wrongBirth = `${person.id_birth.slice(0, 5)}${person.id_birth.slice(5, 7) === '01' ? '02' : '01'}${person.id_birth.slice(7)}`;
  await a.t.db('people').where({ id: person.id }).update({ gender: person.id_gender === '男' ? '女' : '男', birth_date: wrongBirth, office: '政策\u3000法规科' });
  person = await a.t.db('people').where({ id: person.id }).first();
});
afterAll(async () => {
  await a?.close();
});

describe('自动修正: suggestions on the read', () => {
  it('offers the specialist the sex from the ID number and the office name, not the birth date the mask hides; reading changes nothing', async () => {
    const versions = await count('record_versions');
    const before = await a.t.db('people').where({ id: person.id }).first();
    const res = await get(zgy, `/api/people/${person.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const s: Row[] = res.json().suggestions;
    expect(s.map((x) => x.field).sort()).toEqual(['性别', '所在处室'].sort());
    expect(s.find((x) => x.field === '性别')).toMatchObject({ current: person.gender, suggested: person.id_gender, rule: 'P-ID-09' });
    expect(s.find((x) => x.field === '所在处室')).toMatchObject({ current: '政策\u3000法规科', suggested: '政策法规科', rule: 'P-ST-08' });
    for (const x of s) expect(x.saveReason).toMatch(/^按系统建议：/);
    expect(JSON.stringify(s)).not.toContain(person.id_birth);
    // Nothing written by reading: no version, the row as it was.
    expect(await count('record_versions')).toBe(versions);
    expect(await a.t.db('people').where({ id: person.id }).first()).toEqual(before);
  });

  it('offers the office roles the birth date too, saying the 档案 may prevail', async () => {
    const res = await get(admin, `/api/people/${person.id}`);
    const birth = (res.json().suggestions as Row[]).find((x) => x.field === '出生日期');
    expect(birth).toMatchObject({ current: person.birth_date, suggested: person.id_birth, rule: 'P-ID-08' });
    expect(birth!.reason).toContain('档案');
  });

  it('offers nothing once the record agrees, or when the office name matches two 内设机构', async () => {
    await a.t.db('units').where({ id: unit.id }).update({ internal_offices: '办公室、政策法规科、政策 法规科' });
    const ambiguous = (await get(admin, `/api/people/${person.id}`)).json().suggestions as Row[];
    expect(ambiguous.map((x) => x.field)).not.toContain('所在处室');
    await a.t.db('units').where({ id: unit.id }).update({ internal_offices: '办公室、政策法规科、综合科' });
  });

  it('offers the regular writing of an irregularly written valid ID number (masked); the form re-sends the masked number and the save stores it regularly', async () => {
    await a.t.db('people').where({ id: person.id }).update({ id_irregular: true });
    const read = (await get(zgy, `/api/people/${person.id}`)).json();
    const id = (read.suggestions as Row[]).find((x) => x.field === '身份证号');
    expect(id).toMatchObject({ suggested: person.id_masked, rule: 'P-ID-07' });
    expect(JSON.stringify(read)).not.toMatch(/\d{17}[\dX]/);
    const versions = await count('record_versions');
    const res = await a.app.inject({ method: 'PUT', url: `/api/people/${person.id}`, headers: zgy.write, payload: { changes: { 身份证号: person.id_masked }, reason: id!.saveReason, version: read.version } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await count('record_versions')).toBe(versions + 1);
    const after = await a.t.db('people').where({ id: person.id }).first();
    expect(Boolean(after.id_irregular)).toBe(false);
    expect(after.id_hash).toBe(person.id_hash);
    // The save's answer already carries the record's suggestions without the one taken, and its provenance.
    expect((res.json().suggestions as Row[]).map((x) => x.field)).not.toContain('身份证号');
    expect(res.json().provenance.last).toMatchObject({ by: zgy.userId, source: '小程序修改' });
    expect(((await get(zgy, `/api/people/${person.id}`)).json().suggestions as Row[]).map((x) => x.field)).not.toContain('身份证号');
  });

  it('offers a worker the sex from a valid ID number, and nothing when the number is invalid', async () => {
    const w = await a.t.db('workers').where({ unit_id: unit.id }).first() ?? await a.t.db('workers').first();
    const s = await login(a.app, 'demo-admin');
    const valid = w.id_kind === '18' && w.id_check_ok && w.id_province_ok && !w.id_birth_invalid && w.id_gender;
    if (valid) {
      await a.t.db('workers').where({ id: w.id }).update({ gender: w.id_gender === '男' ? '女' : '男' });
      const body = (await get(s, `/api/workers/${w.id}`)).json();
      expect(body.suggestions).toEqual([expect.objectContaining({ field: '性别', suggested: w.id_gender, rule: null })]);
    }
    await a.t.db('workers').where({ id: w.id }).update({ id_check_ok: false, gender: '男', id_gender: '女' });
    expect((await get(s, `/api/workers/${w.id}`)).json().suggestions).toEqual([]);
  });
});

describe('首录负责制: first entry and last change', () => {
  const imported: number[] = [];
  const ids = [0, 1, 2].map((i) => {
    const body = `33060219${80 + i}0101${String(500 + i)}`;
    return body + idCheckChar(body);
  });

  it('an import by the office, then an edit by the unit: first = the importer with the file, last = the editor', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员');
    ws.addRow(['统一社会信用代码', '身份证号', '姓名', '在编状态']);
    ids.forEach((id, i) => ws.addRow([unit.code, id, `首录测试${i}`, '编外']));
    const body = multipartBody('file', '首录测试名单.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    const res = await a.app.inject({ method: 'POST', url: '/api/import', headers: { ...admin.write, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(202);
    for (;;) {
      const v = (await get(admin, `/api/import/${res.json().id}`)).json();
      if (v.state === 'done' || v.state === 'failed') {
        expect(v.state, JSON.stringify(v)).toBe('done');
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const rows: Row[] = await a.t.db('people').where('name', 'like', '首录测试%').orderBy('id');
    expect(rows).toHaveLength(3);
    imported.push(...rows.map((r) => Number(r.id)));

    const read = (await get(zgy, `/api/people/${imported[0]}`)).json();
    const put = await a.app.inject({ method: 'PUT', url: `/api/people/${imported[0]}`, headers: zgy.write, payload: { changes: { 民族: '汉族' }, reason: '补录民族', version: read.version } });
    expect(put.statusCode, put.body).toBe(200);

    const p = (await get(zgy, `/api/people/${imported[0]}`)).json().provenance;
    // The save's answer carries the same provenance: the form shows 最后修改 without a reload.
    expect(put.json().provenance).toEqual(p);
    const adminUser = await a.t.db('users').where({ id: 'demo-admin' }).first();
    const zgyUser = await a.t.db('users').where({ id: zgy.userId }).first();
    expect(p.first).toMatchObject({ by: 'demo-admin', name: adminUser.name, role: adminUser.role, source: '导入：首录测试名单.xlsx', version: 1 });
    expect(p.last).toMatchObject({ by: zgy.userId, name: zgyUser.name, role: '单位专管员', source: '小程序修改', version: 2 });
    // An untouched imported record: first and last are the import.
    const q = (await get(admin, `/api/people/${imported[1]}`)).json().provenance;
    expect(q.first).toEqual(q.last);
    // Demo rows: the system's entry, shown as 系统导入 with its source.
    const demo = (await get(admin, `/api/people/${person.id}`)).json().provenance;
    expect(demo.first).toMatchObject({ by: 'system', name: '系统导入', source: '演示数据' });
    // The unit record and the portrait.
    const ur = (await get(zgy, `/api/unit-records/${unit.id}`)).json().provenance;
    expect(ur.first).toMatchObject({ name: '系统导入', source: '演示数据' });
    const portrait = (await get(zgy, `/api/units/${unit.id}/portrait`)).json();
    expect(portrait.provenance.first).toMatchObject({ name: '系统导入' });
    const mine = (portrait.entrants as Row[]).find((e) => e.by === 'demo-admin');
    expect(mine).toMatchObject({ count: 3, source: '导入：首录测试名单.xlsx', name: adminUser.name });
    const sys = (portrait.entrants as Row[]).filter((e) => e.by === 'system').reduce((n, e) => n + e.count, 0);
    expect(sys + 3).toBe(await a.t.db('people').where({ unit_id: unit.id }).count({ n: '*' }).first().then((r: any) => Number(r.n)));
  });

  it('the office search finds exactly the records a user first entered, or last changed, with masked IDs and links', async () => {
    const adminUser = await a.t.db('users').where({ id: 'demo-admin' }).first();
    const first = await get(staff, `/api/provenance?user=${encodeURIComponent(adminUser.name)}&kind=first&from=2020-01-01&to=2099-12-31`);
    expect(first.statusCode, first.body).toBe(200);
    const f = first.json();
    expect(f.users.map((u: Row) => u.id)).toContain('demo-admin');
    const people = (f.records as Row[]).filter((r) => r.entity === 'person' && r.by === 'demo-admin');
    expect(people.map((r) => r.id).sort((x, y) => x - y)).toEqual(imported);
    expect(f.total).toBe((f.records as Row[]).length);
    for (const r of people) {
      expect(r.idMasked).toMatch(/^\d{6}\*+[\dX]$/);
      expect(r.href).toBe(`#/person/${r.id}`);
      expect(r.source).toBe('导入：首录测试名单.xlsx');
    }
    expect(first.body).not.toContain(ids[0]);
    // Last changed by the specialist (search by account): exactly the two records they saved, newest first.
    const last = (await get(staff, `/api/provenance?user=${zgy.userId}&kind=last&from=2020-01-01&to=2099-12-31`)).json();
    expect((last.records as Row[]).map((r) => [r.entity, r.id])).toEqual([['person', imported[0]], ['person', Number(person.id)]]);
    // Once someone else changes one of them, it is no longer the specialist's last change.
    const v = (await get(admin, `/api/people/${person.id}`)).json().version;
    expect((await a.app.inject({ method: 'PUT', url: `/api/people/${person.id}`, headers: admin.write, payload: { changes: { 民族: '回族' }, reason: '核对', version: v } })).statusCode).toBe(200);
    const after = (await get(staff, `/api/provenance?user=${zgy.userId}&kind=last&from=2020-01-01&to=2099-12-31`)).json();
    expect((after.records as Row[]).map((r) => [r.entity, r.id])).toEqual([['person', imported[0]]]);
    // First entered by the specialist: none. Outside the date range: none.
    expect((await get(staff, `/api/provenance?user=${zgy.userId}&kind=first&from=2020-01-01&to=2099-12-31`)).json().total).toBe(0);
    expect((await get(staff, `/api/provenance?user=demo-admin&kind=first&from=2020-01-01&to=2020-12-31`)).json().total).toBe(0);
    // 系统 finds the demo rows (units too), each linking to its record.
    const sys = (await get(admin, `/api/provenance?user=系统&kind=first&entity=unit&from=2000-01-01&to=2099-12-31`)).json();
    expect(sys.total).toBe(await count('units'));
    expect(sys.records[0].href).toMatch(/^#\/console\/unit\/\d+$/);
    // Each search is audited.
    expect(await a.t.db('audit_log').where({ action: 'provenance_search', actor: 'demo-staff-01' }).count({ n: '*' }).first().then((r: any) => Number(r.n))).toBeGreaterThanOrEqual(4);
  });

  it('refuses unit roles (403) and bad input (400, in Chinese); a unit role sees provenance only in its scope', async () => {
    const r = await get(zgy, '/api/provenance?user=demo-admin');
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toContain('仅供编办');
    expect((await get(staff, '/api/provenance')).json().error).toBe('请填写录入人（姓名或账号）');
    const bad = await get(staff, '/api/provenance?user=demo-admin&from=2026-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('起始日期');
    expect((await get(staff, '/api/provenance?user=demo-admin&kind=x')).statusCode).toBe(400);
    expect((await get(otherZgy, `/api/people/${imported[0]}`)).statusCode).toBe(403);
  });
});

void D0;
