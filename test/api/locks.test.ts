// A locked account (user_locks, users.locked): every API request and a new login answer 423 with
// why and who unlocks; the robot and a card button answer the same instead of acting; the lock
// list for the office; the unlock by a 编办管理员 with a note (audited, refused for others), after
// which the user logs in at once. SQLite, or MariaDB with SANSE_TEST_DB=mysql.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHandler } from '../../bot/handler.ts';
import { insertLock } from '../../db/user-locks.ts';
import { D0, login, nextIp, startApp, type ApiTestApp } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let specialist: Row;
let admins: Row[];

beforeAll(async () => {
  a = await startApp();
  specialist = await a.t.db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id').first();
  admins = await a.t.db('users').where({ role: '编办管理员', locked: false }).orderBy('id').select('id', 'name', 'mobile');
}, 120_000);
afterAll(async () => {
  await a?.close();
});

describe('a locked account', () => {
  let notice: string;
  it('ends the open session: every request answers 423 with the reason and who unlocks', async () => {
    expect(admins.length).toBeGreaterThan(0);
    const s = await login(a.app, specialist.id);
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(200);
    await a.t.db.transaction((trx) => insertLock(trx, { userId: specialist.id, kind: 'self-check', month: '2026-11', unitId: Number(specialist.unit_id), selfChecks: 1, required: 2, at: '2026-12-01 09:00:00' }));
    const who = admins.map((u) => (u.mobile ? `${u.name}（${u.mobile}）` : u.name)).join('、');
    notice = `您的账号已被锁定：本单位 2026年11月 自查 1 次，少于规定的 2 次。请联系编办管理员${who}解锁。`;
    const res = await a.app.inject({ method: 'GET', url: '/api/units', headers: s.read });
    expect(res.statusCode).toBe(423);
    expect(res.json()).toEqual({ error: notice, locked: { reason: { kind: 'self-check', month: '2026-11', count: 1, required: 2 }, unlockers: admins.map((u) => ({ name: u.name, mobile: u.mobile || null })) } });
    // The session is gone: the next request is not logged in.
    expect((await a.app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(401);
  });

  it('a login is refused with the same reason', async () => {
    const res = await a.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: specialist.id }, remoteAddress: nextIp() });
    expect(res.statusCode).toBe(423);
    expect(res.json()).toMatchObject({ error: notice, locked: { reason: { kind: 'self-check', month: '2026-11', count: 1, required: 2 } } });
    expect(res.cookies.find((c) => c.name === 'sanse_sid' && c.value)).toBeUndefined();
  });

  it('the robot answers with the reason instead of the command; a card button too', async () => {
    const handle = businessHandler(a.t.db, { today: () => D0 });
    const r = await handle({ kind: 'message', eventId: 'e1', senderId: specialist.id, senderName: specialist.name, text: '待整改', conversationType: 'single', conversationId: specialist.id } as any);
    const text: string = (r as any).reply.text;
    expect(text).toContain(notice);
    expect(text).not.toContain('待整改问题');
    const c = await handle({ kind: 'cardAction', eventId: 'e2', cardId: 'x', userId: specialist.id, actionId: 'recheck', params: { unit: String(specialist.unit_id) } });
    expect((c as any).notice).toBe(notice);
    expect(await a.t.db('unit_rechecks').where({ user_id: specialist.id }).first()).toBeUndefined();
  });

  it('the lock list: for the office, with the reason', async () => {
    const admin = await login(a.app, admins[0].id);
    const res = await a.app.inject({ method: 'GET', url: '/api/locks', headers: admin.read });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.canUnlock).toBe(true);
    expect(body.locks).toHaveLength(1);
    expect(body.locks[0]).toMatchObject({
      user: { id: specialist.id, name: specialist.name, role: '单位专管员', locked: true }, unit: { id: Number(specialist.unit_id) },
      kind: 'self-check', month: '2026-11', selfChecks: 1, required: 2, reason: '本单位 2026年11月 自查 1 次，少于规定的 2 次', active: true, unlockedAt: null, unlockedBy: null, note: null,
    });
    const leader = await a.t.db('users').where({ role: '单位领导', locked: false }).first();
    expect((await a.app.inject({ method: 'GET', url: '/api/locks', headers: (await login(a.app, leader.id)).read })).statusCode).toBe(403);
    const staff = await a.t.db('users').where({ role: '编办业务人员', locked: false }).first();
    const s = await login(a.app, staff.id);
    expect((await a.app.inject({ method: 'GET', url: '/api/locks', headers: s.read })).json().canUnlock).toBe(false);
  });

  it('only a 编办管理员 unlocks, with a note; audited; the user logs in again at once', async () => {
    const url = `/api/users/${encodeURIComponent(specialist.id)}/unlock`;
    const staff = await a.t.db('users').where({ role: '编办业务人员', locked: false }).first();
    const s = await login(a.app, staff.id);
    const refused = await a.app.inject({ method: 'POST', url, headers: s.write, payload: { note: '已补' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('只有编办管理员可以解锁账号');
    const admin = await login(a.app, admins[0].id);
    const noNote = await a.app.inject({ method: 'POST', url, headers: admin.write, payload: {} });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json()).toMatchObject({ error: '请填写解锁说明', fields: { note: '请填写解锁说明' } });
    expect(Number((await a.t.db('users').where({ id: specialist.id }).first()).locked)).toBe(1);
    const ok = await a.app.inject({ method: 'POST', url, headers: admin.write, payload: { note: '单位已说明情况，12月补自查' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ user: { id: specialist.id }, locks: [{ kind: 'self-check', month: '2026-11' }] });
    const audit: Row = await a.t.db('audit_log').where({ action: 'user_unlock', actor: admins[0].id }).first();
    expect(JSON.parse(audit.detail)).toMatchObject({ userId: specialist.id, month: '2026-11', note: '单位已说明情况，12月补自查' });
    const again = await login(a.app, specialist.id);
    expect((await a.app.inject({ method: 'GET', url: '/api/units', headers: again.read })).statusCode).toBe(200);
    const list = (await a.app.inject({ method: 'GET', url: '/api/locks', headers: admin.read })).json().locks;
    expect(list[0]).toMatchObject({ active: false, unlockedBy: { id: admins[0].id, name: admins[0].name }, note: '单位已说明情况，12月补自查', user: { locked: false } });
    expect((await a.app.inject({ method: 'GET', url: '/api/locks?state=active', headers: admin.read })).json().locks).toEqual([]);
    expect((await a.app.inject({ method: 'POST', url: '/api/users/nobody/unlock', headers: admin.write, payload: { note: 'x' } })).statusCode).toBe(404);
  });
});
