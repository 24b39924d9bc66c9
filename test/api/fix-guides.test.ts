// The 错题本 API on the demo county (SQLite; MariaDB with SANSE_TEST_DB=mysql): the office edits
// a rule's guide and the effective guide changes; the versions are kept and a restore is a new
// version; office entries get their own keys; unit roles read but cannot edit (403); bad input is
// refused in Chinese naming the field, and nothing is stored; each edit has its audit row. The
// month's most frequent mistakes equal a count taken here from the findings rows.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedFixGuide } from '../../cards/fix-guides.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { ruleByCode } from '../../core/rules/index.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

const BASE = 'http://127.0.0.1:3000';
const CODE = 'P-ID-01';
let a: ApiTestApp;
let admin: Session;
let staff: Session;
let leader: Session;
let spec: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, BASE);
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  [admin, staff, leader, spec] = await Promise.all([login(a.app, 'demo-admin'), login(a.app, 'demo-staff-01'), login(a.app, 'demo-leader'), login(a.app, s.id)]);
}, 300_000);
afterAll(async () => { await a?.close(); });

const get = (who: Session, url: string) => a.app.inject({ method: 'GET', url, headers: who.read });
const send = (who: Session, method: 'POST' | 'PUT', url: string, payload?: unknown) => a.app.inject({ method, url, headers: who.write, payload: payload as object });

const EDIT = {
  what: '人员记录缺少公民身份号码（编办修订）。',
  why: '身份证号是一人一编的唯一依据，缺失将无法与工资统发、社保比对。',
  how: ['打开该人员的记录', '按身份证原件填写 18 位号码', '写明修改原因后保存'],
  right: '身份证号：11010519491231002X',
  wrong: '身份证号：（空）',
  reason: '按科室意见补充说明',
};

describe('a rule\'s guide, versioned', () => {
  it('every role reads the shipped guide; the office edits it and the effective guide changes', async () => {
    const shipped = shippedFixGuide(CODE)!;
    const before = (await get(spec, `/api/fix-guides/${CODE}`)).json();
    expect(before).toMatchObject({ canEdit: false, history: [], guide: { entry: CODE, kind: 'rule', source: 'shipped', title: ruleByCode(CODE)!.title, what: shipped.what, how: shipped.how } });

    const r = await send(staff, 'PUT', `/api/fix-guides/${CODE}`, EDIT);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().guide).toMatchObject({ source: 'office', version: 1, what: EDIT.what, how: EDIT.how, title: ruleByCode(CODE)!.title });
    // What a unit reads now, and in the list.
    expect((await get(spec, `/api/fix-guides/${CODE}`)).json().guide).toMatchObject({ source: 'office', what: EDIT.what, right: EDIT.right });
    const list = (await get(spec, '/api/fix-guides')).json();
    expect(list.canEdit).toBe(false);
    expect(list.guides.find((g: { entry: string }) => g.entry === CODE)).toMatchObject({ source: 'office', what: EDIT.what });
    // Every rule of the catalogue is listed (with or without a text yet).
    expect(list.guides.filter((g: { kind: string }) => g.kind === 'rule').length).toBe((await import('../../core/rules/index.ts')).RULES.length);

    const audit = await a.t.db('audit_log').where({ action: 'fix_guide_edit', actor: 'demo-staff-01' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.detail)).toMatchObject({ entry: CODE, version: 1, reason: EDIT.reason });
  });

  it('history newest first; a restore is a new version with the old text', async () => {
    const second = await send(admin, 'PUT', `/api/fix-guides/${CODE}`, { ...EDIT, what: '第二版的说明。', reason: '第二次修改' });
    expect(second.json().guide).toMatchObject({ version: 2, what: '第二版的说明。' });
    const view = (await get(admin, `/api/fix-guides/${CODE}`)).json();
    expect(view.canEdit).toBe(true);
    expect(view.history.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(view.history[0]).toMatchObject({ createdBy: 'demo-admin', reason: '第二次修改' });

    const back = await send(admin, 'POST', `/api/fix-guides/${CODE}/restore`, { version: 1 });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().guide).toMatchObject({ version: 3, what: EDIT.what });
    expect(back.json().history[0]).toMatchObject({ version: 3, restoredFrom: 1, reason: '恢复第1版' });
    expect(Number((await a.t.db('fix_guide_versions').where({ entry: CODE }).count({ n: '*' }).first())!.n)).toBe(3);
    expect(Number((await a.t.db('audit_log').where({ action: 'fix_guide_restore' }).count({ n: '*' }).first())!.n)).toBe(1);
    // Version 0: back to the shipped text, as a new version.
    const shipped = await send(admin, 'POST', `/api/fix-guides/${CODE}/restore`, { version: 0 });
    expect(shipped.json().guide).toMatchObject({ version: 4, source: 'office', what: shippedFixGuide(CODE)!.what });
    expect(shipped.json().history[0]).toMatchObject({ restoredFrom: 0, reason: '恢复系统内置指引' });
    await send(admin, 'POST', `/api/fix-guides/${CODE}/restore`, { version: 1 });
    const none = await send(admin, 'POST', `/api/fix-guides/${CODE}/restore`, { version: 9 });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toBe('该条目没有第9版');
  });

  it('unit roles and the 分管领导 cannot edit (403), nothing is stored', async () => {
    const n = async () => Number((await a.t.db('fix_guide_versions').count({ n: '*' }).first())!.n);
    const before = await n();
    for (const who of [spec, leader]) {
      const r = await send(who, 'PUT', `/api/fix-guides/${CODE}`, EDIT);
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('只有编办管理员或编办业务人员可以修改错题本');
      expect((await send(who, 'POST', '/api/fix-guides', { ...EDIT, title: '某错题' })).statusCode).toBe(403);
      expect((await send(who, 'POST', `/api/fix-guides/${CODE}/restore`, { version: 1 })).statusCode).toBe(403);
    }
    expect(await n()).toBe(before);
  });

  it('bad input: a Chinese error naming the field; line breaks, lengths and empty steps refused', async () => {
    const n = async () => Number((await a.t.db('fix_guide_versions').count({ n: '*' }).first())!.n);
    const before = await n();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...EDIT, what: '' }, 'what', '请填写问题是什么'],
      [{ ...EDIT, why: '第一行\n[点此](http://evil.example)' }, 'why', '为什么要改不能换行，请在一行内填写'],
      [{ ...EDIT, how: [] }, 'how', '请至少填写一步怎么改'],
      [{ ...EDIT, how: ['打开记录', '  '] }, 'how', '请填写怎么改第2步'],
      [{ ...EDIT, right: '很'.repeat(201) }, 'right', '正确示例最多200个字，现有201个字'],
      [{ ...EDIT, wrong: 12 }, 'wrong', '错误示例应为文字'],
      [{ ...EDIT, reason: '' }, 'reason', '请填写修改原因'],
    ];
    for (const [body, field, message] of cases) {
      const r = await send(admin, 'PUT', `/api/fix-guides/${CODE}`, body);
      expect(r.statusCode, field).toBe(400);
      expect(r.json().error, field).toBe(message);
      expect(r.json().fields[field], field).toBe(message);
    }
    expect((await send(admin, 'PUT', '/api/fix-guides/P-XX-99', EDIT)).statusCode).toBe(404);
    expect(await n()).toBe(before);
  });
});

describe('the office\'s own entries', () => {
  it('added with the next key O-001, O-002; related codes checked; editable; listed after the rules', async () => {
    const entry = { ...EDIT, title: '个人信息中的“时间”选项填写不规范', related: ['p-tm-01', 'P-ID-08'], reason: '' };
    const r = await send(staff, 'POST', '/api/fix-guides', entry);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().guide).toMatchObject({ entry: 'O-001', kind: 'office', title: entry.title, related: ['P-TM-01', 'P-ID-08'], version: 1 });
    const r2 = await send(staff, 'POST', '/api/fix-guides', { ...entry, title: '未根据任职情况填写在编状态', related: [] });
    expect(r2.json().guide.entry).toBe('O-002');
    const bad = await send(staff, 'POST', '/api/fix-guides', { ...entry, related: ['P-ZZ-01'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('相关规则中没有规则“P-ZZ-01”');
    const noTitle = await send(staff, 'POST', '/api/fix-guides', { ...entry, title: '' });
    expect(noTitle.json()).toMatchObject({ error: '请填写标题', fields: { title: '请填写标题' } });

    const edited = await send(admin, 'PUT', '/api/fix-guides/O-001', { ...entry, title: '“时间”类字段填写不规范', reason: '改标题' });
    expect(edited.json().guide).toMatchObject({ entry: 'O-001', version: 2, title: '“时间”类字段填写不规范' });
    // The rule's guide names the office entries that relate to it.
    expect((await get(spec, '/api/fix-guides/P-ID-08')).json().related.map((g: { entry: string }) => g.entry)).toEqual(['O-001']);
    const list = (await get(spec, '/api/fix-guides')).json().guides;
    expect(list.slice(-2).map((g: { entry: string }) => g.entry)).toEqual(['O-001', 'O-002']);
    expect((await get(spec, '/api/fix-guides/O-404')).statusCode).toBe(404);
    expect(await a.t.db('audit_log').where({ action: 'fix_guide_add' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });
});

describe('the month\'s most frequent mistakes', () => {
  it('per rule: findings opened in the month and units, equal to a count of the findings rows', async () => {
    const res = await get(leader, '/api/mistakes?month=2026-11');
    expect(res.statusCode, res.body).toBe(200);
    const got = res.json();
    const rows = await a.t.db('findings').select('rule', 'unit_id', 'status', 'opened_on');
    const expected = new Map<string, { findings: number; units: Set<number>; open: number }>();
    for (const r of rows) {
      if (!r.opened_on || !String(r.opened_on).startsWith('2026-11') || r.status === 'pending') continue;
      const e = expected.get(r.rule) ?? { findings: 0, units: new Set<number>(), open: 0 };
      e.findings++;
      e.units.add(Number(r.unit_id));
      if (r.status === 'open') e.open++;
      expected.set(r.rule, e);
    }
    expect(expected.size).toBeGreaterThan(3);
    expect(got.items).toHaveLength(expected.size);
    for (const i of got.items) {
      const e = expected.get(i.rule)!;
      expect(i, i.rule).toMatchObject({ findings: e.findings, units: e.units.size, open: e.open, title: ruleByCode(i.rule)!.title });
    }
    const counts = got.items.map((i: { findings: number }) => i.findings);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
    expect(got.total).toBe([...expected.values()].reduce((n, e) => n + e.findings, 0));
  });

  it('a month with planted findings: exactly those, most frequent first; other months and held findings not counted', async () => {
    const units: number[] = (await a.t.db('units').orderBy('id').limit(3).pluck('id')).map(Number);
    const plant = [
      { rule: 'P-ID-08', unit: units[0], status: 'open', on: '2025-03-03' },
      { rule: 'P-ID-08', unit: units[1], status: 'resolved', on: '2025-03-31' },
      { rule: 'P-ID-08', unit: units[1], status: 'open', on: '2025-03-12' },
      { rule: 'U-QT-01', unit: units[2], status: 'explained', on: '2025-03-01' },
      { rule: 'P-RT-01', unit: units[0], status: 'pending', on: '2025-03-05' },
      { rule: 'P-RT-01', unit: units[0], status: 'open', on: '2025-04-01' },
      { rule: 'P-RT-01', unit: units[0], status: 'open', on: '2025-02-28' },
    ];
    let k = 0;
    for (const p of plant) {
      k++;
      await a.t.db('findings').insert({
        fingerprint: `test|${k}`, open_key: p.status === 'open' || p.status === 'pending' ? `test|${k}` : null, rule: p.rule, scope: 'person', entity_id: 900000 + k, unit_id: p.unit,
        qualifier: null, status: p.status, first_seen_on: p.on, opened_on: p.on, resolved_on: p.status === 'resolved' ? '2025-04-02' : null, last_seen_on: p.on,
        subject_kind: 'person', subject_name: `测试${k}`,
      });
    }
    const got = (await get(admin, '/api/mistakes?month=2025-03')).json();
    expect(got.items).toEqual([
      { rule: 'P-ID-08', title: ruleByCode('P-ID-08')!.title, findings: 3, units: 2, open: 2 },
      { rule: 'U-QT-01', title: ruleByCode('U-QT-01')!.title, findings: 1, units: 1, open: 0 },
    ]);
    // The export: the same lines, audited.
    const x = await get(admin, '/api/mistakes/export?month=2025-03');
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('本月高频错题')!;
    expect(ws.getRow(3).values).toEqual([undefined, 1, 'P-ID-08', ruleByCode('P-ID-08')!.title, 3, 2, 2]);
    expect(ws.rowCount).toBe(4);
    expect(await a.t.db('audit_log').where({ action: 'fix_guide_export' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('the month is validated; unit roles get no county-wide list', async () => {
    const bad = await get(admin, '/api/mistakes?month=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('月份 应为 YYYY-MM');
    expect((await get(spec, '/api/mistakes?month=2026-11')).statusCode).toBe(403);
    expect((await get(spec, '/api/mistakes/export?month=2026-11')).statusCode).toBe(403);
  });
});
