// Every finding closable in the app: a 编外人员 saved like a person (schema, reason, version,
// re-check, card update), the unit's own record by its 专管员, the approval fields by the office
// with the document, each refusal, and the `fix` link every listed finding carries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

/** An open finding of `rule` in a unit with an alert card and a specialist. */
async function pick(rule: string): Promise<{ f: Row; unit: Row; zgy: Session }> {
  const rows: Row[] = await a.t.db('findings').where({ rule, status: 'open' }).orderBy('id');
  for (const f of rows) {
    const card = await a.t.db('cards').where('card_id', 'like', `unit-digest:${f.unit_id}:%`).first();
    const zgy = await a.t.db('users').where({ role: '单位专管员', unit_id: f.unit_id }).first();
    if (card && zgy) return { f, unit: await a.t.db('units').where({ id: f.unit_id }).first(), zgy: await login(a.app, zgy.id) };
  }
  throw new Error(`no open ${rule} finding in a unit with a card and a specialist`);
}

const cardUpdates = async (unitId: number) => Number((await a.t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', 'like', `card:unit-digest:${unitId}:%`).count({ n: '*' }).first())!.n);

/** A specialist of another unit, outside this one's scope. */
async function outsider(unitId: number): Promise<Session> {
  const u = await a.t.db('users').where({ role: '单位专管员' }).whereNot({ unit_id: unitId }).whereNotIn('unit_id', a.t.db('units').where({ id: unitId }).select('parent_id').whereNotNull('parent_id')).first();
  return login(a.app, u.id);
}

describe('a 编外人员 in the mini-app', () => {
  let w: { f: Row; unit: Row; zgy: Session };
  let worker: Row;
  let version: number;
  const put = (s: Session, body: unknown) => a.app.inject({ method: 'PUT', url: `/api/workers/${worker.id}`, headers: s.write, payload: body as any });

  beforeAll(async () => {
    w = await pick('W-02');
    worker = await a.t.db('workers').where({ id: w.f.entity_id }).first();
  });

  it('reads with the ID masked, the findings each with its fix, the version; the list links to the worker form', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/workers/${worker.id}`, headers: w.zgy.read });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.worker).toMatchObject({ id: Number(worker.id), 姓名: worker.name, 身份证号: worker.id_masked, 用工方式: worker.employment ?? null });
    expect(body.worker.身份证号).toMatch(/\*/);
    expect(body.unit).toMatchObject({ id: Number(w.unit.id), name: w.unit.name });
    expect(body.canEdit).toBe(true);
    expect(body.lists.用工方式).toContain('劳动合同');
    const f = body.findings.find((x: Row) => x.rule === 'W-02');
    expect(f.fix).toMatchObject({ kind: 'worker', label: '去修改编外人员信息' });
    expect(f.fix.href).toBe(`#/worker/${worker.id}?finding=${f.id}&field=${encodeURIComponent('用工方式')}`);
    version = body.version;
    expect(version).toBeGreaterThanOrEqual(1);
    const list = (await a.app.inject({ method: 'GET', url: `/api/findings?status=open&unit=${w.unit.id}`, headers: w.zgy.read })).json();
    expect(list.find((x: Row) => x.id === f.id).fix.href).toBe(f.fix.href);
    // every item of the unit's list leads somewhere
    for (const x of list) expect(x.fix.href, x.rule).toMatch(/^#\//);
  });

  it('refuses no reason, a stale version, a bad value, another unit and a read-only role, storing nothing', async () => {
    expect((await put(w.zgy, { changes: { 用工方式: '劳动合同' }, version })).json().fields).toEqual({ 修改原因: '请填写修改原因' });
    const stale = await put(w.zgy, { changes: { 用工方式: '劳动合同' }, reason: '更正', version: version + 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: '该编外人员的信息已被他人修改，请刷新后重试', version });
    const bad = await put(w.zgy, { changes: { 首次签订合同时间: '2026-13-45', 单位: 'x' }, reason: '更正', version });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toMatchObject({ 单位: '没有这一项' });
    const bad2 = await put(w.zgy, { changes: { 首次签订合同时间: '2026-13-45' }, reason: '更正', version });
    expect(bad2.statusCode).toBe(400);
    expect(bad2.json().fields.首次签订合同时间).toMatch(/不是有效日期/);
    const out = await outsider(Number(w.unit.id));
    expect((await put(out, { changes: { 用工方式: '劳动合同' }, reason: '更正', version })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: `/api/workers/${worker.id}`, headers: out.read })).statusCode).toBe(403);
    const reader = await a.t.db('users').where({ role: '查询用户' }).first();
    if (reader) expect((await put(await login(a.app, reader.id), { changes: { 用工方式: '劳动合同' }, reason: '更正', version })).statusCode).toBe(403);
    expect((await a.t.db('workers').where({ id: worker.id }).first()).employment).toBe(worker.employment);
  });

  it('saves with a reason: a new version of entity worker, the finding resolved at once, the card update queued', async () => {
    const before = await cardUpdates(Number(w.unit.id));
    const res = await put(w.zgy, { changes: { 用工方式: '劳动合同', 身份证号: worker.id_masked }, reason: '按劳动合同更正用工方式', version });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.version).toBe(version + 1);
    expect(body.resolved).toContain('W-02');
    expect(body.findings.some((x: Row) => x.rule === 'W-02')).toBe(false);
    const stored = await a.t.db('workers').where({ id: worker.id }).first();
    expect(stored.employment).toBe('劳动合同');
    expect(stored.id_hash).toBe(worker.id_hash);
    const ver = await a.t.db('record_versions').where({ entity: 'worker', entity_id: worker.id, version: version + 1 }).first();
    expect(ver).toMatchObject({ changed_by: w.zgy.userId, source: '小程序修改', reason: '按劳动合同更正用工方式' });
    expect(JSON.parse(ver.after)).toEqual({ employment: '劳动合同' });
    expect((await a.t.db('findings').where({ id: w.f.id }).first()).status).toBe('resolved');
    expect(await cardUpdates(Number(w.unit.id))).toBe(before + 1);
    const hist = (await a.app.inject({ method: 'GET', url: `/api/workers/${worker.id}/history`, headers: w.zgy.read })).json();
    expect(hist[0]).toMatchObject({ version: version + 1, reason: '按劳动合同更正用工方式', changes: [{ field: '用工方式', before: worker.employment ?? null, after: '劳动合同' }] });
  });
});

describe("the unit's own record", () => {
  let u: { f: Row; unit: Row; zgy: Session };
  let version: number;
  const put = (s: Session, body: unknown, path = '') => a.app.inject({ method: 'PUT', url: `/api/unit-records/${u.unit.id}${path}`, headers: s.write, payload: body as any });

  beforeAll(async () => {
    u = await pick('U-IN-12');
  });

  it('reads the 机构 fields, the ledger, the findings with their fixes and who may change what', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/unit-records/${u.unit.id}`, headers: u.zgy.read });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.unit).toMatchObject({ id: Number(u.unit.id), 机构名称: u.unit.name, 内设机构: u.unit.internal_offices });
    expect(body.canEdit).toBe(true);
    expect(body.canApprove).toBe(false);
    expect(body.unitFields).toEqual(['内设机构', '主要职责', '工作群', '区划名称', '是否年报单位']);
    expect(body.quotas.length).toBeGreaterThan(0);
    const f = body.findings.find((x: Row) => x.rule === 'U-IN-12');
    expect(f.fix.href).toBe(`#/unit/${u.unit.id}?finding=${f.id}&field=${encodeURIComponent('内设机构')}`);
    version = body.version;
  });

  it('refuses the approval fields to the unit, a stale version and another unit', async () => {
    const r = await put(u.zgy, { changes: { 内设机构核定数: '99' }, reason: '想改', version });
    expect(r.statusCode).toBe(400);
    expect(r.json().fields).toEqual({ 内设机构核定数: '此项不能在此修改' });
    expect((await put(u.zgy, { changes: { 主要职责: 'x' }, reason: '更正', version: version + 5 })).statusCode).toBe(409);
    const out = await outsider(Number(u.unit.id));
    expect((await put(out, { changes: { 主要职责: 'x' }, reason: '更正', version })).statusCode).toBe(403);
    expect((await put(u.zgy, { changes: { 内设机构核定数: '99' }, reason: '想改', version, document: { no: '某编〔2026〕1号', date: '2026-11-20' } }, '/approval')).statusCode).toBe(403);
  });

  it('saves the unit-kept fields: 内设机构 back within the approved number resolves U-IN-12 and updates the card', async () => {
    const offices = String(u.unit.internal_offices).split('、');
    const used = new Set((await a.t.db('people').where({ unit_id: u.unit.id }).select('office')).map((p: Row) => p.office));
    const keep = [...offices.filter((o) => used.has(o)), ...offices.filter((o) => !used.has(o))].slice(0, Number(u.unit.internal_offices_approved));
    const before = await cardUpdates(Number(u.unit.id));
    const res = await put(u.zgy, { changes: { 内设机构: keep.join('、'), 主要职责: '负责本单位职能范围内的工作。\n承办交办的其他事项。' }, reason: '按三定规定调整内设机构', version });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resolved).toContain('U-IN-12');
    expect((await a.t.db('findings').where({ id: u.f.id }).first()).status).toBe('resolved');
    const ver = await a.t.db('record_versions').where({ entity: 'unit', entity_id: u.unit.id, version: version + 1 }).first();
    expect(ver).toMatchObject({ changed_by: u.zgy.userId, source: '小程序修改', reason: '按三定规定调整内设机构' });
    expect(Object.keys(JSON.parse(ver.after)).sort()).toEqual(['duties', 'internal_offices']);
    expect((await a.t.db('internal_offices').where({ unit_id: u.unit.id }).select('name')).map((r: Row) => r.name).sort()).toEqual([...keep].sort());
    expect(await cardUpdates(Number(u.unit.id))).toBeGreaterThan(before);
    version = res.json().version;
  });
});

describe('the approval fields, by the office with the document', () => {
  let q: { f: Row; unit: Row; zgy: Session };
  let version: number;
  const put = (s: Session, body: unknown) => a.app.inject({ method: 'PUT', url: `/api/unit-records/${q.unit.id}/approval`, headers: s.write, payload: body as any });

  beforeAll(async () => {
    q = await pick('U-QT-01');
    version = (await a.app.inject({ method: 'GET', url: `/api/unit-records/${q.unit.id}`, headers: admin.read })).json().version;
  });

  it('the 超编 finding leads the unit to a 减人出编 request and the office to the console unit page', async () => {
    const mine = (await a.app.inject({ method: 'GET', url: `/api/findings?status=open&unit=${q.unit.id}`, headers: q.zgy.read })).json().find((x: Row) => x.id === Number(q.f.id));
    expect(mine.fix.href).toBe(`#/requests/new?kind=${encodeURIComponent('减人出编')}&unit=${q.unit.id}&finding=${q.f.id}`);
    const office = (await a.app.inject({ method: 'GET', url: `/api/findings?status=open&unit=${q.unit.id}`, headers: admin.read })).json().find((x: Row) => x.id === Number(q.f.id));
    expect(office.fix.href).toBe(`#/console/unit/${q.unit.id}?finding=${q.f.id}`);
  });

  it('refuses an edit without 批准文号 or 批准日期, and a bad number, storing nothing', async () => {
    const detail = JSON.parse(q.f.detail);
    const none = await put(admin, { quotas: { [detail.kind]: detail.actual }, reason: '核增编制', version });
    expect(none.statusCode).toBe(400);
    expect(none.json().fields).toMatchObject({ 批准文号: expect.stringContaining('文号'), 批准日期: expect.any(String) });
    const bad = await put(admin, { quotas: { [detail.kind]: '-1', 不存在: 3 }, reason: '核增编制', version, document: { no: '绍柯编〔2026〕31号', date: '2026-11-20' } });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().fields).sort()).toEqual([`编制：${detail.kind}`, '编制：不存在'].sort());
    expect(Number((await a.t.db('quotas').where({ unit_id: q.unit.id, kind: detail.kind }).first())?.approved ?? 0)).toBe(detail.approved);
  });

  it('saves with the document: versions sourced 批准文件, the document recorded, the 超编 resolved and the card updated', async () => {
    const detail = JSON.parse(q.f.detail);
    const before = await cardUpdates(Number(q.unit.id));
    const res = await put(admin, { quotas: { [detail.kind]: detail.actual }, changes: { 内设机构核定数: '9' }, reason: '核增编制', version, document: { no: '绍柯编〔2026〕31号', date: '2026-11-20' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resolved).toContain('U-QT-01');
    expect(res.json().unit).toMatchObject({ 批准文号: '绍柯编〔2026〕31号', 批准日期: '2026-11-20', 内设机构核定数: '9' });
    const quota = await a.t.db('quotas').where({ unit_id: q.unit.id, kind: detail.kind }).first();
    expect(quota).toMatchObject({ approval_no: '绍柯编〔2026〕31号' });
    expect(Number(quota.approved)).toBe(detail.actual);
    const qv = await a.t.db('record_versions').where({ entity: 'quota', entity_id: quota.id }).orderBy('version', 'desc').first();
    expect(qv).toMatchObject({ source: '批准文件：绍柯编〔2026〕31号', changed_by: 'demo-admin', reason: '核增编制' });
    const uv = await a.t.db('record_versions').where({ entity: 'unit', entity_id: q.unit.id, version: version + 1 }).first();
    expect(uv).toMatchObject({ source: '批准文件：绍柯编〔2026〕31号' });
    expect(await a.t.db('approval_documents').where({ unit_id: q.unit.id, doc_no: '绍柯编〔2026〕31号', issued_on: '2026-11-20' }).first()).toBeTruthy();
    expect((await a.t.db('findings').where({ id: q.f.id }).first()).status).toBe('resolved');
    expect(await cardUpdates(Number(q.unit.id))).toBeGreaterThan(before);
    // the stale version is refused afterwards
    expect((await put(admin, { changes: {}, reason: '再改', version, document: { no: '绍柯编〔2026〕32号', date: '2026-11-21' } })).statusCode).toBe(409);
  });
});
