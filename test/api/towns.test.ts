// 镇街三色图's routes by role: everyone reads the towns (a unit role only those in its scope);
// only 编办管理员 changes the thresholds or uploads and deletes the map; errors in Chinese.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { TOWN_NATURE } from '../../core/town-map.ts';
import { subtreeIds } from '../../db/scope.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let admin: Session;
let clerk: Session;
let towns: Row[];

const square = (x: number) => [[[x, 30], [x + 0.1, 30], [x + 0.1, 30.1], [x, 30.1], [x, 30]]];
const mapOf = (names: string[]) => JSON.stringify({ type: 'FeatureCollection', features: names.map((name, i) => ({ type: 'Feature', properties: { name }, geometry: { type: 'Polygon', coordinates: square(120 + i * 0.1) } })) });

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  admin = await login(a.app, 'demo-admin');
  const c = (await a.t.db('users').where({ role: '编办业务人员' }).first()) as Row;
  clerk = await login(a.app, c.id);
  towns = (await a.t.db('units').where({ nature: TOWN_NATURE }).orderBy('id').select('id', 'name', 'region_name')) as Row[];
}, 120_000);
afterAll(async () => a?.close());

describe('/api/towns', () => {
  it('lists every town for the office, with figures, colour and reason', async () => {
    const r = (await a.app.inject({ method: 'GET', url: '/api/towns', headers: clerk.read })).json();
    expect(r.towns.map((x: Row) => x.id).sort()).toEqual(towns.map((x) => Number(x.id)).sort());
    for (const x of r.towns) {
      expect(['green', 'yellow', 'red', 'grey']).toContain(x.colour);
      expect(x.reason).toMatch(/[\u4e00-\u9fff]/);
      expect(x.units).toEqual([]);
    }
    const one = (await a.app.inject({ method: 'GET', url: `/api/towns?town=${towns[0].id}`, headers: clerk.read })).json();
    expect(one.towns.find((x: Row) => x.id === Number(towns[0].id)).units[0].id).toBe(Number(towns[0].id));
    const bad = await a.app.inject({ method: 'GET', url: '/api/towns?town=abc', headers: clerk.read });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/town/);
    expect(r.canEdit).toBe(false);
    expect((await a.app.inject({ method: 'GET', url: '/api/towns', headers: admin.read })).json().canEdit).toBe(true);
  });

  it('gives a unit role only the towns in its scope', async () => {
    const s = (await a.t.db('users').whereIn('role', ['单位专管员', '单位领导']).whereIn('unit_id', towns.map((x) => x.id)).first()) as Row | undefined;
    const any = (await a.t.db('users').where({ role: '单位专管员' }).whereNotIn('unit_id', towns.map((x) => x.id)).whereNotNull('unit_id').first()) as Row;
    const who = s ?? any;
    const session = await login(a.app, who.id);
    const scope = new Set(await subtreeIds(a.t.db, Number(who.unit_id)));
    const r = (await a.app.inject({ method: 'GET', url: `/api/towns?town=${who.unit_id}`, headers: session.read })).json();
    for (const x of r.towns) {
      expect(scope.has(x.id)).toBe(true);
      for (const u of x.units) expect(scope.has(u.id)).toBe(true);
    }
    expect(r.towns.length).toBe(towns.filter((x) => scope.has(Number(x.id))).length);
  });

  it('changes thresholds only for 编办管理员, with Chinese errors', async () => {
    const no = await a.app.inject({ method: 'PUT', url: '/api/towns/thresholds', headers: clerk.write, payload: { greenSaturation: 95 } });
    expect(no.statusCode).toBe(403);
    expect(no.json().error).toMatch(/编办管理员/);
    const bad = await a.app.inject({ method: 'PUT', url: '/api/towns/thresholds', headers: admin.write, payload: { redVacancy: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/黄色空编率下限/);
    const ok = await a.app.inject({ method: 'PUT', url: '/api/towns/thresholds', headers: admin.write, payload: { greenSaturation: 92.5 } });
    expect(ok.statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/api/towns', headers: clerk.read })).json().thresholds.greenSaturation).toBe(92.5);
  });

  it('uploads, reads and deletes the map: 编办管理员 only, unknown towns reported in Chinese', async () => {
    const names = [towns[0].region_name, towns[1].region_name];
    expect((await a.app.inject({ method: 'POST', url: '/api/towns/map', headers: clerk.write, payload: { geojson: mapOf(names) } })).statusCode).toBe(403);
    const bad = await a.app.inject({ method: 'POST', url: '/api/towns/map', headers: admin.write, payload: { geojson: mapOf([...names, '不存在镇']) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/不存在镇/);
    expect(bad.json().unmatched).toEqual(['不存在镇']);
    const none = await a.app.inject({ method: 'POST', url: '/api/towns/map', headers: admin.write, payload: {} });
    expect(none.json().error).toBe('请选择地图文件（GeoJSON）');
    const up = await a.app.inject({ method: 'POST', url: '/api/towns/map', headers: admin.write, payload: { geojson: mapOf(names), fileName: 'test.geojson' } });
    expect(up.statusCode).toBe(201);
    expect(up.json().missing.length).toBe(towns.length - 2);
    const m = (await a.app.inject({ method: 'GET', url: '/api/towns/map', headers: clerk.read })).json();
    expect(m.map.geojson.features.map((f: Row) => f.properties.name)).toEqual(names);
    expect(m.matched).toEqual({ [names[0]]: Number(towns[0].id), [names[1]]: Number(towns[1].id) });
    expect((await a.app.inject({ method: 'GET', url: '/api/towns', headers: clerk.read })).json().map.features).toBe(2);
    expect((await a.app.inject({ method: 'DELETE', url: '/api/towns/map', headers: clerk.write })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'DELETE', url: '/api/towns/map', headers: admin.write })).json()).toEqual({ deleted: 1 });
    expect((await a.app.inject({ method: 'GET', url: '/api/towns/map', headers: clerk.read })).json().map).toBeNull();
  });
});
