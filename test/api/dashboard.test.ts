// The dashboard's routes on the demo county (SQLite, or MariaDB with SANSE_TEST_DB=mysql): every
// role gets its panels within its scope, the office's figures are the whole county's, a unit
// role's only its units', drill-downs stay in scope, and bad parameters are refused in Chinese.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { subtreeIds } from '../../db/scope.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let clerk: Session;
let leader: Session;
let unitLeader: Session;
let unitScope: number[];

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  clerk = await login(a.app, 'demo-staff-01');
  leader = await login(a.app, 'demo-leader');
  const leaders = (await a.t.db('users').where({ role: '单位领导' }).whereNotNull('unit_id').orderBy('id').select('id', 'unit_id')) as Row[];
  let best: Row | null = null;
  for (const l of leaders) {
    const sub = await subtreeIds(a.t.db, Number(l.unit_id));
    if (!best || sub.length > unitScope.length) { best = l; unitScope = sub; }
  }
  unitLeader = await login(a.app, best!.id);
}, 120_000);
afterAll(async () => { await a?.close(); });

const get = async (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });

describe(`dashboard API (${TEST_DB_KIND})`, () => {
  it('gives every panel with its date to the office, the county\'s figures from the tables', async () => {
    for (const s of [clerk, leader]) {
      for (const p of ['quotas', 'structure', 'quality', 'retirements']) {
        const res = await get(s, `/api/dashboard/${p}`);
        expect(res.statusCode, p).toBe(200);
        expect(res.json().asOf, p).toBe(D0);
      }
    }
    const q = (await get(clerk, '/api/dashboard/quotas')).json();
    const approved = Number((await a.t.db('quotas').sum({ n: 'approved' }).first())!.n);
    const onQuota = Number((await a.t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').count({ n: '*' }).first())!.n);
    expect(q.totals).toMatchObject({ approved, onQuota, vacantNet: approved - onQuota, units: Number((await a.t.db('units').count({ n: '*' }).first())!.n) });
    expect(q.totals.vacantGross - q.totals.overGross).toBe(q.totals.vacantNet);
    expect(q.note).toMatch(/净空编/);
    const edu = (await get(clerk, `/api/dashboard/quotas?sector=${encodeURIComponent('教育')}`)).json();
    expect(edu.sector).toBe('教育');
    expect(edu.totals.approved).toBe(q.bySector.find((x: Row) => x.sector === '教育').approved);
    const r = (await get(clerk, '/api/dashboard/retirements?years=3')).json();
    expect(r.months).toHaveLength(36);
    expect(r.years.reduce((s: number, y: Row) => s + y.n, 0)).toBe(r.total);
    const quality = (await get(clerk, '/api/dashboard/quality')).json();
    expect(quality.lights.red + quality.lights.yellow + quality.lights.green).toBe(q.totals.units);
    const open = Number((await a.t.db('findings').where({ status: 'open' }).count({ n: '*' }).first())!.n);
    expect(quality.families.reduce((s: number, f: Row) => s + f.open, 0)).toBe(open);
    expect(quality.redTrend).toEqual([{ date: D0, red: Number((await a.t.db('unit_daily_lights').where({ date: D0 }).sum({ n: 'red' }).first())!.n) }]);
  });

  it("gives a 单位领导 only their units' figures, and refuses people outside them", async () => {
    const q = (await get(unitLeader, '/api/dashboard/quotas')).json();
    expect(q.scope).toBe('units');
    expect(q.totals.units).toBe(unitScope.length);
    const approved = Number((await a.t.db('quotas').whereIn('unit_id', unitScope).sum({ n: 'approved' }).first())!.n ?? 0);
    expect(q.totals.approved).toBe(approved);
    const s = (await get(unitLeader, '/api/dashboard/structure')).json();
    const staff = Number((await a.t.db('people').where({ status: '在编' }).whereIn('unit_id', unitScope).count({ n: '*' }).first())!.n);
    expect(s.dims.find((d: Row) => d.dim === 'education').total).toBe(staff);
    const drill = (await get(unitLeader, `/api/dashboard/drill?dim=status&key=${encodeURIComponent('在编')}`)).json();
    expect(drill.units.every((u: Row) => unitScope.includes(u.unitId))).toBe(true);
    expect(drill.units.reduce((n: number, u: Row) => n + u.n, 0)).toBe(staff);
    const mine = drill.units[0];
    const people = (await get(unitLeader, `/api/dashboard/drill/people?unit=${mine.unitId}&dim=status&key=${encodeURIComponent('在编')}`)).json();
    expect(people.total).toBe(mine.n);
    expect(people.portrait).toBe(`#/portrait/${mine.unitId}`);
    expect(people.people.every((p: Row) => !p.idMasked || p.idMasked.includes('*'))).toBe(true);
    const outside = (await a.t.db('units').whereNotIn('id', unitScope).first('id'))!;
    const refused = await get(unitLeader, `/api/dashboard/drill/people?unit=${outside.id}&dim=status&key=${encodeURIComponent('在编')}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatch(/超出/);
  });

  it('lists a quality figure\'s units and a unit\'s open findings of that family', async () => {
    const d = (await get(clerk, '/api/dashboard/drill?dim=family&key=accuracy')).json();
    expect(d.total).toBeGreaterThan(0);
    const u = d.units[0];
    const f = (await get(clerk, `/api/dashboard/drill/people?unit=${u.unitId}&dim=family&key=accuracy`)).json();
    expect(f.total).toBe(u.n);
    expect(f.findings.every((x: Row) => x.rule && x.subject)).toBe(true);
    const red = (await get(clerk, '/api/dashboard/drill?dim=light&key=red')).json();
    expect(red.total).toBe(Number((await a.t.db('unit_daily_lights').where({ date: D0, light: 'red' }).count({ n: '*' }).first())!.n));
  });

  it('refuses bad parameters with 400 in Chinese', async () => {
    for (const url of [
      '/api/dashboard/quotas?sector=%E5%86%9C%E4%B8%9A', '/api/dashboard/structure?sector=x', '/api/dashboard/retirements?years=0',
      '/api/dashboard/retirements?years=11', '/api/dashboard/retirements?years=abc', '/api/dashboard/drill', '/api/dashboard/drill?dim=nope&key=x',
      '/api/dashboard/drill?dim=light&key=blue', '/api/dashboard/drill?dim=family&key=x', '/api/dashboard/drill?dim=retire&key=2027-13',
      '/api/dashboard/drill?dim=age', '/api/dashboard/drill/people?dim=status&key=x', `/api/dashboard/drill/people?unit=1&dim=bad&key=x`,
    ]) {
      const res = await get(clerk, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await a.app.inject({ method: 'GET', url: '/api/dashboard/quotas' })).statusCode).toBe(401);
  });
});
