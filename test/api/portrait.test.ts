// GET /api/units/:id/portrait by role and scope: a 单位专管员 gets their unit's portrait and 403
// for another unit's; office roles any unit; an unknown id or a credit code is 404, in Chinese;
// ID numbers masked except for FULL_ID_ROLES.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { subtreeIds } from '../../db/scope.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let specialist: Session;
let mine: number;
let other: number;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  const s = (await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first()) as Row;
  specialist = await login(a.app, s.id);
  mine = Number(s.unit_id);
  const sub = await subtreeIds(a.t.db, mine);
  other = Number(((await a.t.db('units').whereNotIn('id', sub).orderBy('id').first()) as Row).id);
}, 120_000);
afterAll(async () => a?.close());

describe('GET /api/units/:id/portrait', () => {
  it("gives a 单位专管员 their unit's portrait and refuses another unit's", async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/units/${mine}/portrait`, headers: specialist.read });
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.unit.id).toBe(mine);
    expect(p.unit.name).toBe(((await a.t.db('units').where({ id: mine }).first()) as Row).name);
    const onQuota = Number(((await a.t.db('people').where({ unit_id: mine, status: '在编' }).whereNotNull('quota_kind').count({ n: '*' }).first()) as Row).n);
    expect(p.totals.onQuota).toBe(onQuota);
    for (const l of p.leaders) expect(l.idNumber ?? '').not.toMatch(/^\d{17}[\dX]$/);
    for (const r of p.retirements.people) expect(r.idNumber ?? '').not.toMatch(/^\d{17}[\dX]$/);
    const no = await a.app.inject({ method: 'GET', url: `/api/units/${other}/portrait`, headers: specialist.read });
    expect(no.statusCode).toBe(403);
    expect(no.json().error).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers office roles for any unit, 404 in Chinese for an unknown id or a credit code', async () => {
    const admin = await login(a.app, 'demo-admin');
    const res = await a.app.inject({ method: 'GET', url: `/api/units/${other}/portrait`, headers: admin.read });
    expect(res.statusCode).toBe(200);
    const withLeaders = (await a.t.db('people').where({ status: '在编' }).whereIn('leader_level', ['单位正职', '单位副职']).first('unit_id')) as Row;
    const full = (await a.app.inject({ method: 'GET', url: `/api/units/${withLeaders.unit_id}/portrait`, headers: admin.read })).json();
    expect(full.leaders[0].idNumber).toMatch(/^\d{17}[\dX]$/);
    const code = ((await a.t.db('units').where({ id: other }).first()) as Row).code;
    for (const url of ['/api/units/999999/portrait', `/api/units/${code}/portrait`, '/api/units/abc/portrait']) {
      const r = await a.app.inject({ method: 'GET', url, headers: admin.read });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error).toBe('没有该单位');
    }
    expect((await a.app.inject({ method: 'GET', url: `/api/units/${mine}/portrait` })).statusCode).toBe(401);
  });
});
