// A person in the mini-app: read with the ID masked, save a change with a reason (a new version,
// the finding resolved at once, the unit's card update queued), refusals (no reason, stale
// version, bad values), the history with who/when/why, and the audited full ID number.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let person: Row;
let unit: Row;
let editor: Session;
let admin: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  // A person with a P-ID-14 民族 finding, in a unit whose alert card exists and who has a specialist.
  const candidates: Row[] = await a.t.db('findings as f').join('units as u', 'u.id', 'f.unit_id')
    .where({ 'f.rule': 'P-ID-14', 'f.qualifier': '民族', 'f.status': 'open', 'f.scope': 'person' }).select('f.entity_id', 'f.unit_id', 'u.code');
  expect(candidates.length).toBeGreaterThan(0);
  let pick: Row | undefined;
  for (const c of candidates) {
    const card = await a.t.db('cards').where('card_id', 'like', `unit-digest:${c.unit_id}:%`).first();
    const zgy = await a.t.db('users').where({ role: '单位专管员', unit_id: c.unit_id }).first();
    if (card && zgy) {
      pick = { ...c, zgy: zgy.id };
      break;
    }
  }
  expect(pick, 'a P-ID-14 民族 finding in a unit with a card and a specialist').toBeTruthy();
  person = await a.t.db('people').where({ id: pick!.entity_id }).first();
  unit = await a.t.db('units').where({ id: pick!.unit_id }).first();
  editor = await login(a.app, pick!.zgy);
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

const put = (s: Session, body: unknown, id = person.id) => a.app.inject({ method: 'PUT', url: `/api/people/${id}`, headers: s.write, payload: body as any });

describe('a person', () => {
  let version: number;

  it('reads the person with the ID masked, the unit without agg, the open findings and the version', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: editor.read });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.person).toMatchObject({ id: Number(person.id), unitCode: unit.code, name: person.name, ethnicity: person.ethnicity, idNumber: person.id_masked });
    expect(body.person.idNumber).toMatch(/\*/);
    expect(JSON.stringify(body)).not.toContain(person.id_enc);
    expect(body.unit).toMatchObject({ id: Number(unit.id), code: unit.code, name: unit.name });
    expect(body.unit.agg).toBeUndefined();
    expect(body.unit.quotas).toBeTypeOf('object');
    expect(body.findings.some((f: Row) => f.rule === 'P-ID-14' && f.qualifier === '民族')).toBe(true);
    // The rules' view of the stored ID number and the cross-row facts, for the form's own check.
    expect(body.idFacts).toMatchObject({ masked: person.id_masked, kind: person.id_kind, gender: person.id_gender ?? null, birth: person.id_birth ?? null });
    expect(body.cross).toEqual(expect.objectContaining({ sameIdInUnit: expect.any(Number), otherQuotaUnits: expect.any(Number), sameNameBirthOtherIds: expect.any(Number), pendingChanges: expect.any(Array) }));
    expect(body.version).toBeGreaterThan(0);
    const f = body.findings[0];
    expect(Object.keys(f).sort()).toEqual(['detail', 'detailText', 'id', 'light', 'openedOn', 'qualifier', 'qualifierText', 'redFrom', 'resolvedOn', 'rule', 'severity', 'status', 'subject', 'title', 'unit', 'unitId', 'unitName', 'fix'].sort());
    const eth = body.findings.find((x: Row) => x.rule === 'P-ID-14');
    expect(eth.fix).toEqual({ kind: 'person', label: '去修改人员信息', href: `#/person/${person.id}?finding=${eth.id}` });
    expect(f.subject).toMatchObject({ kind: 'person', id: Number(person.id), name: person.name });
    expect(f.redFrom > f.openedOn).toBe(true);
    expect(body.version).toBeGreaterThanOrEqual(1);
    version = body.version;
  });

  it('refuses a save without a reason, with a stale version, or with bad values, and stores nothing', async () => {
    const noReason = await put(editor, { changes: { ethnicity: '汉族' }, version });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().fields).toEqual({ 修改原因: '请填写修改原因' });
    const blank = await put(editor, { changes: { ethnicity: '汉族' }, reason: '   ', version });
    expect(blank.statusCode).toBe(400);

    const stale = await put(editor, { changes: { ethnicity: '汉族' }, reason: '更正民族', version: version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ version });
    expect(stale.json().error).toMatch(/已被他人修改/);

    const bad = await put(editor, { changes: { 出生日期: '1980-13-45', name: '' }, reason: '更正', version });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().fields).sort()).toEqual(['出生日期', '姓名'].sort());
    expect(bad.json().fields['姓名']).toBe('不能为空');
    expect(bad.json().fields['出生日期']).toMatch(/不是有效日期/);

    const unknownField = await put(editor, { changes: { unitCode: 'X', salary: 1 }, reason: '更正', version });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().fields).toEqual({ 统一社会信用代码: '此项不能在此修改', salary: '没有这一项' });

    const masked = await put(editor, { changes: { idNumber: '330602********1234' }, reason: '更正', version });
    expect(masked.statusCode).toBe(400);
    expect(masked.json().fields['身份证号']).toMatch(/脱敏/);

    const v = await a.t.db('record_versions').where({ entity: 'person', entity_id: person.id }).max({ v: 'version' }).first();
    expect(Number(v!.v)).toBe(version);
  });

  it('saves with a reason: new version, the finding resolved at once, the card update queued', async () => {
    const outboxBefore = await a.t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', 'like', `card:unit-digest:${unit.id}:%`).count({ n: '*' }).first();
    // The form sends the masked ID back untouched, with the change.
    const res = await put(editor, { changes: { ethnicity: '汉族', idNumber: person.id_masked }, reason: '按户籍信息更正民族', version });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.version).toBe(version + 1);
    expect(body.person.ethnicity).toBe('汉族');
    expect(body.resolved).toContain('P-ID-14');
    expect(body.findings.some((f: Row) => f.rule === 'P-ID-14' && f.qualifier === '民族')).toBe(false);

    const stored = await a.t.db('people').where({ id: person.id }).first();
    expect(stored.ethnicity).toBe('汉族');
    expect(stored.id_hash).toBe(person.id_hash);
    const ver = await a.t.db('record_versions').where({ entity: 'person', entity_id: person.id, version: version + 1 }).first();
    expect(ver).toMatchObject({ changed_by: editor.userId, source: '小程序修改', reason: '按户籍信息更正民族' });
    expect(JSON.parse(ver.after)).toEqual({ ethnicity: '汉族' });
    const f = await a.t.db('findings').where({ rule: 'P-ID-14', qualifier: '民族', scope: 'person', entity_id: person.id }).orderBy('id', 'desc').first();
    expect(f.status).toBe('resolved');
    const outboxAfter = await a.t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', 'like', `card:unit-digest:${unit.id}:%`).count({ n: '*' }).first();
    expect(Number(outboxAfter!.n)).toBe(Number(outboxBefore!.n) + 1);
    const row = await a.t.db('outbox').where({ op: 'updateCard' }).where('dedup_key', 'like', `card:unit-digest:${unit.id}:%`).orderBy('id', 'desc').first();
    expect(JSON.parse(row.payload)).toMatchObject({ op: 'updateCard', card: { cardId: expect.stringMatching(`^unit-digest:${unit.id}:`) } });
    version = body.version;
  });

  it('refuses the old version after the save', async () => {
    const res = await put(editor, { changes: { ethnicity: '回族' }, reason: '再改', version: version - 1 });
    expect(res.statusCode).toBe(409);
  });

  it('shows the history with who, when, why and the Chinese field names', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/people/${person.id}/history`, headers: editor.read });
    expect(res.statusCode).toBe(200);
    const list = res.json();
    expect(list[0]).toMatchObject({
      version, changedBy: editor.me.name, source: '小程序修改', reason: '按户籍信息更正民族',
      changes: [{ field: '民族', before: person.ethnicity, after: '汉族' }],
    });
    expect(list[0].changedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const first = list[list.length - 1];
    expect(first).toMatchObject({ version: 1, changedBy: '系统', source: '演示数据', reason: null });
    expect(first.changes.map((c: Row) => c.field)).toEqual(expect.arrayContaining(['姓名', '身份证号', '统一社会信用代码']));
    expect(first.changes.find((c: Row) => c.field === '统一社会信用代码').after).toBe(unit.name);
    expect(JSON.stringify(list)).not.toMatch(/id_hash|id_enc/);
  });

  it('corrects the ID number itself: same person, new number, versioned with the masked forms', async () => {
    const full = (await a.app.inject({ method: 'GET', url: `/api/people/${person.id}/id-number`, headers: admin.read })).json().idNumber as string;
    // Flip the check character to a wrong one and back: the row keeps its id.
    const wrong = full.slice(0, 17) + (full[17] === '0' ? '1' : '0');
    const r1 = await put(admin, { changes: { idNumber: wrong }, reason: '录入错误演示', version });
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.json().findings.some((f: Row) => f.rule === 'P-ID-03')).toBe(true);
    const r2 = await put(admin, { changes: { idNumber: full }, reason: '恢复正确号码', version: r1.json().version });
    expect(r2.statusCode, r2.body).toBe(200);
    expect(r2.json().resolved).toContain('P-ID-03');
    const stored = await a.t.db('people').where({ id: person.id }).first();
    expect(stored.id_hash).toBe(person.id_hash);
    expect(Number((await a.t.db('people').where({ id_hash: stored.id_hash, unit_id: unit.id }).count({ n: '*' }).first())!.n)).toBe(1);
    const hist = (await a.app.inject({ method: 'GET', url: `/api/people/${person.id}/history`, headers: admin.read })).json();
    expect(hist[0].changes).toEqual([{ field: '身份证号', before: expect.stringContaining('*'), after: person.id_masked }]);
    version = r2.json().version;
  });

  it('shows the full ID number to the office, audited every time, and refuses the specialist', async () => {
    const count = async () => Number((await a.t.db('audit_log').where({ action: 'view_full_id', entity: 'person', entity_id: person.id }).count({ n: '*' }).first())!.n);
    const before = await count();
    for (let i = 0; i < 2; i++) {
      const res = await a.app.inject({ method: 'GET', url: `/api/people/${person.id}/id-number`, headers: admin.read });
      expect(res.statusCode).toBe(200);
      expect(res.json().idNumber).toMatch(/^\d{17}[\dX]$|^\d{15}$/);
      expect(a.t.pii.hash(res.json().idNumber)).toBe(person.id_hash);
    }
    expect(await count()).toBe(before + 2);
    const row = await a.t.db('audit_log').where({ action: 'view_full_id', entity_id: person.id }).orderBy('id', 'desc').first();
    expect(row.actor).toBe('demo-admin');

    const refused = await a.app.inject({ method: 'GET', url: `/api/people/${person.id}/id-number`, headers: editor.read });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('您的角色无权查看完整身份证号');
    expect(refused.body).not.toMatch(/\d{17}/);
    expect(await count()).toBe(before + 2);
    expect(await a.t.db('audit_log').where({ action: 'full_id_refused', actor: editor.userId }).first()).toBeTruthy();
  });

  it('lets read-only roles read but not write', async () => {
    const leader = await login(a.app, 'demo-leader');
    expect((await a.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: leader.read })).statusCode).toBe(200);
    const res = await put(leader, { changes: { ethnicity: '汉族' }, reason: 'x', version });
    expect(res.statusCode).toBe(403);
  });
});

describe('a person in a unit that shares its credit code with another (U-IN-06)', () => {
  it('is saved on its own row, not on the other unit', async () => {
    const dup: Row | undefined = await a.t.db('units').select('code').count({ n: '*' }).groupBy('code').havingRaw('count(*) > 1').first();
    expect(dup, 'the demo county has a shared credit code').toBeTruthy();
    const units: Row[] = await a.t.db('units').where({ code: dup!.code }).orderBy('id');
    let target: Row | undefined;
    for (const u of units) {
      target = await a.t.db('people').where({ unit_id: u.id }).whereNot('status', '已出编').first();
      if (target) break;
    }
    expect(target).toBeTruthy();
    const before = Number((await a.t.db('people').count({ n: '*' }).first())!.n);
    const got = await a.app.inject({ method: 'GET', url: `/api/people/${target!.id}`, headers: admin.read });
    const res = await put(admin, { changes: { politics: target!.politics === '群众' ? '中共党员' : '群众' }, reason: '核对政治面貌', version: got.json().version }, target!.id);
    expect(res.statusCode, res.body).toBe(200);
    const after = await a.t.db('people').where({ id: target!.id }).first();
    expect(after.politics).not.toBe(target!.politics);
    expect(Number((await a.t.db('people').count({ n: '*' }).first())!.n)).toBe(before);
  });
});
