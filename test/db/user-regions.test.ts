// The 用户 sheet's 所属区划 (市县贯通): an office role's region is stored and scopes it to that
// county; a unit role's is ignored; a code no unit carries and the regions table lacks is an
// error naming the row and field, and nothing is written.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importData } from '../../db/import.ts';
import { actingUser } from '../../db/scope.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { addSecondCounty } from '../fixtures/second-county.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
let dir: string;
const opts = { by: 'test', today: '2026-11-23' };

function usersCsv(name: string, rows: string[]): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '用户.csv'), ['用户ID,姓名,角色,统一社会信用代码,手机,所属区划', ...rows].join('\n'));
  return folder;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 300, seed: 5, today: '2026-11-23' });
  await addSecondCounty(t.db, { units: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-users-'));
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('用户 所属区划', () => {
  it('stores an office role\'s region, ignores a unit role\'s, and scopes the county office', async () => {
    const unit = await t.db('units').where({ region_code: '330603' }).orderBy('id').first();
    const r = await importData(t.db, t.pii, usersCsv('ok', [
      'ky-admin,上虞管理员,编办管理员,,,330604',
      'city-query,市级查询,查询用户,,,',
      `u-zgy,专管员,单位专管员,${unit.code},,330604`,
    ]), opts);
    expect(r.ok, JSON.stringify(r.errors)).toBe(true);
    expect(await t.db('users').whereIn('id', ['ky-admin', 'city-query', 'u-zgy']).orderBy('id').select('id', 'region_code'))
      .toEqual([{ id: 'city-query', region_code: null }, { id: 'ky-admin', region_code: '330604' }, { id: 'u-zgy', region_code: null }]);
    const county = await actingUser(t.db, 'ky-admin');
    const ids = (await t.db('units').where({ region_code: '330604' }).orderBy('id').pluck('id')).map(Number);
    expect(county!.scope).toEqual(ids);
    expect((await actingUser(t.db, 'city-query'))!.scope).toBeNull();
  });

  it('puts a 功能区 where the regions table says (330671 under the county 330604, not by its digits)', async () => {
    await t.db('regions').insert({ code: '330671', name: '上虞经济开发区', parent_code: '330604' });
    const { id: _id, ...u } = await t.db('units').where({ region_code: '330604' }).orderBy('id').first();
    const [zone] = await t.db('units').insert({ ...u, code: '12330671MB0000001X', name: '开发区管委会', region_code: '330671', region_name: '上虞经济开发区' });
    expect((await actingUser(t.db, 'ky-admin'))!.scope).toContain(Number(zone));
    await t.db('users').insert({ id: 'a-admin', name: '柯桥管理员', role: '编办管理员', unit_code: null, unit_id: null, mobile: null, locked: false, region_code: '330603', created_at: '2026-11-23 09:00:00', updated_at: '2026-11-23 09:00:00' });
    expect((await actingUser(t.db, 'a-admin'))!.scope).not.toContain(Number(zone));
    expect((await actingUser(t.db, 'city-query'))!.scope).toBeNull();
  });

  it('refuses a region the deployment does not know, naming row and field', async () => {
    const r = await importData(t.db, t.pii, usersCsv('bad', ['x-admin,某人,编办业务人员,,,330699', 'y-admin,某人,编办业务人员,,,33060']), opts);
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.message)).toEqual(['第2行 所属区划：“330699”不是本系统的区划（没有单位属于该区划，区划表中也没有）', '第3行 所属区划：“33060”应为6位数字的行政区划代码']);
    expect(await t.db('users').whereIn('id', ['x-admin', 'y-admin']).first()).toBeUndefined();
  });
});
