// GET/PUT /api/message-budget: the month's counted calls, budget, share, projection and state for
// the office roles; the budget set by the 编办管理员 only, validated, audited; unit roles refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { loadCalendar } from '../../db/settings.ts';
import { budgetStatus } from '../../core/message-budget.ts';
import { countApiCalls } from '../../db/api-calls.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
const userOf = async (role: string) => (await a.t.db('users').where({ role, locked: false }).first('id')).id as string;
let admin: Session;
let staff: Session;
let viewer: Session;
let specialist: Session;

beforeAll(async () => {
  a = await startApp();
  admin = await login(a.app, await userOf('编办管理员'));
  staff = await login(a.app, await userOf('编办业务人员'));
  viewer = await login(a.app, await userOf('分管领导'));
  specialist = await login(a.app, await userOf('单位专管员'));
});
afterAll(async () => { await a.close(); });

describe('/api/message-budget', () => {
  it('shows this month\'s sandbox calls by kind, the 5,000 default, share, projection and state to the office roles', async () => {
    const today = todayInShanghai();
    await countApiCalls(a.t.db, today.slice(0, 7), 'sandbox', [{ kind: 'create-card', n: 1200 }, { kind: 'update-card', n: 300 }, { kind: 'send-group', n: 20 }]);
    for (const s of [admin, staff, viewer]) {
      const res = await a.app.inject({ method: 'GET', url: '/api/message-budget', headers: s.read });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ month: today.slice(0, 7), platform: 'sandbox', budgets: { dingtalk: 5000, zhengding: null, sandbox: 5000 }, warnShare: 0.8 });
      const sandbox = body.platforms.find((p: { platform: string }) => p.platform === 'sandbox');
      const expected = budgetStatus({ budget: 5000, used: 1520, date: today, calendar: await loadCalendar(a.t.db) });
      expect(sandbox).toMatchObject({ used: 1520, budget: 5000, byKind: { 'create-card': 1200, 'update-card': 300, 'send-group': 20, 'send-users': 0, reply: 0 }, projected: expected.projected, state: expected.state });
      expect(sandbox.usedShare).toBeCloseTo(0.304);
    }
  });

  it('refuses the unit roles (403)', async () => {
    const res = await a.app.inject({ method: 'GET', url: '/api/message-budget', headers: specialist.read });
    expect(res.statusCode).toBe(403);
  });

  it('lets only the 编办管理员 set the budget; bad figures are refused naming the platform, nothing written', async () => {
    const put = (s: Session, payload: unknown) => a.app.inject({ method: 'PUT', url: '/api/message-budget', headers: s.write, payload: payload as object });
    expect((await put(staff, { sandbox: 10000 })).statusCode).toBe(403);
    expect((await put(specialist, { sandbox: 10000 })).statusCode).toBe(403);
    const bad = await put(admin, { dingtalk: 10000, sandbox: -5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('月度额度（沙箱）');
    expect(bad.json().fields).toHaveProperty('sandbox');
    expect((await put(admin, { feishu: 1 })).json().error).toContain('未知的平台');
    expect((await a.app.inject({ method: 'GET', url: '/api/message-budget', headers: admin.read })).json().budgets.dingtalk).toBe(5000);

    const ok = await put(admin, { dingtalk: 10000, zhengding: 20000, sandbox: null });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().budgets).toEqual({ dingtalk: 10000, zhengding: 20000, sandbox: null });
    const sandbox = ok.json().platforms.find((p: { platform: string }) => p.platform === 'sandbox');
    expect(sandbox).toMatchObject({ budget: null, state: 'ok', usedShare: null });
    expect(await a.t.db('audit_log').where({ action: 'message-budget' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    // Back to the defaults for the panel's screenshot elsewhere.
    expect((await put(admin, { sandbox: 5000 })).json().budgets.sandbox).toBe(5000);
  });
});
