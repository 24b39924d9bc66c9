// The cross-system rules in the app: the demo county with an 组织部任免 feed (test/fixtures/feeds.ts),
// the nightly check opens X-OR-01 on a person whose roster says another 职务; the specialist's
// save of the person (PUT /api/people/:id, re-checked at once) resolves it. And /api/explanations:
// refused to unit roles in Chinese, marked by the office, listed, closed as 已说明.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { runCheck } from '../../db/check.ts';
import { putFeed } from '../fixtures/feeds.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let person: Row;
let editor: Session;
let admin: Session;
const today = todayInShanghai();
const DOC_DATE = '2026-11-02';

beforeAll(async () => {
  a = await startApp();
  // A 在编 person of a unit with a specialist, not a leader on the roster.
  const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
  for (const s of specialists) {
    person = await a.t.db('people').where({ unit_id: s.unit_id, status: '在编' }).whereNotNull('id_hash').whereNot('posts', '副局长').orderBy('id').first();
    if (person) { editor = await login(a.app, s.id); break; }
  }
  admin = await login(a.app, 'demo-admin');
  await putFeed(a.t.db, '组织部任免', '2026-11', [{ personId: Number(person.id), post: '副局长', rank: person.rank, docNo: '柯委〔2026〕40号', docDate: DOC_DATE }]);
});
afterAll(async () => { await a?.close(); });

describe('X-OR-01 through the nightly check and a save', () => {
  it('the nightly check opens it; the save that follows the document resolves it', async () => {
    await runCheck(a.t.db, today);
    const f = await a.t.db('findings').where({ rule: 'X-OR-01', scope: 'person', entity_id: person.id, status: 'open' }).first('id', 'detail');
    expect(f).toBeTruthy();
    expect(JSON.parse(f.detail)).toMatchObject({ docNo: '柯委〔2026〕40号', post: '副局长' });
    const page = (await a.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: editor.read })).json();
    expect(page.findings.map((x: Row) => x.rule)).toContain('X-OR-01');
    const res = await a.app.inject({
      method: 'PUT', url: `/api/people/${person.id}`, headers: editor.write,
      payload: { changes: { posts: '副局长', currentPostSince: DOC_DATE }, reason: '按任免文件更正职务', version: page.version },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().resolved).toContain('X-OR-01');
    expect(await a.t.db('findings').where({ id: f.id }).first('status')).toMatchObject({ status: 'resolved' });
  });
});

describe('/api/explanations', () => {
  let findingId: number;
  beforeAll(async () => {
    // The roster now agrees; a later document says otherwise again (X-OR-01 opens anew).
    await putFeed(a.t.db, '组织部任免', '2026-11', [{ personId: Number(person.id), post: '局长', rank: person.rank, docNo: '柯委〔2026〕41号', docDate: '2026-11-03' }]);
    await runCheck(a.t.db, today);
    findingId = Number((await a.t.db('findings').where({ rule: 'X-OR-01', entity_id: person.id, status: 'open' }).first('id')).id);
  });

  it('refuses unit roles in Chinese; the office marks, lists, reviews, withdraws', async () => {
    const body = { findingId, reason: '其他', reasonText: '任免文件待组织部更正', evidenceNo: '柯组函〔2026〕3号' };
    const refused = await a.app.inject({ method: 'POST', url: '/api/explanations', headers: editor.write, payload: body });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain('编办管理员或编办业务人员');
    const bad = await a.app.inject({ method: 'POST', url: '/api/explanations', headers: admin.write, payload: { ...body, evidenceNo: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/依据文号/);
    const ok = await a.app.inject({ method: 'POST', url: '/api/explanations', headers: admin.write, payload: body });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().id;
    const list = (await a.app.inject({ method: 'GET', url: '/api/explanations', headers: admin.read })).json();
    expect(list.items.map((e: Row) => e.id)).toContain(id);
    expect((await a.app.inject({ method: 'GET', url: '/api/explanations?state=later', headers: admin.read })).statusCode).toBe(400);
    // Closed as 已说明: not in the open list, not among the resolved (已整改) ones, under explained.
    const open = (await a.app.inject({ method: 'GET', url: '/api/findings?rule=X-OR-01', headers: admin.read })).json();
    expect(open.some((x: Row) => x.id === findingId)).toBe(false);
    const resolved = (await a.app.inject({ method: 'GET', url: '/api/findings?rule=X-OR-01&status=resolved', headers: admin.read })).json();
    expect(resolved.some((x: Row) => x.id === findingId)).toBe(false);
    const explained = (await a.app.inject({ method: 'GET', url: '/api/findings?rule=X-OR-01&status=explained', headers: admin.read })).json();
    expect(explained.map((x: Row) => [x.id, x.status])).toEqual([[findingId, 'explained']]);
    // The nightly check and the save's re-check keep it closed.
    await runCheck(a.t.db, today);
    const page = (await a.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: editor.read })).json();
    const saved = await a.app.inject({ method: 'PUT', url: `/api/people/${person.id}`, headers: editor.write, payload: { changes: { ethnicity: person.ethnicity === '汉族' ? '回族' : '汉族' }, reason: '更正民族', version: page.version } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await a.t.db('findings').where({ rule: 'X-OR-01', entity_id: person.id, status: 'open' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    // The review and the withdrawal: unit roles refused.
    expect((await a.app.inject({ method: 'POST', url: `/api/explanations/${id}/review`, headers: editor.write, payload: {} })).statusCode).toBe(403);
    const rev = await a.app.inject({ method: 'POST', url: `/api/explanations/${id}/review`, headers: admin.write, payload: {} });
    expect(rev.statusCode, rev.body).toBe(200);
    const wd = await a.app.inject({ method: 'POST', url: `/api/explanations/${id}/withdraw`, headers: admin.write, payload: { reason: '组织部已更正文件' } });
    expect(wd.statusCode, wd.body).toBe(200);
    const again = await a.app.inject({ method: 'POST', url: `/api/explanations/${id}/withdraw`, headers: admin.write, payload: { reason: '再撤' } });
    expect(again.statusCode).toBe(409);
    await runCheck(a.t.db, today);
    expect(await a.t.db('findings').where({ rule: 'X-OR-01', entity_id: person.id, status: 'open' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});
