// The scores API on the demo county (SQLite; MariaDB with SANSE_TEST_DB=mysql): the office sees
// every unit's score and the 红黑榜 preview, a unit only its own row and a published list; only
// 编办管理员/编办业务人员 publish, only 编办管理员 changes the policy; bad input answered in Chinese.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMonthScores } from '../../commands/close-month-scores.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

const BASE = 'http://127.0.0.1:3000';
const MONTH = '2026-11';
let a: ApiTestApp;
let admin: Session;
let staff: Session;
let leader: Session;
let spec: Session;
let specUnit: number;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, BASE);
  await closeMonthScores({ db: a.t.db, month: MONTH, today: '2026-12-01', publicBaseUrl: BASE });
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  specUnit = Number(s.unit_id);
  [admin, staff, leader, spec] = await Promise.all([login(a.app, 'demo-admin'), login(a.app, 'demo-staff-01'), login(a.app, 'demo-leader'), login(a.app, s.id)]);
}, 300_000);
afterAll(async () => { await a?.close(); });

const get = (who: Session, url: string) => a.app.inject({ method: 'GET', url, headers: who.read });
const send = (who: Session, method: 'POST' | 'PUT', url: string, payload?: unknown) => a.app.inject({ method, url, headers: who.write, payload: payload as object });

describe('scores API', () => {
  it('the office sees every unit best first; a unit its own row with its rank', async () => {
    const units = Number((await a.t.db('units').count({ n: '*' }).first())!.n);
    const all = (await get(leader, `/api/scores?month=${MONTH}`)).json();
    expect(all).toMatchObject({ month: MONTH, scored: true, units, ranking: { state: 'preview' } });
    expect(all.scores).toHaveLength(units);
    const ranks = all.scores.map((s: { rank: number }) => s.rank);
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(Object.keys(all.scores[0].deductions).sort()).toEqual(['accuracy', 'completeness', 'selfCheck', 'timeliness']);
    const own = (await get(spec, `/api/scores?month=${MONTH}`)).json();
    expect(own.scores).toEqual([all.scores.find((s: { unitId: number }) => s.unitId === specUnit)]);
    expect(own.ranking).toBeNull(); // a preview is the office's
    const bad = await get(admin, '/api/scores?month=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('month 应为 YYYY-MM');
  });

  it('a unit\'s history: its own unit only', async () => {
    const h = (await get(spec, `/api/units/${specUnit}/scores`)).json();
    expect(h.history).toHaveLength(1);
    expect(h.history[0]).toMatchObject({ month: MONTH, units: expect.any(Number) });
    const other = await a.t.db('units').whereNot({ id: specUnit }).whereNotIn('id', await a.t.db('units').where({ parent_id: specUnit }).pluck('id')).first();
    expect((await get(spec, `/api/units/${other.id}/scores`)).statusCode).toBe(403);
    expect((await get(admin, `/api/units/${other.id}/scores`)).statusCode).toBe(200);
  });

  it('the 红黑榜: preview for the office only; published by office staff, once', async () => {
    expect((await get(spec, `/api/rankings/${MONTH}`)).statusCode).toBe(404);
    const preview = (await get(admin, `/api/rankings/${MONTH}`)).json();
    expect(preview).toMatchObject({ month: MONTH, state: 'preview' });
    expect(preview.top).toHaveLength(10);
    expect(preview.bottom).toHaveLength(10);
    expect((await send(spec, 'POST', `/api/rankings/${MONTH}/publish`)).statusCode).toBe(403);
    expect((await send(leader, 'POST', `/api/rankings/${MONTH}/publish`)).statusCode).toBe(403);
    const groups = (await a.t.db('units').whereNotNull('group_id').distinct('group_id')).length + 1; // + the office's group
    const p = await send(staff, 'POST', `/api/rankings/${MONTH}/publish`);
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json()).toMatchObject({ published: true, groups });
    expect((await send(admin, 'POST', `/api/rankings/${MONTH}/publish`)).json()).toMatchObject({ published: false, groups: 0 });
    expect(await a.t.db('outbox').where('dedup_key', 'like', `ranking:${MONTH}:%`).count({ n: '*' }).first()).toMatchObject({ n: groups });
    expect((await get(spec, `/api/rankings/${MONTH}`)).json()).toMatchObject({ state: 'published', publishedBy: 'demo-staff-01' });
    expect((await get(admin, '/api/rankings/2026-02')).statusCode).toBe(404);
  });

  it('the policy: 编办管理员 changes it, validated in Chinese', async () => {
    expect((await get(spec, '/api/score-policy')).statusCode).toBe(403);
    const view = (await get(staff, '/api/score-policy')).json();
    expect(view).toMatchObject({ policy: { autoBroadcast: false, weights: { S1: 2 } }, selfChecksRequired: 2 });
    expect((await send(staff, 'PUT', '/api/score-policy', { autoBroadcast: true })).statusCode).toBe(403);
    const bad = await send(admin, 'PUT', '/api/score-policy', { caps: { accuracy: 200 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('准确度扣分上限应为 0 到 100 之间的数');
    const ok = await send(admin, 'PUT', '/api/score-policy', { autoBroadcast: true, weights: { S2: 0.5 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().policy).toMatchObject({ autoBroadcast: true, weights: { S1: 2, S2: 0.5 } });
    expect(await a.t.db('audit_log').where({ action: 'score_policy', actor: 'demo-admin' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});
