// Units are addressed by their own id: two units sharing one credit code (U-IN-06, as real data
// has them) are kept apart by the findings filter, the export, the self-check and the alert
// card's link and button. An old link with a code works while the code names one unit; a shared
// one answers 409 with the candidates to choose from. SQLite and MariaDB.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHandler } from '../../bot/handler.ts';
import { todayInShanghai } from '../../core/dates.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
const BASE = 'http://127.0.0.1:3000';
const today = todayInShanghai();

let a: ApiTestApp;
let admin: Session;
let specialistB: Session;
/** Two leaf units with people and a work group; the second carries the first's credit code. */
let A: Row;
let B: Row;
let code: string;

beforeAll(async () => {
  a = await startApp();
  const db = a.t.db;
  const parents = new Set((await db('units').whereNotNull('parent_id').pluck('parent_id')).map(Number));
  const leaves: Row[] = [];
  for (const u of await db('units').whereNot('code', '').orderBy('id').select('id', 'code', 'name')) {
    if (parents.has(Number(u.id))) continue;
    if (Number((await db('people').where({ unit_id: u.id }).count({ n: '*' }).first())!.n) > 0) leaves.push(u);
  }
  [A, B] = leaves;
  code = A.code;
  await db('units').where({ id: B.id }).update({ code });
  for (const u of [A, B]) await db('units').where({ id: u.id }).update({ group_id: `grp-${u.id}` });
  const at = `${today} 09:00:00`;
  await db('users').insert({ id: 'shared-zgy', name: '孙专管', role: '单位专管员', unit_code: code, unit_id: B.id, mobile: null, locked: false, created_at: at, updated_at: at });
  await dailyCheck(db, today, BASE);
  admin = await login(a.app, 'demo-admin');
  specialistB = await login(a.app, 'shared-zgy');
}, 300_000);
afterAll(async () => {
  await a?.close();
});

const openOf = async (unitId: number) => (await a.t.db('findings').where({ status: 'open', unit_id: unitId }).pluck('id')).map(Number).sort((x, y) => x - y);
const ids = (list: Row[]) => list.map((f) => Number(f.id)).sort((x, y) => x - y);

async function exportRows(headers: Record<string, string>, query: string): Promise<Row[]> {
  const res = await a.app.inject({ method: 'GET', url: `/api/export/findings${query}`, headers });
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: Row[] = [];
  wb.getWorksheet('问题清单')!.eachRow((row, i) => { if (i > 1) out.push({ unit: row.getCell(3).value, code: row.getCell(4).value }); });
  return out;
}

describe('units by id', () => {
  it('has two units sharing one credit code, each with open findings', async () => {
    expect(A.id).not.toBe(B.id);
    expect((await openOf(Number(A.id))).length).toBeGreaterThan(0);
    expect((await openOf(Number(B.id))).length).toBeGreaterThan(0);
  });

  it('filters findings by the unit\'s id: exactly that unit', async () => {
    for (const u of [A, B]) {
      const res = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${u.id}&limit=5000`, headers: admin.read });
      expect(res.statusCode, res.body).toBe(200);
      const list = res.json() as Row[];
      expect(ids(list)).toEqual(await openOf(Number(u.id)));
      expect(list.every((f) => f.unitId === Number(u.id) && f.unitName === u.name)).toBe(true);
    }
  });

  it('answers a shared code with the candidates to choose from, in Chinese', async () => {
    const res = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${code}`, headers: admin.read });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatch(/对应多个单位/);
    expect(res.json().candidates).toEqual([
      { id: Number(A.id), code, name: A.name },
      { id: Number(B.id), code, name: B.name },
    ]);
    const exp = await a.app.inject({ method: 'GET', url: `/api/export/findings?unit=${code}`, headers: admin.read });
    expect(exp.statusCode).toBe(409);
  });

  it('keeps old links with a code working where the code names one unit', async () => {
    const unique = (await a.t.db('units').whereNot('code', '').select('code').count({ n: '*' }).groupBy('code').havingRaw('count(*) = 1').first()) as Row;
    const res = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${unique.code}`, headers: admin.read });
    expect(res.statusCode, res.body).toBe(200);
    // For the specialist of B only B is in scope: the shared code names one unit it may see.
    const mine = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${code}&limit=5000`, headers: specialistB.read });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(ids(mine.json())).toEqual(await openOf(Number(B.id)));
    const other = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${A.id}`, headers: specialistB.read });
    expect(other.statusCode).toBe(403);
  });

  it('exports exactly the unit named by its id', async () => {
    for (const u of [A, B]) {
      const rows = await exportRows(admin.read, `?unit=${u.id}`);
      expect(rows.length).toBe((await openOf(Number(u.id))).length);
      expect(new Set(rows.map((r) => r.unit))).toEqual(new Set([u.name]));
    }
    // A unit role without a filter gets its own unit, not the other one with its code.
    const own = await exportRows(specialistB.read, '');
    expect(own.length).toBe((await openOf(Number(B.id))).length);
    expect(new Set(own.map((r) => r.unit))).toEqual(new Set([B.name]));
  });

  it('self-checks the unit named by its id', async () => {
    const res = await a.app.inject({ method: 'POST', url: `/api/units/${B.id}/self-check`, headers: specialistB.write, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().unit).toMatchObject({ id: Number(B.id), name: B.name });
    expect(await a.t.db('self_checks').where({ user_id: 'shared-zgy' }).pluck('unit_id').then((r) => r.map(Number))).toEqual([Number(B.id)]);
    const units = (await a.app.inject({ method: 'GET', url: '/api/units', headers: admin.read })).json() as Row[];
    expect(units.filter((u) => u.code === code).map((u) => u.id).sort()).toEqual([Number(A.id), Number(B.id)].sort());
  });

  it('links each unit\'s alert card and its recheck button to that unit\'s id', async () => {
    for (const u of [A, B]) {
      const row = await a.t.db('outbox').where({ dedup_key: `digest:${u.id}:${today}` }).first();
      expect(row, u.name).toBeTruthy();
      const card = JSON.parse(row.payload).card;
      expect(card.data.url).toBe(`${BASE}/m/#/todo?unit=${u.id}`);
      expect(card.data.unitId).toBe(String(u.id));
      expect(card.fallback.buttons[0].url).toBe(`${BASE}/m/#/todo?unit=${u.id}`);
      // The link leads to exactly this unit's list.
      const unit = new URL(card.data.url.replace('#/todo', 'todo')).searchParams.get('unit');
      const list = (await a.app.inject({ method: 'GET', url: `/api/findings?status=open&unit=${unit}&limit=5000`, headers: admin.read })).json() as Row[];
      expect(ids(list)).toEqual(await openOf(Number(u.id)));
    }
  });

  it('re-checks the unit the card\'s button names by id, and not a unit behind a shared code', async () => {
    const db = a.t.db;
    const handle = businessHandler(db, { today: () => today });
    // A finding of B's unit rules, removed: the re-check of B finds it again; of A it does not.
    const gone = await db('findings').where({ unit_id: B.id, scope: 'unit', status: 'open' }).orderBy('id').first();
    expect(gone, 'B has an open finding of its unit rules').toBeTruthy();
    await db('findings').where({ id: gone.id }).delete();
    const press = (unit: string) => handle({ kind: 'cardAction', eventId: `e-${unit}`, cardId: `unit-digest:${B.id}:${today}`, userId: 'shared-zgy', actionId: 'recheck', params: { unit } });
    const again = () => db('findings').where({ unit_id: B.id, scope: 'unit', rule: gone.rule, status: 'open' }).count({ n: '*' }).first().then((r) => Number(r!.n));
    await press(String(A.id)); // out of the specialist's scope: nothing
    await press(code); // an old card's shared code: nothing
    expect(await again()).toBe(0);
    // B was self-checked (above) after its card was sent, and none of its records changed since:
    // the button says so and runs nothing.
    expect(await press(String(B.id))).toEqual({ notice: expect.stringMatching(/^已由.+于\d\d:\d\d重新检查，结果见卡片$/) });
    expect(await again()).toBe(0);
    // Had that self-check come before the card, the button re-checks B.
    await db('unit_rechecks').where({ unit_id: B.id }).update({ started_at: '2000-01-01 00:00:00', finished_at: '2000-01-01 00:00:00' });
    await press(String(B.id));
    expect(await again()).toBe(1);
  });
});
