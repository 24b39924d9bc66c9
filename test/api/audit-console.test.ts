// The audit trail for the 数据安全管理员 (issue 17): the filters of GET /api/audit return exactly
// the rows made here (the edits of record_versions among them, newest first, ID numbers masked);
// every other role is refused the audit routes and the 数据安全管理员 every other route; the
// export reads back with exceljs and is itself audited; the monthly 排查 flags exactly the users
// made unusual here, once per month (the job and the command both run: one summary, one message).

import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewAuditMonth } from '../../commands/audit-review.ts';
import { AUDIT_ACTIONS } from '../../core/audit-actions.ts';
import { actionChoices, actionLabel, EXPORT_ACTIONS } from '../../core/audit-console.ts';
import { putSetting } from '../../db/settings.ts';
import { auditDetailLines } from '../../core/audit-details.ts';
import { seedAuditHistory } from '../../db/demo/audit-history.ts';
import { auditRetentionJob } from '../../server/jobs/audit-retention.ts';
import { auditReviewJob } from '../../server/jobs/audit-review.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let security: Session;
let admin: Session;
let unitA: Row;
let unitB: Row;
let personA: Row;
const FULL_ID = '330603199001011237';

/** An audit row as the trail's writer makes it, with its unit and address (migration 024 columns). */
async function row(actor: string, action: string, at: string, o: { entity?: string; entityId?: number; unitId?: number | null; ip?: string | null; detail?: unknown } = {}): Promise<number> {
  const [id] = await a.t.db('audit_log').insert({
    at, actor, action, entity: o.entity ?? null, entity_id: o.entityId ?? null, unit_id: o.unitId ?? null, ip: o.ip ?? null,
    detail: o.detail === undefined ? null : JSON.stringify(o.detail),
  });
  return Number(id);
}

/** Every method and path of the app (as test/api/scope.test.ts reads them). */
function routesOf(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)(?:[├└]── )?(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || !m[2]) continue;
    stack.length = m[1].length / 4;
    stack.push(m[2]);
    const url = stack.join('').replace(/^\/+/, '/');
    if (m[3]) for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push({ method, url });
  }
  return out;
}

const get = (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });

beforeAll(async () => {
  a = await startApp();
  security = await login(a.app, 'demo-security');
  admin = await login(a.app, 'demo-admin');
  personA = await a.t.db('people').orderBy('id').first();
  unitA = await a.t.db('units').where({ id: personA.unit_id }).first();
  unitB = await a.t.db('units').whereNot({ id: unitA.id }).orderBy('id').first();
});
afterAll(async () => {
  await a?.close();
});

describe('GET /api/audit', () => {
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    ids.view = await row('demo-admin', 'view_full_id', '2025-05-05 10:00:00', { entity: 'person', entityId: Number(personA.id), unitId: Number(unitA.id), ip: '10.9.8.7', detail: { via: 'api', note: FULL_ID } });
    ids.export = await row('demo-staff-01', 'export', '2025-05-06 11:00:00', { unitId: Number(unitB.id), ip: '10.9.8.8', detail: { file: 'a.xlsx', rows: 10 } });
    ids.refused = await row('demo-staff-01', 'login_refused', '2025-05-07 21:00:00', { ip: '10.9.8.9' });
    const [v] = await a.t.db('record_versions').insert({
      entity: 'person', entity_id: personA.id, version: 99, before: JSON.stringify({ name: '甲' }), after: JSON.stringify({ name: '乙' }),
      changed_by: 'demo-staff-01', changed_at: '2025-05-06 12:00:00', source: '小程序修改', reason: '更正姓名',
    });
    ids.version = Number(v);
  });
  const MAY = 'from=2025-05-01&to=2025-05-31';
  const keys = (items: Row[]) => items.map((i) => `${i.kind}:${i.id}`);

  it('lists the month newest first, the edit among the rows, with names, labels, unit and address', async () => {
    const res = await get(security, `/api/audit?${MAY}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.total).toBe(4);
    expect(keys(body.items)).toEqual([`audit:${ids.refused}`, `version:${ids.version}`, `audit:${ids.export}`, `audit:${ids.view}`]);
    const staffName = (await a.t.db('users').where({ id: 'demo-staff-01' }).first()).name;
    const view = body.items[3];
    expect(view).toMatchObject({ actor: 'demo-admin', action: 'view_full_id', actionLabel: '查看完整身份证号', unitId: Number(unitA.id), unitName: unitA.name, ip: '10.9.8.7', subjectName: personA.name });
    expect(view.actorName).toBe((await a.t.db('users').where({ id: 'demo-admin' }).first()).name);
    // A full number a writer left in a detail is shown masked.
    expect(JSON.stringify(body)).not.toContain(FULL_ID);
    expect(view.detail.note).toBe('330603***********7');
    const edit = body.items[1];
    expect(edit).toMatchObject({ actorName: staffName, actionLabel: '修改记录', entity: 'person', entityId: Number(personA.id), unitId: Number(unitA.id) });
    expect(edit.version).toEqual({ version: 99, fields: ['姓名'], changes: [{ field: '姓名', before: '甲', after: '乙' }], source: '小程序修改', reason: '更正姓名' });
    expect(edit.lines).toEqual(['第 99 版（小程序修改），原因：更正姓名', '姓名：甲 → 乙']);
    expect(view.lines).toEqual(['途径：接口', '说明：330603***********7']);
    expect(view.subject).toBe(`人员：${personA.name}`);
  });

  it('filters by who (id or name), what (one or several), unit, and pages', async () => {
    const staffName = (await a.t.db('users').where({ id: 'demo-staff-01' }).first()).name;
    const list = async (q: string) => keys((await get(security, `/api/audit?${MAY}&${q}`)).json().items);
    expect(await list('who=demo-staff-01')).toEqual([`audit:${ids.refused}`, `version:${ids.version}`, `audit:${ids.export}`]);
    expect(await list(`who=${encodeURIComponent(staffName)}`)).toEqual([`audit:${ids.refused}`, `version:${ids.version}`, `audit:${ids.export}`]);
    expect(await list('what=export,login_refused')).toEqual([`audit:${ids.refused}`, `audit:${ids.export}`]);
    expect(await list('what=export&what=view_full_id')).toEqual([`audit:${ids.export}`, `audit:${ids.view}`]);
    expect(await list('what=record_version')).toEqual([`version:${ids.version}`]);
    expect(await list('versions=0')).toEqual([`audit:${ids.refused}`, `audit:${ids.export}`, `audit:${ids.view}`]);
    expect(await list(`unit=${unitA.id}`)).toEqual([`version:${ids.version}`, `audit:${ids.view}`]);
    expect(await list(`unit=${unitB.id}`)).toEqual([`audit:${ids.export}`]);
    expect(keys((await get(security, '/api/audit?from=2025-05-06&to=2025-05-06')).json().items)).toEqual([`version:${ids.version}`, `audit:${ids.export}`]);
    const page = (await get(security, `/api/audit?${MAY}&limit=2&page=2`)).json();
    expect(page.total).toBe(4);
    expect(keys(page.items)).toEqual([`audit:${ids.export}`, `audit:${ids.view}`]);
  });

  it('refuses bad filters in Chinese, naming the field', async () => {
    for (const [q, word] of [['from=2025-02-30', '开始日期'], ['to=2025-13-01', '结束日期'], ['from=2025-05-09&to=2025-05-01', '晚于'], ['unit=abc', '单位'], ['limit=0', '每页'], ['what=DROP%20TABLE', '操作类型']]) {
      const res = await get(security, `/api/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error, q).toContain(word);
    }
    expect((await get(security, '/api/audit?unit=999999999')).statusCode).toBe(404);
  });

  it('exports the filter as .xlsx with a 说明 sheet, and audits the export', async () => {
    const res = await get(security, `/api/audit/export?${MAY}`);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('审计日志')!;
    expect(wb.worksheets[0].name).toBe('说明');
    expect(ws.rowCount).toBe(5);
    expect(ws.getRow(1).getCell(1).value).toBe('时间');
    expect(ws.getRow(2).getCell(4).value).toBe('登录被拒');
    expect(String(ws.getRow(3).getCell(7).value)).toContain('姓名：甲 → 乙');
    expect(String(ws.getRow(3).getCell(5).value)).toBe(`人员：${personA.name}`);
    const cells: string[] = [];
    wb.eachSheet((s) => s.eachRow((r) => r.eachCell((c) => { cells.push(String(c.value)); })));
    expect(cells.some((c) => c.includes(FULL_ID))).toBe(false);
    const about = wb.getWorksheet('说明')!;
    const facts = new Map<string, string>();
    about.eachRow((r) => facts.set(String(r.getCell(1).value), String(r.getCell(2).value)));
    expect(facts.get('记录条数')).toBe('4');
    expect(facts.get('导出时间')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(facts.get('筛选：时间')).toBe('2025-05-01 至 2025-05-31');
    const audited = await a.t.db('audit_log').where({ actor: 'demo-security', action: 'audit_export' }).orderBy('id', 'desc').first();
    expect(audited).toBeTruthy();
    expect(JSON.parse(audited.detail).rows).toBe(4);
  });
});

describe('least privilege (三员分立)', () => {
  it('refuses the audit routes to every other role, the 编办管理员 included', async () => {
    const at = '2026-11-23 09:00:00';
    await a.t.db('users').insert({ id: 'query-user', name: '查询员', role: '查询用户', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at });
    const users: Row[] = await a.t.db('users').whereNot({ role: '数据安全管理员' }).select('id', 'role').orderBy('id');
    const roles = new Map<string, string>();
    for (const u of users) if (!roles.has(u.role) && !Number((await a.t.db('users').where({ id: u.id }).first()).locked)) roles.set(u.role, u.id);
    expect([...roles.keys()].sort()).toEqual(['分管领导', '单位专管员', '单位领导', '查询用户', '编办业务人员', '编办管理员'].sort());
    for (const [role, id] of roles) {
      const s = await login(a.app, id);
      for (const url of ['/api/audit', '/api/audit/export', '/api/audit/reviews', '/api/audit/integrity', '/api/audit/units?q=a']) {
        const res = await get(s, url);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json().error).toContain('数据安全管理员');
      }
    }
  });

  it('refuses the 数据安全管理员 every other /api route, with or without a unit', async () => {
    const at = '2026-11-23 09:00:00';
    await a.t.db('users').insert({ id: 'sec-with-unit', name: '带单位的安全员', role: '数据安全管理员', unit_code: unitA.code, unit_id: unitA.id, mobile: null, locked: false, created_at: at, updated_at: at });
    const withUnit = await login(a.app, 'sec-with-unit');
    const allowed = new Set(['/api/me', '/api/health', '/api/audit', '/api/audit/export', '/api/audit/reviews', '/api/audit/integrity', '/api/audit/units']);
    const routes = routesOf(a.app).filter((r) => r.url.startsWith('/api/') && !allowed.has(r.url));
    expect(routes.length).toBeGreaterThan(50);
    for (const s of [security, withUnit]) {
      for (const r of routes) {
        const url = r.url.replace(/:[a-z]+/gi, '1');
        const res = await a.app.inject({ method: r.method as 'GET', url, headers: r.method === 'GET' ? s.read : s.write, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
        expect(res.json().error).toBe('数据安全管理员只能查看审计日志和月度排查');
      }
      const me = (await get(s, '/api/me')).json();
      expect(me.home).toBe('/console/audit');
      expect(me.fullIds).toBe(false);
    }
  });
});

describe('the monthly 排查', () => {
  const MONTH = '2025-03';
  const HISTORY = ['2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02'];
  /** Working days of March 2025 (Mon–Fri, no holiday), at 10:xx: inside working hours. */
  const workday = (i: number) => {
    const days = ['03', '04', '05', '06', '07', '10', '11', '12', '13', '14', '17', '18', '19', '20', '21'];
    return `${MONTH}-${days[i % days.length]} 10:${String(i % 60).padStart(2, '0')}:00`;
  };
  let specialist: string;

  beforeAll(async () => {
    await putSetting(a.t.db, 'office', { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' });
    specialist = (await a.t.db('users').where({ role: '单位专管员' }).orderBy('id').first()).id;
    const rows: Row[] = [];
    const put = (actor: string, action: string, at: string, detail?: unknown) => rows.push({ actor, action, at, detail: detail === undefined ? null : JSON.stringify(detail) });
    // demo-staff-01: 60 full-ID views (over the threshold of 50).
    for (let i = 0; i < 60; i++) put('demo-staff-01', 'view_full_id', workday(i));
    // demo-staff-02: 2 exports a month before, 8 now (≥ 5 and > 3 × 2).
    for (const m of HISTORY) for (const d of ['03', '04']) put('demo-staff-02', 'export', `${m}-${d} 10:00:00`, { rows: 3 });
    for (let i = 0; i < 8; i++) put('demo-staff-02', 'export', workday(i), { rows: 3 });
    // A specialist refused 12 times (over 10).
    for (let i = 0; i < 12; i++) put(specialist, 'login_refused', workday(i));
    // demo-admin: 35 acts at 22:00 (over 30 outside working hours).
    for (let i = 0; i < 35; i++) put('demo-admin', 'view_person', `${workday(i).slice(0, 10)} 22:00:00`);
    // demo-leader: an ordinary month like the ones before (not unusual).
    for (const m of [...HISTORY, MONTH]) for (const d of ['05', '06', '07']) put('demo-leader', 'view_full_id', `${m}-${d} 10:00:00`);
    put('demo-leader', 'export', workday(3), { rows: 40 });
    // Jobs are not people.
    for (let i = 0; i < 80; i++) put('system', 'view_full_id', `${MONTH}-08 03:00:00`);
    for (let i = 0; i < rows.length; i += 200) await a.t.db('audit_log').insert(rows.slice(i, i + 200));
  });

  it('flags exactly the users made unusual, once per month (job, then command: one summary, one message)', async () => {
    const job = auditReviewJob({ publicBaseUrl: 'http://127.0.0.1:3000', log: () => {} });
    const first = (await job.run({ db: a.t.db, runId: 0, slot: '2025-04-01', key: '2025-04-01', manual: true })) as Row;
    expect(first).toMatchObject({ month: MONTH, created: true, sent: true });
    const again = await reviewAuditMonth({ db: a.t.db, month: MONTH, actor: 'cli:test', publicBaseUrl: 'http://127.0.0.1:3000', today: '2026-11-23' });
    expect(again.created).toBe(false);
    expect(again.sent).toBe(false);
    const flagged = again.review.summary.flagged;
    expect(flagged.map((f) => f.actor).sort()).toEqual(['demo-admin', 'demo-staff-01', 'demo-staff-02', specialist].sort());
    const by = new Map(flagged.map((f) => [f.actor, f.flags.map((x) => `${x.measure}:${x.reason}`)]));
    expect(by.get('demo-staff-01')).toEqual(['fullIdViews:threshold']);
    expect(by.get('demo-staff-02')).toEqual(['exports:history']);
    expect(by.get(specialist)).toEqual(['refusedLogins:threshold']);
    expect(by.get('demo-admin')).toEqual(['offHours:threshold']);
    expect(again.review.summary.rule).toContain('中位数');
    expect(await a.t.db('audit_reviews').where({ month: MONTH }).count({ n: '*' }).first()).toEqual({ n: 1 });
    const sent: Row[] = await a.t.db('outbox').where('dedup_key', 'like', 'audit-review:%');
    expect(sent.map((o) => o.dedup_key)).toEqual([`audit-review:${MONTH}`]);
    const payload = JSON.parse(sent[0].payload);
    expect(payload.target).toEqual({ kind: 'group', groupId: 'office-group' });
    expect(payload.message.text).toContain('2025年3月审计日志排查');
    expect(payload.message.text).toContain((await a.t.db('users').where({ id: 'demo-staff-01' }).first()).name);
    expect(payload.message.text).not.toContain((await a.t.db('users').where({ id: 'demo-leader' }).first()).name);
    expect(await a.t.db('audit_log').where({ action: 'audit_review' }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('shows the summaries to the 数据安全管理员 and refuses an unended month', async () => {
    const res = await get(security, `/api/audit/reviews?month=${MONTH}`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json().reviews[0];
    expect(r.month).toBe(MONTH);
    expect(r.flagged).toBe(4);
    expect((await get(security, '/api/audit/reviews')).json().reviews.map((x: Row) => x.month)).toContain(MONTH);
    expect((await get(security, '/api/audit/reviews?month=2025-13')).statusCode).toBe(400);
    await expect(reviewAuditMonth({ db: a.t.db, month: '2026-11', actor: 'system', publicBaseUrl: 'x', today: '2026-11-23' })).rejects.toThrow('尚未结束');
    await expect(reviewAuditMonth({ db: a.t.db, month: '2025-02', actor: 'demo-admin', publicBaseUrl: 'x', today: '2026-11-23' })).rejects.toThrow('只有数据安全管理员');
  });

  it('reads one vocabulary: the console\'s own acts among the others, once, in the 审计日志 group', async () => {
    expect(AUDIT_ACTIONS.audit_export).toEqual({ label: '导出审计日志', group: 'audit' });
    expect(AUDIT_ACTIONS.audit_review).toEqual({ label: '审计日志月度排查', group: 'audit' });
    const choices = actionChoices();
    const all = choices.flatMap(([, list]) => list.map(([k]) => k));
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(Object.keys(AUDIT_ACTIONS).sort());
    expect(choices.find(([g]) => g === '审计日志')![1]).toEqual([['audit_purge', '清理过期审计日志'], ['audit_export', '导出审计日志'], ['audit_review', '审计日志月度排查']]);
    expect(actionLabel('audit_export')).toBe('导出审计日志');
    expect(EXPORT_ACTIONS).toContain('audit_export');
    // Every action this file's acts wrote has its label there.
    const written = (await a.t.db('audit_log').distinct('action')).map((r: Row) => String(r.action));
    expect(written).toContain('audit_export');
    expect(written).toContain('audit_review');
    const made = new Set((await a.t.db('audit_log').whereNotNull('row_mac').distinct('action')).map((r: Row) => String(r.action)));
    for (const w of made) expect(Object.keys(AUDIT_ACTIONS), w).toContain(w);
  });
});

describe('the demo county\'s trail: integrity on the page, Chinese details, units by name, 立即排查', () => {
  let b: ApiTestApp;
  let sec: Session;
  const bget = (url: string) => b.app.inject({ method: 'GET', url, headers: sec.read });
  beforeAll(async () => {
    b = await startApp();
    expect(await seedAuditHistory(b.t.db, b.t.pii, D0)).toBeGreaterThan(200);
    await putSetting(b.t.db, 'office', { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' });
    sec = await login(b.app, 'demo-security');
  });
  afterAll(async () => {
    await b?.close();
  });

  it('checks the chain whole, then names a row edited behind the app\'s back', async () => {
    const ok = (await bget('/api/audit/integrity')).json();
    expect(ok).toMatchObject({ ok: true, problems: 0, broken: null });
    expect(ok.rows).toBeGreaterThan(200);
    expect(ok.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const victim = await b.t.db('audit_log').where({ action: 'view_full_id', actor: 'demo-staff-02' }).orderBy('id').first();
    await b.t.db('audit_log').where({ id: victim.id }).update({ actor: 'demo-admin' });
    const bad = (await bget('/api/audit/integrity')).json();
    expect(bad.ok).toBe(false);
    expect(bad.problems).toBeGreaterThanOrEqual(1);
    expect(bad.broken).toMatchObject({ id: Number(victim.id), at: victim.at, action: 'view_full_id', actionLabel: '查看完整身份证号', problem: '内容被修改' });
    // The daily retention job checks after purging and tells the office's group once a day.
    const job = auditRetentionJob({ log: () => {} });
    const r1 = (await job.run({ db: b.t.db, runId: 0, slot: D0, key: D0, manual: true })) as Row;
    expect(r1.integrity.ok).toBe(false);
    expect(r1.alerted).toBe(true);
    expect(job.summary!(r1 as any)).toContain('完整性校验发现');
    const r2 = (await job.run({ db: b.t.db, runId: 0, slot: D0, key: D0, manual: true })) as Row;
    expect(r2.alerted).toBe(false);
    const sent: Row[] = await b.t.db('outbox').where('dedup_key', 'like', 'audit-integrity:%');
    expect(sent).toHaveLength(1);
    const payload = JSON.parse(sent[0].payload);
    expect(payload.target).toEqual({ kind: 'group', groupId: 'office-group' });
    expect(payload.message.text).toContain(`第 ${victim.id} 行`);
    expect(payload.message.text).toContain('内容被修改');
    await b.t.db('audit_log').where({ id: victim.id }).update({ actor: victim.actor });
    expect((await bget('/api/audit/integrity')).json().ok).toBe(true);
  });

  it('says every detail of the demo\'s rows in Chinese: no JSON braces or brackets, no English key', async () => {
    const actions: Row[] = await b.t.db('audit_log').distinct('action');
    expect(actions.length).toBeGreaterThanOrEqual(5);
    const seen = new Set<string>();
    const res = (await bget('/api/audit?limit=200&versions=1')).json();
    const all: Row[] = [...res.items];
    for (const { action } of actions) all.push(...(await bget(`/api/audit?what=${encodeURIComponent(action)}&limit=20`)).json().items);
    all.push(...(await bget('/api/audit?what=record_version&limit=50')).json().items);
    for (const i of all) {
      seen.add(i.action);
      for (const line of [...i.lines, i.subject]) {
        expect(line, `${i.action}: ${line}`).not.toMatch(/[{}\[\]]/);
        // A key is what stands before "：" (or an edit's field before "：… → …"): never Latin letters.
        const key = line.split('：')[0];
        expect(key, `${i.action}: ${line}`).not.toMatch(/[A-Za-z_]/);
        expect(line, `${i.action}: ${line}`).not.toMatch(/\b(ok|true|false|approve|reject|sandbox|api|cli|console|findings|open)\b/);
      }
    }
    expect(seen.size).toBe(actions.length + 1);
    // The formatter on the shapes the trial saw.
    expect(auditDetailLines('login', { door: 'sandbox' })).toEqual(['登录方式：沙箱']);
    expect(auditDetailLines('feed_import', { kind: '组织部任免', file: 'a.xlsx', outcome: 'ok', rows: 9, versions: [{ month: '2026-12', importId: 5, rows: 9 }] }))
      .toEqual(['类型：组织部任免', '文件：a.xlsx', '结果：成功', '行数：9', '各月行数：2026-12 9 行']);
    expect(auditDetailLines('audit_review', { month: '2026-11', users: 0, flagged: [], sent: true })).toEqual(['月份：2026-11', '人数：0', '异常人员：无', '已发送：是']);
    expect(auditDetailLines('request_decide', { no: 'SQ2026-000065', decision: 'approve', via: 'api' })).toEqual(['编号：SQ2026-000065', '决定：同意', '途径：接口']);
    expect(auditDetailLines('export', { sheets: { 问题清单: 505 } })).toEqual(['各表行数：问题清单 505 行']);
    expect(auditDetailLines('set_job_schedule', { before: {}, after: { time: '08:40' } })).toEqual(['修改后：时间：08:40']);
  });

  it('finds units by name for the filter, names and codes only; a bad unit is a clear message', async () => {
    const unit = await b.t.db('units').orderBy('id').first();
    const part = String(unit.name).slice(0, 3);
    const res = await bget(`/api/audit/units?q=${encodeURIComponent(part)}`);
    expect(res.statusCode, res.body).toBe(200);
    const units = res.json().units as Row[];
    expect(units.map((u) => u.id)).toContain(Number(unit.id));
    for (const u of units) {
      expect(Object.keys(u).sort()).toEqual(['code', 'id', 'name']);
      expect(String(u.name) + String(u.code)).toContain(part);
    }
    expect((await bget('/api/audit/units?q=')).statusCode).toBe(400);
    expect((await bget('/api/audit/units?q=' + 'x'.repeat(41))).json().error).toContain('过长');
    expect((await bget('/api/audit/units?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%8D%95%E4%BD%8D')).json().units).toEqual([]);
    const bad = await bget('/api/audit?unit=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('请从单位列表中选择单位');
  });

  it('立即排查 reviews the previous month: the unusual full-ID viewer is flagged, audited, once', async () => {
    const month = '2026-10';
    const run = () => b.app.inject({ method: 'POST', url: '/api/audit/reviews', headers: sec.write, payload: { month } });
    const first = await run();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ month, created: true, sent: true });
    expect(first.json().review.summary.flagged.map((f: Row) => f.actor)).toContain('demo-staff-02');
    expect((await run()).json().created).toBe(false);
    expect(await b.t.db('audit_log').where({ action: 'audit_review', actor: 'demo-security' }).count({ n: '*' }).first()).toEqual({ n: 1 });
    const unended = await b.app.inject({ method: 'POST', url: '/api/audit/reviews', headers: sec.write, payload: { month: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7) } });
    expect(unended.statusCode).toBe(400);
    expect(unended.json().error).toContain('尚未结束');
  });
});
